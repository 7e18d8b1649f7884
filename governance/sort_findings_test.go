package governance_test

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/aigov/aigov/governance"
)

// TestSortFindings: SortFindings gives the order of a stable sort on
// (severity descending, namespace, kind, name, check, entry name, path,
// message), equal findings kept in input order, on random findings drawn
// from small alphabets so that every key ties often.
func TestSortFindings(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	for round := range 50 {
		fs := make([]governance.Finding, rng.IntN(300))
		for i := range fs {
			fs[i] = governance.Finding{
				Severity: governance.Severity(rng.IntN(3)), Check: pick("a", "b"), Name: pick("", "x"),
				Object: governance.ObjectRef{Namespace: pick("", "ml", "team"), Kind: pick("Pod", "Role"), Name: pick("p", "q")},
				Path:   pick("spec", "metadata"), Message: pick("m", "n"),
				// Remediation tells equal findings apart: their order is the input's.
				Remediation: string(rune('0' + i%10)),
			}
		}
		want := append([]governance.Finding(nil), fs...)
		sort.SliceStable(want, func(i, j int) bool {
			a, b := want[i], want[j]
			if a.Severity != b.Severity {
				return a.Severity > b.Severity
			}
			for _, p := range [][2]string{{a.Object.Namespace, b.Object.Namespace}, {a.Object.Kind, b.Object.Kind},
				{a.Object.Name, b.Object.Name}, {a.Check, b.Check}, {a.Name, b.Name}, {a.Path, b.Path}, {a.Message, b.Message}} {
				if p[0] != p[1] {
					return p[0] < p[1]
				}
			}
			return false
		})
		governance.SortFindings(fs)
		if !reflect.DeepEqual(fs, want) {
			t.Fatalf("round %d: order differs from the stable sort", round)
		}
	}
}
