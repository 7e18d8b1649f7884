package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.failed = append(r.failed, f) }
func (r *recorder) Fatalf(f string, a ...any) { r.failed = append(r.failed, f) }
func (r *recorder) Fatal(a ...any)            { r.failed = append(r.failed, "fatal") }

func TestAssert(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := &recorder{TB: t}
	Assert(r, path, "a\nb\n")
	Assert(r, path, []byte("a\nb\n"))
	if len(r.failed) != 0 {
		t.Errorf("equal content failed: %v", r.failed)
	}

	r = &recorder{TB: t}
	Assert(r, path, "a\nc\n")
	if len(r.failed) != 1 || !strings.Contains(r.failed[0], "differs") {
		t.Errorf("different content: got failures %v, want one 'differs'", r.failed)
	}

	r = &recorder{TB: t}
	Assert(r, filepath.Join(dir, "missing.golden"), "x")
	if len(r.failed) != 1 || !strings.Contains(r.failed[0], "-update creates it") {
		t.Errorf("missing file: got failures %v", r.failed)
	}
}

func TestAssertUpdateWritesTheFile(t *testing.T) {
	*update = true
	defer func() { *update = false }()
	path := filepath.Join(t.TempDir(), "sub", "out.golden")
	r := &recorder{TB: t}
	Assert(r, path, "new\n")
	if len(r.failed) != 0 {
		t.Fatalf("update failed: %v", r.failed)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new\n" {
		t.Errorf("file after -update: %q, %v", b, err)
	}
	if !Updating() {
		t.Error("Updating() is false under -update")
	}
}
