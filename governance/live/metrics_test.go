package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
)

// TestMetricsExposition: findings per check, severity and namespace;
// cumulative histogram buckets; label values escaped; resource states.
func TestMetricsExposition(t *testing.T) {
	m := newMetrics()
	m.resources = func() []resourceState {
		return []resourceState{
			{name: "pods", synced: true, lastEvent: time.Unix(1700000000, 500000000)},
			{name: "secrets", degraded: "watch forbidden"},
		}
	}
	m.pending = func() time.Duration { return 1500 * time.Millisecond }
	fs := []governance.Finding{
		finding("privileged-container", "a", "Pod", "p1", "spec", governance.ActionDeny),
		finding("privileged-container", "a", "Pod", "p2", "spec", governance.ActionDeny),
		finding("privileged-container", "b", "Pod", "p3", "spec", governance.ActionDeny),
		finding("odd\"check\\", "", "ClusterRole", "r", "rules", governance.ActionDeny),
	}
	m.evaluated(fs, 42, 1, 30*time.Millisecond, 700*time.Millisecond)
	m.evaluated(fs, 42, 1, 3*time.Second, 0)
	m.reportWrite("applied")
	m.setLeader(true)

	var b strings.Builder
	require.NoError(t, m.write(&b))
	out := b.String()
	for _, want := range []string{
		`aigov_findings{check="privileged-container",severity="high",namespace="a"} 2`,
		`aigov_findings{check="privileged-container",severity="high",namespace="b"} 1`,
		`aigov_findings{check="odd\"check\\",severity="high",namespace=""} 1`,
		"aigov_evaluations_total 2",
		`aigov_evaluation_duration_seconds_bucket{le="0.025"} 0`,
		`aigov_evaluation_duration_seconds_bucket{le="0.05"} 1`,
		`aigov_evaluation_duration_seconds_bucket{le="2.5"} 1`,
		`aigov_evaluation_duration_seconds_bucket{le="5"} 2`,
		`aigov_evaluation_duration_seconds_bucket{le="+Inf"} 2`,
		"aigov_evaluation_duration_seconds_sum 3.03",
		"aigov_evaluation_duration_seconds_count 2",
		"aigov_change_to_evaluation_seconds_count 1",
		"aigov_evaluation_pending_seconds 1.5",
		"aigov_inventory_objects 42",
		"aigov_input_errors 1",
		`aigov_informer_synced{resource="pods"} 1`,
		`aigov_informer_last_event_timestamp_seconds{resource="pods"} 1.7000000005e+09`,
		`aigov_resource_degraded{resource="secrets",reason="watch forbidden"} 1`,
		`aigov_report_writes_total{result="applied"} 1`,
		`aigov_report_writes_total{result="error"} 0`,
		"aigov_leader 1",
		"aigov_ready 0",
		"# TYPE aigov_findings gauge",
		"# TYPE aigov_evaluation_duration_seconds histogram",
	} {
		assert.Contains(t, out, want+"\n")
	}
	assert.NotContains(t, out, `aigov_informer_synced{resource="secrets"}`, "a degraded resource has no informer")
	// Every sample line is "name{labels} value" or "name value".
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		value := line[strings.IndexByte(line, ' '):]
		if i := strings.LastIndex(line, "}"); i >= 0 {
			value = line[i+1:]
		}
		assert.Len(t, strings.Fields(value), 1, line)
	}
}

// TestChangesDebounce: waitForChanges returns after the quiet period, and
// at the latest MaxDelay after the first change however often changes
// come.
func TestChangesDebounce(t *testing.T) {
	// The debounce leaves room for a loaded machine: the goroutine below
	// that adds a change every 20 ms can be late by far more than that.
	s := &Server{opts: Options{Debounce: 300 * time.Millisecond, MaxDelay: 900 * time.Millisecond}, changes: newChanges()}
	start := time.Now()
	s.changes.add(change{gvr: "pods", namespace: "a"}, time.Now())
	require.NoError(t, s.waitForChanges(t.Context()))
	quiet := time.Since(start)
	assert.GreaterOrEqual(t, quiet, 300*time.Millisecond)
	assert.Less(t, quiet, 900*time.Millisecond)
	first, set := s.changes.take()
	assert.False(t, first.IsZero())
	assert.Equal(t, map[change]bool{{gvr: "pods", namespace: "a"}: true}, set)

	// A change every 20 ms never leaves 300 ms of quiet.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				s.changes.add(change{gvr: "pods"}, time.Now())
			}
		}
	}()
	start = time.Now()
	s.changes.add(change{gvr: "pods"}, start)
	require.NoError(t, s.waitForChanges(t.Context()))
	busy := time.Since(start)
	assert.GreaterOrEqual(t, busy, 900*time.Millisecond)
	assert.Less(t, busy, 3*time.Second)
}

// TestAdmissionMetrics sends reviews through the webhook's handler and
// scrapes the server's /metrics: one histogram per group, kind and verdict,
// the admission buckets, and a review before the first evaluation counted
// as an error.
func TestAdmissionMetrics(t *testing.T) {
	rules, err := policyset.Rules("testdata/admission-policy.yaml")
	require.NoError(t, err)
	s, err := New(Options{Config: &rest.Config{Host: "https://127.0.0.1:1"}, Rules: rules})
	require.NoError(t, err)
	hook, err := s.webhookServer()
	require.NoError(t, err)
	send := func(op admissionv1.Operation, manifest string) *admissionv1.AdmissionResponse {
		t.Helper()
		body, err := json.Marshal(admissionv1.AdmissionReview{
			TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
			Request:  request(t, op, manifest)})
		require.NoError(t, err)
		r := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		hook.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var out admissionv1.AdmissionReview
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
		require.NotNil(t, out.Response)
		return out.Response
	}
	scrape := func() string {
		t.Helper()
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, ContentType, w.Header().Get("Content-Type"))
		return w.Body.String()
	}
	const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: nlp-team}\ndata: {k: v}\n"

	// Before the first evaluation a review cannot be judged: denied (fail
	// closed) and counted as an error.
	assert.False(t, send(admissionv1.Create, configMap).Allowed)

	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.Load(append(fixedFiles(fixedPlatform...), "testdata/search-team.yaml")...)
	require.NoError(t, err)
	pass := governance.NewPass(inv)
	s.snapshot.Store(&Snapshot{Generation: 1, Findings: s.engine.RunPass(pass), Objects: inv.Len(), inventory: inv, pass: pass})

	assert.True(t, send(admissionv1.Create, configMap).Allowed)
	assert.True(t, send(admissionv1.Update, configMap).Allowed)
	assert.False(t, send(admissionv1.Create, rankerLB).Allowed)
	warned := send(admissionv1.Create, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: cv-team, labels: {team: cv}}\nspec:\n  containers: [{name: c, image: 'busybox:latest'}]\n")
	assert.True(t, warned.Allowed)
	assert.NotEmpty(t, warned.Warnings)
	assert.False(t, send(admissionv1.Create, "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: nlp-team}\nspec: {bogus: 1}\n").Allowed)

	out := scrape()
	for _, want := range []string{
		"# TYPE aigov_admission_review_duration_seconds histogram",
		`aigov_admission_review_duration_seconds_count{group="",kind="ConfigMap",verdict="error"} 1`,
		`aigov_admission_review_duration_seconds_count{group="",kind="ConfigMap",verdict="allowed"} 2`,
		`aigov_admission_review_duration_seconds_bucket{group="",kind="ConfigMap",verdict="allowed",le="+Inf"} 2`,
		`aigov_admission_review_duration_seconds_count{group="",kind="Service",verdict="denied"} 1`,
		`aigov_admission_review_duration_seconds_count{group="",kind="Pod",verdict="warned"} 1`,
		`aigov_admission_review_duration_seconds_count{group="",kind="Service",verdict="invalid"} 1`,
		`aigov_admission_review_duration_seconds_bucket{group="",kind="Service",verdict="denied",le="0.05"}`,
		`aigov_admission_review_duration_seconds_bucket{group="",kind="Service",verdict="denied",le="0.001"}`,
		`aigov_resource_reprobes_total{result="readable"} 0`,
	} {
		assert.Contains(t, out, want)
	}
	// Buckets are cumulative and end in the count.
	var last float64 = -1
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, `aigov_admission_review_duration_seconds_bucket{group="",kind="ConfigMap",verdict="allowed",`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, v, last, line)
		last = v
	}
	assert.Equal(t, float64(2), last)
}

// TestAdmissionVerdictOfATimeout: a review that ends after its deadline is
// a timeout, whatever it found, as the webhook answers it.
func TestAdmissionVerdictOfATimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	allowed := &admissionv1.AdmissionResponse{Allowed: true}
	assert.Equal(t, verdictAllowed, verdictOf(ctx, allowed, nil))
	assert.Equal(t, verdictError, verdictOf(ctx, nil, errors.New("not ready")))
	cancel()
	assert.Equal(t, verdictTimeout, verdictOf(ctx, allowed, nil))
	assert.Equal(t, verdictTimeout, verdictOf(ctx, nil, ctx.Err()))
}
