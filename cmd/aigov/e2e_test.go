package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/internal/testenv"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }

// TestCheckLiveCluster runs `aigov check --kubeconfig` against a real
// kube-apiserver holding the example platform plus one privileged pod: the
// live source finds what the file source finds.
func TestCheckLiveCluster(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, err := env.ApplyDir(ctx, platform+"/fixed")
	require.NoError(t, err)
	_, err = env.ApplyYAML(ctx, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: rogue, namespace: default}
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
        securityContext: {privileged: true}
`))
	require.NoError(t, err)

	code, out, stderr := aigov(t, "", "check", "--kubeconfig", env.Kubeconfig, "-o", "json")
	require.Equal(t, 1, code, stderr)
	var r jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Greater(t, r.Objects, 79, "the platform plus what the cluster made itself")
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Check+" "+f.Namespace+" "+f.Object+" "+f.Path)
	}
	assert.Contains(t, got, "privileged-container default Deployment/rogue spec.template.spec.containers[0].securityContext.privileged")

	code, _, stderr = aigov(t, "", "check", "--kubeconfig", env.Kubeconfig, "-f", platform)
	assert.Equal(t, 2, code, "files and a cluster are exclusive")
	assert.Contains(t, stderr, "not both")
}
