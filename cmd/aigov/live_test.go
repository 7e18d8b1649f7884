package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance/cluster/clustertest"
)

// These tests run the CLI against fake API servers on 127.0.0.1
// (governance/cluster/clustertest): a live cluster of which nothing, or not
// everything, could be read is never a clean report.

// clusterCommands are the commands that read a cluster, with the arguments
// each needs besides --kubeconfig.
var clusterCommands = [][]string{
	{"check"},
	{"check", "-o", "json"},
	{"rbac", "risks"},
	{"rbac", "who-can", "get", "pods"},
	{"rbac", "can-i", "get", "pods", "--as", "alice"},
	{"rbac", "lint"},
	{"rbac", "escalations"},
	{"secrets", "scan"},
	{"secrets", "exposure"},
	{"netpol", "matrix"},
	{"netpol", "exposure"},
	{"netpol", "eval", "--from", "a/p1", "--to", "a/p1", "--port", "80"},
	{"quota", "status"},
	{"quota", "gpu"},
	{"exposure"},
}

func livePod(ns, name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example.com/app:1"}}}}
}

// liveResources is a small cluster: two namespaces, a pod, and a
// ClusterRole bound to alice that lets her get pods.
func liveResources() []clustertest.Resource {
	set := func(objs ...any) func(*clustertest.Resource) {
		return func(r *clustertest.Resource) { r.Objects = objs }
	}
	rs := clustertest.StandardResources()
	rs = clustertest.With(rs, "namespaces", set(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "b"}}))
	rs = clustertest.With(rs, "pods", set(livePod("a", "p1")))
	rs = clustertest.With(rs, "clusterroles.rbac.authorization.k8s.io", set(&rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-reader"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get"}}}}))
	rs = clustertest.With(rs, "clusterrolebindings.rbac.authorization.k8s.io", set(&rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "pod-reader"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: "alice"}}}))
	return rs
}

func withArgs(cmd []string, extra ...string) []string {
	return append(append([]string(nil), cmd...), extra...)
}

// TestLiveEverything404: a server that answers 404 to every request,
// discovery included, is not an empty cluster.
func TestLiveEverything404(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.StandardResources(), DiscoveryStatus: http.StatusNotFound})
	kubeconfig := srv.Kubeconfig(t)
	for _, c := range clusterCommands {
		code, out, stderr := aigov(t, "", withArgs(c, "--kubeconfig", kubeconfig)...)
		assert.Equal(t, 2, code, "%v: %s%s", c, out, stderr)
		assert.Contains(t, stderr, "discovery at "+srv.URL, "%v", c)
	}
}

// TestLiveEverythingForbidden: discovery works, every list is 403: every
// command exits 2 saying what it could not read, even with --allow-partial
// and --allow-empty (nothing read is not a partial read).
func TestLiveEverythingForbidden(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.With(clustertest.StandardResources(), "*",
		func(r *clustertest.Resource) { r.Status = http.StatusForbidden })})
	kubeconfig := srv.Kubeconfig(t)
	for _, c := range clusterCommands {
		for _, extra := range [][]string{nil, {"--allow-partial", "--allow-empty"}} {
			args := withArgs(c, append([]string{"--kubeconfig", kubeconfig}, extra...)...)
			code, out, stderr := aigov(t, "", args...)
			assert.Equal(t, 2, code, "%v: %s%s", args, out, stderr)
			assert.Contains(t, stderr, "could not read any of ", "%v", args)
			assert.Contains(t, stderr, "from "+srv.URL+": forbidden", "%v", args)
			assert.Empty(t, out, "%v", args)
		}
	}
	// The RBAC commands name the RBAC kinds they needed.
	_, _, stderr := aigov(t, "", "rbac", "risks", "--kubeconfig", kubeconfig)
	assert.Contains(t, stderr, "could not read any of clusterrolebindings.rbac.authorization.k8s.io, clusterroles.rbac.authorization.k8s.io, rolebindings.rbac.authorization.k8s.io, roles.rbac.authorization.k8s.io from")
}

// TestLiveRBACKindsForbidden: the RBAC kinds are forbidden but everything
// else can be read: RBAC questions fail, a secrets scan (which needs any
// kind) is a partial read.
func TestLiveRBACKindsForbidden(t *testing.T) {
	rs := liveResources()
	for _, r := range rbacResources {
		rs = clustertest.With(rs, r.String(), func(r *clustertest.Resource) { r.Status = http.StatusForbidden })
	}
	kubeconfig := clustertest.New(t, clustertest.Config{Resources: rs}).Kubeconfig(t)
	code, out, stderr := aigov(t, "", "rbac", "who-can", "get", "pods", "--kubeconfig", kubeconfig)
	assert.Equal(t, 2, code, out+stderr)
	assert.Contains(t, stderr, "could not read any of ")

	code, out, stderr = aigov(t, "", "netpol", "matrix", "--kubeconfig", kubeconfig)
	assert.Equal(t, 0, code, "netpol does not need RBAC: %s%s", out, stderr)
	assert.Contains(t, stderr, "warning: cannot list roles.rbac.authorization.k8s.io: forbidden")
	assert.Contains(t, out, "a/p1")
}

// partialServer: Secrets forbidden, Deployments 404 although discovery lists
// them, the rest served.
func partialServer(t *testing.T) string {
	rs := clustertest.With(liveResources(), "secrets", func(r *clustertest.Resource) { r.Status = http.StatusForbidden })
	rs = clustertest.With(rs, "deployments.apps", func(r *clustertest.Resource) { r.Status = http.StatusNotFound })
	return clustertest.New(t, clustertest.Config{Resources: rs}).Kubeconfig(t)
}

const (
	secretsForbidden   = "cannot list secrets: forbidden; the inventory has none of them"
	deploymentsMissing = "cannot list deployments.apps: not found although discovery lists it; the inventory has none of them"
)

func TestLivePartialCheck(t *testing.T) {
	kubeconfig := partialServer(t)

	// The report: warnings in the JSON document and on stderr; exit on the
	// findings (the pod has some at the default --fail-on info).
	code, out, stderr := aigov(t, "", "check", "--kubeconfig", kubeconfig, "-o", "json")
	assert.Equal(t, 1, code, stderr)
	var doc struct {
		Objects  int      `json:"objects"`
		Warnings []string `json:"warnings"`
		Degraded []struct {
			Resource string `json:"resource"`
			Reason   string `json:"reason"`
		} `json:"degraded"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, []string{deploymentsMissing, secretsForbidden}, doc.Warnings)
	require.Len(t, doc.Degraded, 2, "the kinds not read, structured")
	assert.Equal(t, "deployments.apps", doc.Degraded[0].Resource)
	assert.Equal(t, "secrets", doc.Degraded[1].Resource)
	assert.Contains(t, doc.Degraded[1].Reason, "forbidden")
	assert.Contains(t, stderr, "warning: "+secretsForbidden)
	assert.NotContains(t, stderr, "partial read", "no --fail-on given: the report is not a gate")

	// Text: the report carries the warnings; stderr does not repeat them.
	code, out, stderr = aigov(t, "", "check", "--kubeconfig", kubeconfig)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, out, "warning: "+secretsForbidden)
	assert.NotContains(t, stderr, secretsForbidden)

	// A gate: --fail-on given, nothing at or above it, kinds missing: exit 2
	// naming them.
	code, _, stderr = aigov(t, "", "check", "--kubeconfig", kubeconfig, "--fail-on", "critical", "-o", "json")
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "partial read: could not read deployments.apps (not found although discovery lists it), secrets (forbidden) from the cluster at http://127.0.0.1:")
	assert.Contains(t, stderr, "--allow-partial")

	// Findings that already fail the gate: exit 1.
	code, _, stderr = aigov(t, "", "check", "--kubeconfig", kubeconfig, "--fail-on", "info", "-o", "json")
	assert.Equal(t, 1, code, stderr)

	// --allow-partial: exit on the findings.
	code, _, stderr = aigov(t, "", "check", "--kubeconfig", kubeconfig, "--fail-on", "critical", "--allow-partial", "-o", "json")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "warning: "+secretsForbidden)
}

func TestLivePartialOtherCommands(t *testing.T) {
	kubeconfig := partialServer(t)

	// secrets scan needs every kind: the Secrets it could not read fail it.
	code, out, stderr := aigov(t, "", "secrets", "scan", "--kubeconfig", kubeconfig)
	assert.Equal(t, 2, code, out+stderr)
	assert.Contains(t, stderr, "warning: "+secretsForbidden)
	assert.Contains(t, stderr, "partial read: could not read deployments.apps")
	// --allow-partial: exit on the findings (the pod mounts its token).
	code, out, stderr = aigov(t, "", "secrets", "scan", "--kubeconfig", kubeconfig, "--allow-partial", "-o", "json")
	assert.Equal(t, 1, code, out+stderr)
	assert.Contains(t, stderr, "warning: "+secretsForbidden)
	assert.Contains(t, out, `"object": "Pod/p1"`)

	// RBAC questions need only RBAC kinds: warnings, and the answer. -n
	// limits namespaced kinds; the ClusterRoleBinding is still read.
	code, out, stderr = aigov(t, "", "rbac", "who-can", "get", "pods", "-n", "a", "--kubeconfig", kubeconfig)
	assert.Equal(t, 0, code, out+stderr)
	assert.Contains(t, out, "alice")
	assert.Contains(t, stderr, "warning: "+secretsForbidden)
	assert.Contains(t, stderr, "warning: "+deploymentsMissing)

	code, out, stderr = aigov(t, "", "quota", "status", "--kubeconfig", kubeconfig)
	assert.Equal(t, 0, code, out+stderr)
	assert.Contains(t, stderr, "warning: "+secretsForbidden)
}

// TestLiveNeededKindPartial: one RBAC kind forbidden: RBAC answers would be
// incomplete, so exit 2 unless --allow-partial.
func TestLiveNeededKindPartial(t *testing.T) {
	rs := clustertest.With(liveResources(), "rolebindings.rbac.authorization.k8s.io",
		func(r *clustertest.Resource) { r.Status = http.StatusForbidden })
	kubeconfig := clustertest.New(t, clustertest.Config{Resources: rs}).Kubeconfig(t)
	code, out, stderr := aigov(t, "", "rbac", "who-can", "get", "pods", "--kubeconfig", kubeconfig)
	assert.Equal(t, 2, code, out+stderr)
	assert.Contains(t, stderr, "partial read: could not read rolebindings.rbac.authorization.k8s.io (forbidden)")
	assert.Empty(t, out)
	code, out, stderr = aigov(t, "", "rbac", "who-can", "get", "pods", "--kubeconfig", kubeconfig, "--allow-partial")
	assert.Equal(t, 0, code, out+stderr)
	assert.Contains(t, out, "alice")
	assert.Contains(t, stderr, "warning: cannot list rolebindings.rbac.authorization.k8s.io: forbidden")
}

// TestLiveEmptyCluster: a cluster that serves everything and holds nothing
// is exit 2 naming it, unless --allow-empty.
func TestLiveEmptyCluster(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.StandardResources()})
	kubeconfig := srv.Kubeconfig(t)
	code, out, stderr := aigov(t, "", "check", "--kubeconfig", kubeconfig)
	assert.Equal(t, 2, code, out+stderr)
	assert.Contains(t, stderr, "no objects passed: the cluster at "+srv.URL)
	code, out, stderr = aigov(t, "", "check", "--kubeconfig", kubeconfig, "--allow-empty")
	assert.Equal(t, 0, code, out+stderr)
}

// liveBound: how long a command against a server that never answers may
// take with --request-timeout 1s; generous against a loaded machine, far
// below "hangs".
const liveBound = 20 * time.Second

func TestLiveTimeouts(t *testing.T) {
	hangingList := clustertest.With(clustertest.StandardResources(), "pods", func(r *clustertest.Resource) { r.Hang = true })
	for name, kubeconfig := range map[string]string{
		"silent":    clustertest.WriteKubeconfig(t, clustertest.Silent(t)),
		"discovery": clustertest.New(t, clustertest.Config{Resources: clustertest.StandardResources(), DiscoveryHang: true}).Kubeconfig(t),
		"list":      clustertest.New(t, clustertest.Config{Resources: hangingList}).Kubeconfig(t),
	} {
		t.Run(name, func(t *testing.T) {
			for _, timeout := range []string{"1s", "1"} {
				start := time.Now()
				code, out, stderr := aigov(t, "", "check", "--kubeconfig", kubeconfig, "--request-timeout", timeout)
				assert.Less(t, time.Since(start), liveBound)
				assert.Equal(t, 2, code, out+stderr)
				assert.Contains(t, stderr, "(--request-timeout 1s per request, 10s for the whole read)")
			}
		})
	}
}

func TestRequestTimeoutFlag(t *testing.T) {
	for in, want := range map[string]time.Duration{"30": 30 * time.Second, "1m": time.Minute, "0": 0, "1m30s": 90 * time.Second, "250ms": 250 * time.Millisecond} {
		got, err := parseRequestTimeout(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "soon", "-1", "-5s", "1x"} {
		_, err := parseRequestTimeout(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, 10*time.Minute, clusterDeadline(0))
	assert.Equal(t, 10*time.Minute, clusterDeadline(time.Minute))
	code, _, stderr := aigov(t, "", "check", "--kubeconfig", "/nonexistent", "--request-timeout", "soon")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--request-timeout: want a number of seconds or a duration")
}

// TestEmptyInput: zero objects from files is exit 2 naming the input, as
// kubectl apply says "no objects passed to apply"; --allow-empty accepts it.
func TestEmptyInput(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("not a manifest"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "empty.yaml"), []byte("# nothing\n---\n"), 0o644))
	for _, c := range [][]string{
		{"check"},
		{"rbac", "who-can", "get", "pods"},
		{"secrets", "scan"},
		{"netpol", "matrix"},
		{"quota", "status"},
	} {
		code, out, stderr := aigov(t, "", withArgs(c, "-f", dir)...)
		assert.Equal(t, 2, code, "%v: %s%s", c, out, stderr)
		assert.Contains(t, stderr, "no objects passed: "+dir+" holds none (--allow-empty accepts that)", "%v", c)
		assert.Empty(t, out, "%v", c)

		code, out, stderr = aigov(t, "", withArgs(c, "-f", dir, "--allow-empty")...)
		assert.Equal(t, 0, code, "%v: %s%s", c, out, stderr)
	}
	code, _, stderr := aigov(t, "", "check", "-f", "-")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "no objects passed: standard input holds none")
	code, _, stderr = aigov(t, "", "check", "-f", dir, "-f", "-")
	assert.Equal(t, 2, code)
	assert.True(t, strings.Contains(stderr, dir+", standard input"), stderr)
}

// TestEmptyDiffSide: a diff whose before-state is empty (a new repository)
// needs --allow-empty; the added access is then exit 1.
func TestEmptyDiffSide(t *testing.T) {
	empty := t.TempDir()
	after := filepath.Join("testdata", "rbac")
	if _, err := os.Stat(after); err != nil {
		after = platform
	}
	code, _, stderr := aigov(t, "", "rbac", "diff", "--before", empty, "--after", after)
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "no objects passed: "+empty)
	code, _, stderr = aigov(t, "", "rbac", "diff", "--before", empty, "--after", after, "--allow-empty")
	assert.Equal(t, 1, code, stderr)
}
