package cel

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
)

// clusterOperatorKinds are the cluster-scoped AI operator kinds with pod
// templates, each written like its namespaced twin.
var clusterOperatorKinds = map[string]string{"ClusterTrainingRuntime": "TrainingRuntime", "ClusterServingRuntime": "ServingRuntime"}

// wrapAnyOperator is wrapOperator for every operator kind with pod
// templates, the cluster-scoped ones included.
func wrapAnyOperator(kind, name string, spec, base map[string]any) map[string]any {
	if twin, ok := clusterOperatorKinds[kind]; ok {
		obj := wrapOperator(twin, name, spec, base)
		obj["kind"] = kind
		return obj
	}
	return wrapOperator(kind, name, spec, base)
}

// allOperatorKinds are the kinds the -operators mutating policies match
// (governance.OperatorTemplateKinds), namespaced then cluster-scoped.
func allOperatorKinds(t *testing.T) []string {
	want := map[string]bool{}
	for _, gvk := range governance.OperatorTemplateKinds() {
		want[gvk.Kind] = true
	}
	kinds := slices.Clone(operatorKinds)
	kinds = append(kinds, slices.Sorted(maps.Keys(clusterOperatorKinds))...)
	got := map[string]bool{}
	for _, k := range kinds {
		got[k] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("operator kind %s has pod templates but no proof", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("%s is proven but has no pod templates the policies read", k)
		}
	}
	return kinds
}

// podSpecPointers lists the JSON pointers of every pod spec of a manifest
// (every map holding a containers list) whose first container is named
// container ("" for any), sorted.
func podSpecPointers(obj map[string]any, container string) []string {
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if cs, ok := x["containers"].([]any); ok && len(cs) > 0 {
				if container == "" || cs[0].(map[string]any)["name"] == container {
					out = append(out, path)
				}
			}
			for k, e := range x {
				walk(path+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	walk("", obj)
	slices.Sort(out)
	return out
}

// underPodSpecs returns a changed function: paths under every pod spec
// whose first container is named container ("" for any).
func underPodSpecs(container string, paths ...string) func(map[string]any) []string {
	return func(obj map[string]any) []string {
		var out []string
		for _, p := range podSpecPointers(obj, container) {
			for _, s := range paths {
				out = append(out, p+s)
			}
		}
		return out
	}
}

// operatorProof is one -operators MutatingAdmissionPolicy proven on every
// operator kind with pod templates: a non-compliant manifest (spec in one
// template, base in the others) and a compliant one per kind.
type operatorProof struct {
	name  string
	entry governance.PolicyEntry
	// spec and base are the pod specs (YAML) of the non-compliant manifest.
	spec, base string
	fix        func(obj map[string]any)
	changed    func(obj map[string]any) []string
	// compliant is the pod spec (YAML) of every template of the compliant
	// manifest.
	compliant string
	// runtimes is the case of a ServingRuntime's (and a
	// ClusterServingRuntime's) non-compliant manifest: its pod-level
	// fields are the InferenceService's, so the mutation leaves it alone.
	runtimes defaultCase
	// runtimesCompliant is the case of a ServingRuntime's compliant
	// manifest (its flags; nil fix), fixRuntime what makes it compliant
	// beyond its containers.
	runtimesCompliant defaultCase
	fixRuntime        func(obj map[string]any)
	// unjudged are the kinds whose templates the Go check does not judge:
	// the mutation is proven by the comparisons alone.
	unjudged []string
	// probe tells when the policies are in effect when the validating
	// policy does not judge the operators' kinds.
	probe map[string]any
}

func operatorProofs(t *testing.T) []operatorProof {
	setSecure := func(s map[string]any) {
		sc, _ := s["securityContext"].(map[string]any)
		if sc == nil {
			sc = map[string]any{}
			s["securityContext"] = sc
		}
		sc["seccompProfile"] = map[string]any{"type": "RuntimeDefault"}
		for _, field := range []string{"initContainers", "containers"} {
			cs, _ := s[field].([]any)
			for _, c := range cs {
				c := c.(map[string]any)
				csc, _ := c["securityContext"].(map[string]any)
				if csc == nil {
					csc = map[string]any{}
					c["securityContext"] = csc
				}
				csc["allowPrivilegeEscalation"] = false
				csc["capabilities"] = map[string]any{"drop": []any{"ALL"}}
			}
		}
	}
	gpu := `containers: [{name: train, image: registry.example/train:1, resources: {limits: {nvidia.com/gpu: "1"}}}]`
	return []operatorProof{
		{
			name: "mota", entry: governance.PolicyEntry{ID: "automount-token"},
			spec: "containers: [{name: app, image: registry.example/app:1}]", base: "containers: [{name: app, image: registry.example/app:1}]",
			fix:       func(obj map[string]any) { setInPodSpecs(obj["spec"], "automountServiceAccountToken", false) },
			changed:   underPodSpecs("", "/automountServiceAccountToken"),
			compliant: restrictedSpec,
		},
		{
			name: "motp", entry: governance.PolicyEntry{ID: "pod-security-level", Params: json.RawMessage(`{"level": "restricted"}`)},
			spec: `
securityContext: {runAsNonRoot: true}
initContainers: [{name: init, image: registry.example/init:1}]
containers: [{name: app, image: registry.example/app:1, securityContext: {runAsUser: 1000}}]
`,
			base: `
securityContext: {runAsNonRoot: true}
containers: [{name: app, image: registry.example/app:1, securityContext: {runAsUser: 1000}}]
`,
			fix: func(obj map[string]any) { eachPodSpec(obj["spec"], setSecure) },
			changed: func(obj map[string]any) []string {
				var out []string
				for _, p := range podSpecPointers(obj, "") {
					out = append(out, p+"/securityContext/seccompProfile", p+"/containers/0/securityContext/allowPrivilegeEscalation", p+"/containers/0/securityContext/capabilities")
				}
				// The spec's init container (the base has none).
				for _, p := range podSpecPointers(obj, "") {
					if v, err := valueAtPointer(obj, p+"/initContainers"); err == nil && v != nil {
						out = append(out, p+"/initContainers/0/securityContext")
					}
				}
				return out
			},
			compliant: restrictedSpec,
			// The Go check judges the pods of workloads, not a runtime's
			// templates (a TrainJob's pods are judged where they run).
			unjudged: []string{"TrainingRuntime", "ClusterTrainingRuntime"},
		},
		{
			name: "motr", entry: governance.PolicyEntry{ID: "run-as-non-root"},
			spec: "securityContext: {runAsUser: 1000}\ncontainers: [{name: app, image: registry.example/app:1}]",
			base: "securityContext: {runAsUser: 1000}\ncontainers: [{name: app, image: registry.example/app:1}]",
			fix: func(obj map[string]any) {
				eachPodSpec(obj["spec"], func(s map[string]any) { s["securityContext"].(map[string]any)["runAsNonRoot"] = true })
			},
			changed:   underPodSpecs("", "/securityContext/runAsNonRoot"),
			compliant: restrictedSpec,
			// A runtime's containers run under the InferenceService's
			// pod-level fields: the check judges only what they write
			// themselves, so the runtime, left alone, passes.
		},
		{
			// Images the platform lists as non-root count as a known user.
			name: "motri", entry: runAsNonRootImagesEntry,
			spec: "containers: [{name: app, image: registry.example/nonroot/server:1}]",
			base: "containers: [{name: app, image: registry.example/nonroot/app:2}]",
			fix: func(obj map[string]any) {
				eachPodSpec(obj["spec"], func(s map[string]any) { s["securityContext"] = map[string]any{"runAsNonRoot": true} })
			},
			changed:   underPodSpecs("", "/securityContext"),
			compliant: restrictedSpec,
		},
		{
			name: "motg", entry: governance.PolicyEntry{ID: "gpu-node-targeting"},
			// Only the GPU template gets the toleration.
			spec: gpu, base: "containers: [{name: app, image: registry.example/app:1}]",
			fix: func(obj map[string]any) {
				eachPodSpec(obj["spec"], func(s map[string]any) {
					if s["containers"].([]any)[0].(map[string]any)["name"] == "train" {
						s["tolerations"] = []any{map[string]any{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}}
					}
				})
			},
			changed:   underPodSpecs("train", "/tolerations"),
			compliant: gpu + "\ntolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]",
			// A runtime's GPU containers are judged, and its own
			// tolerations (ServingRuntimePodSpec has them) count; the
			// mutation leaves a runtime alone (see the README).
			runtimes:          defaultCase{partial: true},
			runtimesCompliant: defaultCase{},
			fixRuntime: func(obj map[string]any) {
				obj["spec"].(map[string]any)["tolerations"] = []any{map[string]any{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}}
			},
			// Its validating policy judges built-in kinds only (the Go
			// check reads the operators' templates).
			probe: wrap("Pod", "probe", mustYAML(t, gpu), nil),
		},
	}
}

// valueAtPointer reads a JSON pointer of a decoded JSON value.
func valueAtPointer(v any, pointer string) (any, error) {
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i >= len(x) {
				return nil, fmt.Errorf("%s: no item %s", pointer, tok)
			}
			v = x[i]
		default:
			return nil, fmt.Errorf("%s: %s of a scalar", pointer, tok)
		}
	}
	return v, nil
}

// TestMutatingAPIServerOperatorKinds proves, on the testenv apiserver,
// the -operators MutatingAdmissionPolicy of every check that has one
// (automount-token, pod-security-level, run-as-non-root with and without
// nonRootImages, gpu-node-targeting) on every operator kind with pod templates
// (governance.OperatorTemplateKinds): the non-compliant manifest is
// mutated in each template the operator reads, passes the entry's
// validating policy (where it judges the kind) and Go check, differs from
// the unmutated object at exactly the expected paths, and is unchanged
// when created again; the compliant one is left alone. A ServingRuntime's
// pod-level fields are the InferenceService's: it is left alone.
// Cluster-scoped kinds are bound by object labels (runClusterDefaults).
func TestMutatingAPIServerOperatorKinds(t *testing.T) {
	kinds := allOperatorKinds(t)
	for _, p := range operatorProofs(t) {
		name := p.entry.ID
		if len(p.entry.Params) > 0 {
			name += " " + string(p.entry.Params)
		}
		t.Run(name, func(t *testing.T) {
			spec, base, compliant := mustYAML(t, p.spec), mustYAML(t, p.base), mustYAML(t, p.compliant)
			var namespaced, cluster []defaultCase
			for _, kind := range kinds {
				name := strings.ToLower(kind)
				var cs []defaultCase
				if kind == "ServingRuntime" || kind == "ClusterServingRuntime" {
					c := p.runtimes
					c.name, c.manifest = kind+" left alone", wrapAnyOperator(kind, name, spec, base)
					if !c.denied {
						c.changed = []string{}
					}
					cs = append(cs, c)
				} else {
					m := wrapAnyOperator(kind, name, spec, base)
					cs = append(cs, defaultCase{name: kind + " mutated", manifest: m, fix: p.fix, changed: p.changed(m)})
				}
				ok := defaultCase{name: kind + " compliant untouched", manifest: wrapAnyOperator(kind, name+"-ok", compliant, compliant), changed: []string{}}
				if kind == "ServingRuntime" || kind == "ClusterServingRuntime" {
					ok.denied, ok.partial = p.runtimesCompliant.denied, p.runtimesCompliant.partial
					if p.fixRuntime != nil {
						p.fixRuntime(ok.manifest)
					}
				}
				cs = append(cs, ok)
				for i := range cs {
					cs[i].unjudged = slices.Contains(p.unjudged, kind)
				}
				if _, ok := clusterOperatorKinds[kind]; ok {
					cluster = append(cluster, cs...)
				} else {
					namespaced = append(namespaced, cs...)
				}
			}
			// Siblings: the namespaced run's policies, bound by namespace
			// selectors, would patch every cluster-scoped object (the
			// apiserver matches a cluster-scoped object whatever the
			// namespaceSelector), so they are removed first.
			t.Run("namespaced", func(t *testing.T) {
				runDefaults(t, defaultsRun{policy: p.name, entry: p.entry, cases: namespaced, crds: true, probe: p.probe})
			})
			t.Run("cluster-scoped", func(t *testing.T) {
				// The mutated kind first: it tells when the policies are
				// in effect.
				slices.SortStableFunc(cluster, func(a, b defaultCase) int { return boolOrder(a.fix == nil) - boolOrder(b.fix == nil) })
				runClusterDefaults(t, defaultsRun{policy: p.name + "c", entry: p.entry, cases: cluster, probe: p.probe})
			})
		})
	}
}

// runClusterDefaults is runDefaults for cluster-scoped kinds, whose
// admission ignores namespace selectors: the mutating policy is bound to
// objects labelled defaultsMAPKey, the validating policies (action Deny)
// to objects labelled defaultsVAPKey, and those labels are left out of
// every comparison. For each case: created (dry run) with both labels, the
// manifest is admitted, or denied when the case says so; the admitted
// object equals the object of the manifest written compliant by fix (of
// the manifest itself when fix is nil), created without labels; it differs
// from the unmutated manifest's object at exactly changed; created again
// it comes back unchanged; it passes the Go check. The first case must be
// one the mutation changes (and, when the validating policy judges it,
// one it denies unmutated), unless run.probe (a namespaced manifest) is
// set: then the policies' effect is awaited on the probe, in a namespace
// (the probe's policy matches it by labels too).
func runClusterDefaults(t *testing.T, run defaultsRun) {
	env := testenv.Shared(t)
	dyn := env.Dynamic(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := env.InstallAICRDs(ctx); err != nil {
		t.Fatal(err)
	}
	id := run.policy
	mapLabels := map[string]string{defaultsMAPKey: id}
	vapLabels := map[string]string{defaultsVAPKey: id}
	comp, err := NewCompiler("1.37")
	if err != nil {
		t.Fatal(err)
	}
	defs := testDefinitions()
	mEntry := run.entry
	mEntry.Match.ObjectSelector = &metav1.LabelSelector{MatchLabels: mapLabels}
	ms, err := comp.GenerateMutating(&governance.Policy{Name: run.policy, Entries: []governance.PolicyEntry{mEntry}}, defs)
	if err != nil || len(ms) == 0 {
		t.Fatalf("generate mutating: %v (%d policies)", err, len(ms))
	}
	vEntry := run.entry
	vEntry.Action = governance.ActionDeny
	vEntry.Match.ObjectSelector = &metav1.LabelSelector{MatchLabels: vapLabels}
	check := newGoCheck(t, run.entry)
	withVAP := check.Admission != nil && len(check.Admission.Validations) > 0
	var vs []Generated
	if withVAP {
		if vs, err = comp.GenerateEntry(run.policy, vEntry, defs); err != nil {
			t.Fatalf("generate validating: %v", err)
		}
	}
	fail := admissionregistrationv1.Fail
	for _, m := range ms {
		m.Policy.Spec.FailurePolicy = &fail
		installMutating(ctx, t, env, m)
	}
	for _, v := range vs {
		installValidating(ctx, t, env, v)
	}

	labelled := func(obj map[string]any, sets ...map[string]string) map[string]any {
		u := &unstructured.Unstructured{Object: deepCopyMap(obj)}
		for _, set := range sets {
			for k, v := range set {
				setLabel(u.Object, k, v)
			}
		}
		return u.Object
	}
	unlabelled := func(obj map[string]any) map[string]any {
		u := &unstructured.Unstructured{Object: deepCopyMap(obj)}
		l := u.GetLabels()
		delete(l, defaultsMAPKey)
		delete(l, defaultsVAPKey)
		if len(l) == 0 {
			unstructured.RemoveNestedField(u.Object, "metadata", "labels")
		} else {
			u.SetLabels(l)
		}
		return u.Object
	}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	nsObjs, err := loader.Decode("ns.json", []byte(`{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}`))
	if err != nil {
		t.Fatal(err)
	}

	// The policies take effect once the apiserver's informers see them.
	probeNS := ""
	first := run.cases[0].manifest
	if run.probe != nil {
		first = run.probe
		probeNS = env.CreateNamespace(t, "map-def-probe", nil)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, errV := dryRunCreate(ctx, t, dyn, probeNS, labelled(first, vapLabels))
		got, errB := dryRunCreate(ctx, t, dyn, probeNS, labelled(first, mapLabels, vapLabels))
		ready := (errV != nil || !withVAP) && errB == nil &&
			normalizedObject(unlabelled(got)) != normalizedObject(mustCreate(ctx, t, dyn, probeNS, first))
		if ready && run.probe != nil && run.cases[0].fix != nil {
			c, err := dryRunCreate(ctx, t, dyn, "", labelled(run.cases[0].manifest, mapLabels, vapLabels))
			ready = err == nil && normalizedObject(unlabelled(c)) != normalizedObject(mustCreate(ctx, t, dyn, "", run.cases[0].manifest))
		}
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("policies not in effect after 30s: validating only %v, both %v", errV, errB)
		}
		time.Sleep(200 * time.Millisecond)
	}

	for _, c := range run.cases {
		t.Run(c.name, func(t *testing.T) {
			manifestObjs, err := loader.Decode("manifest.json", mustJSON(t, c.manifest))
			if err != nil {
				t.Fatal(err)
			}
			manifestDenied, _ := goVerdict(check, manifestObjs[0], nsObjs[0])
			got, err := dryRunCreate(ctx, t, dyn, "", labelled(c.manifest, mapLabels, vapLabels))
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
			mutated := normalizedObject(unlabelled(got))
			if w := normalizedObject(mustCreate(ctx, t, dyn, "", want)); mutated != w {
				t.Errorf("mutated object differs from the compliant manifest's:\n got %s\nwant %s", mutated, w)
			}
			if c.changed != nil {
				var before, after any
				if err := json.Unmarshal([]byte(normalizedObject(mustCreate(ctx, t, dyn, "", c.manifest))), &before); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal([]byte(mutated), &after); err != nil {
					t.Fatal(err)
				}
				wantChanged := slices.Sorted(slices.Values(c.changed))
				if d := changedPaths(before, after); !slices.Equal(d, wantChanged) {
					t.Errorf("the mutation changed %q, want exactly %q", d, wantChanged)
				}
			}
			again, err := dryRunCreate(ctx, t, dyn, "", recreatable(got))
			if err != nil {
				t.Fatalf("the mutated object, created again, was refused: %v", err)
			}
			if a := normalizedObject(again); a != normalizedObject(got) {
				t.Errorf("a second invocation changed the object:\n once %s\ntwice %s", normalizedObject(got), a)
			}
			objs, err := loader.Decode("server.json", mustJSON(t, recreatable(unlabelled(got))))
			if err != nil || len(objs) != 1 {
				t.Fatalf("decode: %v", err)
			}
			if denied, v := goVerdict(check, objs[0], nsObjs[0]); denied != c.partial {
				t.Errorf("the mutated object: Go check denies %v (%v), want %v", denied, v, c.partial)
			}
		})
	}
}
