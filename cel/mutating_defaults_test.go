package cel

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
)

// defaultCase is a manifest (any kind, no namespace) created on the
// apiserver where the entry's mutating and validating policies both apply.
type defaultCase struct {
	name     string
	manifest map[string]any
	// fix writes the manifest as the mutation should make it; nil when the
	// mutation must leave it alone.
	fix func(obj map[string]any)
	// denied marks a manifest the mutation cannot make compliant: the
	// entry's ValidatingAdmissionPolicy must still deny it, and the Go
	// check too.
	denied bool
	// partial marks a manifest the mutation changes as fix says without
	// making it compliant: the Go check still denies the result (in a run
	// without the validating policy, which would deny it).
	partial bool
	// unjudged marks a kind whose Go check does not judge the manifest
	// (the mutation is proven by the comparisons alone).
	unjudged bool
	// changed, when not nil, lists every JSON pointer at which the
	// admitted object differs from the object the apiserver makes of the
	// manifest where no policy applies (see changedPaths): none for a
	// manifest the mutation leaves alone.
	changed []string
}

// defaultsRun is one installation of an entry's policies: the mutating
// policy bound to namespaces labelled mapKey, the validating policies
// (action Deny) to namespaces labelled vapKey.
type defaultsRun struct {
	policy string // the GovernancePolicy name, distinct per run
	entry  governance.PolicyEntry
	// nsLabels are set on every namespace of the run (the team label the
	// mutation copies).
	nsLabels map[string]string
	cases    []defaultCase
	// probe, when set, tells when the policies are in effect instead of
	// the first case: a manifest the mutation changes in a namespace
	// labelled probeNSLabels (for runs whose cases it changes none of).
	probe         map[string]any
	probeNSLabels map[string]string
	// crds installs the AI operators' CRDs first.
	crds bool
	// withoutVAP binds no validating policy (for partial cases).
	withoutVAP bool
}

const (
	defaultsMAPKey = "aigov-defaults-map"
	defaultsVAPKey = "aigov-defaults-vap"
)

// runDefaults proves, on the testenv apiserver, an entry's safe defaults
// against its validating policy and Go check. Three namespaces carry
// nsLabels: "bound" (mutating and validating policies), "vap" (the
// validating policy only) and "control" (neither). For each case:
//   - created (dry run) in bound, the manifest is admitted (the mutated
//     object passes the ValidatingAdmissionPolicy), or denied when the
//     case says so;
//   - the admitted object equals, but for names, uids and the
//     ServiceAccount plugin's random volume name, the object the apiserver
//     makes in control of the manifest written compliant by fix (of the
//     manifest itself when the mutation must leave it alone): nothing
//     else changed;
//   - created again in bound, the admitted object comes back unchanged
//     (reinvocation is idempotent);
//   - decoded as aigov loads a manifest, it passes the Go check.
//
// The first case (or the probe) must be one the mutation changes and the
// validating policy denies unmutated: it tells when the policies are in
// effect.
func runDefaults(t *testing.T, run defaultsRun) {
	env := testenv.Shared(t)
	dyn := env.Dynamic(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if run.crds {
		if _, err := env.InstallAICRDs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	id := run.policy
	labels := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range run.nsLabels {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	bound := env.CreateNamespace(t, "map-def", labels(map[string]string{defaultsMAPKey: id, defaultsVAPKey: id}))
	vapOnly := env.CreateNamespace(t, "map-def-vap", labels(map[string]string{defaultsVAPKey: id}))
	control := env.CreateNamespace(t, "map-def-control", labels(nil))

	comp, err := NewCompiler("1.37")
	if err != nil {
		t.Fatal(err)
	}
	defs := testDefinitions()
	mEntry := run.entry
	mEntry.Match.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{defaultsMAPKey: id}}
	ms, err := comp.GenerateMutating(&governance.Policy{Name: run.policy, Entries: []governance.PolicyEntry{mEntry}}, defs)
	if err != nil || len(ms) == 0 || ms[0].Operators {
		t.Fatalf("generate mutating: %v (%d policies)", err, len(ms))
	}
	vEntry := run.entry
	vEntry.Action = governance.ActionDeny
	vEntry.Match.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{defaultsVAPKey: id}}
	// A check without a validating form (pod-security-level: the
	// PodSecurity plugin judges) is judged by its Go check alone.
	adm := newGoCheck(t, run.entry).Admission
	withVAP := adm != nil && len(adm.Validations) > 0 && !run.withoutVAP
	var vs []Generated
	if withVAP {
		if vs, err = comp.GenerateEntry(run.policy, vEntry, defs); err != nil {
			t.Fatalf("generate validating: %v", err)
		}
	}
	// Fail rather than the generated Ignore: a mutation that cannot run
	// must fail the test, not pass unnoticed.
	fail := admissionregistrationv1.Fail
	for _, m := range ms {
		m.Policy.Spec.FailurePolicy = &fail
		installMutating(ctx, t, env, m)
	}
	for _, v := range vs {
		installValidating(ctx, t, env, v)
	}

	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	check := newGoCheck(t, run.entry)
	nsObjs, err := loader.Decode("ns.json", mustJSON(t, map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": bound, "labels": labels(nil)},
	}))
	if err != nil {
		t.Fatal(err)
	}

	// Both policies take effect once the apiserver's informers see them:
	// wait until the first case is denied where only the validating
	// policy applies and mutated where both do.
	first, probeNS := run.cases[0].manifest, bound
	if run.probe != nil {
		first = run.probe
		probeNS = env.CreateNamespace(t, "map-def-probe", labels(mergeLabels(run.probeNSLabels, map[string]string{defaultsMAPKey: id, defaultsVAPKey: id})))
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, errV := dryRunCreate(ctx, t, dyn, vapOnly, first)
		got, errB := dryRunCreate(ctx, t, dyn, probeNS, first)
		ready := (errV != nil || !withVAP) && errB == nil && normalizedObject(got) != normalizedObject(mustCreate(ctx, t, dyn, control, first))
		if ready && run.probe != nil && run.cases[0].fix != nil {
			// The first case may be another policy's (the -operators one).
			c, err := dryRunCreate(ctx, t, dyn, bound, run.cases[0].manifest)
			ready = err == nil && normalizedObject(c) != normalizedObject(mustCreate(ctx, t, dyn, control, run.cases[0].manifest))
		}
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("policies not in effect after 30s: vap-only %v, bound %v", errV, errB)
		}
		time.Sleep(200 * time.Millisecond)
	}

	for _, c := range run.cases {
		t.Run(c.name, func(t *testing.T) {
			manifestObjs, err := loader.Decode("manifest.json", mustJSON(t, withNamespace(c.manifest, bound)))
			if err != nil {
				t.Fatal(err)
			}
			manifestDenied, _ := goVerdict(check, manifestObjs[0], nsObjs[0])
			got, err := dryRunCreate(ctx, t, dyn, bound, c.manifest)
			if c.denied {
				if err == nil || !strings.Contains(err.Error(), "ValidatingAdmissionPolicy") {
					t.Fatalf("want the validating policy to deny the object, got %v", err)
				}
				if !manifestDenied {
					t.Error("the Go check passes an object its validating policy denies")
				}
				return
			}
			if err != nil {
				t.Fatalf("the mutated object was refused: %v", err)
			}
			want := deepCopyMap(c.manifest)
			if c.fix != nil {
				if !manifestDenied && !c.unjudged {
					t.Error("the Go check passes the manifest before the mutation: the case proves nothing")
				}
				c.fix(want)
			}
			if g, w := normalizedObject(got), normalizedObject(mustCreate(ctx, t, dyn, control, want)); g != w {
				t.Errorf("mutated object differs from the compliant manifest's:\n got %s\nwant %s", g, w)
			}
			if c.changed != nil {
				var before, after any
				if err := json.Unmarshal([]byte(normalizedObject(mustCreate(ctx, t, dyn, control, c.manifest))), &before); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal([]byte(normalizedObject(got)), &after); err != nil {
					t.Fatal(err)
				}
				want := slices.Sorted(slices.Values(c.changed))
				if d := changedPaths(before, after); !slices.Equal(d, want) {
					t.Errorf("the mutation changed %q, want exactly %q", d, want)
				}
			}
			again, err := dryRunCreate(ctx, t, dyn, bound, recreatable(got))
			if err != nil {
				t.Fatalf("the mutated object, created again, was refused: %v", err)
			}
			if g, a := normalizedObject(got), normalizedObject(again); g != a {
				t.Errorf("a second invocation changed the object:\n once %s\ntwice %s", g, a)
			}
			objs, err := loader.Decode("server.json", mustJSON(t, recreatable(got)))
			if err != nil || len(objs) != 1 {
				t.Fatalf("decode: %v", err)
			}
			if denied, v := goVerdict(check, objs[0], nsObjs[0]); denied != c.partial {
				t.Errorf("the mutated object: Go check denies %v (%v), want %v", denied, v, c.partial)
			}
		})
	}
}

func mergeLabels(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]string{a, b} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// admissionAPI is the typed client of one admission policy resource.
type admissionAPI[T any] interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
	Delete(context.Context, string, metav1.DeleteOptions) error
}

// install creates an admission policy or binding and deletes it when the
// test ends.
func install[T any](ctx context.Context, t *testing.T, api admissionAPI[T], obj T, name string) {
	t.Helper()
	if _, err := api.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("the apiserver refused %s: %v", name, err)
	}
	t.Cleanup(func() { _ = api.Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

func installMutating(ctx context.Context, t *testing.T, env *testenv.Env, g GeneratedMutating) {
	t.Helper()
	api := env.Client(t).AdmissionregistrationV1()
	install(ctx, t, api.MutatingAdmissionPolicies(), g.Policy, g.Policy.Name)
	install(ctx, t, api.MutatingAdmissionPolicyBindings(), g.Binding, g.Binding.Name)
}

func installValidating(ctx context.Context, t *testing.T, env *testenv.Env, g Generated) {
	t.Helper()
	api := env.Client(t).AdmissionregistrationV1()
	install(ctx, t, api.ValidatingAdmissionPolicies(), g.Policy, g.Policy.Name)
	install(ctx, t, api.ValidatingAdmissionPolicyBindings(), g.Binding, g.Binding.Name)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func withNamespace(obj map[string]any, ns string) map[string]any {
	u := &unstructured.Unstructured{Object: deepCopyMap(obj)}
	u.SetNamespace(ns)
	return u.Object
}

// dryRunCreate creates obj in ns (cluster-scoped when ns is "") with
// dryRun=All, retrying while the
// ServiceAccount controller has not yet made the namespace's "default"
// account, and while the admission policies' REST mapper does not yet
// know a freshly installed CRD's kind.
func dryRunCreate(ctx context.Context, t *testing.T, dyn dynamic.Interface, ns string, obj map[string]any) (map[string]any, error) {
	t.Helper()
	u := &unstructured.Unstructured{Object: withNamespace(obj, ns)}
	var ri dynamic.ResourceInterface = dyn.Resource(guessResource(schema.FromAPIVersionAndKind(u.GetAPIVersion(), u.GetKind())))
	if ns != "" { // "" for a cluster-scoped kind
		ri = dyn.Resource(guessResource(schema.FromAPIVersionAndKind(u.GetAPIVersion(), u.GetKind()))).Namespace(ns)
	}
	for attempt := 0; ; attempt++ {
		got, err := ri.Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		retry := err != nil && (strings.Contains(err.Error(), "service account") && !strings.Contains(err.Error(), "AdmissionPolicy") ||
			strings.Contains(err.Error(), "There can be a delay between when CustomResourceDefinitions are created"))
		if retry && attempt < 100 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err != nil {
			return nil, err
		}
		return got.Object, nil
	}
}

func mustCreate(ctx context.Context, t *testing.T, dyn dynamic.Interface, ns string, obj map[string]any) map[string]any {
	t.Helper()
	got, err := dryRunCreate(ctx, t, dyn, ns, obj)
	if err != nil {
		t.Fatalf("control namespace: %v", err)
	}
	return got
}

// recreatable strips from an object the apiserver returned what a create
// must not carry: server-set metadata, status, and a Job's generated
// selector and labels (which name the Job's uid; the apiserver generates
// them again).
func recreatable(obj map[string]any) map[string]any {
	u := &unstructured.Unstructured{Object: deepCopyMap(obj)}
	for _, f := range []string{"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"} {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(u.Object, "status")
	if u.GetKind() == "Job" {
		unstructured.RemoveNestedField(u.Object, "spec", "selector")
		for _, k := range []string{"batch.kubernetes.io/controller-uid", "controller-uid", "batch.kubernetes.io/job-name", "job-name"} {
			unstructured.RemoveNestedField(u.Object, "spec", "template", "metadata", "labels", k)
		}
	}
	return u.Object
}

var injectedTokenName = regexp.MustCompile(`kube-api-access-[a-z0-9]+`)

// normalizedObject renders an object without what differs between two
// creations of the same manifest: namespace, uid (also in a Job's
// selector), server-set metadata, status, the ServiceAccount plugin's
// random token volume name.
func normalizedObject(obj map[string]any) string {
	u := &unstructured.Unstructured{Object: deepCopyMap(obj)}
	uid := string(u.GetUID())
	for _, f := range []string{"namespace", "uid", "resourceVersion", "creationTimestamp", "managedFields"} {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(u.Object, "status")
	data, _ := json.Marshal(u.Object)
	s := string(data)
	if uid != "" {
		s = strings.ReplaceAll(s, uid, "UID")
	}
	return injectedTokenName.ReplaceAllString(s, "kube-api-access-injected")
}

// workloadManifests wraps a pod spec (YAML) into every built-in workload
// kind, named after the kind.
func workloadManifests(t *testing.T, spec string, labels map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, kind := range workloadKinds {
		out[kind] = wrap(kind, strings.ToLower(kind), mustYAML(t, spec), labels)
	}
	return out
}

// podSpecAt returns the pod spec of a manifest of a built-in workload kind.
func podSpecAt(obj map[string]any) map[string]any {
	spec := obj["spec"].(map[string]any)
	switch obj["kind"] {
	case "Pod":
		return spec
	case "CronJob":
		spec = spec["jobTemplate"].(map[string]any)["spec"].(map[string]any)
	}
	return spec["template"].(map[string]any)["spec"].(map[string]any)
}

func setLabel(obj map[string]any, k, v string) {
	u := &unstructured.Unstructured{Object: obj}
	l := u.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[k] = v
	u.SetLabels(l)
}

func TestMutatingAPIServerTeamLabel(t *testing.T) {
	const costKey = "platform.example.com/cost-center"
	entry := governance.PolicyEntry{ID: "required-labels", Params: json.RawMessage(`{"labels": [{"key": "team", "allowedRegex": "[a-z]+"}, {"key": "` + costKey + `"}]}`)}
	spec := "containers: [{name: app, image: registry.example/app:1}]"
	cost := map[string]any{costKey: "cc-42"}
	var cases []defaultCase
	for _, kind := range workloadKinds {
		if kind == "Pod" {
			continue
		}
		cases = append(cases, defaultCase{name: kind + " without team", manifest: workloadManifests(t, spec, cost)[kind],
			fix: func(obj map[string]any) { setLabel(obj, "team", "nlp") }})
	}
	cases = append(cases,
		defaultCase{name: "no labels at all", manifest: wrap("Deployment", "bare", mustYAML(t, spec), nil), denied: true},
		defaultCase{name: "own team kept", manifest: wrap("StatefulSet", "own", mustYAML(t, spec), map[string]any{"team": "vision", costKey: "cc-7"})},
		// A label on a Pod can make a Service or NetworkPolicy select it.
		defaultCase{name: "not copied onto a Pod", manifest: wrap("Pod", "pod", mustYAML(t, spec), cost), denied: true},
		// The object's own value is never replaced, even one the check refuses.
		defaultCase{name: "refused own value kept", manifest: wrap("Deployment", "bad", mustYAML(t, spec), map[string]any{"team": "NLP", costKey: "cc-1"}), denied: true},
	)
	runDefaults(t, defaultsRun{policy: "mdl", entry: entry, nsLabels: map[string]string{"team": "nlp"}, cases: cases})

	// A namespace team the check refuses is not copied.
	t.Run("refused namespace value", func(t *testing.T) {
		runDefaults(t, defaultsRun{policy: "mdn", entry: entry, nsLabels: map[string]string{"team": "Shared-Infra"},
			probe: wrap("Deployment", "probe", mustYAML(t, spec), cost), probeNSLabels: map[string]string{"team": "nlp"},
			cases: []defaultCase{{name: "Deployment without team", manifest: wrap("Deployment", "d", mustYAML(t, spec), cost), denied: true}}})
	})
}

func TestMutatingAPIServerGPUTolerations(t *testing.T) {
	gpuToleration := func(key string) map[string]any {
		return map[string]any{"key": key, "operator": "Exists", "effect": "NoSchedule"}
	}
	prepend := func(key string) func(map[string]any) {
		return func(obj map[string]any) {
			s := podSpecAt(obj)
			own, _ := s["tolerations"].([]any)
			s["tolerations"] = append([]any{gpuToleration(key)}, own...)
		}
	}
	const gpu = `
containers:
- name: train
  image: registry.example/train:1
  resources: {limits: {nvidia.com/gpu: "1"}}
`
	var cases []defaultCase
	// Labelled: a Job without labels that a mutating policy patches gets
	// its template's labels then, before the Job's controller-uid and
	// job-name labels are added to the template (the apiserver defaults the
	// patched object again), so its own labels lack those two; with labels
	// of its own nothing differs.
	for _, kind := range workloadKinds {
		cases = append(cases, defaultCase{name: kind + " requesting a GPU", manifest: workloadManifests(t, gpu, map[string]any{"tier": "train"})[kind], fix: prepend("nvidia.com/gpu")})
	}
	pod := func(name, spec string) map[string]any { return wrap("Pod", name, mustYAML(t, spec), nil) }
	cases = append(cases,
		defaultCase{name: "own tolerations kept after", manifest: pod("own", gpu+"tolerations: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}]"), fix: prepend("nvidia.com/gpu")},
		defaultCase{name: "MIG slice in an init container", manifest: pod("mig", `
initContainers: [{name: warm, image: registry.example/warm:1, resources: {requests: {nvidia.com/mig-1g.5gb: "1"}, limits: {nvidia.com/mig-1g.5gb: "1"}}}]
containers: [{name: app, image: registry.example/app:1}]
`), fix: prepend("nvidia.com/gpu")},
		defaultCase{name: "AMD GPU", manifest: wrap("Deployment", "amd", mustYAML(t, `
containers: [{name: app, image: registry.example/app:1, resources: {limits: {amd.com/gpu: "2"}}}]
`), nil), fix: prepend("amd.com/gpu")},
		defaultCase{name: "GPU toleration kept as is", manifest: pod("tol", gpu+"tolerations: [{key: nvidia.com/gpu, operator: Equal, value: present, effect: NoSchedule}]")},
		defaultCase{name: "GPU node selector left alone", manifest: pod("sel", gpu+"nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}")},
		defaultCase{name: "tolerates every taint", manifest: pod("all", gpu+"tolerations: [{operator: Exists}]")},
		defaultCase{name: "zero GPUs", manifest: pod("zero", `containers: [{name: app, image: registry.example/app:1, resources: {limits: {nvidia.com/gpu: "0"}}}]`)},
		defaultCase{name: "no GPU", manifest: pod("cpu", `containers: [{name: app, image: registry.example/app:1}]`)},
		// Removing a toleration is not a safe default: the check still denies.
		defaultCase{name: "GPU toleration without GPUs kept", manifest: pod("stray", `
containers: [{name: app, image: registry.example/app:1}]
tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
`), denied: true},
	)
	runDefaults(t, defaultsRun{policy: "mdg", entry: governance.PolicyEntry{ID: "gpu-node-targeting"}, cases: cases})
}

func TestMutatingAPIServerRunAsNonRoot(t *testing.T) {
	podLevel := func(obj map[string]any) {
		s := podSpecAt(obj)
		sc, _ := s["securityContext"].(map[string]any)
		if sc == nil {
			sc = map[string]any{}
			s["securityContext"] = sc
		}
		sc["runAsNonRoot"] = true
	}
	const podUser = `
securityContext: {runAsUser: 1000}
containers: [{name: app, image: registry.example/app:1}]
`
	var cases []defaultCase
	for _, kind := range workloadKinds {
		// Labelled, as in TestMutatingAPIServerGPUTolerations.
		cases = append(cases, defaultCase{name: kind + " with the pod's runAsUser", manifest: workloadManifests(t, podUser, map[string]any{"tier": "web"})[kind], fix: podLevel})
	}
	pod := func(name, spec string) map[string]any { return wrap("Pod", name, mustYAML(t, spec), nil) }
	cases = append(cases,
		defaultCase{name: "every container's own runAsUser", manifest: pod("own", `
initContainers: [{name: init, image: registry.example/init:1, securityContext: {runAsUser: 10}}]
containers: [{name: app, image: registry.example/app:1, securityContext: {runAsUser: 1000, allowPrivilegeEscalation: false}}]
`), fix: podLevel},
		defaultCase{name: "a container's own runAsNonRoot counts as covered", manifest: pod("covered", `
containers:
- {name: app, image: registry.example/app:1, securityContext: {runAsUser: 1000}}
- {name: side, image: registry.example/side:1, securityContext: {runAsNonRoot: true}}
`), fix: podLevel},
		// The image of "side" may run as root: only "app" is set, and the
		// check still denies.
		defaultCase{name: "unknown user is not guessed", manifest: pod("mixed", `
containers:
- {name: app, image: registry.example/app:1, securityContext: {runAsUser: 1000}}
- {name: side, image: registry.example/side:1}
`), denied: true},
		defaultCase{name: "runAsUser 0 overrides the pod's", manifest: pod("root", podUser[:len(podUser)-1]+"\n"+`initContainers: [{name: init, image: registry.example/init:1, securityContext: {runAsUser: 0}}]`), denied: true},
		defaultCase{name: "pod's runAsNonRoot false left alone", manifest: pod("false", `
securityContext: {runAsUser: 1000, runAsNonRoot: false}
containers: [{name: app, image: registry.example/app:1}]
`), denied: true},
		defaultCase{name: "compliant left alone", manifest: pod("ok", `
securityContext: {runAsUser: 1000, runAsNonRoot: true}
containers: [{name: app, image: registry.example/app:1}]
`)},
		defaultCase{name: "user namespace left alone", manifest: pod("userns", `
hostUsers: false
securityContext: {runAsUser: 1000}
containers: [{name: app, image: registry.example/app:1}]
`)},
		defaultCase{name: "no user in the manifest", manifest: pod("none", `containers: [{name: app, image: registry.example/app:1}]`), denied: true},
		// nonRootImages: the platform's word on an image's USER stands
		// where the manifest gives no user, never against runAsUser 0.
		defaultCase{name: "a non-root image without runAsUser", manifest: pod("image", `
initContainers: [{name: init, image: "registry.example/nonroot/init@sha256:0000000000000000000000000000000000000000000000000000000000000000"}]
containers: [{name: app, image: "registry.example/nonroot/server:1"}]
`), fix: podLevel},
		defaultCase{name: "a non-root image with runAsUser 0", manifest: pod("imageroot", `
containers: [{name: app, image: "registry.example/nonroot/server:1", securityContext: {runAsUser: 0}}]
`), denied: true},
	)
	runDefaults(t, defaultsRun{policy: "mdr", entry: runAsNonRootImagesEntry, cases: cases})
}

// TestGenerateMutatingSafeDefaultKinds: which entries get a mutating
// policy, and over which resources.
func TestGenerateMutatingSafeDefaultKinds(t *testing.T) {
	comp, err := NewCompiler("1.36")
	if err != nil {
		t.Fatal(err)
	}
	p := &governance.Policy{Name: "k", Entries: []governance.PolicyEntry{
		{ID: "gpu-node-targeting"},
		{ID: "run-as-non-root"},
		{ID: "required-labels", Name: "workloads", Params: json.RawMessage(`{"labels": [{"key": "team"}], "kinds": ["Deployment", "Pod"]}`)},
		// No safe default: a Namespace has no namespace to copy from, a
		// label other than the team label is not copied, a Pod gets none.
		{ID: "required-labels", Name: "namespaces", Params: json.RawMessage(`{"labels": [{"key": "team"}], "kinds": ["Namespace"]}`)},
		{ID: "required-labels", Name: "cost", Params: json.RawMessage(`{"labels": [{"key": "cost-center"}]}`)},
		{ID: "required-labels", Name: "pods", Params: json.RawMessage(`{"labels": [{"key": "team"}], "kinds": ["Pod"]}`)},
	}}
	gs, err := comp.GenerateMutating(p, testDefinitions())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gs {
		var res []string
		for _, r := range g.Policy.Spec.MatchConstraints.ResourceRules {
			res = append(res, strings.Join(r.Resources, ","))
		}
		got = append(got, g.Policy.Name+" "+strings.Join(res, ";"))
	}
	// The team label's mutation reads no pod spec: no operators' policy.
	const operators = "jobsets;jaxjobs,paddlejobs,pytorchjobs,tfjobs,xgboostjobs;notebooks;mpijobs;leaderworkersets;rayclusters,rayjobs,rayservices;" +
		"clusterservingruntimes,servingruntimes;llminferenceservices;inferenceservices;clustertrainingruntimes,trainingruntimes"
	want := []string{
		"aigov-k-gpu-node-targeting pods;replicationcontrollers;daemonsets,deployments,replicasets,statefulsets;jobs;cronjobs",
		"aigov-k-gpu-node-targeting-operators " + operators,
		"aigov-k-run-as-non-root pods;replicationcontrollers;daemonsets,deployments,replicasets,statefulsets;jobs;cronjobs",
		"aigov-k-run-as-non-root-operators " + operators,
		"aigov-k-required-labels-workloads pods;deployments",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mutating policies:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// eachPodSpec calls fn with every pod spec of a manifest (every map
// holding a containers list).
func eachPodSpec(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["containers"].([]any); ok {
			fn(x)
		}
		for _, e := range x {
			eachPodSpec(e, fn)
		}
	case []any:
		for _, e := range x {
			eachPodSpec(e, fn)
		}
	}
}

// setInPodSpecs sets key to value in every pod spec of a manifest.
func setInPodSpecs(v any, key string, value any) {
	eachPodSpec(v, func(s map[string]any) { s[key] = value })
}

// TestMutatingAPIServerOperators: the -operators mutating policy sets the
// safe default in every pod template of every AI operator kind, at the
// paths the operators read; their -operators validating policy then
// admits them.
func TestMutatingAPIServerOperators(t *testing.T) {
	spec := mustYAML(t, "containers: [{name: app, image: registry.example/app:1}]")
	optOut := func(obj map[string]any) { setInPodSpecs(obj["spec"], "automountServiceAccountToken", false) }
	var cases []defaultCase
	for _, kind := range operatorKinds {
		if kind == "ServingRuntime" {
			continue // below: its pod fields are the InferenceService's
		}
		cases = append(cases, defaultCase{name: kind, manifest: wrapOperator(kind, strings.ToLower(kind), spec, spec), fix: optOut})
	}
	needsToken := mustYAML(t, "automountServiceAccountToken: true\ncontainers: [{name: app, image: registry.example/app:1}]")
	cases = append(cases,
		defaultCase{name: "runtime left alone", manifest: wrapOperator("ServingRuntime", "runtime", spec, spec)},
		// One template that asks for the token keeps it; the others get
		// the default, and the check still denies.
		defaultCase{name: "own true kept", manifest: wrapOperator("RayCluster", "own", needsToken, spec), denied: true},
		defaultCase{name: "compliant left alone", manifest: wrapOperator("PyTorchJob", "ok", mustYAML(t, baseSpec), mustYAML(t, baseSpec))},
	)
	runDefaults(t, defaultsRun{policy: "mdo", entry: governance.PolicyEntry{ID: "automount-token"}, cases: cases, crds: true})
}

// TestMutatingAPIServerOperatorsPodDefaults: run-as-non-root (whose
// -operators validating policy judges the result) and gpu-node-targeting
// (judged by its Go check, which reads operators' templates; its
// validating policy covers built-in kinds only) on operators' templates.
func TestMutatingAPIServerOperatorsPodDefaults(t *testing.T) {
	user := mustYAML(t, "securityContext: {runAsUser: 1000}\ncontainers: [{name: app, image: registry.example/app:1}]")
	nonRoot := func(obj map[string]any) {
		setInPodSpecs(obj["spec"], "securityContext", map[string]any{"runAsUser": int64(1000), "runAsNonRoot": true})
	}
	var cases []defaultCase
	for _, kind := range []string{"RayJob", "MPIJob", "JobSet", "LeaderWorkerSet", "InferenceService", "LLMInferenceService"} {
		cases = append(cases, defaultCase{name: kind, manifest: wrapOperator(kind, strings.ToLower(kind), user, user), fix: nonRoot})
	}
	runDefaults(t, defaultsRun{policy: "mdor", entry: governance.PolicyEntry{ID: "run-as-non-root"}, cases: cases, crds: true})

	t.Run("gpu-node-targeting", func(t *testing.T) {
		gpu := mustYAML(t, "containers: [{name: train, image: registry.example/train:1, resources: {limits: {nvidia.com/gpu: \"1\"}}}]")
		cpu := mustYAML(t, "containers: [{name: app, image: registry.example/app:1}]")
		// Only the GPU templates get the toleration (wrapOperator writes
		// the GPU spec into one template, cpu into the others).
		tolerate := func(obj map[string]any) {
			eachPodSpec(obj["spec"], func(s map[string]any) {
				if s["containers"].([]any)[0].(map[string]any)["name"] == "train" {
					s["tolerations"] = []any{map[string]any{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}}
				}
			})
		}
		var gcases []defaultCase
		for _, kind := range []string{"RayCluster", "PyTorchJob", "TrainingRuntime", "LeaderWorkerSet", "InferenceService", "LLMInferenceService"} {
			gcases = append(gcases, defaultCase{name: kind, manifest: wrapOperator(kind, strings.ToLower(kind), gpu, cpu), fix: tolerate})
		}
		runDefaults(t, defaultsRun{policy: "mdog", entry: governance.PolicyEntry{ID: "gpu-node-targeting"}, cases: gcases, crds: true,
			probe: wrap("Pod", "probe", gpu, nil)})
	})
}

// TestMutatingAPIServerOperatorsPodSecurity: pod-security-level's
// -operators policy on operators' templates, judged by the Go check at
// the restricted level (the manifests set runAsNonRoot, which is no safe
// default).
func TestMutatingAPIServerOperatorsPodSecurity(t *testing.T) {
	spec := mustYAML(t, `
securityContext: {runAsNonRoot: true}
initContainers: [{name: init, image: registry.example/init:1}]
containers: [{name: app, image: registry.example/app:1, securityContext: {runAsUser: 1000}}]
`)
	secure := func(obj map[string]any) {
		eachPodSpec(obj["spec"], func(s map[string]any) {
			s["securityContext"].(map[string]any)["seccompProfile"] = map[string]any{"type": "RuntimeDefault"}
			for _, field := range []string{"initContainers", "containers"} {
				cs, _ := s[field].([]any)
				for _, c := range cs {
					c := c.(map[string]any)
					sc, _ := c["securityContext"].(map[string]any)
					if sc == nil {
						sc = map[string]any{}
						c["securityContext"] = sc
					}
					sc["allowPrivilegeEscalation"] = false
					sc["capabilities"] = map[string]any{"drop": []any{"ALL"}}
				}
			}
		})
	}
	var cases []defaultCase
	for _, kind := range []string{"RayCluster", "PyTorchJob", "JobSet", "LeaderWorkerSet", "Notebook", "InferenceService", "LLMInferenceService"} {
		cases = append(cases, defaultCase{name: kind, manifest: wrapOperator(kind, strings.ToLower(kind), spec, spec), fix: secure})
	}
	runDefaults(t, defaultsRun{policy: "mdops", entry: governance.PolicyEntry{ID: "pod-security-level", Params: json.RawMessage(`{"level": "restricted"}`)},
		cases: cases, crds: true})
}

// runAsNonRootImagesEntry is run-as-non-root with images the platform
// knows run as non-root: everything under registry.example/nonroot/.
var runAsNonRootImagesEntry = governance.PolicyEntry{ID: "run-as-non-root", Params: json.RawMessage(`{"nonRootImages": ["registry.example/nonroot/"]}`)}

// TestMutatingAPIServerRunAsNonRootPartial: a container whose user the
// manifest does not give, and whose image is not listed as non-root, is
// not guessed; the one whose user it gives, or whose image is listed, is
// set on its own (the pod still fails the check, so no validating policy
// is bound here).
func TestMutatingAPIServerRunAsNonRootPartial(t *testing.T) {
	mixed := wrap("Deployment", "mixed", mustYAML(t, `
initContainers: [{name: init, image: registry.example/init:1, securityContext: {runAsUser: 10}}]
containers:
- {name: app, image: registry.example/app:1, securityContext: {runAsUser: 1000}}
- {name: side, image: registry.example/side:1}
`), map[string]any{"tier": "web"})
	known := func(obj map[string]any) {
		s := podSpecAt(obj)
		for _, c := range []any{s["initContainers"].([]any)[0], s["containers"].([]any)[0]} {
			c.(map[string]any)["securityContext"].(map[string]any)["runAsNonRoot"] = true
		}
	}
	listed := wrap("Pod", "listed", mustYAML(t, `
containers:
- {name: app, image: "registry.example/nonroot/server:1", securityContext: {allowPrivilegeEscalation: false}}
- {name: side, image: registry.example/side:1}
- {name: other, image: "registry.example/nonroot-like/x:1"}
`), nil)
	runDefaults(t, defaultsRun{policy: "mdrp", entry: runAsNonRootImagesEntry, withoutVAP: true, cases: []defaultCase{
		{name: "known users only", manifest: mixed, fix: known, partial: true},
		{name: "listed image only", manifest: listed, partial: true, fix: func(obj map[string]any) {
			podSpecAt(obj)["containers"].([]any)[0].(map[string]any)["securityContext"].(map[string]any)["runAsNonRoot"] = true
		}},
		{name: "pod-level user covers all", manifest: wrap("Pod", "pod", mustYAML(t, "securityContext: {runAsUser: 1000}\ncontainers: [{name: app, image: registry.example/app:1}]"), nil),
			fix: func(obj map[string]any) { podSpecAt(obj)["securityContext"].(map[string]any)["runAsNonRoot"] = true }},
	}})
}
