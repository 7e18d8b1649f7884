package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

func TestJSONShape(t *testing.T) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(encode(t, FormatJSON, testReport()), &doc); err != nil {
		t.Fatal(err)
	}
	if string(doc["schemaVersion"]) != "1" || string(doc["objects"]) != "42" {
		t.Errorf("schemaVersion = %s, objects = %s; want 1, 42", doc["schemaVersion"], doc["objects"])
	}
	var warnings []string
	if err := json.Unmarshal(doc["warnings"], &warnings); err != nil || len(warnings) != 1 {
		t.Errorf("warnings = %s (%v); want one", doc["warnings"], err)
	}
	var findings []map[string]any
	if err := json.Unmarshal(doc["findings"], &findings); err != nil {
		t.Fatal(err)
	}
	if len(findings) != 6 {
		t.Fatalf("%d findings; want 6", len(findings))
	}
	// The fields the design fixes, on every entry.
	for i, f := range findings {
		for _, key := range []string{"check", "object", "namespace", "path", "severity", "message", "known"} {
			if _, ok := f[key]; !ok {
				t.Errorf("findings[%d] lacks %q: %v", i, key, f)
			}
		}
	}
	first := findings[0]
	if first["check"] != "privileged-container" || first["object"] != "Deployment/llm-server" ||
		first["namespace"] != "ml" || first["severity"] != "critical" || first["known"] != false ||
		first["file"] != "manifests/llm.yaml" || first["line"] != 14.0 {
		t.Errorf("first finding = %v", first)
	}
	var named map[string]any
	for _, f := range findings {
		if f["name"] != nil {
			named = f
		}
	}
	if named == nil || named["name"] != "jobs-need-owner" || named["check"] != "custom-cel" {
		t.Errorf("the named entry's finding = %v", named)
	}
	// No HTML escaping: remediation text stays readable.
	if out := encode(t, FormatJSON, testReport()); !bytes.Contains(out, []byte("<owner> & keep")) {
		t.Errorf("HTML characters were escaped")
	}
}

func TestJSONEmpty(t *testing.T) {
	got := string(encode(t, FormatJSON, Report{}))
	want := "{\n  \"schemaVersion\": 1,\n  \"objects\": 0,\n  \"findings\": []\n}\n"
	if got != want {
		t.Errorf("empty report = %q; want %q", got, want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := testReport()
	back, err := ReadJSON(bytes.NewReader(encode(t, FormatJSON, r)))
	if err != nil {
		t.Fatal(err)
	}
	want := sortedFindings(r.Findings)
	if !reflect.DeepEqual(back.Findings, want) {
		t.Errorf("round trip changed the findings:\n got %+v\nwant %+v", back.Findings, want)
	}
	if back.Objects != r.Objects || !reflect.DeepEqual(back.Warnings, r.Warnings) {
		t.Errorf("round trip: objects %d, warnings %v", back.Objects, back.Warnings)
	}
	for i := range want {
		if back.Findings[i].Identity() != want[i].Identity() {
			t.Errorf("identity of finding %d changed", i)
		}
	}
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
		line           int
	}{
		{"empty input", "", "unexpected end of JSON input", 1},
		{"syntax error", "{\n  \"findings\": [\n    }\n", "invalid character", 3},
		{"not an object", "[]", "cannot unmarshal array", 0},
		{"no findings", `{"schemaVersion": 1}`, `no "findings" array`, 0},
		{"null findings", `{"schemaVersion": 1, "findings": null}`, `no "findings" array`, 0},
		{"newer schema", `{"schemaVersion": 2, "findings": []}`, "unsupported schemaVersion 2", 0},
		{"finding without check", `{"findings": [{"object": "Pod/a"}]}`, "findings[0]: no check", 0},
		{"bad severity", `{"findings": [{"check": "x", "severity": "urgent"}]}`, "findings[0]: unknown severity", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadJSON = %v; want an error containing %q", err, tt.want)
			}
			var se *SyntaxError
			if got := errors.As(err, &se); got != (tt.line > 0) || (got && se.Line != tt.line) {
				t.Errorf("syntax error line: %v; want %d", err, tt.line)
			}
		})
	}
	// A document without schemaVersion (hand-written) is accepted.
	r, err := ReadJSON(strings.NewReader(`{"findings": [{"check": "latest-tag", "object": "Pod/a", "namespace": "ns", "path": "spec.containers[0].image", "severity": "high"}]}`))
	if err != nil || len(r.Findings) != 1 || r.Findings[0].Object.Name != "a" || r.Findings[0].Severity != governance.SeverityHigh {
		t.Errorf("ReadJSON(no schemaVersion) = %+v, %v", r, err)
	}
}

// TestUnescapeHTML: undoing json.Marshal's HTML escapes keeps the document
// valid and the strings equal, including strings holding a backslash
// followed by "u003c".
func TestUnescapeHTML(t *testing.T) {
	for _, s := range []string{
		"<owner> & co", `a\u003cb`, `\`, `\\u003c`, "\u2028 line separator", `"quoted" <tag>`, "", "u003c",
	} {
		b, err := json.Marshal(map[string]string{"s": s})
		if err != nil {
			t.Fatal(err)
		}
		got := unescapeHTML(b)
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil || back["s"] != s {
			t.Errorf("%q: %s decodes to %q, %v", s, got, back["s"], err)
		}
		if strings.ContainsAny(s, "<>&") && bytes.Contains(got, []byte(`\u00`)) {
			t.Errorf("%q: still escaped: %s", s, got)
		}
	}
}
