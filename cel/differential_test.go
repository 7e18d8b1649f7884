package cel

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// diffNamespaceLabel selects the namespaces a differential policy binds to.
const diffNamespaceLabel = "aigov.dev/difftest"

// loadedCase is a corpus case decoded as the CLI decodes files (defaults
// applied): the object of the request and, for an ephemeral-container
// update, the Pod before it.
type loadedCase struct {
	diffCase
	obj *governance.Object
	old *governance.Object
	// manifest is what the request sends (for updates: the Pod with the
	// ephemeral containers).
	request map[string]any
}

func loadCase(t testing.TB, l *governance.Loader, c diffCase) loadedCase {
	t.Helper()
	decode := func(m map[string]any) *governance.Object {
		data, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := l.Decode(c.name+".json", data)
		if err != nil || len(objs) != 1 {
			t.Fatalf("case %s: decode: %v (%d objects)", c.name, err, len(objs))
		}
		return objs[0]
	}
	lc := loadedCase{diffCase: c, request: c.manifest}
	if c.ephemeral == nil {
		lc.obj = decode(c.manifest)
		// Decode knows a custom resource's scope only from its CRD, which
		// the corpus does not hold: the corpus's AI operator kinds
		// (operatorKinds and TrainJob) are namespaced, so their resources
		// get the loader's namespace, as the apiserver gives them the
		// request's.
		kind := lc.obj.GVK.Kind
		if m := lc.obj.Meta(); !lc.obj.Typed && (slices.Contains(operatorKinds, kind) || kind == "TrainJob") && m.GetNamespace() == "" {
			m.SetNamespace(l.DefaultNamespace)
		}
		return lc
	}
	lc.old = decode(c.manifest)
	updated := deepCopyMap(c.manifest)
	updated["spec"].(map[string]any)["ephemeralContainers"] = c.ephemeral
	lc.request = updated
	lc.obj = decode(updated)
	return lc
}

// goVerdict is the Go check's verdict: true when it reports a violation.
// An inventory check whose admission form decides what one object decides
// alone (with its Namespace, namespaceObject to the policy) is run on an
// inventory of that object and its Namespace; a check with both
// evaluations is judged by both (the Inventory part of run-as-non-root
// reads what an InferenceService takes from its runtime, absent here).
func goVerdict(check governance.Check, o, namespace *governance.Object) (bool, []governance.Violation) {
	var out []governance.Violation
	if check.Object != nil && (len(check.Kinds) == 0 || slices.Contains(check.Kinds, o.GVK.GroupKind())) {
		out = append(out, check.Object(o)...)
	}
	if check.Inventory != nil {
		objs := []*governance.Object{o}
		if o.GVK.Kind != "Namespace" {
			objs = append(objs, namespace)
		}
		inv, err := governance.NewInventory(objs)
		if err != nil {
			return true, []governance.Violation{{Message: "inventory: " + err.Error()}}
		}
		for _, f := range check.Inventory(governance.NewPass(inv)) {
			out = append(out, governance.Violation{Path: f.Path, Message: f.Message})
		}
	}
	return len(out) > 0, out
}

func diffNamespace(name, id string) *corev1.Namespace {
	ns := BareNamespace(name)
	ns.Labels[diffNamespaceLabel] = id
	return ns
}

// caseNamespace is the Namespace named name that a case's object is
// created in: bound to the entry id, with the case's namespace labels.
func caseNamespace(name, id string, c diffCase) *corev1.Namespace {
	ns := diffNamespace(name, id)
	for k, v := range c.namespaceLabels {
		ns.Labels[k] = v
	}
	return ns
}

// namespaceObject decodes a Namespace as the loader decodes files.
func namespaceObject(t testing.TB, l *governance.Loader, ns *corev1.Namespace) *governance.Object {
	t.Helper()
	data, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns.Name, "labels": ns.Labels}})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := l.Decode(ns.Name+".json", data)
	if err != nil || len(objs) != 1 {
		t.Fatalf("namespace %s: decode: %v (%d objects)", ns.Name, err, len(objs))
	}
	return objs[0]
}

// diffEntry scopes a corpus entry to the namespaces labelled for it.
func diffEntry(e governance.PolicyEntry, label string) governance.PolicyEntry {
	e.Match.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{diffNamespaceLabel: label}}
	return e
}

func diffLabel(e governance.PolicyEntry) string {
	if e.Name != "" {
		return e.Name
	}
	return e.ID
}

// newCheck builds the Go check of an entry.
func newGoCheck(t testing.TB, e governance.PolicyEntry) governance.Check {
	t.Helper()
	def, err := governance.Lookup(append(catalog.Definitions(), CustomCELDefinition()), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := def.New(e.Params)
	if err != nil {
		t.Fatalf("%s: %v", e.ID, err)
	}
	return c
}

// diffSetup returns the compiler (Kubernetes 1.30) and the loader (default
// namespace "difftest") the differential tests build and load the corpus with.
func diffSetup(t *testing.T) (*Compiler, *governance.Loader) {
	t.Helper()
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	loader.DefaultNamespace = "difftest"
	return comp, loader
}

// TestDifferentialInProcess proves that, for every catalog check, the
// generated policy evaluated by the apiserver's admission code in-process
// denies exactly the objects the Go check reports.
func TestDifferentialInProcess(t *testing.T) {
	comp, loader := diffSetup(t)
	total := 0
	for _, dc := range corpus(t) {
		label := diffLabel(dc.entry)
		t.Run(label, func(t *testing.T) {
			adm := entryAdmission(t, comp, "diff", diffEntry(dc.entry, label))
			check := newGoCheck(t, dc.entry)
			var denied, allowed int
			// byKind counts, per AI operator kind, the objects the Go
			// check denies ([0]) and admits ([1]).
			byKind := map[string]*[2]int{}
			for _, c := range dc.cases {
				lc := loadCase(t, loader, c)
				ns := caseNamespace("difftest", label, c)
				want, violations := goVerdict(check, lc.obj, namespaceObject(t, loader, ns))
				req := Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}}
				if lc.old != nil {
					req.Operation, req.OldObject, req.Subresource, req.Resource = OperationUpdate, lc.old.Obj, "ephemeralcontainers", "pods"
				}
				if lc.obj.GVK.Kind == "Namespace" {
					req.Namespaces = nil
					lc.obj.Obj.(*corev1.Namespace).Labels[diffNamespaceLabel] = label
				}
				resp, err := adm.Admit(context.Background(), req)
				if err != nil {
					t.Fatalf("%s: admit: %v", c.name, err)
				}
				if got := !resp.Allowed; got != want {
					t.Errorf("%s: Go check denies=%v %v, in-process VAP denies=%v (%s)", c.name, want, violations, got, resp.Message)
				}
				if want {
					denied++
				} else {
					allowed++
				}
				if k := lc.obj.GVK.Kind; slices.Contains(operatorKinds, k) {
					if byKind[k] == nil {
						byKind[k] = &[2]int{}
					}
					if want {
						byKind[k][0]++
					} else {
						byKind[k][1]++
					}
				}
			}
			if denied == 0 || allowed == 0 {
				t.Errorf("corpus of %s must hold passing and failing objects: %d denied, %d allowed", label, denied, allowed)
			}
			for _, k := range sortedKeys(byKind) {
				n := byKind[k]
				switch {
				case k == "ServingRuntime" && dc.entry.ID == catalog.IDAutomountToken:
					// Partial: the InferenceService sets the token.
					if n[0] > 0 {
						t.Errorf("%s: %d ServingRuntimes denied, want none (a partial template)", label, n[0])
					}
				case slices.Contains(derivedNoPodKinds[dc.entry.ID], k):
					// No pod derived from the object alone: the policy
					// does not match the kind (corpus_ai_derived_test.go).
					if n[0] > 0 || n[1] == 0 {
						t.Errorf("%s: %d %ss denied and %d allowed, want none denied (a kind that derives no pod)", label, n[0], k, n[1])
					}
				case n[0] == 0 || n[1] == 0:
					t.Errorf("corpus of %s must hold passing and failing %ss: %d denied, %d allowed", label, k, n[0], n[1])
				}
			}
			if len(byKind) > 0 && len(byKind) != len(operatorKinds) {
				t.Errorf("corpus of %s covers %d of the %d operator kinds", label, len(byKind), len(operatorKinds))
			}
			total += len(dc.cases)
		})
	}
	t.Logf("%d objects compared", total)
}

// TestDifferentialScopeExcludeNamespaces proves that an entry's match
// (excludeNamespaces, namespaceSelector) selects the same objects in Go
// (governance.Scope through the engine) and in the generated binding
// evaluated in-process, Namespace objects included: a Namespace named in
// excludeNamespaces is exempt, as the binding's kubernetes.io/metadata.name
// NotIn requirement matches the Namespace's own labels.
func TestDifferentialScopeExcludeNamespaces(t *testing.T) {
	policy, err := governance.ParsePolicy("policy.yaml", []byte(`apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: scope}
spec:
  checks:
  - id: required-labels
    action: Deny
    params: {labels: [{key: team}]}
    match: {excludeNamespaces: [team-x]}
`))
	if err != nil {
		t.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("objects.yaml", []byte(`apiVersion: v1
kind: Namespace
metadata: {name: team-x}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-y}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-z, labels: {team: z}}
---
apiVersion: v1
kind: Pod
metadata: {name: in-x, namespace: team-x}
spec: {containers: [{name: app, image: registry.example.com/app:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: in-y, namespace: team-y}
spec: {containers: [{name: app, image: registry.example.com/app:1}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := policy.Rules(append(catalog.Definitions(), CustomCELDefinition()))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		t.Fatal(err)
	}
	goDenied := map[string]bool{}
	for _, f := range engine.Run(inv) {
		goDenied[f.Object.Kind+"/"+f.Object.Name] = true
	}
	comp, err := NewCompiler("")
	if err != nil {
		t.Fatal(err)
	}
	gs, err := comp.Generate(policy, testDefinitions())
	if err != nil {
		t.Fatal(err)
	}
	adm, err := NewAdmission([]*admissionregistrationv1.ValidatingAdmissionPolicy{gs[0].Policy}, []*admissionregistrationv1.ValidatingAdmissionPolicyBinding{gs[0].Binding})
	if err != nil {
		t.Fatal(err)
	}
	namespaces := governance.Typed[*corev1.Namespace](inv)
	want := map[string]bool{"Namespace/team-x": false, "Namespace/team-y": true, "Namespace/team-z": false, "Pod/in-x": false, "Pod/in-y": true}
	for _, o := range inv.Objects() {
		resp, err := adm.Admit(context.Background(), Request{Object: o.Obj, Namespaces: namespaces})
		if err != nil {
			t.Fatal(err)
		}
		key := o.Kind() + "/" + o.Name()
		if goDenied[key] != !resp.Allowed || goDenied[key] != want[key] {
			t.Errorf("%s: Go denies=%v, in-process VAP denies=%v (%s), want %v", key, goDenied[key], !resp.Allowed, resp.Message, want[key])
		}
	}
}
