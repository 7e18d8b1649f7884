package live

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
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
	s := &Server{opts: Options{Debounce: 100 * time.Millisecond, MaxDelay: 400 * time.Millisecond}, changes: newChanges()}
	start := time.Now()
	s.changes.add(change{gvr: "pods", namespace: "a"}, time.Now())
	require.NoError(t, s.waitForChanges(t.Context()))
	quiet := time.Since(start)
	assert.GreaterOrEqual(t, quiet, 100*time.Millisecond)
	assert.Less(t, quiet, 400*time.Millisecond)
	first, set := s.changes.take()
	assert.False(t, first.IsZero())
	assert.Equal(t, map[change]bool{{gvr: "pods", namespace: "a"}: true}, set)

	// A change every 20 ms never leaves 100 ms of quiet.
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
	assert.GreaterOrEqual(t, busy, 400*time.Millisecond)
	assert.Less(t, busy, 1500*time.Millisecond)
}
