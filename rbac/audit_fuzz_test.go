package rbac_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aigov/aigov/rbac"
)

// FuzzScanAuditLog: any input either scans or fails with an *AuditError
// naming a line of the input; never a panic, and every request it yields
// is a resource request with a resource or a non-resource one with a path.
func FuzzScanAuditLog(f *testing.F) {
	for _, p := range []string{"testdata/audit/usage.log", "testdata/audit/bad.log"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"Event","verb":"get","user":{"username":"u"},"requestURI":"/healthz?x"}`))
	f.Add([]byte(`{"verb":"create","user":{"username":"u"},"objectRef":{"resource":"pods","name":"p"}}` + "\n\n"))
	f.Add([]byte("\x00\xff{\n}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		n, err := rbac.ScanAuditLog(strings.NewReader(string(data)), "fuzz.log", func(r rbac.AuditRequest) error {
			a := r.Attributes
			if a.Verb == "" || r.Identity.User == "" {
				t.Fatalf("request without verb or user: %+v", r)
			}
			if a.IsResourceRequest() == (a.Resource == "") {
				t.Fatalf("resource request without resource, or URL request with one: %+v", a)
			}
			if !a.IsResourceRequest() && (!strings.HasPrefix(a.Path, "/") || strings.Contains(a.Path, "?")) {
				t.Fatalf("bad path %q", a.Path)
			}
			if a.Verb == "create" && a.Subresource == "" && a.Name != "" {
				t.Fatalf("create of a new object with a name: %+v", a)
			}
			if r.Line < 1 || r.Line > lines {
				t.Fatalf("line %d of %d", r.Line, lines)
			}
			return nil
		})
		if n < 0 || n > lines {
			t.Fatalf("%d events in %d lines", n, lines)
		}
		if err != nil {
			var ae *rbac.AuditError
			if !errors.As(err, &ae) || ae.File != "fuzz.log" || ae.Line < 1 || ae.Line > lines+1 {
				t.Fatalf("error %v is not an AuditError on a line of the input", err)
			}
		}
	})
}
