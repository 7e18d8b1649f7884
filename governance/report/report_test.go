package report

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/golden"
)

// fixedTime stamps PolicyReport results in tests.
var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 500000000, time.UTC)

// testFindings covers every severity, action, scope and source kind: a
// relative file, a path with a space, an absolute path, standard input, a
// live cluster's URL, a named policy entry, a known finding, a multi-line
// message and HTML characters. The order is deliberately not sorted.
func testFindings() []governance.Finding {
	return []governance.Finding{
		{
			Check: "automount-token", Severity: governance.SeverityLow, Action: governance.ActionAudit,
			Object: governance.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "rag", Name: "retriever",
				Source: governance.Source{File: "-", Line: 40, Document: 3, Item: -1}},
			Path:        "spec.template.spec.automountServiceAccountToken",
			Message:     "automountServiceAccountToken is not false",
			Remediation: "set automountServiceAccountToken: false in the pod spec",
		},
		{
			Check: "privileged-container", Severity: governance.SeverityCritical, Action: governance.ActionDeny,
			Object: governance.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ml", Name: "llm-server",
				Source: governance.Source{File: "manifests/llm.yaml", Line: 14, Document: 2, Item: -1}},
			Path:        "spec.template.spec.containers[0].securityContext.privileged",
			Message:     `container "server" runs privileged`,
			Remediation: "set securityContext.privileged: false",
		},
		{
			Check: "rbac-wildcard", Severity: governance.SeverityInfo, Action: governance.ActionDeny,
			Object: governance.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "ai-admin",
				Source: governance.Source{File: "https://10.0.0.1:6443", Item: -1}},
			Path:    "rules[0]",
			Message: "grants * on *\nbinding ai-admins gives it to group ml-team",
		},
		{
			Check: "custom-cel", Name: "jobs-need-owner", Severity: governance.SeverityMedium, Action: governance.ActionWarn,
			Object: governance.ObjectRef{APIVersion: "batch/v1", Kind: "Job", Namespace: "training", Name: "finetune-7b",
				Source: governance.Source{File: "/repo/jobs/finetune.yaml", Line: 3, Document: 1, Item: -1}},
			Path:    "metadata.labels",
			Message: "jobs need an owner label",
		},
		{
			Check: "host-namespaces", Severity: governance.SeverityHigh, Action: governance.ActionDeny, Known: true,
			Object: governance.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "ml", Name: "debug",
				Source: governance.Source{File: "manifests/debug pod.yaml", Line: 1, Document: 1, Item: -1}},
			Path:        "spec.hostNetwork",
			Message:     "hostNetwork is true",
			Remediation: "remove hostNetwork, hostPID and hostIPC",
		},
		{
			Check: "required-labels", Severity: governance.SeverityMedium, Action: governance.ActionDeny,
			Object: governance.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: "ml",
				Source: governance.Source{File: "manifests/namespaces.yaml", Line: 1, Document: 1, Item: -1}},
			Path:        "metadata.labels[team]",
			Message:     `label "team" is missing`,
			Remediation: "add the label team: <owner> & keep it current",
		},
	}
}

func testDefinitions() []governance.Definition {
	return []governance.Definition{
		{ID: "privileged-container", Description: "Containers must not run privileged.",
			Severity: governance.SeverityCritical, Kinds: []string{"pods + workloads"}, VAP: true},
		{ID: "service-type", Description: "Services must not use a disallowed type.",
			Severity: governance.SeverityMedium, Kinds: []string{"Services"}, VAP: true},
		{ID: "custom-cel", Description: "A user CEL expression must hold.",
			Severity: governance.SeverityMedium, Kinds: []string{"the entry's match.resources"}, VAP: true},
	}
}

func testReport() Report {
	return Report{
		Findings:    testFindings(),
		Objects:     42,
		Warnings:    []string{"cannot list secrets: forbidden"},
		Definitions: testDefinitions(),
		ToolVersion: "v0.1.0-test",
		Time:        fixedTime,
	}
}

func emptyReport() Report {
	return Report{Objects: 1, Time: fixedTime}
}

func encode(t *testing.T, f Format, r Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, r); err != nil {
		t.Fatalf("Write(%s): %v", f, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	cases := map[string]Report{"full": testReport(), "empty": emptyReport()}
	for name, r := range cases {
		for _, f := range Formats() {
			t.Run(name+"."+string(f), func(t *testing.T) {
				got := encode(t, f, r)
				golden.Assert(t, filepath.Join("testdata", "golden", name+"."+string(f)+".golden"), got)
			})
		}
	}
}

// TestDeterministic: the order of the input findings does not matter, and
// the caller's slice is not reordered.
func TestDeterministic(t *testing.T) {
	base := testReport()
	for _, f := range Formats() {
		want := encode(t, f, base)
		for seed := range uint64(5) {
			r := testReport()
			rng := rand.New(rand.NewPCG(seed, 7))
			rng.Shuffle(len(r.Findings), func(i, j int) { r.Findings[i], r.Findings[j] = r.Findings[j], r.Findings[i] })
			before := append([]governance.Finding(nil), r.Findings...)
			if got := encode(t, f, r); !bytes.Equal(got, want) {
				t.Errorf("%s: output depends on the order of the findings (seed %d)", f, seed)
			}
			for i := range before {
				if before[i].Identity() != r.Findings[i].Identity() {
					t.Fatalf("%s: the encoder reordered the caller's findings", f)
				}
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"text", FormatText, false},
		{"json", FormatJSON, false},
		{"sarif", FormatSARIF, false},
		{"report", FormatPolicyReport, false},
		{"SARIF", FormatSARIF, false},
		{"", FormatText, false},
		{"yaml", "", true},
		{"policyreport", "", true},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, Format("xml"), testReport()); err == nil || buf.Len() != 0 {
		t.Errorf("Write(xml) = %v and %d bytes; want an error and nothing written", err, buf.Len())
	}
	if err := Write(&buf, Format("JSON"), testReport()); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("{")) {
		t.Errorf("Write(JSON) = %v, %q; want the JSON document", err, buf.String())
	}
}

func TestTextLayout(t *testing.T) {
	out := string(encode(t, FormatText, testReport()))
	tests := []struct{ name, want string }{
		{"critical group first", "CRITICAL (1)\n"},
		{"file:line, Kind/namespace/name and check", "  manifests/llm.yaml:14  Deployment/ml/llm-server  privileged-container\n"},
		{"path and message", "    spec.template.spec.containers[0].securityContext.privileged: container \"server\" runs privileged\n"},
		{"remediation", "    remediation: set securityContext.privileged: false\n"},
		{"entry name and non-Deny action", "Job/training/finetune-7b  custom-cel (jobs-need-owner) [Warn]\n"},
		{"known", "Pod/ml/debug  host-namespaces [known]\n"},
		{"stdin", "  <stdin>:40  Deployment/rag/retriever"},
		{"cluster-scoped object", "Namespace/ml  required-labels\n"},
		{"multi-line message stays indented", "grants * on *\n      binding ai-admins"},
		{"warnings", "warning: cannot list secrets: forbidden\n"},
		{"summary", "6 findings: 1 critical, 1 high, 2 medium, 1 low, 1 info (1 known); 42 objects loaded\n"},
	}
	for _, tt := range tests {
		if !strings.Contains(out, tt.want) {
			t.Errorf("%s: output lacks %q:\n%s", tt.name, tt.want, out)
		}
	}
	order := []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"}
	last := -1
	for _, h := range order {
		i := strings.Index(out, h+" (")
		if i <= last {
			t.Errorf("severity group %s out of order", h)
		}
		last = i
	}
	if got := string(encode(t, FormatText, emptyReport())); got != "no findings; 1 object loaded\n" {
		t.Errorf("empty text report = %q", got)
	}
}
