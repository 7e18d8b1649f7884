package live

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aigov/aigov/governance"
)

func finding(check, ns, kind, name, path string, action governance.Action) governance.Finding {
	return governance.Finding{Check: check, Severity: governance.SeverityHigh, Action: action,
		Object: governance.ObjectRef{APIVersion: "v1", Kind: kind, Namespace: ns, Name: name,
			Source: governance.Source{File: "https://10.0.0.1/" + strings.ToLower(kind) + "s", Document: 7, Item: -1}},
		Path: path, Message: check + " at " + path}
}

func results(t *testing.T, o reportObject) []map[string]any {
	t.Helper()
	rs, ok, err := unstructured.NestedSlice(o.obj.Object, "results")
	require.NoError(t, err)
	require.True(t, ok, "results is always present")
	out := make([]map[string]any, len(rs))
	for i, r := range rs {
		out[i] = r.(map[string]any)
	}
	return out
}

func TestParseReportFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ReportFormat
		err  bool
	}{
		{in: "openreports", want: ReportsOpenReports},
		{in: "PolicyReport", want: ReportsPolicyReport},
		{in: "none", want: ReportsNone},
		{in: "kyverno", err: true},
		{in: "", err: true},
	} {
		got, err := ParseReportFormat(tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got)
	}
}

// TestBuildOpenReports: one Report per namespace with findings, named
// aigov, one result per (check, object) whatever the number of fields
// found; a ClusterReport always; Warn findings are warn, the rest fail;
// the file properties of a cluster source are gone.
func TestBuildOpenReports(t *testing.T) {
	api, _ := apiOf(ReportsOpenReports)
	b := newReportBuilder(api, 0)
	fs := []governance.Finding{
		finding("privileged-container", "a", "Deployment", "web", "spec.template.spec.containers[0].securityContext.privileged", governance.ActionDeny),
		finding("privileged-container", "a", "Deployment", "web", "spec.template.spec.containers[1].securityContext.privileged", governance.ActionDeny),
		finding("latest-tag", "a", "Deployment", "web", "spec.template.spec.containers[0].image", governance.ActionWarn),
		finding("latest-tag", "b", "Pod", "p", "spec.containers[0].image", governance.ActionAudit),
	}
	out, err := b.build(fs, nil, time.Unix(100, 0))
	require.NoError(t, err)
	require.Len(t, out, 3)

	cluster, a, bns := out[0], out[1], out[2]
	assert.Equal(t, "", cluster.namespace)
	assert.Equal(t, "ClusterReport", cluster.obj.GetKind())
	assert.Equal(t, "aigov", cluster.obj.GetName())
	assert.Empty(t, results(t, cluster))

	assert.Equal(t, "Report", a.obj.GetKind())
	assert.Equal(t, "openreports.io/v1alpha1", a.obj.GetAPIVersion())
	assert.Equal(t, []string{"a", "aigov"}, []string{a.obj.GetNamespace(), a.obj.GetName()})
	assert.Equal(t, "aigov", a.obj.GetLabels()["app.kubernetes.io/managed-by"])
	assert.Equal(t, "aigov", a.obj.Object["source"])
	rs := results(t, a)
	require.Len(t, rs, 2, "privileged-container's two fields are one result")
	byPolicy := map[string]map[string]any{}
	for _, r := range rs {
		byPolicy[r["policy"].(string)] = r
	}
	priv := byPolicy["privileged-container"]
	assert.Equal(t, "fail", priv["result"])
	assert.Equal(t, "high", priv["severity"])
	props := priv["properties"].(map[string]any)
	assert.Equal(t, "spec.template.spec.containers[0].securityContext.privileged", props["path"])
	assert.Equal(t, "spec.template.spec.containers[0].securityContext.privileged\nspec.template.spec.containers[1].securityContext.privileged", props[PropertyPaths])
	assert.Equal(t, "2", props[PropertyFindings])
	assert.NotContains(t, props, "file")
	assert.NotContains(t, props, "document")
	assert.Equal(t, "privileged-container at spec.template.spec.containers[0].securityContext.privileged\n"+
		"privileged-container at spec.template.spec.containers[1].securityContext.privileged", priv["message"])
	assert.Equal(t, "warn", byPolicy["latest-tag"]["result"])
	assert.Equal(t, map[string]any{"pass": int64(0), "fail": int64(1), "warn": int64(1), "error": int64(0), "skip": int64(0)},
		normalizeInts(a.obj.Object["summary"]))

	assert.Equal(t, "b", bns.namespace)
	assert.Equal(t, "fail", results(t, bns)[0]["result"], "Audit findings are failures recorded, not enforced")
}

// normalizeInts makes JSON numbers comparable.
func normalizeInts(v any) map[string]any {
	out := map[string]any{}
	for k, n := range v.(map[string]any) {
		switch n := n.(type) {
		case float64:
			out[k] = int64(n)
		case int64:
			out[k] = n
		}
	}
	return out
}

// TestBuildIsStable: the same findings later give the same content (so the
// writer skips them); a result keeps the time it was first seen; a result
// that went and came back is new.
func TestBuildIsStable(t *testing.T) {
	api, _ := apiOf(ReportsOpenReports)
	b := newReportBuilder(api, 0)
	f := finding("privileged-container", "a", "Pod", "p", "spec.containers[0].securityContext.privileged", governance.ActionDeny)
	first, err := b.build([]governance.Finding{f}, nil, time.Unix(100, 0))
	require.NoError(t, err)
	moved := f
	moved.Object.Source.Document = 9 // another object came before it in the list
	again, err := b.build([]governance.Finding{moved}, nil, time.Unix(200, 0))
	require.NoError(t, err)
	assert.Equal(t, first[1].digest, again[1].digest)
	assert.Equal(t, first[0].digest, again[0].digest)

	_, err = b.build(nil, nil, time.Unix(300, 0))
	require.NoError(t, err)
	back, err := b.build([]governance.Finding{f}, nil, time.Unix(400, 0))
	require.NoError(t, err)
	assert.NotEqual(t, first[1].digest, back[1].digest)
	ts := results(t, back[1])[0]["timestamp"].(map[string]any)
	assert.EqualValues(t, 400, ts["seconds"])
}

// TestBuildPolicyReports: the wgpolicyk8s.io names are those of `aigov
// check -o report`, and PolicyReports have no report-level source.
func TestBuildPolicyReports(t *testing.T) {
	api, _ := apiOf(ReportsPolicyReport)
	b := newReportBuilder(api, 0)
	out, err := b.build([]governance.Finding{
		finding("privileged-container", "a", "Pod", "p", "spec", governance.ActionDeny),
		finding("cluster-admin-binding", "", "ClusterRoleBinding", "crb", "roleRef", governance.ActionDeny),
	}, nil, time.Unix(100, 0))
	require.NoError(t, err)
	require.Len(t, out, 2)
	assert.Equal(t, []string{"ClusterPolicyReport", "aigov-cluster"}, []string{out[0].obj.GetKind(), out[0].obj.GetName()})
	assert.Len(t, results(t, out[0]), 1)
	assert.Equal(t, []string{"PolicyReport", "aigov-a"}, []string{out[1].obj.GetKind(), out[1].obj.GetName()})
	assert.Equal(t, "wgpolicyk8s.io/v1alpha2", out[1].obj.GetAPIVersion())
	assert.NotContains(t, out[1].obj.Object, "source")
}

// TestBuildDegraded: a kind that cannot be read is an error result in the
// cluster report, never a silent gap.
func TestBuildDegraded(t *testing.T) {
	api, _ := apiOf(ReportsOpenReports)
	out, err := newReportBuilder(api, 0).build(nil,
		[]governance.Degradation{{Resource: "secrets", Reason: "forbidden"}}, time.Unix(100, 0))
	require.NoError(t, err)
	require.Len(t, out, 1)
	rs := results(t, out[0])
	require.Len(t, rs, 1)
	assert.Equal(t, InventoryPolicy, rs[0]["policy"])
	assert.Equal(t, "secrets", rs[0]["rule"])
	assert.Equal(t, "error", rs[0]["result"])
	assert.Contains(t, rs[0]["message"], "cannot list secrets: forbidden")
	assert.EqualValues(t, 1, normalizeInts(out[0].obj.Object["summary"])["error"])
}

// TestBuildTruncates: a report keeps at most maxResults, the most severe,
// and says how many it left out.
func TestBuildTruncates(t *testing.T) {
	api, _ := apiOf(ReportsOpenReports)
	low := finding("latest-tag", "a", "Pod", "low", "spec", governance.ActionDeny)
	low.Severity = governance.SeverityLow
	fs := []governance.Finding{low,
		finding("privileged-container", "a", "Pod", "p1", "spec", governance.ActionDeny),
		finding("privileged-container", "a", "Pod", "p2", "spec", governance.ActionDeny)}
	out, err := newReportBuilder(api, 2).build(fs, nil, time.Unix(100, 0))
	require.NoError(t, err)
	rs := results(t, out[1])
	require.Len(t, rs, 2)
	for _, r := range rs {
		assert.Equal(t, "high", r["severity"])
	}
	assert.Equal(t, "1", out[1].obj.GetAnnotations()[OmittedAnnotation])
}
