package cel

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
)

func mutatingTestPolicy(selector map[string]string, ids ...string) *governance.Policy {
	p := &governance.Policy{Name: "mt"}
	for _, id := range ids {
		e := governance.PolicyEntry{ID: id}
		if selector != nil {
			e.Match.NamespaceSelector = &metav1.LabelSelector{MatchLabels: selector}
		}
		p.Entries = append(p.Entries, e)
	}
	return p
}

func TestGenerateMutatingVersionAndShape(t *testing.T) {
	old, err := NewCompiler("1.35")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.GenerateMutating(mutatingTestPolicy(nil, "automount-token"), testDefinitions()); err == nil || !strings.Contains(err.Error(), "1.35") || !strings.Contains(err.Error(), "1.36") {
		t.Fatalf("1.35: want an error naming 1.35 and 1.36, got %v", err)
	}
	if _, err := GeneratePolicyMutating(mutatingTestPolicy(nil, "automount-token"), testDefinitions(), "1.33"); err == nil || !strings.Contains(err.Error(), "1.33") {
		t.Fatalf("1.33: want a version error naming 1.33, got %v", err)
	}
	comp, err := NewCompiler("1.37")
	if err != nil {
		t.Fatal(err)
	}
	// latest-tag has no safe default: only automount-token gets a policy.
	gs, err := comp.GenerateMutating(mutatingTestPolicy(nil, "latest-tag", "automount-token"), testDefinitions())
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].ID != "automount-token" || gs[0].Entry != 1 {
		t.Fatalf("want one policy for entry 1 automount-token, got %+v", gs)
	}
	g := gs[0]
	if g.Policy.Name != "aigov-mt-automount-token" || g.Binding.Spec.PolicyName != g.Policy.Name {
		t.Errorf("names: policy %s, binding's policyName %s", g.Policy.Name, g.Binding.Spec.PolicyName)
	}
	ops := map[string][]admissionregistrationv1.OperationType{}
	for _, r := range g.Policy.Spec.MatchConstraints.ResourceRules {
		for _, res := range r.Resources {
			ops[res] = r.Operations
		}
	}
	for res, want := range map[string]int{"pods": 1, "jobs": 1, "deployments": 2, "cronjobs": 2, "replicationcontrollers": 2, "statefulsets": 2} {
		if len(ops[res]) != want {
			t.Errorf("%s: operations %v, want %d", res, ops[res], want)
		}
	}
	if _, ok := ops["pods/ephemeralcontainers"]; ok {
		t.Error("the ephemeral containers subresource must not be mutated")
	}
	data, err := MarshalMutating(gs)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: MutatingAdmissionPolicy\n", "kind: MutatingAdmissionPolicyBinding\n", "patchType: JSONPatch", "reinvocationPolicy: IfNeeded", "failurePolicy: Ignore"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("YAML lacks %q:\n%s", want, data)
		}
	}
}

// mutationCase is an object created twice on the apiserver: in a
// namespace the mutating policy binds and in one it does not.
type mutationCase struct {
	name string
	pod  *corev1.Pod
	// deployment, when set, is created instead of pod.
	deployment *appsv1.Deployment
	// mutated is whether the policy sets automountServiceAccountToken.
	mutated bool
}

func testPodSpec(mod func(*corev1.PodSpec)) corev1.PodSpec {
	s := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}}
	if mod != nil {
		mod(&s)
	}
	return s
}

func TestMutatingAPIServerAutomountToken(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sel := map[string]string{"aigov-mutating-test": "automount"}
	bound := env.CreateNamespace(t, "map-bound", sel)
	control := env.CreateNamespace(t, "map-control")

	comp, err := NewCompiler("1.37")
	if err != nil {
		t.Fatal(err)
	}
	gs, err := comp.GenerateMutating(mutatingTestPolicy(sel, "automount-token"), testDefinitions())
	if err != nil || len(gs) != 1 {
		t.Fatalf("generate: %v (%d policies)", err, len(gs))
	}
	// Fail rather than the generated Ignore: a mutation that cannot run
	// must fail the test, not pass unnoticed.
	fail := admissionregistrationv1.Fail
	gs[0].Policy.Spec.FailurePolicy = &fail
	api := cs.AdmissionregistrationV1()
	if _, err := api.MutatingAdmissionPolicies().Create(ctx, gs[0].Policy, metav1.CreateOptions{}); err != nil {
		t.Fatalf("the apiserver refused the policy: %v", err)
	}
	t.Cleanup(func() {
		_ = api.MutatingAdmissionPolicies().Delete(context.Background(), gs[0].Policy.Name, metav1.DeleteOptions{})
	})
	if _, err := api.MutatingAdmissionPolicyBindings().Create(ctx, gs[0].Binding, metav1.CreateOptions{}); err != nil {
		t.Fatalf("the apiserver refused the binding: %v", err)
	}
	t.Cleanup(func() {
		_ = api.MutatingAdmissionPolicyBindings().Delete(context.Background(), gs[0].Binding.Name, metav1.DeleteOptions{})
	})

	// The policy takes effect once the apiserver's informers see it: poll
	// with a dry-run Pod lacking the field.
	probe := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probe"}, Spec: testPodSpec(nil)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := createPodRetry(ctx, t, cs.CoreV1().Pods(bound), probe, true)
		if err != nil {
			t.Fatal(err)
		}
		if got.Spec.AutomountServiceAccountToken != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("mutating policy not in effect after 30s")
		}
		time.Sleep(200 * time.Millisecond)
	}

	projected := func(s *corev1.PodSpec) {
		s.Volumes = []corev1.Volume{{Name: "api-token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}}},
		}}}}
	}
	cases := []mutationCase{
		{name: "absent", pod: &corev1.Pod{Spec: testPodSpec(nil)}, mutated: true},
		{name: "absent, init container and own volumes", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) {
			s.Volumes = []corev1.Volume{{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
			s.InitContainers = []corev1.Container{{Name: "fetch", Image: "registry.example/fetch:1", VolumeMounts: []corev1.VolumeMount{{Name: "cache", MountPath: "/cache"}}}}
			s.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "cache", MountPath: "/models"}}
			s.Containers = append(s.Containers, corev1.Container{Name: "sidecar", Image: "registry.example/side:1"})
		})}, mutated: true},
		{name: "true is left alone", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) { s.AutomountServiceAccountToken = ptr.To(true) })}},
		{name: "false is left alone", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) { s.AutomountServiceAccountToken = ptr.To(false) })}},
		{name: "projected token is left alone", pod: &corev1.Pod{Spec: testPodSpec(projected)}},
		{name: "deployment absent", deployment: testDeployment(testPodSpec(nil)), mutated: true},
		{name: "deployment projected token", deployment: testDeployment(testPodSpec(projected))},
	}
	check := newGoCheck(t, governance.PolicyEntry{ID: "automount-token"})
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "m" + strings.Repeat("x", i)
			var got any
			var gotSpec, wantSpec *corev1.PodSpec
			if c.pod != nil {
				p := c.pod.DeepCopy()
				p.Name = name
				g, err := createPodRetry(ctx, t, cs.CoreV1().Pods(bound), p, false)
				if err != nil {
					t.Fatal(err)
				}
				if c.mutated {
					// What the apiserver makes of the manifest written
					// compliant.
					p.Spec.AutomountServiceAccountToken = ptr.To(false)
				}
				w, err := createPodRetry(ctx, t, cs.CoreV1().Pods(control), p, false)
				if err != nil {
					t.Fatal(err)
				}
				got, gotSpec, wantSpec = g, &g.Spec, &w.Spec
			} else {
				d := c.deployment.DeepCopy()
				d.Name = name
				g, err := cs.AppsV1().Deployments(bound).Create(ctx, d, metav1.CreateOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if c.mutated {
					d.Spec.Template.Spec.AutomountServiceAccountToken = ptr.To(false)
				}
				w, err := cs.AppsV1().Deployments(control).Create(ctx, d, metav1.CreateOptions{})
				if err != nil {
					t.Fatal(err)
				}
				// Reinvocation: updating the mutated Deployment with itself
				// must change nothing (the generation stays).
				again, err := cs.AppsV1().Deployments(bound).Update(ctx, g.DeepCopy(), metav1.UpdateOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if again.Generation != g.Generation || !apiequality.Semantic.DeepEqual(again.Spec, g.Spec) {
					t.Errorf("a second invocation changed the Deployment: generation %d -> %d", g.Generation, again.Generation)
				}
				got, gotSpec, wantSpec = g, &g.Spec.Template.Spec, &w.Spec.Template.Spec
			}
			if c.mutated {
				if gotSpec.AutomountServiceAccountToken == nil || *gotSpec.AutomountServiceAccountToken {
					t.Fatalf("automountServiceAccountToken not set to false: %v", gotSpec.AutomountServiceAccountToken)
				}
				// The mutated object passes the Go check.
				if denied, vs := goVerdict(check, decodeServerObject(t, loader, got), nil); denied {
					t.Errorf("the mutated object fails automount-token: %v", vs)
				}
			}
			// Nothing else changed: the pod spec equals the one the
			// apiserver makes, where no policy applies, of the manifest
			// written compliant (of the same manifest when left alone).
			normalizeInjectedToken(gotSpec)
			normalizeInjectedToken(wantSpec)
			if !apiequality.Semantic.DeepEqual(gotSpec, wantSpec) {
				g, _ := json.Marshal(gotSpec)
				w, _ := json.Marshal(wantSpec)
				t.Errorf("pod spec differs beyond the safe default:\n got %s\nwant %s", g, w)
			}
		})
	}
}

func testDeployment(spec corev1.PodSpec) *appsv1.Deployment {
	labels := map[string]string{"app": "m"}
	return &appsv1.Deployment{Spec: appsv1.DeploymentSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
	}}
}

// createPodRetry creates a Pod, retrying while the ServiceAccount
// controller has not yet made the namespace's "default" account.
func createPodRetry(ctx context.Context, t *testing.T, pods interface {
	Create(context.Context, *corev1.Pod, metav1.CreateOptions) (*corev1.Pod, error)
}, p *corev1.Pod, dryRun bool) (*corev1.Pod, error) {
	t.Helper()
	opts := metav1.CreateOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	for attempt := 0; ; attempt++ {
		got, err := pods.Create(ctx, p, opts)
		if err != nil && strings.Contains(err.Error(), "service account") && attempt < 50 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		return got, err
	}
}

// decodeServerObject decodes an object the apiserver returned as aigov
// loads a manifest.
func decodeServerObject(t *testing.T, l *governance.Loader, obj any) *governance.Object {
	t.Helper()
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	switch obj.(type) {
	case *corev1.Pod:
		m["apiVersion"], m["kind"] = "v1", "Pod"
	case *appsv1.Deployment:
		m["apiVersion"], m["kind"] = "apps/v1", "Deployment"
	}
	delete(m, "status")
	data, _ = json.Marshal(m)
	objs, err := l.Decode("server.json", data)
	if err != nil || len(objs) != 1 {
		t.Fatalf("decode: %v (%d objects)", err, len(objs))
	}
	return objs[0]
}

// normalizeInjectedToken gives the token volume the ServiceAccount
// admission plugin adds (kube-api-access-<random>) one name, so that two
// pods made of the same manifest compare equal.
func normalizeInjectedToken(s *corev1.PodSpec) {
	const prefix, fixed = "kube-api-access-", "kube-api-access-injected"
	for i := range s.Volumes {
		if strings.HasPrefix(s.Volumes[i].Name, prefix) {
			s.Volumes[i].Name = fixed
		}
	}
	for _, cs := range [][]corev1.Container{s.Containers, s.InitContainers} {
		for i := range cs {
			for j := range cs[i].VolumeMounts {
				if strings.HasPrefix(cs[i].VolumeMounts[j].Name, prefix) {
					cs[i].VolumeMounts[j].Name = fixed
				}
			}
		}
	}
}
