package catalog

import (
	"slices"
	"testing"

	"github.com/aigov/aigov/governance"
)

func TestControls(t *testing.T) {
	frameworks := map[string]bool{}
	for _, f := range Frameworks() {
		frameworks[f.ID] = true
	}
	table := controlTable()
	for _, d := range Definitions() {
		if _, ok := table[d.ID]; !ok {
			t.Errorf("%s: no entry in the control table", d.ID)
		}
		for _, c := range d.Controls {
			if !frameworks[ControlFramework(c)] {
				t.Errorf("%s: control %q of an unknown framework", d.ID, c)
			}
		}
	}
	if len(table) != len(Definitions()) {
		t.Errorf("control table has %d entries, the catalog %d checks", len(table), len(Definitions()))
	}
	c := Controls(IDPrivilegedContainer)
	c[0] = "changed"
	if Controls(IDPrivilegedContainer)[0] != "CIS 5.2.2" || Controls("no-such-check") != nil {
		t.Error("Controls")
	}
}

func TestGroupByFramework(t *testing.T) {
	defs := Definitions()
	findings := []governance.Finding{
		{Check: IDPrivilegedContainer, Object: governance.ObjectRef{Kind: "Pod", Name: "a"}},
		{Check: IDModelImageDigest, Object: governance.ObjectRef{Kind: "Deployment", Name: "b"}},
		{Check: "custom-cel", Object: governance.ObjectRef{Kind: "Pod", Name: "c"}},
	}
	g := GroupByFramework(findings, defs)
	names := func(fs []governance.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Object.Name)
		}
		return out
	}
	for fw, want := range map[string][]string{
		FrameworkCIS: {"a", "b"}, FrameworkNSACISA: {"a", "b"}, FrameworkOWASPLLM: {"b"}, FrameworkMITREATLAS: {"b"}, Unmapped: {"c"},
	} {
		if got := names(g[fw]); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", fw, got, want)
		}
	}
	if len(g) != 5 {
		t.Errorf("%d groups", len(g))
	}
	byControl := GroupByControl(findings, defs)
	if got := names(byControl["CIS 5.2.2"]); !slices.Equal(got, []string{"a"}) {
		t.Errorf("CIS 5.2.2: %v", got)
	}
	if got := names(byControl["OWASP-LLM LLM03"]); !slices.Equal(got, []string{"b"}) {
		t.Errorf("OWASP-LLM LLM03: %v", got)
	}
}
