package catalog

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/golden"
)

// TestGolden runs every catalog check, configured by
// testdata/golden/policy.yaml, over testdata/golden/manifests.yaml and
// compares the findings with testdata/golden/findings.json. Objects named
// pass-* must have no finding. Run `go test -run TestGolden -update` to
// rewrite the expectation after an intended change.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	policy, err := governance.LoadPolicyFile(filepath.Join(dir, "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := policy.Rules(Definitions())
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != len(Definitions()) {
		t.Fatalf("policy configures %d checks, the catalog has %d", len(rules), len(Definitions()))
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		t.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.Load(filepath.Join(dir, "manifests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	findings := engine.Run(inv)
	failing := map[string]bool{}
	for _, f := range findings {
		if strings.HasPrefix(f.Object.Name, "pass-") {
			t.Errorf("object %s passes by name but has a finding: %s %s: %s", f.Object, f.Check, f.Path, f.Message)
		}
		failing[f.Object.Kind+"/"+f.Object.Name] = true
	}
	for _, o := range inv.Objects() {
		if strings.HasPrefix(o.Name(), "fail-") && !failing[o.Kind()+"/"+o.Name()] {
			t.Errorf("object %s/%s fails by name but has no finding", o.Kind(), o.Name())
		}
	}

	got, err := json.MarshalIndent(struct {
		SchemaVersion int                  `json:"schemaVersion"`
		Findings      []governance.Finding `json:"findings"`
	}{1, findings}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Assert(t, filepath.Join(dir, "findings.json"), got)
}
