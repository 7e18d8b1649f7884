package operator

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestKubeRayProof is issue #14's proof against the operator itself: the
// test-only module internal/operatortest calls KubeRay v1.5.0's own pod
// builders (its cmd/kuberaypods) on the resources in testdata/ray, and
// every pod aigov derives from them must equal KubeRay's, field by field,
// after the fields aigov does not derive are set aside on both sides (see
// kubeRayComparable). The nested module is outside ./..., so this test is
// what runs it under the README's test command; it builds the module
// (KubeRay and its Kubernetes dependencies; minutes on a cold build
// cache), so -short skips it, and nothing else does: a module that cannot
// be fetched or built fails the test.
func TestKubeRayProof(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the proof builds KubeRay in internal/operatortest")
	}
	files := proofTestdata(t, "ray")
	var upstream []kubeRayResource
	if err := json.Unmarshal(runOperatorTest(t, "kuberaypods", files), &upstream); err != nil {
		t.Fatalf("kuberaypods output: %v", err)
	}

	ours := map[string][]Pod{}
	for _, f := range files {
		for _, r := range proofResources(t, f, "ray.io", "v1") {
			k, _ := Find(r.GVK)
			ours[r.GVK.Kind+"/"+r.Name] = k.Pods(r, noRayLookup)
		}
	}
	if len(upstream) != len(ours) {
		t.Errorf("KubeRay built pods for %d resources, aigov for %d", len(upstream), len(ours))
	}
	var compared int
	for _, res := range upstream {
		key := res.Kind + "/" + res.Name
		got, ok := ours[key]
		if !ok {
			t.Errorf("%s: aigov derived no pods", key)
			continue
		}
		want := make([]Pod, len(res.Pods))
		for i, p := range res.Pods {
			want[i] = Pod{Role: p.Role, Replicas: p.Replicas, MinReplicas: p.MinReplicas, MaxReplicas: p.MaxReplicas, Pod: &p.Pod}
		}
		if gr, wr := proofRoles(got), proofRoles(want); !slices.Equal(gr, wr) {
			t.Errorf("%s: roles %q, KubeRay %q", key, gr, wr)
			continue
		}
		for i := range want {
			where := key + "[" + want[i].Role + "]"
			for _, d := range proofDiff(kubeRayComparable(got[i]), kubeRayComparable(want[i]), "KubeRay") {
				t.Errorf("%s: %s", where, d)
			}
			compared++
		}
	}
	if compared < 25 {
		t.Errorf("only %d pods compared; the testdata should give more", compared)
	}
	t.Logf("%d pods of %d resources equal KubeRay v1.5.0's", compared, len(upstream))
}

// kubeRayResource is one resource with its pods, as cmd/kuberaypods
// prints it.
type kubeRayResource struct {
	Kind, Namespace, Name string
	Pods                  []struct {
		Role                     string
		Replicas                 int32
		MinReplicas, MaxReplicas *int32
		Pod                      corev1.Pod
	}
}

// kubeRayComparable is a pod with its counts, reduced to what aigov
// derives; both sides go through it. Compared: replica counts and bounds;
// the pod's name (KubeRay's generateName without its trailing dash),
// namespace, labels and annotations; the whole pod spec (service account,
// restart policy, every container and init container with image, pull
// policy, resources, ports, security context, and the rest as written).
// Set aside, because BuildPod rewrites or adds them from the operator's
// runtime state and no aigov analysis reads them: on the Ray container
// (container 0) the command, args, env and probes; the command, args and
// env of the containers KubeRay injects (autoscaler, wait-gcs-ready,
// ray-job-submitter: it writes them from the dashboard URL and job ID the
// RayJob's status holds); the FQ_RAY_IP and RAY_IP env BuildPod appends to
// every init container; the shared-mem and ray-logs volumes and mounts it
// adds; and the annotations ray.io/ft-enabled and
// ray.io/external-storage-namespace. (cmd/kuberaypods cannot call the
// unexported configureSubmitterContainer that writes the submitter's
// command and env; they are set aside here either way.)
func kubeRayComparable(p Pod) map[string]any {
	pod := p.Pod.DeepCopy()
	if pod.Name == "" {
		pod.Name = strings.TrimSuffix(pod.GenerateName, "-")
	}
	pod.GenerateName = ""
	pod.TypeMeta = metav1.TypeMeta{}
	delete(pod.Annotations, "ray.io/ft-enabled")
	delete(pod.Annotations, "ray.io/external-storage-namespace")
	if len(pod.Annotations) == 0 {
		pod.Annotations = nil
	}
	spec := &pod.Spec
	spec.Volumes = slices.DeleteFunc(spec.Volumes, func(v corev1.Volume) bool { return kubeRayOperatorVolume(v.Name) })
	isRayPod := p.Role != rayJobSubmitterRole
	for i := range spec.Containers {
		c := &spec.Containers[i]
		c.VolumeMounts = slices.DeleteFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return kubeRayOperatorVolume(m.Name) })
		injected := c.Name == rayAutoscalerName || c.Name == raySubmitterName
		if (isRayPod && i == 0) || injected {
			c.Command, c.Args, c.Env = nil, nil, nil
		}
		if isRayPod && i == 0 {
			c.LivenessProbe, c.ReadinessProbe = nil, nil
		}
		if len(c.VolumeMounts) == 0 {
			c.VolumeMounts = nil
		}
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if c.Name == rayWaitGCSName {
			c.Command, c.Args = nil, nil
		}
		var env []corev1.EnvVar
		for _, e := range c.Env {
			if e.Name != "FQ_RAY_IP" && e.Name != "RAY_IP" {
				env = append(env, e)
			}
		}
		c.Env = env
	}
	p.Pod = pod
	return proofComparable(p)
}

// kubeRayOperatorVolume tells the volumes (and their mounts) BuildPod
// adds: shared-mem and ray-logs.
func kubeRayOperatorVolume(name string) bool {
	return name == "shared-mem" || name == "ray-logs"
}
