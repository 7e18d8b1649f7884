// Package golden compares test output with golden files, for the tests of
// every aigov package: one function, Assert, and one flag, -update, which
// rewrites the files instead of comparing.
//
//	golden.Assert(t, filepath.Join("testdata", "risks.golden.json"), got)
//
//	go test ./rbac -update   # after checking that the change is intended
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files with the output the tests produce")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// Assert fails t unless got equals the content of the file at path, byte
// for byte. With -update it writes got to path instead (creating its
// directory) and passes.
func Assert[T ~string | ~[]byte](t testing.TB, path string, got T) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
		return
	}
	if !bytes.Equal([]byte(got), want) {
		t.Errorf("%s differs (go test -update rewrites it after an intended change):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
