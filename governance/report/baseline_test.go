package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBaselineMark(t *testing.T) {
	// The baseline is an earlier run's JSON output of the first three
	// findings.
	earlier := testReport()
	earlier.Findings = sortedFindings(earlier.Findings)[:3]
	path := writeFile(t, "baseline.json", encode(t, FormatJSON, earlier))
	b, err := LoadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 3 {
		t.Fatalf("baseline has %d findings; want 3", b.Len())
	}

	// The current run: the same findings moved (line) and reworded
	// (message) are still known; the others are not.
	current := sortedFindings(testFindings())
	for i := range current {
		current[i].Known = false
		current[i].Object.Source.Line += 10
		current[i].Message += " (reworded)"
	}
	if n := b.Mark(current); n != 3 {
		t.Errorf("Mark marked %d; want 3", n)
	}
	for i, f := range current {
		if want := i < 3; f.Known != want {
			t.Errorf("%s %s: Known = %v; want %v", f.Check, objectName(f.Object), f.Known, want)
		}
	}

	// Identity is check, entry name, object and path: changing any of them
	// makes a new finding.
	f := current[0]
	variants := map[string]func(*governance.Finding){
		"check":     func(f *governance.Finding) { f.Check = "other" },
		"name":      func(f *governance.Finding) { f.Name = "entry" },
		"kind":      func(f *governance.Finding) { f.Object.Kind = "StatefulSet" },
		"namespace": func(f *governance.Finding) { f.Object.Namespace = "other" },
		"object":    func(f *governance.Finding) { f.Object.Name = "other" },
		"path":      func(f *governance.Finding) { f.Path = "spec" },
	}
	for field, change := range variants {
		g := f
		g.Known = false
		change(&g)
		if b.Contains(g) {
			t.Errorf("a finding with another %s is in the baseline", field)
		}
	}
	same := f
	same.Severity, same.Action, same.Remediation = governance.SeverityInfo, governance.ActionWarn, "x"
	if !b.Contains(same) {
		t.Errorf("severity, action or remediation changed the identity")
	}
}

func TestBaselineNil(t *testing.T) {
	var b *Baseline
	fs := testFindings()
	if b.Len() != 0 || b.Contains(fs[0]) || b.Mark(fs) != 0 {
		t.Errorf("a nil baseline is not empty")
	}
	if n := NewBaseline(nil).Mark(fs); n != 0 {
		t.Errorf("an empty baseline marked %d", n)
	}
}

func TestLoadBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
		line                int
	}{
		{"missing.json", "", "no such file", 0},
		{"syntax.json", "{\n  \"schemaVersion\": 1,\n  \"findings\": [,]\n}\n", "invalid character", 3},
		{"sarif.json", `{"version": "2.1.0", "runs": []}`, `no "findings" array`, 0},
		{"future.json", `{"schemaVersion": 9, "findings": []}`, "unsupported schemaVersion 9", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadBaseline(path)
			if err == nil {
				t.Fatal("LoadBaseline succeeded")
			}
			var ie *governance.InputError
			if !errors.As(err, &ie) || !governance.IsInputError(err) {
				t.Fatalf("error %T is not a *governance.InputError: %v", err, err)
			}
			if ie.Source.File != path || ie.Source.Line != tt.line {
				t.Errorf("error names %s line %d; want %s line %d", ie.Source.File, ie.Source.Line, path, tt.line)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path) || !strings.Contains(msg, tt.want) || !strings.Contains(msg, "baseline") {
				t.Errorf("error %q; want it to start with the file and contain %q", msg, tt.want)
			}
		})
	}
}

func TestFailOn(t *testing.T) {
	finding := func(s governance.Severity, a governance.Action, known bool) governance.Finding {
		return governance.Finding{Check: "c", Severity: s, Action: a, Known: known}
	}
	high := governance.SeverityHigh
	tests := []struct {
		name      string
		findings  []governance.Finding
		threshold governance.Severity
		want      bool
	}{
		{"no findings", nil, governance.SeverityInfo, false},
		{"at threshold", []governance.Finding{finding(high, governance.ActionDeny, false)}, high, true},
		{"above threshold", []governance.Finding{finding(governance.SeverityCritical, governance.ActionDeny, false)}, high, true},
		{"below threshold", []governance.Finding{finding(governance.SeverityMedium, governance.ActionDeny, false)}, high, false},
		{"info threshold takes everything", []governance.Finding{finding(governance.SeverityInfo, governance.ActionDeny, false)}, governance.SeverityInfo, true},
		{"known is ignored", []governance.Finding{finding(governance.SeverityCritical, governance.ActionDeny, true)}, governance.SeverityInfo, false},
		{"no action means Deny", []governance.Finding{finding(high, "", false)}, high, true},
		{"Warn only reports", []governance.Finding{finding(governance.SeverityCritical, governance.ActionWarn, false)}, governance.SeverityInfo, false},
		{"Audit only reports", []governance.Finding{finding(governance.SeverityCritical, governance.ActionAudit, false)}, governance.SeverityInfo, false},
		{"one failing among others", []governance.Finding{
			finding(governance.SeverityCritical, governance.ActionDeny, true),
			finding(governance.SeverityCritical, governance.ActionWarn, false),
			finding(governance.SeverityLow, governance.ActionDeny, false),
			finding(high, governance.ActionDeny, false),
		}, high, true},
	}
	for _, tt := range tests {
		if got := FailOn(tt.findings, tt.threshold); got != tt.want {
			t.Errorf("%s: FailOn = %v; want %v", tt.name, got, tt.want)
		}
	}
	// The fixture: only the critical Deny finding fails at high; the high
	// one is known.
	if !FailOn(testFindings(), high) || FailOn(testFindings(), governance.SeverityCritical+1) {
		t.Errorf("FailOn over the fixture")
	}
}

// A baseline is bounded as a manifest document is, and must be a file.
func TestLoadBaselineLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	content := `{"schemaVersion": 1, "findings": [], "pad": "` + strings.Repeat("x", governance.MaxDocumentBytes) + `"}`
	if err := os.WriteFile(big, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadBaseline(big)
	var ie *governance.InputError
	if !errors.As(err, &ie) || ie.Source.File != big || !strings.Contains(err.Error(), "larger than 16777216 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := LoadBaseline(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
	ok := filepath.Join(dir, "ok.json")
	if err := os.WriteFile(ok, []byte(`{"schemaVersion": 1, "findings": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := LoadBaseline(ok); err != nil || b.Len() != 0 {
		t.Errorf("a valid baseline: %v", err)
	}
}
