package secrets

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// TestChecks: one definition per rule, in AllRules order, with the rule's
// ID, severity and description; the opt-in rules, and only they, are
// marked; the default ones require both scans.
func TestChecks(t *testing.T) {
	defs := Checks()
	rules := AllRules()
	if len(defs) != len(rules) {
		t.Fatalf("%d definitions for %d rules", len(defs), len(rules))
	}
	for i, r := range rules {
		d := defs[i]
		if d.ID != r.ID || d.Severity != r.Severity || d.Description != r.Description || d.VAP {
			t.Errorf("definition %d: %s %s %q, want rule %s %s %q", i, d.ID, d.Severity, d.Description, r.ID, r.Severity, r.Description)
		}
		if OptIn(d) == r.Default {
			t.Errorf("%s: opt-in %v, rule default %v", d.ID, OptIn(d), r.Default)
		}
		wantRequires := []governance.FactRef{ScanFact(OriginSource), ScanFact(OriginCluster)}
		if !r.Default {
			wantRequires = nil
		}
		if !slices.Equal(d.Requires, wantRequires) {
			t.Errorf("%s: requires %v", d.ID, d.Requires)
		}
		c, err := d.New(nil)
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		if err := c.Validate(); err != nil || c.Remediation != r.Remediation {
			t.Errorf("%s: check %v, remediation %q", d.ID, err, c.Remediation)
		}
	}
	var optIn []string
	for _, d := range defs {
		if OptIn(d) {
			optIn = append(optIn, d.ID)
		}
	}
	if !slices.Equal(optIn, []string{IDEnvReference, IDNotImmutable}) {
		t.Errorf("opt-in checks %v", optIn)
	}
}

// runSecretsCheck runs c through an engine over yaml and renders
// "check Kind/name path".
func runSecretsCheck(t *testing.T, c governance.Check, yaml string) []string {
	t.Helper()
	engine, err := governance.NewEngine(governance.Rule{Check: c})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range engine.Run(mustLoad(t, yaml)) {
		if f.Severity != c.Severity {
			t.Errorf("%s: severity %s, want %s", f.Check, f.Severity, c.Severity)
		}
		out = append(out, f.Check+" "+f.Object.Kind+"/"+f.Object.Name+" "+f.Path)
	}
	return out
}

func TestNewCheck(t *testing.T) {
	mutable := "apiVersion: v1\nkind: Secret\nmetadata: {name: hf, namespace: ml}\nstringData: {token: '<replace-me>'}\n"
	immutable := "apiVersion: v1\nkind: Secret\nmetadata: {name: hf, namespace: ml}\nimmutable: true\n"
	for _, tc := range []struct {
		id, params, yaml string
		want             []string
	}{
		{IDStringDataInSource, "", mutable, []string{"secret-stringdata-in-source Secret/hf stringData"}},
		{IDStringDataInSource, `{"origin": "cluster"}`, mutable, nil},
		{IDNotImmutable, "", mutable, []string{"secret-not-immutable Secret/hf immutable"}},
		{IDNotImmutable, `{"origin": "cluster"}`, immutable, nil},
	} {
		var params any
		if tc.params != "" {
			params = []byte(tc.params)
		}
		c, err := NewCheck(tc.id, params)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.id, tc.params, err)
		}
		if got := runSecretsCheck(t, c, tc.yaml); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: findings %q, want %q", tc.id, tc.params, got, tc.want)
		}
	}
	c, err := NewCheck(IDStringDataInSource, CheckParams{Origin: "cluster"})
	if err != nil || !slices.Equal(c.Requires, []governance.FactRef{ScanFact(OriginCluster)}) {
		t.Errorf("cluster check requires %v (%v)", c.Requires, err)
	}
	if _, err := NewCheck("nope", nil); !errors.Is(err, governance.ErrUnknownCheck) {
		t.Errorf("unknown ID: %v", err)
	}
	if _, err := NewCheck(IDNotImmutable, []byte(`{"origin": "git"}`)); err == nil || !strings.Contains(err.Error(), "origin") {
		t.Errorf("bad origin: %v", err)
	}
}

// TestChecksShareOneScan: the default checks of one engine run read one
// scan, computed once.
func TestChecksShareOneScan(t *testing.T) {
	var rules []governance.Rule
	var first []Finding
	same := true
	for _, d := range Checks() {
		if OptIn(d) {
			continue
		}
		c, err := d.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		inner := c.Inventory
		c.Inventory = func(p *governance.Pass) []governance.Finding {
			fs := ScanFact(OriginSource).Of(p)
			if first == nil {
				first = fs
			} else if len(fs) == 0 || &fs[0] != &first[0] {
				same = false
			}
			return inner(p)
		}
		rules = append(rules, governance.Rule{Check: c})
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		t.Fatal(err)
	}
	if facts := engine.Facts(); len(facts) != 1 || facts[0] != ScanFact(OriginSource) {
		t.Errorf("engine facts %v, want the source scan", facts)
	}
	engine.Run(mustLoad(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: hf, namespace: ml}\nstringData: {token: '<replace-me>'}\n"))
	if len(first) == 0 || !same {
		t.Errorf("the checks did not share one non-empty scan (%d findings)", len(first))
	}
}
