package live

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
)

// ReportFormat says which report API the server writes.
type ReportFormat string

// Report formats.
const (
	// ReportsOpenReports writes openreports.io/v1alpha1 Report (one per
	// namespace, named "aigov") and ClusterReport ("aigov").
	ReportsOpenReports ReportFormat = "openreports"
	// ReportsPolicyReport writes wgpolicyk8s.io/v1alpha2 PolicyReport
	// ("aigov-<namespace>") and ClusterPolicyReport ("aigov-cluster"), the
	// names `aigov check -o report` gives them.
	ReportsPolicyReport ReportFormat = "policyreport"
	// ReportsNone writes no reports: findings are in metrics only.
	ReportsNone ReportFormat = "none"
)

// ParseReportFormat reads the --reports value.
func ParseReportFormat(s string) (ReportFormat, error) {
	switch f := ReportFormat(strings.ToLower(s)); f {
	case ReportsOpenReports, ReportsPolicyReport, ReportsNone:
		return f, nil
	}
	return "", fmt.Errorf("want openreports, policyreport or none, got %q", s)
}

// OpenReports API (openreports.io/v1alpha1).
const (
	OpenReportsGroup      = "openreports.io"
	OpenReportsAPIVersion = OpenReportsGroup + "/v1alpha1"
	// ReportName names both the namespaces' Reports and the ClusterReport.
	ReportName = "aigov"
)

// Result properties and policies aigov writes besides report's.
const (
	// InventoryPolicy is the policy of the "error" results that say a kind
	// could not be read (one per degraded resource, in the cluster report).
	InventoryPolicy = "aigov-inventory"
	// PropertyPaths holds, when a check found several fields of one
	// object, every path, one a line; "path" holds the first.
	PropertyPaths = "paths"
	// PropertyFindings is the number of findings a result stands for, when
	// more than one.
	PropertyFindings = "findings"
	// OmittedAnnotation on a report counts the results left out to keep
	// the report under Options.MaxResultsPerReport.
	OmittedAnnotation = "aigov.dev/omitted-results"
)

// reportAPI describes where one report format lives.
type reportAPI struct {
	namespaced, cluster           schema.GroupVersionResource
	apiVersion, kind, clusterKind string
	// source is set at the report level (OpenReports has the field).
	source bool
	// name returns a namespace's report name, or with "" the cluster
	// report's.
	name func(namespace string) string
}

func apiOf(f ReportFormat) (reportAPI, bool) {
	switch f {
	case ReportsOpenReports:
		gv := schema.GroupVersion{Group: OpenReportsGroup, Version: "v1alpha1"}
		return reportAPI{namespaced: gv.WithResource("reports"), cluster: gv.WithResource("clusterreports"),
			apiVersion: OpenReportsAPIVersion, kind: "Report", clusterKind: "ClusterReport", source: true,
			name: func(string) string { return ReportName }}, true
	case ReportsPolicyReport:
		gv := schema.GroupVersion{Group: report.PolicyReportGroup, Version: "v1alpha2"}
		return reportAPI{namespaced: gv.WithResource("policyreports"), cluster: gv.WithResource("clusterpolicyreports"),
			apiVersion: report.PolicyReportAPIVersion, kind: report.PolicyReportKind,
			clusterKind: report.ClusterPolicyReportKind,
			name: func(ns string) string {
				if ns == "" {
					return report.ClusterPolicyReportName
				}
				return report.ToolName + "-" + ns
			}}, true
	}
	return reportAPI{}, false
}

// reportObject is one report as it should be in the cluster.
type reportObject struct {
	namespace string // "" for the cluster report
	obj       *unstructured.Unstructured
	// digest identifies the content, so that an unchanged report is not
	// written again.
	digest string
}

// resultKey identifies a result: one per check, policy entry and object.
type resultKey struct {
	policy, rule                      string
	apiVersion, kind, namespace, name string
}

// reportBuilder turns findings into report objects. It remembers when each
// result was first seen, so that a result's timestamp, and with it the
// report's content, stays put while the finding persists.
type reportBuilder struct {
	api        reportAPI
	maxResults int
	firstSeen  map[resultKey]metav1.Timestamp
}

func newReportBuilder(api reportAPI, maxResults int) *reportBuilder {
	return &reportBuilder{api: api, maxResults: maxResults, firstSeen: map[resultKey]metav1.Timestamp{}}
}

// build returns the cluster report (always: an empty one replaces earlier
// results) and one report per namespace with findings, sorted by
// namespace. The results come from report.PolicyReports, the builder of
// `aigov check -o report`, merged to one per (check, entry, object).
func (b *reportBuilder) build(findings []governance.Finding, degraded []governance.Degradation, now time.Time) ([]reportObject, error) {
	nsReports, clusterReport := report.PolicyReports(report.Report{Findings: findings, Time: now})
	seen := map[resultKey]bool{}
	stamp := func(k resultKey, ts metav1.Timestamp) metav1.Timestamp {
		seen[k] = true
		if first, ok := b.firstSeen[k]; ok {
			return first
		}
		b.firstSeen[k] = ts
		return ts
	}
	clusterResults := mergeResults(clusterReport.Results, stamp)
	for _, d := range degraded {
		clusterResults = append(clusterResults, degradedResult(d))
	}
	out := make([]reportObject, 0, len(nsReports)+1)
	obj, err := b.object("", clusterResults)
	if err != nil {
		return nil, err
	}
	out = append(out, obj)
	for _, r := range nsReports {
		obj, err := b.object(r.Namespace, mergeResults(r.Results, stamp))
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	for k := range b.firstSeen {
		if !seen[k] {
			delete(b.firstSeen, k)
		}
	}
	return out, nil
}

// mergeResults folds the results of one (check, entry, object) into one:
// the first keeps its place; "path" is the first finding's field and
// "paths" lists them all; distinct messages are joined, one a line. The
// properties that locate a finding in a file are dropped: a cluster
// object's "file" is the server and its "document" a list position, which
// moves whenever another object comes or goes.
func mergeResults(in []report.PolicyReportResult, stamp func(resultKey, metav1.Timestamp) metav1.Timestamp) []report.PolicyReportResult {
	out := make([]report.PolicyReportResult, 0, len(in))
	index := map[resultKey]int{}
	paths := map[int][]string{}
	for _, r := range in {
		var ref corev1.ObjectReference
		if len(r.Subjects) > 0 {
			ref = r.Subjects[0]
		}
		k := resultKey{policy: r.Policy, rule: r.Rule, apiVersion: ref.APIVersion, kind: ref.Kind,
			namespace: ref.Namespace, name: ref.Name}
		path := r.Properties["path"]
		i, ok := index[k]
		if !ok {
			r.Properties = withoutFileProperties(r.Properties)
			r.Timestamp = stamp(k, r.Timestamp)
			index[k] = len(out)
			out = append(out, r)
			paths[len(out)-1] = []string{path}
			continue
		}
		paths[i] = append(paths[i], path)
		if !containsLine(out[i].Description, r.Description) {
			out[i].Description += "\n" + r.Description
		}
	}
	for i, ps := range paths {
		if len(ps) < 2 {
			continue
		}
		if out[i].Properties == nil {
			out[i].Properties = map[string]string{}
		}
		out[i].Properties[PropertyPaths] = strings.Join(ps, "\n")
		out[i].Properties[PropertyFindings] = strconv.Itoa(len(ps))
	}
	return out
}

func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func withoutFileProperties(p map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range p {
		switch k {
		case "file", "line", "document":
		default:
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// degradedResult says in the cluster report that a kind could not be read:
// an "error" result, the upstream word for "the policy could not be
// evaluated", so that a report without findings of that kind is not read as
// a clean one.
func degradedResult(d governance.Degradation) report.PolicyReportResult {
	return report.PolicyReportResult{
		Source:   report.ToolName,
		Policy:   InventoryPolicy,
		Rule:     d.Resource,
		Category: report.PolicyReportCategory,
		Result:   report.PolicyResultError,
		Description: fmt.Sprintf("cannot list %s: %s; no check saw any of them",
			d.Resource, d.Reason),
		Properties: map[string]string{"resource": d.Resource, "reason": d.Reason},
	}
}

// object renders one report. Results beyond maxResults (the least severe:
// the builder sorts by severity first) are left out and counted in an
// annotation, so that a namespace with very many findings still fits in
// one object.
func (b *reportBuilder) object(namespace string, results []report.PolicyReportResult) (reportObject, error) {
	omitted := 0
	if b.maxResults > 0 && len(results) > b.maxResults {
		omitted = len(results) - b.maxResults
		results = results[:b.maxResults]
	}
	var summary report.PolicyReportSummary
	for _, r := range results {
		switch r.Result {
		case report.PolicyResultPass:
			summary.Pass++
		case report.PolicyResultFail:
			summary.Fail++
		case report.PolicyResultWarn:
			summary.Warn++
		case report.PolicyResultError:
			summary.Error++
		case report.PolicyResultSkip:
			summary.Skip++
		}
	}
	kind := b.api.kind
	if namespace == "" {
		kind = b.api.clusterKind
	}
	meta := map[string]any{
		"name":   b.api.name(namespace),
		"labels": map[string]any{report.ManagedByLabel: report.ToolName},
	}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	if omitted > 0 {
		meta["annotations"] = map[string]any{OmittedAnnotation: strconv.Itoa(omitted)}
	}
	doc := struct {
		APIVersion string                      `json:"apiVersion"`
		Kind       string                      `json:"kind"`
		Metadata   map[string]any              `json:"metadata"`
		Source     string                      `json:"source,omitempty"`
		Summary    report.PolicyReportSummary  `json:"summary"`
		Results    []report.PolicyReportResult `json:"results"`
	}{APIVersion: b.api.apiVersion, Kind: kind, Metadata: meta, Summary: summary, Results: results}
	if doc.Results == nil {
		// An empty list, not an absent field: applying it removes the
		// results an earlier apply wrote.
		doc.Results = []report.PolicyReportResult{}
	}
	if b.api.source {
		doc.Source = report.ToolName
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return reportObject{}, fmt.Errorf("encoding the report of %q: %w", namespace, err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		return reportObject{}, fmt.Errorf("encoding the report of %q: %w", namespace, err)
	}
	sum := sha256.Sum256(js)
	return reportObject{namespace: namespace, obj: &unstructured.Unstructured{Object: m},
		digest: hex.EncodeToString(sum[:])}, nil
}
