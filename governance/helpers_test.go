package governance_test

import (
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

func newLoader(t testing.TB) *governance.Loader {
	t.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// loadString loads one in-memory file and fails the test on any error.
func loadString(t testing.TB, name, data string) *governance.Inventory {
	t.Helper()
	inv, err := newLoader(t).LoadBytes(name, []byte(data))
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return inv
}

// errorLines renders an error list one error a line, for exact comparison.
func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

// mustGet returns the object with the key or fails.
func mustGet(t testing.TB, inv *governance.Inventory, k governance.Key) *governance.Object {
	t.Helper()
	o := inv.Get(k)
	if o == nil {
		var keys []string
		for _, o := range inv.Objects() {
			keys = append(keys, o.Key().String())
		}
		t.Fatalf("no %s in the inventory; it holds %s", k, strings.Join(keys, ", "))
	}
	return o
}
