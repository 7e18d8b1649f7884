package governance_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// TestFactsComputedOncePerRun: two checks requiring the same fact share
// one computation per run; a fact is computed after the facts it
// requires; a new run computes anew.
func TestFactsComputedOncePerRun(t *testing.T) {
	var order []string
	objects := governance.NewFact("objects", func(p *governance.Pass) int {
		order = append(order, "objects")
		return p.Inventory.Len()
	})
	doubled := governance.NewFact("doubled", func(p *governance.Pass) int {
		order = append(order, "doubled")
		return 2 * objects.Of(p)
	}, objects)
	check := func(id string) governance.Check {
		return governance.Check{ID: id, Severity: governance.SeverityLow, Requires: []governance.FactRef{doubled},
			Inventory: func(p *governance.Pass) []governance.Finding {
				if got := doubled.Of(p); got != 2*p.Inventory.Len() {
					t.Errorf("%s: doubled = %d", id, got)
				}
				return nil
			}}
	}
	e, err := governance.NewEngine(governance.Rule{Check: check("a")}, governance.Rule{Check: check("b")})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(e.Facts()); got != 2 || e.Facts()[0].FactName() != "objects" {
		t.Fatalf("Facts() = %v, want objects then doubled", e.Facts())
	}
	inv := loadString(t, "ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
	e.Run(inv)
	e.Run(inv)
	if got := strings.Join(order, ","); got != "objects,doubled,objects,doubled" {
		t.Errorf("computation order %s, want each fact once per run, dependencies first", got)
	}
}

// TestNilFactIsAnError: a fact declared before the fact it requires
// exists (a nil requirement) fails when the engine is built, not in a run.
func TestNilFactIsAnError(t *testing.T) {
	var early *governance.Fact[int]
	late := governance.NewFact("late", func(p *governance.Pass) int { return 0 }, early)
	_, err := governance.NewEngine(governance.Rule{Check: governance.Check{ID: "x", Severity: governance.SeverityLow,
		Requires: []governance.FactRef{late}, Inventory: func(*governance.Pass) []governance.Finding { return nil }}})
	if err == nil || !strings.Contains(err.Error(), `fact "late" requires a nil fact`) {
		t.Fatalf("NewEngine: %v", err)
	}
}

func TestDecodeParams(t *testing.T) {
	type params struct {
		Max  int      `json:"max"`
		Keys []string `json:"keys,omitempty"`
	}
	defaults := params{Max: 1}
	for _, tc := range []struct {
		name    string
		in      any
		want    params
		wantErr string
	}{
		{name: "nil keeps defaults", in: nil, want: defaults},
		{name: "JSON null", in: json.RawMessage("null"), want: defaults},
		{name: "JSON", in: json.RawMessage(`{"max": 3}`), want: params{Max: 3}},
		{name: "bytes", in: []byte(`{"keys": ["a"]}`), want: params{Max: 1, Keys: []string{"a"}}},
		{name: "struct", in: params{Max: 7}, want: params{Max: 7}},
		{name: "pointer", in: &params{Max: 8}, want: params{Max: 8}},
		{name: "nil pointer keeps defaults", in: (*params)(nil), want: defaults},
		{name: "unknown field", in: json.RawMessage(`{"maks": 3}`), wantErr: `unknown field "maks"`},
		{name: "case-sensitive", in: json.RawMessage(`{"Max": 3}`), wantErr: `unknown field "Max"`},
		{name: "not an object", in: json.RawMessage(`[1]`), wantErr: "params must be an object"},
		{name: "wrong type", in: map[string]int{"max": 3}, wantErr: "want governance_test.params"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := defaults
			err := governance.DecodeParams(tc.in, &got)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Max != tc.want.Max || strings.Join(got.Keys, ",") != strings.Join(tc.want.Keys, ",") {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if err := governance.NoParams(json.RawMessage(`{"a": 1, "b": 2}`)); err == nil || !strings.Contains(err.Error(), `unknown params "a", "b"`) {
		t.Errorf("NoParams: %v", err)
	}
	if err := governance.NoParams(struct{}{}); err == nil {
		t.Error("NoParams accepted a struct")
	}
}
