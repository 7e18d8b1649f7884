package cel

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// diffCase is one object of the differential corpus: the manifest as a user
// writes it (sent as is to the real apiserver) and, for the
// pods/ephemeralcontainers subresource, the ephemeral containers an UPDATE
// adds to the Pod.
type diffCase struct {
	name string
	// manifest is the object (a map from YAML).
	manifest map[string]any
	// ephemeral, when set, is the ephemeralContainers list of an UPDATE of
	// pods/ephemeralcontainers on the Pod manifest.
	ephemeral []any
	// namespaceLabels are labels of the Namespace the object is created in
	// besides the one that binds the entry's policy (checks that read
	// namespaceObject).
	namespaceLabels map[string]string
}

// diffCheck is one catalog entry with its corpus.
type diffCheck struct {
	entry governance.PolicyEntry
	cases []diffCase
}

func mustYAML(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("corpus YAML: %v\n%s", err, s)
	}
	return m
}

// workloadKinds are the kinds a pod spec is wrapped into.
var workloadKinds = []string{"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"}

// wrap builds a kind around a pod spec, with labels on the object (and on
// the pod template, as selectors need).
func wrap(kind, name string, spec map[string]any, labels map[string]any) map[string]any {
	spec = deepCopyMap(spec)
	obj := map[string]any{"metadata": map[string]any{"name": name}}
	if labels != nil {
		obj["metadata"].(map[string]any)["labels"] = labels
	}
	tmpl := func() map[string]any {
		return map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}}, "spec": spec}
	}
	sel := map[string]any{"matchLabels": map[string]any{"app": name}}
	switch kind {
	case "Pod":
		obj["apiVersion"], obj["kind"], obj["spec"] = "v1", "Pod", spec
	case "ReplicationController":
		obj["apiVersion"], obj["kind"] = "v1", kind
		obj["spec"] = map[string]any{"selector": map[string]any{"app": name}, "template": tmpl()}
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
		obj["apiVersion"], obj["kind"] = "apps/v1", kind
		obj["spec"] = map[string]any{"selector": sel, "template": tmpl()}
	case "Job":
		spec["restartPolicy"] = "Never"
		obj["apiVersion"], obj["kind"] = "batch/v1", kind
		obj["spec"] = map[string]any{"template": tmpl()}
	case "CronJob":
		spec["restartPolicy"] = "Never"
		obj["apiVersion"], obj["kind"] = "batch/v1", kind
		obj["spec"] = map[string]any{"schedule": "0 * * * *", "jobTemplate": map[string]any{"spec": map[string]any{"template": tmpl()}}}
	}
	return obj
}

func deepCopyMap(m map[string]any) map[string]any {
	data, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return out
}

// podCases wraps every pod spec into every workload kind; ephemeral specs
// become pods/ephemeralcontainers updates of a Pod with base spec.
func podCases(t testing.TB, specs map[string]string, ephemeral map[string]string) []diffCase {
	var out []diffCase
	for _, name := range sortedKeys(specs) {
		spec := mustYAML(t, specs[name])
		for _, kind := range workloadKinds {
			n := strings.ToLower(kind) + "-" + name
			out = append(out, diffCase{name: n, manifest: wrap(kind, n, spec, nil)})
		}
	}
	base := mustYAML(t, baseSpec)
	for _, name := range sortedKeys(ephemeral) {
		var list []any
		if err := yaml.Unmarshal([]byte(ephemeral[name]), &list); err != nil {
			t.Fatal(err)
		}
		n := "eph-" + name
		out = append(out, diffCase{name: n, manifest: wrap("Pod", n, base, nil), ephemeral: list})
	}
	return out
}

// baseSpec passes every pod check of the corpus's parameters, so that the
// Pod an ephemeral-container update targets can be created first.
const baseSpec = `
automountServiceAccountToken: false
securityContext: {runAsNonRoot: true, runAsUser: 1000}
containers:
- name: app
  image: registry.example.com/app:1.0
  resources: {limits: {cpu: "1", memory: 1Gi}}
  livenessProbe: {exec: {command: ["true"]}}
  readinessProbe: {exec: {command: ["true"]}}
`

func spec(containers string, extra ...string) string {
	return strings.Join(extra, "\n") + "\ncontainers:\n" + containers
}

const okC = `- {name: app, image: "registry.example.com/app:1.0"}`

// corpus returns every catalog check with its objects.
func corpus(t testing.TB) []diffCheck {
	entry := func(id, params string) governance.PolicyEntry { return item1Entry(t, id, params) }
	digest := "sha256:" + strings.Repeat("ab", 32)
	var checks []diffCheck

	checks = append(checks, diffCheck{entry(catalog.IDPrivilegedContainer, ""), podAndOperatorCases(t, map[string]string{
		"plain":       spec(okC),
		"false":       spec(`- {name: app, image: x.io/a:1, securityContext: {privileged: false}}`),
		"empty-sc":    spec(`- {name: app, image: x.io/a:1, securityContext: {}}`),
		"true":        spec(`- {name: app, image: x.io/a:1, securityContext: {privileged: true}}`),
		"init-true":   spec(okC, `initContainers: [{name: init, image: x.io/a:1, securityContext: {privileged: true}}]`),
		"second-true": spec(okC + "\n" + `- {name: side, image: x.io/a:1, securityContext: {privileged: true}}`),
	}, map[string]string{
		"true":  `[{name: debug, image: "busybox:1.36", securityContext: {privileged: true}}]`,
		"plain": `[{name: debug, image: "busybox:1.36"}]`,
	})})

	checks = append(checks, diffCheck{entry(catalog.IDAllowedRegistries, `{registries: [registry.example.com, "localhost:5000", nvcr.io, index.docker.io]}`), podAndOperatorCases(t, map[string]string{
		"allowed":        spec(okC),
		"implicit-hub":   spec(`- {name: app, image: "nginx:1.27"}`),
		"library-hub":    spec(`- {name: app, image: "library/nginx:1.27"}`),
		"index-hub":      spec(`- {name: app, image: "index.docker.io/library/nginx:1.27"}`),
		"docker-io":      spec(`- {name: app, image: "docker.io/library/nginx:1.27"}`),
		"prefix-attack":  spec(`- {name: app, image: "registry.example.com.attacker.io/app:1"}`),
		"port-ok":        spec(`- {name: app, image: "localhost:5000/app:1"}`),
		"port-other":     spec(`- {name: app, image: "localhost:5001/app:1"}`),
		"host-port":      spec(`- {name: app, image: "registry.example.com:443/app:1"}`),
		"digest":         spec(`- {name: app, image: "nvcr.io/nvidia/pytorch@` + digest + `"}`),
		"quay":           spec(`- {name: app, image: "quay.io/org/app:1"}`),
		"init-bad":       spec(okC, `initContainers: [{name: init, image: "ghcr.io/org/init:1"}]`),
		"localhost-bare": spec(`- {name: app, image: "localhost/app:1"}`),
	}, map[string]string{
		"bad":  `[{name: debug, image: "ghcr.io/org/debug:1"}]`,
		"good": `[{name: debug, image: "busybox:1.36"}]`,
	})})

	labels := func(kind, name string, l string) diffCase {
		var lm map[string]any
		if l != "" {
			lm = mustYAML(t, l)
		}
		if kind == "Namespace" {
			m := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}
			if lm != nil {
				m["metadata"].(map[string]any)["labels"] = lm
			}
			return diffCase{name: name, manifest: m}
		}
		return diffCase{name: name, manifest: wrap(kind, name, mustYAML(t, spec(okC)), lm)}
	}
	var lcases []diffCase
	for _, kind := range append([]string{"Namespace"}, workloadKinds...) {
		k := strings.ToLower(kind)
		lcases = append(lcases,
			labels(kind, k+"-ok", `{team: ml, cost-center: "42"}`),
			labels(kind, k+"-platform", `{team: platform, cost-center: x}`),
			labels(kind, k+"-unanchored", `{team: ml-x, cost-center: "1"}`),
			labels(kind, k+"-prefix", `{team: xml, cost-center: "1"}`),
			labels(kind, k+"-missing", `{team: ml}`),
			labels(kind, k+"-none", ``),
		)
	}
	checks = append(checks, diffCheck{entry(catalog.IDRequiredLabels, `{labels: [{key: team, allowedRegex: "ml|platform"}, {key: cost-center}]}`), lcases})

	lim := func(name, limits string) string {
		return fmt.Sprintf(`- {name: %s, image: x.io/a:1, resources: {limits: %s}}`, name, limits)
	}
	checks = append(checks, diffCheck{entry(catalog.IDContainerLimits, `{cpu: "2", memory: 4Gi}`), podAndOperatorCases(t, map[string]string{
		"ok":          spec(lim("app", `{cpu: 2000m, memory: 4Gi}`)),
		"one":         spec(lim("app", `{cpu: 1, memory: 4096Mi}`)),
		"cpu-over":    spec(lim("app", `{cpu: 2001m, memory: 1Gi}`)),
		"four-g":      spec(lim("app", `{cpu: "2", memory: 4G}`)),
		"mem-over":    spec(lim("app", `{cpu: "1", memory: 5Gi}`)),
		"no-cpu":      spec(lim("app", `{memory: 1Gi}`)),
		"no-limits":   spec(`- {name: app, image: x.io/a:1}`),
		"init-no-mem": spec(lim("app", `{cpu: 1, memory: 1Gi}`), `initContainers: [{name: init, image: x.io/a:1, resources: {limits: {cpu: 1}}}]`),
		"requests":    spec(`- {name: app, image: x.io/a:1, resources: {requests: {cpu: 1, memory: 1Gi}}}`),
	}, map[string]string{
		"exempt": `[{name: debug, image: "busybox:1.36"}]`,
	})})

	checks = append(checks, diffCheck{entry(catalog.IDGPUPerContainerMax, `{max: 2}`), podAndOperatorCases(t, map[string]string{
		"none":         spec(okC),
		"number":       spec(lim("app", `{nvidia.com/gpu: 2}`)),
		"string":       spec(lim("app", `{nvidia.com/gpu: "2"}`)),
		"over":         spec(lim("app", `{nvidia.com/gpu: 3}`)),
		"over-string":  spec(lim("app", `{nvidia.com/gpu: "4"}`)),
		"both":         spec(`- {name: app, image: x.io/a:1, resources: {limits: {nvidia.com/gpu: 3}, requests: {nvidia.com/gpu: 3}}}`),
		"init-over":    spec(okC, `initContainers: [{name: init, image: x.io/a:1, resources: {limits: {nvidia.com/gpu: 8}}}]`),
		"other-vendor": spec(lim("app", `{amd.com/gpu: 8}`)),
	}, nil)})

	checks = append(checks, diffCheck{entry(catalog.IDHostNamespaces, ""), podAndOperatorCases(t, map[string]string{
		"none":    spec(okC),
		"false":   spec(okC, "hostNetwork: false", "hostPID: false", "hostIPC: false"),
		"network": spec(okC, "hostNetwork: true"),
		"pid":     spec(okC, "hostPID: true"),
		"ipc":     spec(okC, "hostIPC: true"),
	}, nil)})

	checks = append(checks, diffCheck{entry(catalog.IDAutomountToken, ""), podAndOperatorCases(t, map[string]string{
		"false":  spec(okC, "automountServiceAccountToken: false"),
		"true":   spec(okC, "automountServiceAccountToken: true"),
		"absent": spec(okC),
	}, nil)})

	svc := func(name, typ string) diffCase {
		m := mustYAML(t, `{apiVersion: v1, kind: Service, metadata: {name: `+name+`}, spec: {ports: [{port: 80}], selector: {app: x}}}`)
		sp := m["spec"].(map[string]any)
		switch typ {
		case "":
		case "ExternalName":
			sp["type"], sp["externalName"] = typ, "db.example.com"
			delete(sp, "selector")
		case "Headless":
			sp["clusterIP"] = "None"
		default:
			sp["type"] = typ
		}
		return diffCase{name: name, manifest: m}
	}
	checks = append(checks, diffCheck{entry(catalog.IDServiceType, `{disallowed: [NodePort, LoadBalancer]}`), []diffCase{
		svc("omitted", ""), svc("clusterip", "ClusterIP"), svc("nodeport", "NodePort"), svc("lb", "LoadBalancer"),
		svc("external", "ExternalName"), svc("headless", "Headless"),
	}})

	img := func(image string) string { return spec(`- {name: app, image: "` + image + `"}`) }
	checks = append(checks, diffCheck{entry(catalog.IDLatestTag, ""), podAndOperatorCases(t, map[string]string{
		"tagged":        img("registry.example.com/app:1.0"),
		"untagged":      img("registry.example.com/app"),
		"latest":        img("nginx:latest"),
		"digest":        img("nginx@" + digest),
		"latest-digest": img("nginx:latest@" + digest),
		"port-no-tag":   img("localhost:5000/app"),
		"port-tag":      img("localhost:5000/app:v1"),
		"port-latest":   img("localhost:5000/app:latest"),
		"init-latest":   spec(okC, `initContainers: [{name: init, image: "busybox"}]`),
	}, map[string]string{
		"untagged": `[{name: debug, image: busybox}]`,
		"tagged":   `[{name: debug, image: "busybox:1.36"}]`,
	})})

	checks = append(checks, diffCheck{entry(catalog.IDRunAsNonRoot, ""), podAndOperatorCases(t, map[string]string{
		"pod-true":        spec(okC, "securityContext: {runAsNonRoot: true}"),
		"none":            spec(okC),
		"container-true":  spec(`- {name: app, image: x.io/a:1, securityContext: {runAsNonRoot: true}}`),
		"pod-false":       spec(`- {name: app, image: x.io/a:1, securityContext: {runAsNonRoot: true}}`, "securityContext: {runAsNonRoot: false}"),
		"container-false": spec(`- {name: app, image: x.io/a:1, securityContext: {runAsNonRoot: false}}`, "securityContext: {runAsNonRoot: true}"),
		"init-missing":    spec(`- {name: app, image: x.io/a:1, securityContext: {runAsNonRoot: true}}`, `initContainers: [{name: init, image: x.io/a:1}]`),
		"pod-root-user":   spec(okC, "securityContext: {runAsNonRoot: true, runAsUser: 0}"),
		"container-root":  spec(`- {name: app, image: x.io/a:1, securityContext: {runAsUser: 0}}`, "securityContext: {runAsNonRoot: true}"),
		"user-1000":       spec(`- {name: app, image: x.io/a:1, securityContext: {runAsUser: 1000}}`, "securityContext: {runAsNonRoot: true}"),
		"hostusers-false": spec(`- {name: app, image: x.io/a:1, securityContext: {runAsUser: 0}}`, "hostUsers: false"),
	}, map[string]string{
		"missing": `[{name: debug, image: "busybox:1.36", securityContext: {runAsNonRoot: false}}]`,
		"root":    `[{name: debug, image: "busybox:1.36", securityContext: {runAsUser: 0}}]`,
		"ok":      `[{name: debug, image: "busybox:1.36"}]`,
	})})

	probe := `{exec: {command: ["true"]}}`
	checks = append(checks, diffCheck{entry(catalog.IDRequiredProbes, `{probes: [livenessProbe, readinessProbe]}`), podAndOperatorCases(t, map[string]string{
		"both":        spec(`- {name: app, image: x.io/a:1, livenessProbe: ` + probe + `, readinessProbe: ` + probe + `}`),
		"liveness":    spec(`- {name: app, image: x.io/a:1, livenessProbe: ` + probe + `}`),
		"none":        spec(okC),
		"init-exempt": spec(`- {name: app, image: x.io/a:1, livenessProbe: `+probe+`, readinessProbe: `+probe+`}`, `initContainers: [{name: init, image: x.io/a:1}]`),
		"second":      spec(`- {name: app, image: x.io/a:1, livenessProbe: ` + probe + `, readinessProbe: ` + probe + `}` + "\n" + `- {name: side, image: x.io/a:1}`),
	}, map[string]string{
		"exempt": `[{name: debug, image: "busybox:1.36"}]`,
	})})

	jobs := []governance.ResourceRule{{APIGroups: []string{"batch"}, APIVersions: []string{"v1"}, Resources: []string{"jobs"}}}
	job := func(name, l string) diffCase {
		var lm map[string]any
		if l != "" {
			lm = mustYAML(t, l)
		}
		return diffCase{name: name, manifest: wrap("Job", name, mustYAML(t, spec(okC)), lm)}
	}
	jobCases := []diffCase{job("owner", `{owner: ml}`), job("owner-x", `{owner: x}`), job("no-owner", `{team: a}`), job("no-labels", "")}
	for _, fp := range []string{"Fail", "Ignore"} {
		e := entry(IDCustomCEL, `{expression: "object.metadata.labels['owner'] == 'x'", message: "owner must be x", failurePolicy: `+fp+`}`)
		e.Name = "owner-x-" + strings.ToLower(fp)
		e.Match.Resources = jobs
		checks = append(checks, diffCheck{e, jobCases})
	}
	e := entry(IDCustomCEL, `{expression: "has(object.metadata.labels) && 'owner' in object.metadata.labels", messageExpression: "'job ' + object.metadata.name + ' needs an owner label'"}`)
	e.Name = "jobs-need-owner"
	e.Match.Resources = jobs
	checks = append(checks, diffCheck{e, jobCases})
	checks = append(checks, rayTightLimitsCheck(t)) // corpus_ray_operators_test.go
	return append(checks, aiCorpus(t, entry)...)
}

// testDefinitions are the definitions the tests generate policies from:
// the catalog's (custom-cel is the compiler's own).
func testDefinitions() []governance.Definition { return catalog.Definitions() }
