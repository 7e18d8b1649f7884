package governance_test

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// loadWithProcs loads data as file name with GOMAXPROCS at procs: 1 decodes
// the documents one after the other, more decodes them concurrently.
func loadWithProcs(t *testing.T, procs int, name string, data []byte) (*governance.Inventory, error) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	return newLoader(t).LoadBytes(name, data)
}

// sameLoads fails unless loading data on one goroutine and on several
// gives deeply equal inventories and the same errors, in the same order.
func sameLoads(t *testing.T, name string, data []byte) (*governance.Inventory, error) {
	t.Helper()
	seqInv, seqErr := loadWithProcs(t, 1, name, data)
	parInv, parErr := loadWithProcs(t, 4, name, data)
	if got, want := strings.Join(errorLines(parErr), "\n"), strings.Join(errorLines(seqErr), "\n"); got != want {
		t.Errorf("errors of a concurrent load:\n%s\nof a sequential one:\n%s", got, want)
	}
	if !reflect.DeepEqual(parErr, seqErr) {
		t.Errorf("the error lists differ beyond their text")
	}
	if seqInv == nil || parInv == nil {
		t.Fatalf("no inventory: sequential %v, concurrent %v", seqInv != nil, parInv != nil)
	}
	if len(parInv.Objects()) != len(seqInv.Objects()) {
		t.Fatalf("a concurrent load has %d objects, a sequential one %d", len(parInv.Objects()), len(seqInv.Objects()))
	}
	for i, o := range parInv.Objects() {
		if want := seqInv.Objects()[i]; !reflect.DeepEqual(o, want) {
			t.Fatalf("object %d: concurrent %s at %v, sequential %s at %v", i, o.Key(), o.Source, want.Key(), want.Source)
		}
	}
	if !reflect.DeepEqual(parInv, seqInv) {
		t.Errorf("the inventories differ beyond their objects")
	}
	return parInv, parErr
}

// TestParallelLoadDecodeErrors loads each input of the decode-errors corpus,
// and all its YAML texts as documents of one file, on one goroutine and on
// several.
func TestParallelLoadDecodeErrors(t *testing.T) {
	var all []string
	for _, tc := range readDecodeErrorCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			if _, err := sameLoads(t, tc.File, []byte(tc.input(t))); err == nil {
				t.Error("no error")
			}
		})
		if text := strings.TrimSpace(tc.Input); tc.Input != "" && !strings.HasPrefix(text, "{") && !strings.HasPrefix(text, "[") {
			all = append(all, tc.Input)
		}
	}
	t.Run("one file", func(t *testing.T) {
		inv, err := sameLoads(t, "all.yaml", []byte(strings.Join(all, "\n---\n")))
		// Each case fails on its own; together they must still give
		// errors from many documents and load some objects, or the
		// comparison above proves little.
		if n := len(errorLines(err)); n < len(all)/2 {
			t.Errorf("%d errors from %d documents", n, len(all))
		}
		if len(inv.Objects()) == 0 {
			t.Error("no object loaded")
		}
	})
}

// TestParallelLoadPlatform loads a generated platform on one goroutine and
// on several.
func TestParallelLoadPlatform(t *testing.T) {
	opts := gen.Platform(2000)
	inv, err := sameLoads(t, "platform.yaml", gen.Cluster(opts))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(inv.Objects()), opts.ObjectCount(); got != want {
		t.Errorf("loaded %d objects, want %d", got, want)
	}
}
