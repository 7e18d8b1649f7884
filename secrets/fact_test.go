package secrets

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

const factManifest = `apiVersion: v1
kind: Secret
metadata: {name: hf, namespace: ml}
stringData: {token: '<replace-me>'}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: ml}
stringData: {password: '<replace-me>'}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: ml}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: ml}
subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: team-ml}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
`

// TestExposureFact: the exposure is Exposure over the pass's rbac graph,
// which it computes as the fact it requires, of the provider-key Secrets
// only (hf, not the database password db).
func TestExposureFact(t *testing.T) {
	inv := mustLoad(t, factManifest)
	pass := governance.NewPass(inv)
	got := ExposureFact.Of(pass)
	if !pass.Computed(rbac.GraphFact) {
		t.Error("rbac.Graph not computed in the pass")
	}
	all := Exposure(inv, rbac.New(inv))
	if len(all) != 2 || all[1].Name != "hf" {
		t.Fatalf("Exposure: %+v, want db and hf", all)
	}
	if want := all[1:]; !reflect.DeepEqual(got, want) {
		t.Errorf("exposure %+v, want %+v", got, want)
	}
	if none := ExposureFact.Of(governance.NewPass(mustLoad(t, factManifest[strings.Index(factManifest, "---\napiVersion: v1\nkind: Secret\nmetadata: {name: db"):]))); none != nil {
		t.Errorf("no provider key: exposure %+v, want none", none)
	}
	if reqs := ExposureFact.FactRequires(); len(reqs) != 1 || reqs[0] != rbac.GraphFact {
		t.Errorf("requires %v", reqs)
	}
}

// TestScanFact: one fact per origin (an unknown origin is source), each
// the default scanner's findings.
func TestScanFact(t *testing.T) {
	if ScanFact(OriginSource) == ScanFact(OriginCluster) || ScanFact(Origin(9)) != ScanFact(OriginSource) {
		t.Error("scan facts per origin")
	}
	inv := mustLoad(t, factManifest)
	s, err := NewScanner(Config{})
	if err != nil {
		t.Fatal(err)
	}
	pass := governance.NewPass(inv)
	for _, o := range []Origin{OriginSource, OriginCluster} {
		got, want := ScanFact(o).Of(pass), s.Scan(inv, o)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: scan %+v, want %+v", o, got, want)
		}
	}
	rules := func(fs []Finding) map[string]bool {
		out := map[string]bool{}
		for _, f := range fs {
			out[f.Rule] = true
		}
		return out
	}
	if !rules(ScanFact(OriginSource).Of(pass))[IDStringDataInSource] || rules(ScanFact(OriginCluster).Of(pass))[IDStringDataInSource] {
		t.Error("stringData is a finding of the source scan only")
	}
}
