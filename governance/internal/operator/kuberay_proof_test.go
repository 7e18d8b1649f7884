package operator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
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
	files, err := filepath.Glob(filepath.Join("testdata", "ray", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/ray/*.yaml: %v", err)
	}
	abs := make([]string, len(files))
	for i, f := range files {
		if abs[i], err = filepath.Abs(f); err != nil {
			t.Fatal(err)
		}
	}
	upstream := runKubeRayPods(t, abs)

	ours := map[string]kubeRayResource{}
	for _, f := range files {
		for _, r := range aigovRayPods(t, f) {
			ours[r.Kind+"/"+r.Name] = r
		}
	}
	if len(upstream) != len(ours) {
		t.Errorf("KubeRay built pods for %d resources, aigov for %d", len(upstream), len(ours))
	}
	var compared int
	for _, want := range upstream {
		key := want.Kind + "/" + want.Name
		got, ok := ours[key]
		if !ok {
			t.Errorf("%s: aigov derived no pods", key)
			continue
		}
		if gr, wr := kubeRayRoles(got), kubeRayRoles(want); !reflect.DeepEqual(gr, wr) {
			t.Errorf("%s: roles %q, KubeRay %q", key, gr, wr)
			continue
		}
		for i := range want.Pods {
			w, g := want.Pods[i], got.Pods[i]
			where := key + "[" + w.Role + "]"
			for _, d := range kubeRayDiff(kubeRayComparable(g), kubeRayComparable(w)) {
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
	Pods                  []kubeRayPod
}

type kubeRayPod struct {
	Role                     string
	Replicas                 int32
	MinReplicas, MaxReplicas *int32
	Pod                      corev1.Pod
}

func kubeRayRoles(r kubeRayResource) []string {
	var out []string
	for _, p := range r.Pods {
		out = append(out, p.Role)
	}
	return out
}

// runKubeRayPods runs cmd/kuberaypods of the nested module on files.
func runKubeRayPods(t *testing.T, files []string) []kubeRayResource {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "internal", "operatortest"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("the nested module: %v", err)
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goTool, append([]string{"run", "./cmd/kuberaypods"}, files...)...)
	cmd.Dir = dir
	// The nested module is its own: no workspace, and its go.sum as
	// committed (readonly: a missing sum fails rather than edits it).
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=readonly"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run ./cmd/kuberaypods in %s: %v\n%s", dir, err, stderr.String())
	}
	t.Logf("go run ./cmd/kuberaypods took %s", time.Since(start).Round(time.Millisecond))
	var out []kubeRayResource
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("kuberaypods output: %v", err)
	}
	return out
}

// aigovRayPods derives aigov's pods of every resource in a YAML file.
func aigovRayPods(t *testing.T, file string) []kubeRayResource {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []kubeRayResource
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if obj == nil {
			continue
		}
		gvk := schema.GroupVersionKind{Group: "ray.io", Version: "v1", Kind: String(obj, "kind")}
		k, ok := Find(gvk)
		if !ok {
			t.Fatalf("%s: %s is not a supported kind", file, gvk.Kind)
		}
		ts, unknown, err := k.Templates(obj)
		if err != nil || len(unknown) > 0 {
			t.Fatalf("%s: templates: %v, unknown fields %v", file, err, unknown)
		}
		r := &Resource{GVK: gvk, Namespace: String(obj, "metadata", "namespace"), Name: String(obj, "metadata", "name"),
			Labels: rayStringMap(Map(obj, "metadata", "labels")), Object: obj, Templates: ts}
		res := kubeRayResource{Kind: gvk.Kind, Namespace: r.Namespace, Name: r.Name}
		for _, p := range k.Pods(r, noRayLookup) {
			res.Pods = append(res.Pods, kubeRayPod{Role: p.Role, Replicas: p.Replicas, MinReplicas: p.MinReplicas,
				MaxReplicas: p.MaxReplicas, Pod: *p.Pod})
		}
		out = append(out, res)
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
func kubeRayComparable(p kubeRayPod) map[string]any {
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
	spec.Volumes = kubeRayWithoutOperatorVolumes(spec.Volumes)
	isRayPod := p.Role != rayJobSubmitterRole
	for i := range spec.Containers {
		c := &spec.Containers[i]
		c.VolumeMounts = kubeRayWithoutOperatorMounts(c.VolumeMounts)
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
	raw, err := json.Marshal(struct {
		Replicas                 int32
		MinReplicas, MaxReplicas *int32
		Pod                      *corev1.Pod
	}{p.Replicas, p.MinReplicas, p.MaxReplicas, pod})
	if err != nil {
		panic(err) // a corev1.Pod always marshals
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(err)
	}
	return m
}

func kubeRayWithoutOperatorVolumes(vs []corev1.Volume) []corev1.Volume {
	var out []corev1.Volume
	for _, v := range vs {
		if v.Name != "shared-mem" && v.Name != "ray-logs" {
			out = append(out, v)
		}
	}
	return out
}

func kubeRayWithoutOperatorMounts(ms []corev1.VolumeMount) []corev1.VolumeMount {
	var out []corev1.VolumeMount
	for _, m := range ms {
		if m.Name != "shared-mem" && m.Name != "ray-logs" {
			out = append(out, m)
		}
	}
	return out
}

// kubeRayDiff lists the differences between two JSON values by field
// path: "Pod.spec.containers[1].image: aigov "x", KubeRay "y"".
func kubeRayDiff(got, want any) []string {
	var out []string
	var walk func(path string, g, w any)
	walk = func(path string, g, w any) {
		gm, gok := g.(map[string]any)
		wm, wok := w.(map[string]any)
		if gok && wok {
			keys := map[string]bool{}
			for k := range gm {
				keys[k] = true
			}
			for k := range wm {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				walk(strings.TrimPrefix(path+"."+k, "."), gm[k], wm[k])
			}
			return
		}
		gs, gok := g.([]any)
		ws, wok := w.([]any)
		if gok && wok && len(gs) == len(ws) {
			for i := range gs {
				walk(fmt.Sprintf("%s[%d]", path, i), gs[i], ws[i])
			}
			return
		}
		if !reflect.DeepEqual(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			out = append(out, fmt.Sprintf("%s: aigov %s, KubeRay %s", path, gj, wj))
		}
	}
	walk("", got, want)
	return out
}
