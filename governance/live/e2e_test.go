package live_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/cluster"
	"github.com/aigov/aigov/governance/live"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/governance/report"
	"github.com/aigov/aigov/internal/testenv"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }

var (
	reportsGVR        = schema.GroupVersionResource{Group: "openreports.io", Version: "v1alpha1", Resource: "reports"}
	clusterReportsGVR = schema.GroupVersionResource{Group: "openreports.io", Version: "v1alpha1", Resource: "clusterreports"}
	policyReportsGVR  = schema.GroupVersionResource{Group: "wgpolicyk8s.io", Version: "v1alpha2", Resource: "policyreports"}
	clusterPolicyGVR  = schema.GroupVersionResource{Group: "wgpolicyk8s.io", Version: "v1alpha2", Resource: "clusterpolicyreports"}
)

// platformSlice is the part of the example platform (with its deliberate
// mistakes) the tests apply: namespaces, service accounts, RBAC, network
// policies, quotas and two teams' workloads. The quotas are the fixed
// ones: one mistake there is a quota the apiserver rejects.
var platformSlice = []string{"00-namespaces.yaml", "01-serviceaccounts.yaml", "rbac.yaml", "networkpolicies.yaml",
	"fixed/quota.yaml", "vector-db.yaml", "training.yaml", "secrets.yaml"}

// reportWithin is the bound from a change to its report.
const reportWithin = 5 * time.Second

func applyPlatform(t *testing.T, env *testenv.Env) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, name := range platformSlice {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", "multitenant", name))
		require.NoError(t, err)
		_, err = env.ApplyYAML(ctx, data)
		require.NoError(t, err, name)
	}
}

// installCRDs applies manifests holding CRDs and waits until the apiserver
// serves gvr.
func installCRDs(t *testing.T, env *testenv.Env, dir string, gvr schema.GroupVersionResource) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := env.ApplyDir(ctx, dir)
	require.NoError(t, err)
	poll(t, time.Minute, "the CRDs to be served", func() (bool, string) {
		_, err := env.Dynamic(t).Resource(gvr).List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil, fmt.Sprint(err)
	})
}

// poll calls cond every 100 ms until it holds, failing t with cond's last
// word after timeout.
func poll(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	var last string
	for {
		ok, msg := cond()
		if ok {
			return time.Since(start)
		}
		last = msg
		if time.Since(start) > timeout {
			t.Fatalf("waited %s for %s; last: %s", timeout, what, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// running is a Server running in the test.
type running struct {
	*live.Server
	stop func()
}

func start(t *testing.T, opts live.Options) *running {
	t.Helper()
	if opts.Rules == nil {
		rules, err := policyset.Rules("")
		require.NoError(t, err)
		opts.Rules = rules
	}
	opts.Debounce, opts.MaxDelay = 200*time.Millisecond, time.Second
	s, err := live.New(opts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	stopped := false
	r := &running{Server: s, stop: func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, "Run after its context ended")
		case <-time.After(30 * time.Second):
			t.Error("Run did not return within 30 s of its context ending")
		}
	}}
	t.Cleanup(r.stop)
	poll(t, 2*time.Minute, "the server to be ready", func() (bool, string) {
		select {
		case err := <-done:
			t.Fatalf("Run returned before ready: %v", err)
		default:
		}
		return s.Ready(), "not ready"
	})
	return r
}

// oneShot is what `aigov check --kubeconfig` finds now: cluster.Load and
// the default catalog, as result keys.
func oneShot(t *testing.T, cfg *rest.Config) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	inv, err := cluster.Load(ctx, cluster.Options{Config: cfg})
	require.NoError(t, err)
	rules, err := policyset.Rules("")
	require.NoError(t, err)
	engine, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	return findingKeys(engine.Run(inv))
}

// findingKeys are the (check, entry, object) keys of findings with the
// result their action gives, sorted and unique: one report result each.
func findingKeys(fs []governance.Finding) []string {
	var keys []string
	for _, f := range fs {
		result := "fail"
		if strings.EqualFold(string(f.Action), string(governance.ActionWarn)) {
			result = "warn"
		}
		rule := f.Name
		if rule == "" {
			rule = f.Check
		}
		keys = append(keys, key(f.Check, rule, result, f.Object.Kind, f.Object.Namespace, f.Object.Name))
	}
	sort.Strings(keys)
	return slices.Compact(keys)
}

func key(policy, rule, result, kind, ns, name string) string {
	return strings.Join([]string{policy, rule, result, kind, ns, name}, "|")
}

// written reads the reports aigov wrote: the failing and warning results
// as keys (sorted; duplicates kept, so that a test sees them), and the
// namespaces that have a report.
func written(t *testing.T, env *testenv.Env, namespaced, clusterScoped schema.GroupVersionResource) (keys, namespaces []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sel := metav1.ListOptions{LabelSelector: report.ManagedByLabel + "=" + report.ToolName}
	list, err := env.Dynamic(t).Resource(namespaced).List(ctx, sel)
	require.NoError(t, err)
	clusterList, err := env.Dynamic(t).Resource(clusterScoped).List(ctx, sel)
	require.NoError(t, err)
	for _, r := range append(list.Items, clusterList.Items...) {
		if r.GetNamespace() != "" {
			namespaces = append(namespaces, r.GetNamespace())
		}
		results, _, err := unstructured.NestedSlice(r.Object, "results")
		require.NoError(t, err)
		for _, res := range results {
			m := res.(map[string]any)
			result, _ := m["result"].(string)
			if result != "fail" && result != "warn" {
				continue
			}
			resources, _ := m["resources"].([]any)
			require.Len(t, resources, 1, "one object per result")
			ref := resources[0].(map[string]any)
			s := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
			keys = append(keys, key(s(m, "policy"), s(m, "rule"), result, s(ref, "kind"), s(ref, "namespace"), s(ref, "name")))
		}
	}
	sort.Strings(keys)
	sort.Strings(namespaces)
	return keys, namespaces
}

// namespacesOf returns the namespaces of keys, sorted and unique.
func namespacesOf(keys []string) []string {
	var out []string
	for _, k := range keys {
		if ns := strings.Split(k, "|")[4]; ns != "" {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// waitForReportsToMatch polls until the written reports hold exactly the
// one-shot check's results, with one report per namespace with findings.
func waitForReportsToMatch(t *testing.T, env *testenv.Env, namespaced, clusterScoped schema.GroupVersionResource) time.Duration {
	t.Helper()
	return poll(t, reportWithin+20*time.Second, "the reports to equal the one-shot check", func() (bool, string) {
		want := oneShot(t, env.Config)
		got, namespaces := written(t, env, namespaced, clusterScoped)
		if !slices.Equal(want, got) {
			return false, diff(want, got)
		}
		if wantNS := namespacesOf(want); !slices.Equal(wantNS, namespaces) {
			return false, fmt.Sprintf("reports in namespaces %v, findings in %v", namespaces, wantNS)
		}
		return true, ""
	})
}

func diff(want, got []string) string {
	var missing, extra []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	return fmt.Sprintf("%d want, %d written; missing %q; extra %q", len(want), len(got), missing, extra)
}

const privilegedDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s}
spec:
  selector: {matchLabels: {app: rogue}}
  template:
    metadata: {labels: {app: rogue}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true}
      containers:
      - name: c
        image: registry.example.com/rogue:1.0
        resources: {limits: {cpu: 100m, memory: 64Mi}}
        securityContext: {privileged: %t}
`

func applyDeployment(t *testing.T, env *testenv.Env, ns, name string, privileged bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := env.ApplyYAML(ctx, fmt.Appendf(nil, privilegedDeployment, name, ns, privileged))
	require.NoError(t, err)
}

func deleteDeployment(t *testing.T, env *testenv.Env, ns, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := env.Client(t).AppsV1().Deployments(ns).Delete(ctx, name, metav1.DeleteOptions{})
	require.NoError(t, err)
}

// reportOf returns a namespace's aigov Report, or nil when it has none.
func reportOf(t *testing.T, env *testenv.Env, ns string) *unstructured.Unstructured {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := env.Dynamic(t).Resource(reportsGVR).Namespace(ns).Get(ctx, live.ReportName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	require.NoError(t, err)
	return r
}

func hasResult(r *unstructured.Unstructured, policy, kind, name string) bool {
	if r == nil {
		return false
	}
	results, _, _ := unstructured.NestedSlice(r.Object, "results")
	for _, res := range results {
		m := res.(map[string]any)
		if m["policy"] != policy {
			continue
		}
		for _, ref := range m["resources"].([]any) {
			ref := ref.(map[string]any)
			if ref["kind"] == kind && ref["name"] == name {
				return true
			}
		}
	}
	return false
}

// TestReportsFollowTheCluster applies part of the example platform, runs
// the server, and requires the OpenReports it writes to hold exactly what
// the one-shot check finds — after the start, after an object is created,
// changed and deleted, and after a restart during which the cluster
// changed.
func TestReportsFollowTheCluster(t *testing.T) {
	env := testenv.Shared(t)
	installCRDs(t, env, filepath.Join("..", "..", "deploy", "crds"), reportsGVR)
	applyPlatform(t, env)

	srv := start(t, live.Options{Config: env.Config, Reports: live.ReportsOpenReports})
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)
	assert.Positive(t, srv.Snapshot().Objects)
	assert.Empty(t, srv.Snapshot().Degraded, "the admin may read everything")

	// A namespace without namespaced findings has no Report; a privileged
	// Deployment gives it one within the bound, fixing it empties the
	// namespace again and the Report goes.
	ns := env.CreateNamespace(t, "live")
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)
	require.Nil(t, reportOf(t, env, ns), "a namespace without findings has no report")

	applyDeployment(t, env, ns, "rogue", true)
	took := poll(t, reportWithin, "the privileged Deployment's result", func() (bool, string) {
		return hasResult(reportOf(t, env, ns), "privileged-container", "Deployment", "rogue"), "no result yet"
	})
	t.Logf("a new finding reached its report in %s", took)
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)

	applyDeployment(t, env, ns, "rogue", false)
	poll(t, reportWithin, "the fixed Deployment's result to go", func() (bool, string) {
		return !hasResult(reportOf(t, env, ns), "privileged-container", "Deployment", "rogue"), "still there"
	})
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)

	applyDeployment(t, env, ns, "rogue", true)
	poll(t, reportWithin, "the result to come back", func() (bool, string) {
		return hasResult(reportOf(t, env, ns), "privileged-container", "Deployment", "rogue"), "no result yet"
	})
	deleteDeployment(t, env, ns, "rogue")
	poll(t, reportWithin, "the report of the emptied namespace to be deleted", func() (bool, string) {
		return reportOf(t, env, ns) == nil, "still there"
	})
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)

	// Restart: while no server runs, one namespace gains a finding and
	// another loses its only one. The new server rewrites what changed,
	// deletes the stale report, and duplicates nothing (written keeps
	// duplicates, so equality with the unique one-shot keys proves it).
	applyDeployment(t, env, ns, "rogue", true)
	poll(t, reportWithin, "the result before the restart", func() (bool, string) {
		return hasResult(reportOf(t, env, ns), "privileged-container", "Deployment", "rogue"), "no result yet"
	})
	srv.stop()
	other := env.CreateNamespace(t, "live-restart")
	applyDeployment(t, env, other, "rogue2", true)
	deleteDeployment(t, env, ns, "rogue")

	start(t, live.Options{Config: env.Config, Reports: live.ReportsOpenReports})
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)
	assert.Nil(t, reportOf(t, env, ns), "the stale report is deleted")
	assert.True(t, hasResult(reportOf(t, env, other), "privileged-container", "Deployment", "rogue2"))
}

// TestPolicyReports: --reports policyreport writes wgpolicyk8s.io
// PolicyReports with the same results.
func TestPolicyReports(t *testing.T) {
	env := testenv.Shared(t)
	installCRDs(t, env, filepath.Join("testdata", "policyreport-crds"), policyReportsGVR)
	applyPlatform(t, env)
	start(t, live.Options{Config: env.Config, Reports: live.ReportsPolicyReport})
	waitForReportsToMatch(t, env, policyReportsGVR, clusterPolicyGVR)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := env.Dynamic(t).Resource(clusterPolicyGVR).Get(ctx, report.ClusterPolicyReportName, metav1.GetOptions{})
	require.NoError(t, err, "named as check -o report names it")
}

// TestLeaderElection: of two replicas only the leader writes; when it
// stops, the other takes over and the reports keep following the cluster.
func TestLeaderElection(t *testing.T) {
	env := testenv.Shared(t)
	installCRDs(t, env, filepath.Join("..", "..", "deploy", "crds"), reportsGVR)
	leaseNS := env.CreateNamespace(t, "lease")
	opts := func(id string) live.Options {
		return live.Options{Config: env.Config, Reports: live.ReportsOpenReports, LeaderElect: true,
			LeaderElectionNamespace: leaseNS, Identity: id,
			LeaseDuration: 3 * time.Second, RenewDeadline: 2 * time.Second, RetryPeriod: 500 * time.Millisecond}
	}
	a, b := start(t, opts("a")), start(t, opts("b"))
	poll(t, 30*time.Second, "one leader", func() (bool, string) {
		return a.Leader() != b.Leader(), fmt.Sprintf("a leads: %t, b leads: %t", a.Leader(), b.Leader())
	})
	leader, follower := a, b
	if b.Leader() {
		leader, follower = b, a
	}
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)

	leader.stop()
	poll(t, 30*time.Second, "the follower to lead", func() (bool, string) { return follower.Leader(), "not yet" })
	ns := env.CreateNamespace(t, "live-failover")
	applyDeployment(t, env, ns, "rogue", true)
	poll(t, reportWithin, "the new leader's report", func() (bool, string) {
		return hasResult(reportOf(t, env, ns), "privileged-container", "Deployment", "rogue"), "no result yet"
	})
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)
}

// TestDegradedKinds runs the server as a user who may list Secrets but not
// watch them: Secrets are a reported degradation — in the evaluation, in
// the metrics and in the cluster report's error result — and the server
// still gets ready.
func TestDegradedKinds(t *testing.T) {
	env := testenv.Shared(t)
	user := "aigov-live-no-secret-watch"
	// Every kind aigov reads may be listed and watched, but Secrets only
	// listed.
	grantReader(t, env, user, user, "- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [list]\n")

	srv := start(t, live.Options{Config: env.ImpersonatedConfig(user), Reports: live.ReportsNone})
	snap := srv.Snapshot()
	require.Contains(t, snap.Degraded, governance.Degradation{Resource: "secrets", Reason: "watch forbidden"})

	h := httptest.NewServer(srv.Handler())
	defer h.Close()
	body := get(t, h.URL+"/metrics", http.StatusOK)
	assert.Contains(t, body, `aigov_resource_degraded{resource="secrets",reason="watch forbidden"} 1`)
	assert.Contains(t, body, "aigov_ready 1")
	assert.Contains(t, get(t, h.URL+"/readyz", http.StatusOK), "ok")
}

// grantReader binds user to a ClusterRole named name that may list and
// watch every built-in kind aigov reads but Secrets, plus extraRules (YAML
// list items).
func grantReader(t *testing.T, env *testenv.Env, name, user, extraRules string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := env.ApplyYAML(ctx, fmt.Appendf(nil, `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: %[1]s}
rules:
- apiGroups: [apps, batch, networking.k8s.io, rbac.authorization.k8s.io, scheduling.k8s.io, node.k8s.io, storage.k8s.io, resource.k8s.io, admissionregistration.k8s.io, policy.networking.k8s.io]
  resources: ["*"]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [namespaces, pods, services, serviceaccounts, configmaps, resourcequotas, limitranges, persistentvolumeclaims, replicationcontrollers]
  verbs: [list, watch]
%[3]s---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %[1]s}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: %[2]s}
`, name, user, extraRules))
	require.NoError(t, err)
}

func get(t *testing.T, url string, wantStatus int) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, wantStatus, resp.StatusCode, string(body))
	return string(body)
}

// TestNotAServer: a URL that serves no Kubernetes API fails Run with the
// reason instead of waiting for informers that never sync.
func TestNotAServer(t *testing.T) {
	h := httptest.NewServer(http.NotFoundHandler())
	defer h.Close()
	rules, err := policyset.Rules("")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = live.Run(ctx, live.Options{Config: &rest.Config{Host: h.URL}, Rules: rules})
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "fails at discovery, not by waiting: %v", err)
	assert.Contains(t, err.Error(), h.URL)
}
