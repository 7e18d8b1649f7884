package governance_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// FuzzDecodeFile feeds arbitrary bytes to the decoder and the loader. They
// must never panic, and every failure must be an input error naming the
// file. Hostile seeds (alias bombs, deep nesting, binary, huge scalars, lists
// in lists, odd unicode) are in testdata/fuzz/FuzzDecodeFile.
//
//	go test -fuzz=FuzzDecodeFile -fuzztime=3m ./governance/
func FuzzDecodeFile(f *testing.F) {
	for _, seed := range []string{
		"",
		"---\n",
		cmHeader,
		"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}]\n",
		`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}`,
		`[{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}, "data": {"k": "!!"}}]`,
		"apiVersion: v1\nkind: PodList\nitems: [{metadata: {name: p}, spec: {containers: [{name: c}]}}]\n",
		"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: x}\n",
		// Validation: unknown and duplicate fields, names the apiserver
		// refuses, a byte order mark, config kinds.
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  ingress: [{prots: [{port: 1}]}]\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: a, k: b}\n",
		`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "name": "b"}, "dataz": {}}`,
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"a\\nb\\e\", namespace: X, labels: {\"a b\": \"-\"}}\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: \"a/b\", generateName: \"x-\"}\n",
		"\ufeff{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}",
		"apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, recordLimit: 1}]\n",
		"apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nmetadata: {name: x}\nresources: []\n",
	} {
		f.Add([]byte(seed))
	}
	d, err := governance.NewDecoder()
	if err != nil {
		f.Fatal(err)
	}
	l := newLoader(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		objs, errs := d.DecodeFile(name, data)
		for _, e := range errs {
			if e == nil || e.Err == nil || e.Source.File != name || !strings.HasPrefix(e.Error(), name) {
				t.Fatalf("malformed error %#v", e)
			}
		}
		for _, o := range objs {
			if o == nil || o.Obj == nil || o.GVK.Kind == "" || o.GVK.Version == "" {
				t.Fatalf("malformed object %#v", o)
			}
			if o.Source.File != name || o.Source.Document < 1 || o.Source.Line < 1 {
				t.Fatalf("object %s has source %+v", o.Key(), o.Source)
			}
			if o.Typed != d.Scheme().Recognizes(o.GVK) {
				t.Fatalf("%s: typed %v, scheme recognizes %v", o.Key(), o.Typed, d.Scheme().Recognizes(o.GVK))
			}
			if o.Name() == "" && o.Meta().GetGenerateName() == "" && o.GVK.Group != "audit.k8s.io" && o.GVK.Group != "apiserver.config.k8s.io" {
				t.Fatalf("%s loaded without a name", o.Key())
			}
		}

		inv, err := l.LoadBytes(name, data)
		if inv == nil {
			t.Fatal("no inventory")
		}
		if err != nil {
			var list governance.ErrorList
			if !governance.IsInputError(err) || !errors.As(err, &list) || len(list) < strictErrors(errs) {
				t.Fatalf("load error %T %v (decode had %d errors)", err, err, len(errs))
			}
			for _, e := range list {
				if e.Source.File != name {
					t.Fatalf("load error without the file: %v", e)
				}
			}
		} else if strictErrors(errs) > 0 {
			t.Fatalf("decode failed (%v) but load did not", errs)
		}
		if inv.Len() > len(objs) {
			t.Fatalf("inventory has %d objects, decode %d", inv.Len(), len(objs))
		}
		// What loaded is usable: keys, workloads and an engine run.
		for _, o := range inv.Objects() {
			_ = o.Key().String()
			_ = o.Ref().String()
		}
		for _, w := range inv.Workloads() {
			if w.Pod == nil {
				t.Fatalf("workload %s/%s without a pod", w.Kind, w.Name)
			}
		}
		e, err := governance.NewEngine(governance.Rule{Check: needsOwner(governance.SeverityLow)})
		if err != nil {
			t.Fatal(err)
		}
		_ = e.Run(inv)
	})
}

// strictErrors counts the decode errors that are load errors under strict
// validation: all but the field errors of audit Policies, which are
// warnings.
func strictErrors(errs governance.ErrorList) int {
	n := 0
	for _, e := range errs {
		var fe *governance.FieldError
		if !errors.As(e, &fe) || fe.GVK.Group != "audit.k8s.io" || fe.GVK.Kind != "Policy" {
			n++
		}
	}
	return n
}

// FuzzParsePolicy feeds arbitrary bytes to the GovernancePolicy parser: it
// must never panic, and fail only with an input error naming the file.
func FuzzParsePolicy(f *testing.F) {
	for _, seed := range []string{
		"",
		policyHead + "  checks: []\n",
		policyHead + "  kubernetesVersion: \"1.30\"\n  checks:\n  - id: needs-owner\n    name: x\n    action: Warn\n    severity: high\n    params: {labels: [{key: owner, allowedRegex: '^[a-z]+$'}]}\n    match:\n      namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [a]}]}\n      objectSelector: {matchLabels: {tier: gpu}}\n      resources: [{apiGroups: [apps], apiVersions: [v1], resources: [deployments]}]\n      excludeNamespaces: [kube-system]\n",
		policyHead + "  checks:\n  - id: a\n    paramz: {}\n",
		policyHead + "  checks: [{id: a, action: Block}]\n",
		policyHead + "  checks: &c [*c]\n",
		policyHead + "  checks: " + strings.Repeat("[", 2000) + "\n",
		`{"apiVersion": "aigov.dev/v1alpha1", "kind": "GovernancePolicy", "spec": {"checks": [{"id": "a"}]}}`,
		"\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := governance.ParsePolicy("policy.yaml", data)
		if err != nil {
			var ie *governance.InputError
			if p != nil || !errors.As(err, &ie) || ie.Source.File != "policy.yaml" || ie.Source.Line < 1 {
				t.Fatalf("ParsePolicy = %v, %#v", p, err)
			}
			return
		}
		if p == nil || p.KubernetesVersion == "" {
			t.Fatalf("policy %+v", p)
		}
		for _, e := range p.Entries {
			if e.ID == "" || e.Source.Line < 1 {
				t.Fatalf("entry %+v", e)
			}
			if _, err := governance.ParseAction(string(e.Action)); err != nil || e.Action == "" {
				t.Fatalf("entry %s has action %q", e.ID, e.Action)
			}
		}
		// Building rules never panics either.
		_, _ = p.Rules([]governance.Definition{{ID: "needs-owner", New: func(any) (governance.Check, error) {
			return needsOwner(governance.SeverityLow), nil
		}}})
	})
}
