package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// TestTextEscapesInput: strings from the input reach the text report with
// their control characters escaped; names and paths stay on one line, and
// a message keeps its own line breaks inside its finding.
func TestTextEscapesInput(t *testing.T) {
	f := governance.Finding{
		Check: "custom-cel", Name: "echo\x1b[31m", Severity: governance.SeverityHigh, Action: governance.ActionDeny,
		Object: governance.ObjectRef{Kind: "Pod", Namespace: "llm", Name: "x\nno findings",
			Source: governance.Source{File: "evil\r.yaml", Line: 3, Item: -1}},
		Path:        "metadata.annotations[a\x1b]",
		Message:     "first\x1b[2J\nsecond\u202e",
		Remediation: "fix\a it",
	}
	for _, overview := range []*Overview{nil, {Exposure: []Exposure{{Asset: "vector-database", Object: governance.ObjectRef{Kind: "StatefulSet", Namespace: "rag", Name: "db\x1b[2J"},
		Access: []string{"User mallory\rroot"}}}}} {
		var b bytes.Buffer
		if err := WriteText(&b, Report{Findings: []governance.Finding{f}, Objects: 1, Overview: overview,
			Warnings: []string{"cannot list \x1b[2Jsecrets"}}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, raw := range []string{"\x1b", "\r", "\a", "\u202e"} {
			if strings.Contains(out, raw) {
				t.Errorf("raw %q in the report:\n%s", raw, out)
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "no findings") {
				t.Errorf("a name forged a report line:\n%s", out)
			}
		}
		for _, want := range []string{`Pod/llm/x\nno findings`, `first\x1b[2J`, "\n      second", `\u202e`, `echo\x1b[31m`} {
			if !strings.Contains(out, want) {
				t.Errorf("report lacks %q:\n%s", want, out)
			}
		}
	}
}
