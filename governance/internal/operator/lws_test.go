package operator

import (
	"crypto/sha1" //nolint:gosec // the expected group-key is SHA-1, as upstream computes it
	"encoding/hex"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func lwsTestPods(t *testing.T, doc string) []Pod {
	t.Helper()
	k, r, _, err := testDecode(t, doc)
	if err != nil {
		t.Fatalf("templates: %v", err)
	}
	return k.Pods(r, nil)
}

func lwsTestEnv(c corev1.Container) []string {
	var out []string
	for _, e := range c.Env {
		out = append(out, e.Name+"="+e.Value)
	}
	return out
}

const lwsWithLeader = `
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: vllm
  namespace: llm
spec:
  replicas: 3
  leaderWorkerTemplate:
    size: 4
    leaderTemplate:
      metadata:
        labels:
          role: leader
          leaderworkerset.sigs.k8s.io/worker-index: "7"
      spec:
        serviceAccountName: vllm-sa
        containers:
        - name: leader
          image: vllm/vllm-openai:v0.9.0
          env:
          - name: LWS_GROUP_SIZE
            value: "99"
          - name: MODEL
            value: llama
        initContainers:
        - name: fetch
          image: busybox
    workerTemplate:
      metadata:
        labels:
          role: worker
      spec:
        containers:
        - name: worker
          image: vllm/vllm-openai:v0.9.0
          resources:
            limits:
              nvidia.com/gpu: "8"
`

func TestLWSTemplates(t *testing.T) {
	_, r, unknown, err := testDecode(t, lwsWithLeader)
	if err != nil || len(unknown) != 0 {
		t.Fatalf("templates: unknown %v, err %v", unknown, err)
	}
	if len(r.Templates) != 2 {
		t.Fatalf("templates = %d, want 2", len(r.Templates))
	}
	for i, want := range []struct{ path, role, container string }{
		{"spec.leaderWorkerTemplate.leaderTemplate.spec", "leader", "leader"},
		{"spec.leaderWorkerTemplate.workerTemplate.spec", "worker", "worker"},
	} {
		got := r.Templates[i]
		if got.Path != want.path || got.Role != want.role || got.Spec.Containers[0].Name != want.container {
			t.Errorf("template %d = %s %q %s, want %s %q %s", i, got.Path, got.Role, got.Spec.Containers[0].Name,
				want.path, want.role, want.container)
		}
	}
	if got := r.Templates[0].MetaPath(); got != "spec.leaderWorkerTemplate.leaderTemplate.metadata" {
		t.Errorf("leader MetaPath = %s", got)
	}
}

func TestLWSTemplatesUnknownFieldsAndWrongTypes(t *testing.T) {
	doc := strings.Replace(lwsWithLeader, "        - name: worker\n", "        - name: worker\n          imagePolicy: Always\n", 1)
	_, _, unknown, err := testDecode(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].imagePolicy"
	if len(unknown) != 1 || unknown[0] != want {
		t.Errorf("unknown = %v, want [%s]", unknown, want)
	}
	bad := strings.Replace(lwsWithLeader, "serviceAccountName: vllm-sa", "serviceAccountName: [a]", 1)
	if _, _, _, err := testDecode(t, bad); err == nil || !strings.Contains(err.Error(), "spec.leaderWorkerTemplate.leaderTemplate") {
		t.Errorf("wrong type error = %v, want one naming the leader template", err)
	}
}

func TestLWSPodsWithLeaderTemplate(t *testing.T) {
	pods := lwsTestPods(t, lwsWithLeader)
	if len(pods) != 2 {
		t.Fatalf("pods = %d, want 2", len(pods))
	}
	sum := sha1.Sum([]byte("llm/vllm-0")) //nolint:gosec // see the import
	groupKey := hex.EncodeToString(sum[:])

	leader := testPodOfRole(t, pods, "leader")
	if leader.Replicas != 3 || leader.SpecPath != "spec.leaderWorkerTemplate.leaderTemplate.spec" ||
		leader.MinReplicas != nil || leader.MaxReplicas != nil {
		t.Errorf("leader = %d pods from %s (min %v max %v), want 3 from the leader template, no bounds",
			leader.Replicas, leader.SpecPath, leader.MinReplicas, leader.MaxReplicas)
	}
	lp := leader.Pod
	if lp.Name != "vllm" || lp.Namespace != "llm" || lp.Spec.ServiceAccountName != "vllm-sa" || lp.Spec.Subdomain != "vllm" {
		t.Errorf("leader pod %s/%s sa %q subdomain %q", lp.Namespace, lp.Name, lp.Spec.ServiceAccountName, lp.Spec.Subdomain)
	}
	for k, v := range map[string]string{
		"role": "leader", lwsNameKey: "vllm", lwsWorkerIndexKey: "0", lwsGroupIndexKey: "0", lwsGroupKeyKey: groupKey,
	} {
		if lp.Labels[k] != v {
			t.Errorf("leader label %s = %q, want %q", k, lp.Labels[k], v)
		}
	}
	if lp.Annotations[lwsSizeKey] != "4" {
		t.Errorf("leader size annotation = %q", lp.Annotations[lwsSizeKey])
	}
	// The webhook's vars come first and replace the container's own.
	wantEnv := "LWS_LEADER_ADDRESS=vllm-0.vllm.llm LWS_GROUP_SIZE=4 LWS_WORKER_INDEX=0 MODEL=llama"
	if got := strings.Join(lwsTestEnv(lp.Spec.Containers[0]), " "); got != wantEnv {
		t.Errorf("leader env = %s, want %s", got, wantEnv)
	}
	if got := strings.Join(lwsTestEnv(lp.Spec.InitContainers[0]), " "); got != "LWS_LEADER_ADDRESS=vllm-0.vllm.llm LWS_GROUP_SIZE=4 LWS_WORKER_INDEX=0" {
		t.Errorf("init container env = %s", got)
	}

	worker := testPodOfRole(t, pods, "worker")
	if worker.Replicas != 9 || worker.SpecPath != "spec.leaderWorkerTemplate.workerTemplate.spec" {
		t.Errorf("worker = %d pods from %s, want 9 (3 groups x 3) from the worker template", worker.Replicas, worker.SpecPath)
	}
	wp := worker.Pod
	if wp.Name != "vllm-0" || wp.Spec.Subdomain != "vllm" {
		t.Errorf("worker pod name %q subdomain %q", wp.Name, wp.Spec.Subdomain)
	}
	for k, v := range map[string]string{
		"role": "worker", lwsNameKey: "vllm", lwsWorkerIndexKey: "1", lwsGroupIndexKey: "0", lwsGroupKeyKey: groupKey,
	} {
		if wp.Labels[k] != v {
			t.Errorf("worker label %s = %q, want %q", k, wp.Labels[k], v)
		}
	}
	if wp.Annotations[lwsLeaderNameKey] != "vllm-0" || wp.Annotations[lwsSizeKey] != "4" {
		t.Errorf("worker annotations = %v", wp.Annotations)
	}
	if got := strings.Join(lwsTestEnv(wp.Spec.Containers[0]), " "); got != "LWS_LEADER_ADDRESS=vllm-0.vllm.llm LWS_GROUP_SIZE=4 LWS_WORKER_INDEX=1" {
		t.Errorf("worker env = %s", got)
	}
	// The template is not modified by deriving pods.
	_, r, _, _ := testDecode(t, lwsWithLeader)
	if len(r.Templates[1].Spec.Containers[0].Env) != 0 {
		t.Error("the worker template gained env")
	}
}

func TestLWSPodCounts(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		spec                 string
		leaders, workers     int32
		noWorker             bool
		leaderPath           string
		maxLeader, maxWorker *int32
	}{
		{name: "defaults: one group of one", spec: "", leaders: 1, noWorker: true,
			leaderPath: lwsWorkerTemplatePath},
		{name: "no leader template", spec: "  replicas: 2\n  leaderWorkerTemplate:\n    size: 4\n",
			leaders: 2, workers: 6, leaderPath: lwsWorkerTemplatePath},
		{name: "zero replicas", spec: "  replicas: 0\n  leaderWorkerTemplate:\n    size: 3\n",
			leaders: 0, workers: 0, leaderPath: lwsWorkerTemplatePath},
		{name: "maxSurge int", spec: "  replicas: 4\n  rolloutStrategy:\n    rollingUpdateConfiguration:\n      maxSurge: 2\n  leaderWorkerTemplate:\n    size: 2\n",
			leaders: 4, workers: 4, leaderPath: lwsWorkerTemplatePath, maxLeader: Ptr[int32](6), maxWorker: Ptr[int32](6)},
		{name: "maxSurge percent rounds up", spec: "  replicas: 3\n  rolloutStrategy:\n    rollingUpdateConfiguration:\n      maxSurge: 50%\n  leaderWorkerTemplate:\n    size: 3\n",
			leaders: 3, workers: 6, leaderPath: lwsWorkerTemplatePath, maxLeader: Ptr[int32](5), maxWorker: Ptr[int32](10)},
		{name: "maxSurge capped at replicas", spec: "  replicas: 1\n  rolloutStrategy:\n    rollingUpdateConfiguration:\n      maxSurge: 5\n  leaderWorkerTemplate:\n    size: 2\n",
			leaders: 1, workers: 1, leaderPath: lwsWorkerTemplatePath, maxLeader: Ptr[int32](2), maxWorker: Ptr[int32](2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata:\n  name: w\n  namespace: ns\nspec:\n" + tc.spec
			if !strings.Contains(tc.spec, "leaderWorkerTemplate:") {
				doc += "  leaderWorkerTemplate:\n"
			}
			doc += "    workerTemplate:\n      spec:\n        containers:\n        - name: c\n          image: i\n"
			pods := lwsTestPods(t, doc)
			leader := testPodOfRole(t, pods, "leader")
			if leader.Replicas != tc.leaders || leader.SpecPath != tc.leaderPath {
				t.Errorf("leader = %d from %s, want %d from %s", leader.Replicas, leader.SpecPath, tc.leaders, tc.leaderPath)
			}
			checkBound(t, "leader max", leader.MaxReplicas, tc.maxLeader)
			if tc.noWorker {
				if len(pods) != 1 {
					t.Errorf("pods = %d, want only the leader", len(pods))
				}
				return
			}
			worker := testPodOfRole(t, pods, "worker")
			if worker.Replicas != tc.workers {
				t.Errorf("workers = %d, want %d", worker.Replicas, tc.workers)
			}
			checkBound(t, "worker max", worker.MaxReplicas, tc.maxWorker)
			if tc.maxLeader != nil && (leader.MinReplicas == nil || *leader.MinReplicas != tc.leaders) {
				t.Errorf("leader min = %v, want %d", leader.MinReplicas, tc.leaders)
			}
		})
	}
}

func checkBound(t *testing.T, what string, got, want *int32) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil || *got != *want:
		t.Errorf("%s = %v, want %v", what, lwsDeref(got), lwsDeref(want))
	}
}

// lwsDeref renders an optional count.
func lwsDeref(p *int32) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestLWSUniquePerReplicaSubdomain(t *testing.T) {
	doc := strings.Replace(lwsWithLeader, "  replicas: 3\n", "  replicas: 3\n  networkConfig:\n    subdomainPolicy: UniquePerReplica\n", 1)
	pods := lwsTestPods(t, doc)
	for _, role := range []string{"leader", "worker"} {
		p := testPodOfRole(t, pods, role).Pod
		if p.Spec.Subdomain != "vllm-0" {
			t.Errorf("%s subdomain = %q, want vllm-0 (the group's own service)", role, p.Spec.Subdomain)
		}
		if got := p.Spec.Containers[0].Env[0].Value; got != "vllm-0.vllm-0.llm" {
			t.Errorf("%s LWS_LEADER_ADDRESS = %q", role, got)
		}
	}
	if got := testPodOfRole(t, pods, "leader").Pod.Annotations[lwsSubdomainKey]; got != "UniquePerReplica" {
		t.Errorf("leader subdomainPolicy annotation = %q", got)
	}
}

func TestLWSWithoutWorkerTemplateHasNoPods(t *testing.T) {
	doc := "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata:\n  name: w\nspec:\n  replicas: 2\n"
	if pods := lwsTestPods(t, doc); len(pods) != 0 {
		t.Errorf("pods = %d, want none", len(pods))
	}
}
