package report

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
)

// decodeReports splits the multi-document YAML and decodes every document
// strictly (an unknown field is an error) into the declared types.
func decodeReports(t *testing.T, out []byte) (ClusterPolicyReport, []PolicyReport) {
	t.Helper()
	docs := strings.Split(string(out), "\n---\n")
	var cluster ClusterPolicyReport
	if err := yaml.UnmarshalStrict([]byte(docs[0]), &cluster); err != nil {
		t.Fatalf("first document: %v", err)
	}
	if cluster.Kind != "ClusterPolicyReport" || cluster.APIVersion != "wgpolicyk8s.io/v1alpha2" {
		t.Fatalf("first document is %s %s", cluster.APIVersion, cluster.Kind)
	}
	var reports []PolicyReport
	for i, d := range docs[1:] {
		var r PolicyReport
		if err := yaml.UnmarshalStrict([]byte(d), &r); err != nil {
			t.Fatalf("document %d: %v", i+2, err)
		}
		if r.Kind != "PolicyReport" || r.APIVersion != "wgpolicyk8s.io/v1alpha2" {
			t.Fatalf("document %d is %s %s", i+2, r.APIVersion, r.Kind)
		}
		reports = append(reports, r)
	}
	return cluster, reports
}

func TestPolicyReportsDecode(t *testing.T) {
	cluster, reports := decodeReports(t, encode(t, FormatPolicyReport, testReport()))

	if cluster.Name != "aigov-cluster" || cluster.Namespace != "" || cluster.Labels[ManagedByLabel] != "aigov" {
		t.Errorf("cluster report metadata = %+v", cluster.ObjectMeta)
	}
	if want := (PolicyReportSummary{Fail: 2}); cluster.Summary != want || len(cluster.Results) != 2 {
		t.Errorf("cluster report: summary %+v, %d results; want %+v, 2", cluster.Summary, len(cluster.Results), want)
	}

	tests := []struct {
		name, namespace string
		summary         PolicyReportSummary
	}{
		{"aigov-ml", "ml", PolicyReportSummary{Fail: 2}},
		{"aigov-rag", "rag", PolicyReportSummary{Fail: 1}},
		{"aigov-training", "training", PolicyReportSummary{Warn: 1}},
	}
	if len(reports) != len(tests) {
		t.Fatalf("%d PolicyReports; want %d", len(reports), len(tests))
	}
	total := len(cluster.Results)
	for i, tt := range tests {
		r := reports[i]
		if r.Name != tt.name || r.Namespace != tt.namespace || r.Summary != tt.summary {
			t.Errorf("report %d = %s/%s %+v; want %s/%s %+v", i, r.Namespace, r.Name, r.Summary, tt.namespace, tt.name, tt.summary)
		}
		for _, res := range r.Results {
			if len(res.Subjects) != 1 || res.Subjects[0].Namespace != tt.namespace {
				t.Errorf("%s: result about %+v", tt.name, res.Subjects)
			}
		}
		total += len(r.Results)
	}
	if total != len(testFindings()) {
		t.Errorf("%d results; want one per finding (%d)", total, len(testFindings()))
	}

	// The critical finding, in full.
	got := reports[0].Results[0]
	want := PolicyReportResult{
		Source: "aigov", Policy: "privileged-container", Rule: "privileged-container",
		Category: PolicyReportCategory, Severity: "critical",
		Timestamp: got.Timestamp, Result: PolicyResultFail, Scored: true,
		Description: `container "server" runs privileged`,
		Properties: map[string]string{
			"path": "spec.template.spec.containers[0].securityContext.privileged",
			"file": "manifests/llm.yaml", "line": "14", "document": "2", "action": "Deny",
		},
	}
	want.Subjects = got.Subjects
	if !reflect.DeepEqual(got, want) {
		t.Errorf("result =\n%+v\nwant\n%+v", got, want)
	}
	if s := got.Subjects; len(s) != 1 || s[0].APIVersion != "apps/v1" || s[0].Kind != "Deployment" || s[0].Name != "llm-server" {
		t.Errorf("resources = %+v", s)
	}
	if got.Timestamp.Seconds != fixedTime.Unix() || got.Timestamp.Nanos != 500000000 {
		t.Errorf("timestamp = %+v; want %v", got.Timestamp, fixedTime)
	}
}

func TestPolicyReportResultMapping(t *testing.T) {
	base := governance.Finding{Check: "c", Severity: governance.SeverityHigh,
		Object: governance.ObjectRef{Kind: "Pod", Namespace: "ns", Name: "p", Source: governance.Source{Item: -1}}}
	tests := []struct {
		name   string
		change func(*governance.Finding)
		result PolicyResult
		scored bool
		rule   string
		known  string
	}{
		{"Deny fails", func(f *governance.Finding) { f.Action = governance.ActionDeny }, PolicyResultFail, true, "c", ""},
		{"no action is Deny", func(*governance.Finding) {}, PolicyResultFail, true, "c", ""},
		{"Audit fails", func(f *governance.Finding) { f.Action = governance.ActionAudit }, PolicyResultFail, true, "c", ""},
		{"Warn warns, unscored", func(f *governance.Finding) { f.Action = governance.ActionWarn }, PolicyResultWarn, false, "c", ""},
		{"known keeps its result", func(f *governance.Finding) { f.Known = true }, PolicyResultFail, true, "c", "true"},
		{"known Warn", func(f *governance.Finding) { f.Known, f.Action = true, governance.ActionWarn }, PolicyResultWarn, false, "c", "true"},
		{"entry name is the rule", func(f *governance.Finding) { f.Name = "entry" }, PolicyResultFail, true, "entry", ""},
	}
	for _, tt := range tests {
		f := base
		tt.change(&f)
		reports, _ := PolicyReports(Report{Findings: []governance.Finding{f}, Time: fixedTime})
		res := reports[0].Results[0]
		if res.Result != tt.result || res.Scored != tt.scored || res.Rule != tt.rule || res.Policy != "c" ||
			res.Properties["known"] != tt.known || res.Severity != "high" {
			t.Errorf("%s: result %+v", tt.name, res)
		}
	}
}

func TestPolicyReportsEmpty(t *testing.T) {
	out := encode(t, FormatPolicyReport, Report{Time: fixedTime})
	cluster, reports := decodeReports(t, out)
	if len(reports) != 0 || len(cluster.Results) != 0 || cluster.Summary != (PolicyReportSummary{}) {
		t.Errorf("empty run: %d PolicyReports, cluster %+v", len(reports), cluster)
	}
	// The summary is written even when it is all zeros.
	if !strings.Contains(string(out), "summary:\n  error: 0\n  fail: 0\n") {
		t.Errorf("empty report lacks a zero summary:\n%s", out)
	}
}

func TestPolicyReportsTimeDefaultsToNow(t *testing.T) {
	before := time.Now().Unix()
	reports, _ := PolicyReports(Report{Findings: testFindings()})
	after := time.Now().Unix()
	if s := reports[0].Results[0].Timestamp.Seconds; s < before || s > after {
		t.Errorf("timestamp %d not within [%d, %d]", s, before, after)
	}
}

func TestPolicyReportDeepCopy(t *testing.T) {
	reports, cluster := PolicyReports(testReport())
	var objs []runtime.Object = []runtime.Object{&reports[0], &cluster}
	for _, o := range objs {
		cp := o.DeepCopyObject()
		if !reflect.DeepEqual(cp, o) {
			t.Errorf("%T: copy differs", o)
		}
	}
	cp := reports[0].DeepCopy()
	cp.Results[0].Properties["path"] = "changed"
	cp.Results[0].Subjects[0].Name = "changed"
	cp.Labels["x"] = "y"
	if reports[0].Results[0].Properties["path"] == "changed" || reports[0].Results[0].Subjects[0].Name == "changed" ||
		reports[0].Labels["x"] == "y" {
		t.Errorf("DeepCopy shares memory with the original")
	}
}
