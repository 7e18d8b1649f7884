package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchemaFile is the OASIS SARIF 2.1.0 JSON schema (errata01), from
// github.com/oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json.
const sarifSchemaFile = "sarif-schema-2.1.0.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", sarifSchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri, uri-reference, date-time are checked too
	if err := c.AddResource(sarifSchemaFile, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validateSARIF(sch *jsonschema.Schema, out []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	noVersion := testReport()
	noVersion.ToolVersion = ""
	noDefs := testReport()
	noDefs.Definitions = nil
	cases := map[string]Report{
		"full":             testReport(),
		"empty":            emptyReport(),
		"zero":             {},
		"no tool version":  noVersion,
		"no definitions":   noDefs,
		"only definitions": {Definitions: testDefinitions()},
	}
	for name, r := range cases {
		if err := validateSARIF(sch, encode(t, FormatSARIF, r)); err != nil {
			t.Errorf("%s: SARIF does not validate: %v", name, err)
		}
	}
	// The validator is not vacuous: an invalid level and a missing
	// message are rejected.
	out := encode(t, FormatSARIF, testReport())
	for _, broken := range [][]byte{
		bytes.Replace(out, []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1),
		bytes.Replace(out, []byte(`"message": {`), []byte(`"msg": {`), 1),
		bytes.Replace(out, []byte(`"version": "2.1.0"`), []byte(`"version": "2.0.0"`), 1),
	} {
		if bytes.Equal(broken, out) {
			t.Fatal("the test's replacement did not apply")
		}
		if err := validateSARIF(sch, broken); err == nil {
			t.Errorf("a broken log validated")
		}
	}
}

// sarifDoc is the part of a log the tests inspect.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name, InformationURI, Version string
				Rules                         []struct {
					ID                   string
					Name                 string
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text string }
					DefaultConfiguration struct{ Level string }
					Properties           struct {
						SecuritySeverity string `json:"security-severity"`
						Tags             []string
					}
				}
			}
		}
		Invocations []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct {
				Level   string
				Message struct{ Text string }
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI       string
						URIBaseID string `json:"uriBaseId"`
					}
					Region *struct{ StartLine int }
				}
				LogicalLocations []struct{ Name, FullyQualifiedName, Kind string }
			}
			PartialFingerprints map[string]string
			BaselineState       string
		}
		Properties struct{ Objects int }
	}
}

func decodeSARIF(t *testing.T, r Report) sarifDoc {
	t.Helper()
	var doc sarifDoc
	if err := json.Unmarshal(encode(t, FormatSARIF, r), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs; want 1", len(doc.Runs))
	}
	return doc
}

func TestSARIFContent(t *testing.T) {
	doc := decodeSARIF(t, testReport())
	if doc.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || doc.Version != "2.1.0" {
		t.Errorf("$schema %q, version %q", doc.Schema, doc.Version)
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "aigov" || d.InformationURI == "" || d.Version != "v0.1.0-test" {
		t.Errorf("driver = %+v", d)
	}
	if run.Properties.Objects != 42 {
		t.Errorf("run.properties.objects = %d", run.Properties.Objects)
	}
	if n := run.Invocations[0].ToolExecutionNotifications; len(n) != 1 || n[0].Level != "warning" ||
		n[0].Message.Text != "cannot list secrets: forbidden" || !run.Invocations[0].ExecutionSuccessful {
		t.Errorf("invocation = %+v", run.Invocations)
	}

	// Rules: the checks found plus the definitions given (service-type has
	// no finding, and custom-cel only as its named entry), sorted.
	var ids []string
	for _, r := range d.Rules {
		ids = append(ids, r.ID)
	}
	wantIDs := "automount-token custom-cel custom-cel/jobs-need-owner host-namespaces privileged-container rbac-wildcard required-labels service-type"
	if got := strings.Join(ids, " "); got != wantIDs {
		t.Errorf("rules %s; want %s", got, wantIDs)
	}
	rule := func(id string) int {
		for i, r := range d.Rules {
			if r.ID == id {
				return i
			}
		}
		t.Fatalf("no rule %s", id)
		return -1
	}
	priv := d.Rules[rule("privileged-container")]
	if priv.ShortDescription.Text != "Containers must not run privileged." ||
		!strings.Contains(priv.FullDescription.Text, "Applies to: pods + workloads.") ||
		priv.Help.Text != "set securityContext.privileged: false" ||
		priv.DefaultConfiguration.Level != "error" || priv.Properties.SecuritySeverity != "9.5" ||
		len(priv.Properties.Tags) == 0 {
		t.Errorf("privileged-container rule = %+v", priv)
	}
	named := d.Rules[rule("custom-cel/jobs-need-owner")]
	if named.Name != "jobs-need-owner" || !strings.HasPrefix(named.ShortDescription.Text, "jobs-need-owner (custom-cel): A user CEL") ||
		named.DefaultConfiguration.Level != "warning" || named.Properties.SecuritySeverity != "5.5" {
		t.Errorf("named rule = %+v", named)
	}
	undoc := d.Rules[rule("rbac-wildcard")]
	if undoc.ShortDescription.Text == "" || undoc.Help.Text == "" || undoc.Properties.SecuritySeverity != "1.0" ||
		undoc.DefaultConfiguration.Level != "note" {
		t.Errorf("rule without definition = %+v", undoc)
	}
	if st := d.Rules[rule("service-type")]; st.DefaultConfiguration.Level != "warning" || st.Help.Text == "" {
		t.Errorf("definition-only rule = %+v", st)
	}

	if len(run.Results) != 6 {
		t.Fatalf("%d results; want 6", len(run.Results))
	}
	seen := map[string]bool{}
	for _, res := range run.Results {
		if d.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d names rule %s", res.RuleID, res.RuleIndex, d.Rules[res.RuleIndex].ID)
		}
		fp := res.PartialFingerprints[SARIFFingerprint]
		if len(fp) != 64 || seen[fp] {
			t.Errorf("result %s: fingerprint %q missing or repeated", res.RuleID, fp)
		}
		seen[fp] = true
	}

	type loc struct {
		uri, base string
		line      int
	}
	tests := []struct {
		rule, level, state string
		phys               *loc
		fqn                []string
	}{
		{"privileged-container", "error", "new", &loc{"manifests/llm.yaml", "%SRCROOT%", 14},
			[]string{"Deployment/ml/llm-server", "Deployment/ml/llm-server:spec.template.spec.containers[0].securityContext.privileged"}},
		{"host-namespaces", "error", "unchanged", &loc{"manifests/debug%20pod.yaml", "%SRCROOT%", 1},
			[]string{"Pod/ml/debug", "Pod/ml/debug:spec.hostNetwork"}},
		{"required-labels", "warning", "new", &loc{"manifests/namespaces.yaml", "%SRCROOT%", 1},
			[]string{"Namespace/ml", "Namespace/ml:metadata.labels[team]"}},
		{"custom-cel/jobs-need-owner", "warning", "new", &loc{"file:///repo/jobs/finetune.yaml", "", 3},
			[]string{"Job/training/finetune-7b", "Job/training/finetune-7b:metadata.labels"}},
		{"automount-token", "note", "new", nil,
			[]string{"Deployment/rag/retriever", "Deployment/rag/retriever:spec.template.spec.automountServiceAccountToken"}},
		{"rbac-wildcard", "note", "new", &loc{"https://10.0.0.1:6443", "", 0},
			[]string{"ClusterRole/ai-admin", "ClusterRole/ai-admin:rules[0]"}},
	}
	for i, tt := range tests {
		res := run.Results[i]
		if res.RuleID != tt.rule || res.Level != tt.level || res.BaselineState != tt.state {
			t.Errorf("result %d = %s %s %s; want %s %s %s", i, res.RuleID, res.Level, res.BaselineState, tt.rule, tt.level, tt.state)
			continue
		}
		l := res.Locations[0]
		switch {
		case tt.phys == nil && l.PhysicalLocation != nil:
			t.Errorf("%s: physical location %+v; want none (standard input)", tt.rule, l.PhysicalLocation)
		case tt.phys != nil && l.PhysicalLocation == nil:
			t.Errorf("%s: no physical location", tt.rule)
		case tt.phys != nil:
			p := l.PhysicalLocation
			line := 0
			if p.Region != nil {
				line = p.Region.StartLine
			}
			if got := (loc{p.ArtifactLocation.URI, p.ArtifactLocation.URIBaseID, line}); got != *tt.phys {
				t.Errorf("%s: location %+v; want %+v", tt.rule, got, *tt.phys)
			}
		}
		var fqn []string
		for _, ll := range l.LogicalLocations {
			fqn = append(fqn, ll.FullyQualifiedName)
		}
		if strings.Join(fqn, "|") != strings.Join(tt.fqn, "|") {
			t.Errorf("%s: logical locations %v; want %v", tt.rule, fqn, tt.fqn)
		}
	}
	if !strings.Contains(run.Results[5].Message.Text, "\n") {
		t.Errorf("multi-line message lost its lines")
	}
}

// TestSARIFFingerprintStable: the fingerprint follows the identity, not the
// message or the line.
func TestSARIFFingerprintStable(t *testing.T) {
	a := testReport()
	b := testReport()
	for i := range b.Findings {
		b.Findings[i].Message += " (reworded)"
		b.Findings[i].Object.Source.Line += 3
	}
	fa, fb := decodeSARIF(t, a).Runs[0].Results, decodeSARIF(t, b).Runs[0].Results
	for i := range fa {
		if fa[i].PartialFingerprints[SARIFFingerprint] != fb[i].PartialFingerprints[SARIFFingerprint] {
			t.Errorf("result %d: fingerprint changed with the message or line", i)
		}
	}
}

func TestSARIFArtifact(t *testing.T) {
	tests := []struct {
		file, uri, base string
		ok              bool
	}{
		{"", "", "", false},
		{"-", "", "", false},
		{"a.yaml", "a.yaml", "%SRCROOT%", true},
		{"./dir/../k8s/a.yaml", "k8s/a.yaml", "%SRCROOT%", true},
		{"../up/a.yaml", "../up/a.yaml", "%SRCROOT%", true},
		{"dir/a b#c?.yaml", "dir/a%20b%23c%3F.yaml", "%SRCROOT%", true},
		{"c:x.yaml", "./c:x.yaml", "%SRCROOT%", true},
		{"/abs/a.yaml", "file:///abs/a.yaml", "", true},
		{"C:/work/a.yaml", "file:///C:/work/a.yaml", "", true},
		{"https://api.example.com:6443", "https://api.example.com:6443", "", true},
	}
	for _, tt := range tests {
		art, ok := sarifArtifact(tt.file)
		if ok != tt.ok || art.URI != tt.uri || art.URIBaseID != tt.base {
			t.Errorf("sarifArtifact(%q) = %+v, %v; want %q %q %v", tt.file, art, ok, tt.uri, tt.base, tt.ok)
		}
	}
}
