//go:build unix

package governance_test

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aigov/aigov/governance"
)

// loadWithin runs Load in a goroutine and fails the test, instead of
// hanging, when it does not return within 30 s.
func loadWithin(t *testing.T, l *governance.Loader, paths ...string) (*governance.Inventory, error) {
	t.Helper()
	type result struct {
		inv *governance.Inventory
		err error
	}
	done := make(chan result, 1)
	go func() {
		inv, err := l.Load(paths...)
		done <- result{inv, err}
	}()
	select {
	case r := <-done:
		return r.inv, r.err
	case <-time.After(30 * time.Second):
		t.Fatalf("Load(%q) blocked for 30 s", paths)
		return nil, nil
	}
}

// A FIFO in a -f directory would block the read forever (nobody writes to
// it): it is skipped with a warning. Named explicitly, it is an error.
func TestNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	fifo := filepath.Join(dir, "b.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}

	inv, err := loadWithin(t, newLoader(t), dir)
	if err != nil {
		t.Fatalf("directory with a FIFO: %v", err)
	}
	if inv.Len() != 1 {
		t.Errorf("%d objects", inv.Len())
	}
	want := fifo + ": skipped: not a regular file (a FIFO)"
	if len(inv.Warnings) != 1 || inv.Warnings[0] != want {
		t.Errorf("warnings %q, want %q", inv.Warnings, want)
	}

	_, err = loadWithin(t, newLoader(t), fifo)
	var list governance.ErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Source.File != fifo ||
		!strings.Contains(err.Error(), "not a regular file (a FIFO)") {
		t.Errorf("explicit FIFO: %v", err)
	}

	// --policy and the like refuse it too, without blocking.
	done := make(chan error, 1)
	go func() { _, err := governance.LoadPolicyFile(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("policy FIFO: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("LoadPolicyFile blocked on a FIFO")
	}
}
