package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/internal/testenv"
)

// TestServeUsage: a wrong --reports or an extra argument is a usage error
// before anything is contacted.
func TestServeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{args: []string{"serve", "--reports", "kyverno"}, want: "--reports: want openreports, policyreport or none"},
		{args: []string{"serve", "extra"}, want: `unknown command "extra"`},
		{args: []string{"serve", "--policy", "does-not-exist.yaml"}, want: "does-not-exist.yaml"},
	} {
		code, _, stderr := aigov(t, "", tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, stderr, tc.want, tc.args)
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestServe runs `aigov serve` against the test apiserver: /readyz turns
// 200, /metrics counts a privileged Deployment's finding, its namespace
// gets an OpenReports Report, and the command returns cleanly when its
// context ends (as on SIGTERM).
func TestServe(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := env.ApplyDir(ctx, "../../deploy/crds")
	require.NoError(t, err)
	ns := env.CreateNamespace(t, "serve")
	_, err = env.ApplyYAML(ctx, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: rogue, namespace: `+ns+`}
spec:
  selector: {matchLabels: {app: rogue}}
  template:
    metadata: {labels: {app: rogue}}
    spec:
      containers:
      - {name: c, image: registry.example.com/rogue:1.0, securityContext: {privileged: true}}
`))
	require.NoError(t, err)
	reports := schema.GroupVersionResource{Group: "openreports.io", Version: "v1alpha1", Resource: "reports"}
	pollUntil(t, time.Minute, "the report CRD to be served", func() bool {
		_, err := env.Dynamic(t).Resource(reports).List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil
	})

	health, metrics := freeAddr(t), freeAddr(t)
	serveCtx, stop := context.WithCancel(ctx)
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		root := newRootCommand(strings.NewReader(""), io.Discard, &stderr)
		root.SetArgs([]string{"serve", "--kubeconfig", env.Kubeconfig, "--health-addr", health, "--metrics-addr", metrics})
		done <- root.ExecuteContext(serveCtx)
	}()
	defer func() {
		stop()
		select {
		case err := <-done:
			assert.NoError(t, err, "serve after SIGTERM; log:\n%s", stderr.String())
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30 s")
		}
	}()

	pollUntil(t, 2*time.Minute, "/readyz to answer 200", func() bool { return status(health+"/readyz") == http.StatusOK })
	assert.Equal(t, http.StatusOK, status(health+"/healthz"))
	pollUntil(t, 30*time.Second, "the finding in /metrics", func() bool {
		return strings.Contains(body(t, metrics+"/metrics"),
			`aigov_findings{check="privileged-container",severity="critical",namespace="`+ns+`"} 1`)
	})
	pollUntil(t, 30*time.Second, "the namespace's Report", func() bool {
		r, err := env.Dynamic(t).Resource(reports).Namespace(ns).Get(ctx, "aigov", metav1.GetOptions{})
		if err != nil {
			return false
		}
		js, err := json.Marshal(r.Object)
		require.NoError(t, err)
		return strings.Contains(string(js), `"policy":"privileged-container"`)
	})
}

func pollUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func status(addr string) int {
	resp, err := http.Get("http://" + addr)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func body(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
