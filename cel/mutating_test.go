package cel

import (
	"context"
	"encoding/json"
	"strconv"
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
	// Its mutation reads only the pod specs: a second policy patches the
	// AI operators' resources.
	if len(gs) != 2 || gs[0].ID != "automount-token" || gs[0].Entry != 1 || gs[0].Operators || !gs[1].Operators || gs[1].Entry != 1 ||
		gs[1].Policy.Name != "aigov-mt-automount-token"+OperatorsSuffix {
		t.Fatalf("want the policy of entry 1 automount-token and its operators' one, got %+v", gs)
	}
	for _, r := range gs[1].Policy.Spec.MatchConstraints.ResourceRules {
		if len(r.Operations) != 1 || r.Operations[0] != admissionregistrationv1.Create {
			t.Errorf("operators' resources %v: operations %v, want CREATE only", r.Resources, r.Operations)
		}
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
	// pod-security-level has safe defaults only: no VAP, its entry index
	// kept for the others.
	vs, ms, err := GeneratePolicyWithMutating(mutatingTestPolicy(nil, "pod-security-level", "automount-token"), testDefinitions(), "1.36")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].ID != "automount-token" || vs[0].Entry != 1 || vs[1].Entry != 1 {
		t.Errorf("validating policies: %+v", vs)
	}
	if len(ms) != 4 || ms[0].ID != "pod-security-level" || ms[0].Entry != 0 || ms[1].Entry != 0 || ms[2].Entry != 1 || ms[3].Entry != 1 {
		t.Errorf("mutating policies: %+v", ms)
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
	// fix writes the manifest compliant, as the policy should make it; nil
	// when the policy must leave the object alone.
	fix func(*corev1.PodSpec)
	// ownChoices marks a manifest that itself asks for what the check
	// forbids (privileged, SYS_ADMIN, Unconfined): the mutated object is
	// compared, not checked.
	ownChoices bool
}

func testPodSpec(mod func(*corev1.PodSpec)) corev1.PodSpec {
	s := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}}
	if mod != nil {
		mod(&s)
	}
	return s
}

// runMutationCases installs the mutating policy of the entry on the
// testenv apiserver, bound to a fresh namespace, and creates each case
// there and (written compliant by fix) in an unbound namespace: the pod
// specs must be equal, the mutated object must pass the Go check
// (passes, when set), and a Deployment updated with itself must not
// change.
func runMutationCases(t *testing.T, entry governance.PolicyEntry, cases []mutationCase, passes func(*testing.T, *governance.Object)) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sel := map[string]string{"aigov-mutating-test": entry.ID}
	bound := env.CreateNamespace(t, "map-bound", sel)
	control := env.CreateNamespace(t, "map-control")

	comp, err := NewCompiler("1.37")
	if err != nil {
		t.Fatal(err)
	}
	entry.Match.NamespaceSelector = &metav1.LabelSelector{MatchLabels: sel}
	gs, err := comp.GenerateMutating(&governance.Policy{Name: "mt", Entries: []governance.PolicyEntry{entry}}, testDefinitions())
	if err != nil || len(gs) == 0 || gs[0].Operators {
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
	// with a dry-run copy of the first case, which the policy mutates.
	probe := cases[0].pod.DeepCopy()
	probe.Name = "probe"
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := createPodRetry(ctx, t, cs.CoreV1().Pods(bound), probe, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflectEqualNormalized(got.Spec, createdSpec(ctx, t, cs.CoreV1().Pods(control), probe)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("mutating policy not in effect after 30s")
		}
		time.Sleep(200 * time.Millisecond)
	}

	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "m" + strconv.Itoa(i)
			var got any
			var gotSpec, wantSpec *corev1.PodSpec
			if c.pod != nil {
				p := c.pod.DeepCopy()
				p.Name = name
				g, err := createPodRetry(ctx, t, cs.CoreV1().Pods(bound), p, false)
				if err != nil {
					t.Fatal(err)
				}
				if c.fix != nil {
					c.fix(&p.Spec) // what the apiserver makes of the manifest written compliant
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
				if c.fix != nil {
					c.fix(&d.Spec.Template.Spec)
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
			if c.fix != nil && passes != nil && !c.ownChoices {
				passes(t, decodeServerObject(t, loader, got))
			}
			// Nothing else changed: the pod spec equals the one the
			// apiserver makes, where no policy applies, of the manifest
			// written compliant (of the same manifest when left alone).
			if !reflectEqualNormalized(*gotSpec, *wantSpec) {
				g, _ := json.Marshal(gotSpec)
				w, _ := json.Marshal(wantSpec)
				t.Errorf("pod spec differs from the compliant manifest's:\n got %s\nwant %s", g, w)
			}
		})
	}
}

// createdSpec is the spec of a dry-run create of p.
func createdSpec(ctx context.Context, t *testing.T, pods interface {
	Create(context.Context, *corev1.Pod, metav1.CreateOptions) (*corev1.Pod, error)
}, p *corev1.Pod) corev1.PodSpec {
	t.Helper()
	got, err := createPodRetry(ctx, t, pods, p, true)
	if err != nil {
		t.Fatal(err)
	}
	return got.Spec
}

// reflectEqualNormalized compares pod specs, the ServiceAccount plugin's
// token volume names made equal.
func reflectEqualNormalized(a, b corev1.PodSpec) bool {
	a, b = *a.DeepCopy(), *b.DeepCopy()
	normalizeInjectedToken(&a)
	normalizeInjectedToken(&b)
	return apiequality.Semantic.DeepEqual(a, b)
}

func TestMutatingAPIServerAutomountToken(t *testing.T) {
	projected := func(s *corev1.PodSpec) {
		s.Volumes = []corev1.Volume{{Name: "api-token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}}},
		}}}}
	}
	optOut := func(s *corev1.PodSpec) { s.AutomountServiceAccountToken = ptr.To(false) }
	cases := []mutationCase{
		{name: "absent", pod: &corev1.Pod{Spec: testPodSpec(nil)}, fix: optOut},
		{name: "absent, init container and own volumes", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) {
			s.Volumes = []corev1.Volume{{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
			s.InitContainers = []corev1.Container{{Name: "fetch", Image: "registry.example/fetch:1", VolumeMounts: []corev1.VolumeMount{{Name: "cache", MountPath: "/cache"}}}}
			s.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "cache", MountPath: "/models"}}
			s.Containers = append(s.Containers, corev1.Container{Name: "sidecar", Image: "registry.example/side:1"})
		})}, fix: optOut},
		{name: "true is left alone", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) { s.AutomountServiceAccountToken = ptr.To(true) })}},
		{name: "false is left alone", pod: &corev1.Pod{Spec: testPodSpec(optOut)}},
		{name: "projected token is left alone", pod: &corev1.Pod{Spec: testPodSpec(projected)}},
		{name: "deployment absent", deployment: testDeployment(testPodSpec(nil)), fix: optOut},
		{name: "deployment projected token", deployment: testDeployment(testPodSpec(projected))},
	}
	check := newGoCheck(t, governance.PolicyEntry{ID: "automount-token"})
	runMutationCases(t, governance.PolicyEntry{ID: "automount-token"}, cases, func(t *testing.T, o *governance.Object) {
		if denied, vs := goVerdict(check, o, nil); denied {
			t.Errorf("the mutated object fails automount-token: %v", vs)
		}
	})
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

func TestMutatingAPIServerPodSecurityDefaults(t *testing.T) {
	secure := func(c *corev1.Container) {
		if c.SecurityContext == nil {
			c.SecurityContext = &corev1.SecurityContext{}
		}
		sc := c.SecurityContext
		if sc.AllowPrivilegeEscalation == nil && !ptr.Deref(sc.Privileged, false) {
			sc.AllowPrivilegeEscalation = ptr.To(false)
		}
		if sc.Capabilities == nil {
			sc.Capabilities = &corev1.Capabilities{}
		}
		if sc.Capabilities.Drop == nil {
			sc.Capabilities.Drop = []corev1.Capability{"ALL"}
		}
	}
	runtimeDefault := func(s *corev1.PodSpec) {
		if s.SecurityContext == nil {
			s.SecurityContext = &corev1.PodSecurityContext{}
		}
		s.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}
	fixAll := func(s *corev1.PodSpec) {
		for i := range s.InitContainers {
			secure(&s.InitContainers[i])
		}
		for i := range s.Containers {
			secure(&s.Containers[i])
		}
		runtimeDefault(s)
	}
	withInit := func(s *corev1.PodSpec) {
		s.InitContainers = []corev1.Container{{Name: "fetch", Image: "registry.example/fetch:1"}}
		s.Containers = append(s.Containers, corev1.Container{Name: "side", Image: "registry.example/side:1",
			SecurityContext: &corev1.SecurityContext{RunAsUser: ptr.To[int64](1000)}})
	}
	cases := []mutationCase{
		{name: "bare pod with init container", pod: &corev1.Pod{Spec: testPodSpec(withInit)}, fix: fixAll},
		{name: "privileged keeps escalation, gets drop", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) {
			s.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true)}
		})}, fix: fixAll, ownChoices: true},
		{name: "added capability keeps its add, SYS_ADMIN keeps escalation", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) {
			s.Containers[0].SecurityContext = &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_ADMIN"}}}
		})}, fix: func(s *corev1.PodSpec) {
			s.Containers[0].SecurityContext.Capabilities.Drop = []corev1.Capability{"ALL"}
			runtimeDefault(s)
		}, ownChoices: true},
		{name: "container seccomp and own drop are kept", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) {
			s.Containers[0].SecurityContext = &corev1.SecurityContext{
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined},
				Capabilities:   &corev1.Capabilities{Drop: []corev1.Capability{"NET_RAW"}},
			}
		})}, fix: func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.AllowPrivilegeEscalation = ptr.To(false) }, ownChoices: true},
		{name: "compliant pod is left alone", pod: &corev1.Pod{Spec: testPodSpec(fixAll)}},
		{name: "windows pod is left alone", pod: &corev1.Pod{Spec: testPodSpec(func(s *corev1.PodSpec) { s.OS = &corev1.PodOS{Name: corev1.Windows} })}},
		{name: "deployment", deployment: testDeployment(testPodSpec(withInit)), fix: fixAll},
	}
	// The mutated objects pass the restricted profile but for runAsNonRoot
	// (which needs the image's user, not a safe default).
	check := newGoCheck(t, governance.PolicyEntry{ID: "pod-security-level", Params: json.RawMessage(`{"level": "restricted"}`)})
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	runMutationCases(t, governance.PolicyEntry{ID: "pod-security-level"}, cases, func(t *testing.T, o *governance.Object) {
		objs, err := loader.Decode("ns.yaml", []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: "+o.Namespace()+"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		ns := objs[0]
		_, vs := goVerdict(check, o, ns)
		for _, v := range vs {
			if !strings.Contains(v.Message, "runAsNonRoot") || strings.Contains(v.Message, "allowPrivilegeEscalation") || strings.Contains(v.Message, "seccompProfile") {
				t.Errorf("the mutated object fails restricted beyond runAsNonRoot: %s", v.Message)
			}
		}
	})
}
