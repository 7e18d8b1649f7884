package catalog

import (
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
	"github.com/aigov/aigov/rbac"
)

// TestComposesAnalyzerChecks: the catalog holds every check of rbac.Checks
// and quota.Checks exactly once, as the analyzer defines it (severity,
// description, kinds), in the default set; no alias is also an ID, and the
// merged rbac-nonexistent-subresource resolves to rbac-unknown-resource.
func TestComposesAnalyzerChecks(t *testing.T) {
	defs := Definitions()
	count := map[string]int{}
	for _, d := range defs {
		count[d.ID]++
	}
	defaults := map[string]bool{}
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		defaults[r.Check.ID] = true
	}
	analyzers := append(rbac.Checks(), quota.Checks()...)
	if len(analyzers) != 15 {
		t.Errorf("%d rbac and quota checks, want 15", len(analyzers))
	}
	for _, want := range analyzers {
		if count[want.ID] != 1 {
			t.Errorf("%s: %d times in the catalog, want once", want.ID, count[want.ID])
			continue
		}
		got, err := governance.Lookup(defs, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Severity != want.Severity || got.Description != want.Description || len(got.Kinds) != len(want.Kinds) || got.VAP != want.VAP {
			t.Errorf("%s: catalog definition %+v, the analyzer's %+v", want.ID, got, want)
		}
		if !defaults[want.ID] {
			t.Errorf("%s: not in Default()", want.ID)
		}
	}
	for _, d := range defs {
		for _, a := range d.Aliases {
			if count[a] > 0 {
				t.Errorf("%s: alias %s is also a check ID", d.ID, a)
			}
		}
	}
	d, err := governance.Lookup(defs, "rbac-nonexistent-subresource")
	if err != nil || d.ID != "rbac-unknown-resource" || len(d.Controls) == 0 {
		t.Errorf("Lookup(rbac-nonexistent-subresource) = %+v, %v", d, err)
	}
}
