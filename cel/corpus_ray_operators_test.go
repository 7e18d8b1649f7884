package cel

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// rayInjectionCase is a KubeRay resource whose pods hold containers the
// operator injects (internal/operator ray.go): its head and worker
// templates, the cluster spec's own fields (enableInTreeAutoscaling,
// autoscalerOptions) and, for a RayJob, its spec's (submissionMode).
type rayInjectionCase struct {
	name string
	// head and worker are the pod specs of the head and of both worker
	// groups, lastWorker (when set) the second group's; "" is baseSpec,
	// which passes every check of the corpus.
	head, worker, lastWorker string
	// headOnly leaves the cluster without worker groups.
	headOnly bool
	// cluster holds fields of the cluster spec (YAML).
	cluster string
	// job holds fields of a RayJob's spec (YAML); a case with job is
	// written as a RayJob only.
	job string
	// fails lists the entries (diffLabel) that deny the case: their Go
	// check reports it, only on containers the operator injects, and
	// their policy denies it.
	fails []string
}

// The entries rayInjectionCases are judged by besides the corpus's own
// nine pod checks: container-limits with maximums below the fixed
// resources of the injected containers, so that a worker group's
// wait-gcs-ready can fail alone.
const rayTightLimits = "container-limits-tight"

// rayTightLimitsEntry is the rayTightLimits entry: wait-gcs-ready's
// 200m/256Mi, the autoscaler's 500m/512Mi and the submitter's 1/1Gi are
// above its maximums; rayTightSpec is within them.
func rayTightLimitsEntry(t testing.TB) governance.PolicyEntry {
	e := item1Entry(t, catalog.IDContainerLimits, `{cpu: 150m, memory: 200Mi}`)
	e.Name = rayTightLimits
	return e
}

// rayTightSpec passes every check of the corpus and rayTightLimits.
const rayTightSpec = `
automountServiceAccountToken: false
securityContext: {runAsNonRoot: true, runAsUser: 1000}
containers:
- name: app
  image: registry.example.com/app:1.0
  resources: {limits: {cpu: 100m, memory: 128Mi}}
  livenessProbe: {exec: {command: ["true"]}}
  readinessProbe: {exec: {command: ["true"]}}
`

// rayContainerNonRootSpec sets runAsNonRoot on its container only: a
// container injected without that securityContext runs as root.
const rayContainerNonRootSpec = `
automountServiceAccountToken: false
containers:
- name: app
  image: registry.example.com/app:1.0
  securityContext: {runAsNonRoot: true, runAsUser: 1000}
  resources: {limits: {cpu: "1", memory: 1Gi}}
  livenessProbe: {exec: {command: ["true"]}}
  readinessProbe: {exec: {command: ["true"]}}
`

// rayInjectionCases are the KubeRay resources of the corpus with injected
// containers, autoscaling on and off, autoscalerOptions overriding every
// field the checks read, worker groups (wait-gcs-ready copies the Ray
// container's image and securityContext) and a RayJob's SidecarMode
// submitter. Each check whose verdict an injected container can change
// alone has a case where only that container fails: privileged-container,
// allowed-registries, latest-tag, run-as-non-root, container-limits,
// gpu-per-container-max and required-probes. host-namespaces and
// automount-token read pod-level fields only, which no injection changes.
func rayInjectionCases() []rayInjectionCase {
	probes := catalog.IDRequiredProbes
	autoscale := "enableInTreeAutoscaling: true"
	return []rayInjectionCase{
		// Autoscaling off: the options override nothing.
		{name: "no-autoscaler", cluster: `autoscalerOptions: {image: ghcr.io/ray/autoscaler, resources: {requests: {cpu: 1}, limits: {nvidia.com/gpu: 8}}, securityContext: {privileged: true, runAsUser: 0}}`},
		{name: "autoscaler-off", cluster: `enableInTreeAutoscaling: false
autoscalerOptions: {image: ghcr.io/ray/autoscaler, securityContext: {privileged: true}}`},
		// The autoscaler has no probes.
		{name: "autoscaler", cluster: autoscale, fails: []string{probes}},
		{name: "autoscaler-pinned", cluster: autoscale + `
autoscalerOptions: {image: "nvcr.io/ray/autoscaler:2.9", imagePullPolicy: Always, resources: {limits: {cpu: "2", memory: 4Gi}}, securityContext: {privileged: false, runAsNonRoot: true}}`,
			fails: []string{probes}},
		{name: "autoscaler-untagged", cluster: autoscale + "\nautoscalerOptions: {image: ghcr.io/ray/autoscaler}",
			fails: []string{probes, catalog.IDLatestTag, catalog.IDAllowedRegistries}},
		{name: "autoscaler-requests-only", cluster: autoscale + "\nautoscalerOptions: {resources: {requests: {cpu: 500m, memory: 512Mi}}}",
			fails: []string{probes, catalog.IDContainerLimits}},
		{name: "autoscaler-over", cluster: autoscale + "\nautoscalerOptions: {resources: {limits: {cpu: 4, memory: 8Gi, nvidia.com/gpu: 3}}}",
			fails: []string{probes, catalog.IDContainerLimits, catalog.IDGPUPerContainerMax}},
		{name: "autoscaler-privileged", cluster: autoscale + "\nautoscalerOptions: {securityContext: {privileged: true}}",
			fails: []string{probes, catalog.IDPrivilegedContainer}},
		{name: "autoscaler-root", cluster: autoscale + "\nautoscalerOptions: {securityContext: {runAsUser: 0}}",
			fails: []string{probes, catalog.IDRunAsNonRoot}},
		// The head's user namespace covers its autoscaler.
		{name: "autoscaler-root-userns", head: baseSpec + "hostUsers: false\n", cluster: autoscale + "\nautoscalerOptions: {securityContext: {runAsUser: 0}}",
			fails: []string{probes}},
		// runAsNonRoot on the Ray containers only: wait-gcs-ready copies
		// it, the autoscaler does not.
		{name: "container-nonroot", head: rayContainerNonRootSpec, worker: rayContainerNonRootSpec},
		// Groups whose Ray containers differ: each one's wait-gcs-ready
		// is judged as its Ray container is.
		{name: "mixed-groups", lastWorker: rayContainerNonRootSpec},
		{name: "mixed-groups-reversed", worker: rayContainerNonRootSpec, lastWorker: baseSpec},
		{name: "container-nonroot-autoscaler", head: rayContainerNonRootSpec, worker: rayContainerNonRootSpec, cluster: autoscale,
			fails: []string{probes, catalog.IDRunAsNonRoot}},
		{name: "container-nonroot-autoscaler-options", head: rayContainerNonRootSpec, worker: rayContainerNonRootSpec,
			cluster: autoscale + "\nautoscalerOptions: {securityContext: {runAsNonRoot: true}}", fails: []string{probes}},
		// Within the tight limits but for the injected containers.
		{name: "tight", head: rayTightSpec, worker: rayTightSpec, fails: []string{rayTightLimits}},
		{name: "tight-head-only", head: rayTightSpec, headOnly: true},
		{name: "tight-head-only-autoscaler", head: rayTightSpec, headOnly: true, cluster: autoscale, fails: []string{probes, rayTightLimits}},
		{name: "tight-head-only-autoscaler-fits", head: rayTightSpec, headOnly: true,
			cluster: autoscale + "\nautoscalerOptions: {resources: {limits: {cpu: 100m, memory: 100Mi}}}", fails: []string{probes}},
		// A RayJob's submitter in the head pod (SidecarMode) has no
		// probes, nor the Ray container's securityContext.
		{name: "sidecar", job: "submissionMode: SidecarMode", fails: []string{probes}},
		{name: "k8s-job-mode", job: "submissionMode: K8sJobMode"},
		{name: "sidecar-container-nonroot", head: rayContainerNonRootSpec, worker: rayContainerNonRootSpec, job: "submissionMode: SidecarMode",
			fails: []string{probes, catalog.IDRunAsNonRoot}},
		{name: "sidecar-tight-head-only", head: rayTightSpec, headOnly: true, job: "submissionMode: SidecarMode", fails: []string{probes, rayTightLimits}},
	}
}

// rayInjectionManifest writes a case as a resource of kind (RayCluster,
// RayJob or RayService).
func rayInjectionManifest(t testing.TB, kind string, c rayInjectionCase) diffCase {
	orBase := func(s string) map[string]any {
		if s == "" {
			s = baseSpec
		}
		return mustYAML(t, s)
	}
	name := "inject-" + strings.ToLower(kind) + "-" + c.name
	tmpl := func(s map[string]any) map[string]any {
		return map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}}, "spec": s}
	}
	cluster := map[string]any{"headGroupSpec": map[string]any{"rayStartParams": map[string]any{}, "template": tmpl(orBase(c.head))}}
	if !c.headOnly {
		cluster["workerGroupSpecs"] = []any{
			map[string]any{"groupName": "cpu", "replicas": 1, "template": tmpl(orBase(c.worker))},
			map[string]any{"groupName": "gpu", "replicas": 2, "template": tmpl(orBase(cmp.Or(c.lastWorker, c.worker)))},
		}
	}
	if c.cluster != "" {
		for k, v := range mustYAML(t, c.cluster) {
			cluster[k] = v
		}
	}
	obj := map[string]any{"apiVersion": "ray.io/v1", "kind": kind, "metadata": map[string]any{"name": name}}
	switch kind {
	case "RayCluster":
		obj["spec"] = cluster
	case "RayJob":
		// The submitter's own template is the head's (rayTightSpec cases
		// stay within the tight limits).
		spec := map[string]any{"entrypoint": "python main.py", "rayClusterSpec": cluster, "submitterPodTemplate": tmpl(orBase(c.head))}
		if c.job != "" {
			for k, v := range mustYAML(t, c.job) {
				spec[k] = v
			}
		}
		obj["spec"] = spec
	case "RayService":
		obj["spec"] = map[string]any{"rayClusterConfig": cluster}
	}
	return diffCase{name: name, manifest: obj}
}

// rayInjectionKinds are the kinds a case is written as.
func (c rayInjectionCase) kinds() []string {
	if c.job != "" {
		return []string{"RayJob"}
	}
	return []string{"RayCluster", "RayJob", "RayService"}
}

// rayInjectionDiffCases are rayInjectionCases as corpus cases, every case
// as every kind it is written as; tight selects the cases of the
// rayTightLimits entry (rayTightSpec templates) or the others.
func rayInjectionDiffCases(t testing.TB, tight bool) []diffCase {
	var out []diffCase
	for _, c := range rayInjectionCases() {
		if (c.head == rayTightSpec) != tight {
			continue
		}
		for _, kind := range c.kinds() {
			out = append(out, rayInjectionManifest(t, kind, c))
		}
	}
	return out
}

// rayTightLimitsCheck is the rayTightLimits entry of the corpus: pod
// specs within and above its maximums in every kind (the operators'
// other templates holding rayTightSpec), and the KubeRay resources whose
// injected containers alone exceed them.
func rayTightLimitsCheck(t testing.TB) diffCheck {
	lim := func(cpu, memory string) string {
		return spec(`- {name: app, image: x.io/a:1, resources: {limits: {cpu: ` + cpu + `, memory: ` + memory + `}}}`)
	}
	specs := map[string]string{"within": lim("100m", "128Mi"), "over": lim("200m", "128Mi")}
	cases := append(podCases(t, specs, nil), operatorCasesOn(t, specs, rayTightSpec)...)
	return diffCheck{rayTightLimitsEntry(t), append(cases, rayInjectionDiffCases(t, true)...)}
}

// TestDifferentialRayInjected pins, for each KubeRay case and each of the
// nine pod checks whose -operators policy models the injected containers
// (and the rayTightLimits entry), the verdict the case's table gives: the
// Go check and the in-process policies deny exactly the entries listed,
// and every finding of a denying Go check is on a container the operator
// injects (PodTemplate.InjectedAt): the written templates pass. The same
// cases are in the differential corpus (operatorCases), which the
// apiserver three-way test judges too.
func TestDifferentialRayInjected(t *testing.T) {
	nine := []string{catalog.IDPrivilegedContainer, catalog.IDHostNamespaces, catalog.IDAllowedRegistries, catalog.IDLatestTag,
		catalog.IDRunAsNonRoot, catalog.IDContainerLimits, catalog.IDGPUPerContainerMax, catalog.IDRequiredProbes, catalog.IDAutomountToken}
	var entries []governance.PolicyEntry
	for _, dc := range corpus(t) {
		if slices.Contains(nine, dc.entry.ID) && dc.entry.Name == "" {
			entries = append(entries, dc.entry)
		}
	}
	entries = append(entries, rayTightLimitsEntry(t))
	if len(entries) != len(nine)+1 {
		t.Fatalf("found %d of the %d entries in the corpus", len(entries), len(nine)+1)
	}
	comp, loader := diffSetup(t)
	for _, e := range entries {
		label := diffLabel(e)
		t.Run(label, func(t *testing.T) {
			adm := entryAdmission(t, comp, "ray", diffEntry(e, label))
			check := newGoCheck(t, e)
			denied := 0
			for _, c := range rayInjectionCases() {
				if (label == rayTightLimits) != (c.head == rayTightSpec) {
					continue
				}
				want := slices.Contains(c.fails, label)
				for _, kind := range c.kinds() {
					lc := loadCase(t, loader, rayInjectionManifest(t, kind, c))
					ns := diffNamespace("difftest", label)
					goDenies, violations := goVerdict(check, lc.obj, namespaceObject(t, loader, ns))
					resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}})
					if err != nil {
						t.Fatal(err)
					}
					if goDenies != want || resp.Allowed == want {
						t.Errorf("%s: Go denies=%v %v, policy denies=%v (%s), want %v", lc.name, goDenies, violations, !resp.Allowed, resp.Message, want)
					}
					for _, v := range violations {
						if !injectedFinding(lc.obj, v) {
							t.Errorf("%s: finding at %s is not on an injected container: %s", lc.name, v.Path, v.Message)
						}
					}
					if want {
						denied++
					}
				}
			}
			// host-namespaces and automount-token read pod-level fields,
			// which no injection changes.
			if wantDenied := label != catalog.IDHostNamespaces && label != catalog.IDAutomountToken; (denied > 0) != wantDenied {
				t.Errorf("%d KubeRay resources denied on injected containers alone, want some: %v", denied, wantDenied)
			}
		})
	}
}

// injectedFinding reports whether finding v of o is on a container the
// operator injects into one of its templates: at a field of it
// (PodTemplate.InjectedAt), or, for run-as-non-root's findings at the
// pod-level field, naming only injected containers (Pod Security's
// detail names the containers at fault; the written ones are "app").
func injectedFinding(o *governance.Object, v governance.Violation) bool {
	for _, tp := range governance.PodTemplatesOf(o) {
		if _, ok := tp.InjectedAt(v.Path); ok {
			return true
		}
	}
	named := false
	for _, name := range []string{"autoscaler", "ray-job-submitter", "wait-gcs-ready"} {
		named = named || strings.Contains(v.Message, `"`+name+`"`)
	}
	podLevel := strings.HasSuffix(v.Path, ".securityContext.runAsNonRoot") || strings.HasSuffix(v.Path, ".securityContext.runAsUser")
	return podLevel && named && !strings.Contains(v.Message, `"app"`)
}
