package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/internal/testenv"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }

// TestCheckLiveCluster runs `aigov check --kubeconfig` against a real
// kube-apiserver holding the example platform (its operator custom
// resources and Gateway API objects served by the CRDs of
// internal/testenv/crds) plus one privileged pod: the live source finds what
// the file source finds, and reads the custom resources back with the pods
// derived from them.
func TestCheckLiveCluster(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, err := env.InstallAICRDs(ctx)
	require.NoError(t, err)
	_, err = env.ApplyDir(ctx, platform+"/fixed")
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

	code, out, stderr := aigov(t, "", "check", "-f", platform+"/fixed", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var files jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &files))

	code, out, stderr = aigov(t, "", "check", "--kubeconfig", env.Kubeconfig, "-o", "json")
	require.Equal(t, 1, code, stderr)
	var r jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Greater(t, r.Objects, files.Objects, "the platform, custom resources included, plus what the cluster made itself")
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Check+" "+f.Namespace+" "+f.Object+" "+f.Path)
	}
	assert.Contains(t, got, "privileged-container default Deployment/rogue spec.template.spec.containers[0].securityContext.privileged")

	// The RayCluster is read back with its head and its (unprivileged) GPU
	// worker group: their derived pods are endpoints of the network policy
	// graph, exactly as from the files.
	rayLines := func(out string) []string {
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "cv-team/cv-ray[") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	_, fromFiles, stderr := aigov(t, "", "netpol", "matrix", "-f", platform+"/fixed")
	require.NotEmpty(t, rayLines(fromFiles), stderr)
	require.Contains(t, fromFiles, "cv-team/cv-ray[worker group gpu] -> ")
	_, fromCluster, stderr := aigov(t, "", "netpol", "matrix", "--kubeconfig", env.Kubeconfig)
	assert.Equal(t, rayLines(fromFiles), rayLines(fromCluster), stderr)

	// The GPUs the operator pods ask for (Ray workers, PyTorchJob replicas,
	// LeaderWorkerSet groups) count for their teams in the cluster too.
	requested := func(args ...string) map[string]string {
		_, out, stderr := aigov(t, "", append([]string{"quota", "gpu", "-o", "json"}, args...)...)
		var report struct {
			Teams []struct {
				Team      string `json:"team"`
				Resources []struct {
					Resource  string `json:"resource"`
					Requested string `json:"requested"`
				} `json:"resources"`
			} `json:"teams"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &report), stderr)
		m := map[string]string{}
		for _, team := range report.Teams {
			for _, res := range team.Resources {
				m[team.Team+" "+res.Resource] = res.Requested
			}
		}
		return m
	}
	gpusFromFiles := requested("-f", platform+"/fixed")
	require.Equal(t, "10", gpusFromFiles["cv nvidia.com/gpu"], "notebook 1, Job 4, Ray workers 2, PyTorchJob 3")
	gpusFromCluster := requested("--kubeconfig", env.Kubeconfig)
	for _, team := range []string{"cv nvidia.com/gpu", "nlp nvidia.com/gpu"} {
		assert.Equal(t, gpusFromFiles[team], gpusFromCluster[team], team)
	}

	// The model server behind the Gateway is followed listener -> HTTPRoute
	// -> InferencePool -> LeaderWorkerSet pods.
	_, exposure, stderr := aigov(t, "", "exposure", "--kubeconfig", env.Kubeconfig)
	assert.Contains(t, exposure, "model-server LeaderWorkerSet/nlp-team/llama-chat", stderr)
	assert.Contains(t, exposure, "Gateway platform/inference-gateway listener https (HTTPRoute nlp-team/llama-chat spec.rules[0].backendRefs[0] -> InferencePool nlp-team/llama-chat)")

	code, _, stderr = aigov(t, "", "check", "--kubeconfig", env.Kubeconfig, "-f", platform)
	assert.Equal(t, 2, code, "files and a cluster are exclusive")
	assert.Contains(t, stderr, "not both")
}

// customResourceKinds are the kinds of the example platform that only a
// CRD makes the apiserver serve.
var customResourceKinds = map[string]bool{"RayCluster": true, "PyTorchJob": true, "LeaderWorkerSet": true,
	"InferencePool": true, "HTTPRoute": true, "Gateway": true}

// TestCheckLiveClusterOperatorMistakes is differential: the mistakes
// variant of the example platform, applied to a real kube-apiserver with the
// operators' and Gateway API CRDs (everything but the ResourceQuota the
// apiserver refuses on purpose, mistake 3a), gives `aigov check
// --kubeconfig` the same findings on the custom resources as `aigov check
// -f` on the files. It runs on a control plane of its own: the shared one
// holds the fixed variant, under the same names.
func TestCheckLiveClusterOperatorMistakes(t *testing.T) {
	testenv.Shared(t) // fails, or skips, as every control-plane test does
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env, err := testenv.Start(ctx)
	require.NoError(t, err)
	t.Cleanup(env.Stop)
	_, err = env.InstallAICRDs(ctx)
	require.NoError(t, err)

	var refused []string
	applied := 0
	files, err := filepath.Glob(filepath.Join(platform, "*.yaml"))
	require.NoError(t, err)
	sort.Strings(files)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		objs, err := testenv.DecodeManifests(data)
		require.NoError(t, err, file)
		for _, obj := range objs {
			if _, err := env.ApplyObjects(ctx, obj); err != nil {
				refused = append(refused, obj.GetKind()+" "+obj.GetNamespace()+"/"+obj.GetName())
				assert.Contains(t, err.Error(), "must be a standard resource for quota", obj.GetName())
				continue
			}
			applied++
		}
	}
	require.Equal(t, []string{"ResourceQuota recs-team/recs-compute"}, refused, "only mistake 3a is refused")

	findings := func(args ...string) []string {
		code, out, stderr := aigov(t, "", append([]string{"check", "-o", "json"}, args...)...)
		require.Equal(t, 1, code, stderr)
		var r jsonReport
		require.NoError(t, json.Unmarshal([]byte(out), &r))
		var got []string
		for _, f := range r.Findings {
			kind, _, _ := strings.Cut(f.Object, "/")
			if customResourceKinds[kind] {
				got = append(got, f.Check+" "+f.Namespace+" "+f.Object+" "+f.Path)
			}
		}
		sort.Strings(got)
		return got
	}
	fromFiles := findings("-f", platform)
	for _, want := range []string{
		"privileged-container cv-team RayCluster/cv-ray spec.workerGroupSpecs[0].template.spec.containers[0].securityContext.privileged",
		"host-namespaces cv-team PyTorchJob/detector-finetune spec.pytorchReplicaSpecs[Worker].template.spec.hostNetwork",
		"inference-pool-selects-non-model-servers nlp-team InferencePool/llama-chat spec.selector.matchLabels",
	} {
		require.Contains(t, fromFiles, want)
	}
	assert.Equal(t, fromFiles, findings("--kubeconfig", env.Kubeconfig))
	assert.Positive(t, applied)
}
