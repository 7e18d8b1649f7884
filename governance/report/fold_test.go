package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aigov/aigov/governance"
)

// foldedFinding is a Deployment's finding that 12 of its pods were folded
// into.
func foldedFinding() governance.Finding {
	return governance.Finding{
		Check: "privileged-container", Severity: governance.SeverityHigh, Action: governance.ActionDeny,
		Object:   governance.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ml", Name: "web", Source: governance.Source{Item: -1}},
		Path:     "spec.template.spec.containers[0].securityContext.privileged",
		Message:  `container "app" is privileged`,
		Affected: 12,
		Example:  governance.ObjectRef{Kind: "Pod", Namespace: "ml", Name: "web-5d8f-a"},
	}
}

// TestFoldedFindingInEveryFormat: the pods folded into a finding show in
// the text (after the message), JSON (affected, example), SARIF and
// PolicyReport properties; a finding without them writes none of it.
func TestFoldedFindingInEveryFormat(t *testing.T) {
	plain := foldedFinding()
	plain.Affected, plain.Example = 0, governance.ObjectRef{}
	for _, tc := range []struct {
		name   string
		f      governance.Finding
		folded bool
	}{{"folded", foldedFinding(), true}, {"plain", plain, false}} {
		t.Run(tc.name, func(t *testing.T) {
			r := Report{Findings: []governance.Finding{tc.f}, Objects: 1, Time: time.Unix(0, 0)}
			var text, js, sarif bytes.Buffer
			if err := WriteText(&text, r); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, r); err != nil {
				t.Fatal(err)
			}
			if err := WriteSARIF(&sarif, r); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(text.String(), `privileged: container "app" is privileged (and 12 pods)`+"\n"); got != tc.folded {
				t.Errorf("text names the folded pods: %v, want %v:\n%s", got, tc.folded, text.String())
			}
			var doc struct {
				Findings []map[string]any `json:"findings"`
			}
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			jf := doc.Findings[0]
			if tc.folded && (jf["affected"] != 12.0 || jf["example"] != "Pod/web-5d8f-a") {
				t.Errorf("JSON finding %v", jf)
			}
			if _, has := jf["affected"]; has != tc.folded {
				t.Errorf("JSON affected present: %v, want %v", has, tc.folded)
			}
			var log struct {
				Runs []struct {
					Results []struct {
						Properties map[string]any `json:"properties"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			sp := log.Runs[0].Results[0].Properties
			if tc.folded && (sp["affected"] != 12.0 || sp["example"] != "Pod/web-5d8f-a") {
				t.Errorf("SARIF properties %v", sp)
			}
			if _, has := sp["example"]; has != tc.folded {
				t.Errorf("SARIF example present: %v, want %v", has, tc.folded)
			}
			reports, _ := PolicyReports(r)
			pp := reports[0].Results[0].Properties
			if tc.folded && (pp["affected"] != "12" || pp["example"] != "Pod/web-5d8f-a") {
				t.Errorf("PolicyReport properties %v", pp)
			}
			if _, has := pp["affected"]; has != tc.folded {
				t.Errorf("PolicyReport affected present: %v, want %v", has, tc.folded)
			}
		})
	}
}

// TestFoldedSARIFValidates: the added properties keep the log valid.
func TestFoldedSARIFValidates(t *testing.T) {
	var out bytes.Buffer
	if err := WriteSARIF(&out, Report{Findings: []governance.Finding{foldedFinding()}, Objects: 1}); err != nil {
		t.Fatal(err)
	}
	if err := validateSARIF(compileSARIFSchema(t), out.Bytes()); err != nil {
		t.Fatal(err)
	}
}
