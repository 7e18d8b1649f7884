package governance_test

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/aigov/aigov/governance"
)

// only loads one object and returns it typed.
func only[T any](t *testing.T, input string) T {
	t.Helper()
	inv := loadString(t, "defaults.yaml", input)
	if inv.Len() != 1 {
		t.Fatalf("%d objects, want 1", inv.Len())
	}
	obj, ok := inv.Objects()[0].Obj.(T)
	if !ok {
		t.Fatalf("decoded %T", inv.Objects()[0].Obj)
	}
	return obj
}

func q(s string) resource.Quantity { return resource.MustParse(s) }

func TestDefaultNamespaceNameLabel(t *testing.T) {
	ns := only[*corev1.Namespace](t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml, labels: {team: a}}\n")
	if want := map[string]string{"team": "a", "kubernetes.io/metadata.name": "ml"}; !reflect.DeepEqual(ns.Labels, want) {
		t.Errorf("labels %v, want %v", ns.Labels, want)
	}
	// A label that says otherwise is overwritten, as the apiserver does.
	ns = only[*corev1.Namespace](t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml, labels: {kubernetes.io/metadata.name: other}}\n")
	if got := ns.Labels["kubernetes.io/metadata.name"]; got != "ml" {
		t.Errorf("label %q, want ml", got)
	}
}

func TestDefaultNetworkPolicy(t *testing.T) {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	for _, tc := range []struct {
		name, spec string
		types      []networkingv1.PolicyType
	}{
		{"ingress only", "ingress: [{from: [{podSelector: {}}]}]", []networkingv1.PolicyType{"Ingress"}},
		{"no rules at all", "podSelector: {}", []networkingv1.PolicyType{"Ingress"}},
		{"egress rules", "egress: [{to: [{podSelector: {}}]}]", []networkingv1.PolicyType{"Ingress", "Egress"}},
		{"empty egress list", "egress: []", []networkingv1.PolicyType{"Ingress"}},
		{"explicit types kept", "policyTypes: [Egress]\n  egress: [{}]", []networkingv1.PolicyType{"Egress"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			np := only[*networkingv1.NetworkPolicy](t, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  "+tc.spec+"\n")
			if !reflect.DeepEqual(np.Spec.PolicyTypes, tc.types) {
				t.Errorf("policyTypes %v, want %v", np.Spec.PolicyTypes, tc.types)
			}
		})
	}
	np := only[*networkingv1.NetworkPolicy](t, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec:
  ingress: [{ports: [{port: 80}, {port: 53, protocol: UDP}]}]
  egress: [{ports: [{port: 443}]}]
`)
	if got := np.Spec.Ingress[0].Ports; *got[0].Protocol != tcp || *got[1].Protocol != udp {
		t.Errorf("ingress port protocols %v %v, want TCP UDP", *got[0].Protocol, *got[1].Protocol)
	}
	if got := np.Spec.Egress[0].Ports[0].Protocol; *got != tcp {
		t.Errorf("egress port protocol %v, want TCP", *got)
	}
}

func TestDefaultService(t *testing.T) {
	svc := only[*corev1.Service](t, `apiVersion: v1
kind: Service
metadata: {name: llm}
spec:
  ports:
  - port: 8000
  - port: 9000
    targetPort: metrics
    protocol: UDP
`)
	if svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("type %q", svc.Spec.Type)
	}
	want := []corev1.ServicePort{
		{Port: 8000, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8000)},
		{Port: 9000, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromString("metrics")},
	}
	if !reflect.DeepEqual(svc.Spec.Ports, want) {
		t.Errorf("ports %+v, want %+v", svc.Spec.Ports, want)
	}
	svc = only[*corev1.Service](t, "apiVersion: v1\nkind: Service\nmetadata: {name: lb}\nspec: {type: LoadBalancer}\n")
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		t.Errorf("explicit type overwritten: %q", svc.Spec.Type)
	}
}

const limitsOnly = `
      initContainers:
      - name: init
        image: x
        resources:
          limits: {cpu: "1"}
      containers:
      - name: c
        image: x
        ports: [{containerPort: 80}]
        resources:
          limits: {cpu: "2", memory: 1Gi, nvidia.com/gpu: "1"}
          requests: {cpu: 500m}
`

func TestDefaultPodLimitsBecomeRequests(t *testing.T) {
	pod := only[*corev1.Pod](t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:"+
		indentBy(limitsOnly, -4))
	wantMain := corev1.ResourceList{"cpu": q("500m"), "memory": q("1Gi"), "nvidia.com/gpu": q("1")}
	if got := pod.Spec.Containers[0].Resources.Requests; !equalResources(got, wantMain) {
		t.Errorf("container requests %v, want %v", got, wantMain)
	}
	if got, want := pod.Spec.InitContainers[0].Resources.Requests, (corev1.ResourceList{"cpu": q("1")}); !equalResources(got, want) {
		t.Errorf("init container requests %v, want %v", got, want)
	}
	if got := pod.Spec.Containers[0].Ports[0].Protocol; got != corev1.ProtocolTCP {
		t.Errorf("port protocol %q", got)
	}
	if pod.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		t.Errorf("restartPolicy %q", pod.Spec.RestartPolicy)
	}
}

func TestDefaultTemplatesKeepLimitsOnly(t *testing.T) {
	inv := loadString(t, "deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: ai}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:`+limitsOnly)
	d := inv.Objects()[0].Obj.(*appsv1.Deployment)
	// The stored template is what the apiserver stores: no request copied.
	if got, want := d.Spec.Template.Spec.Containers[0].Resources.Requests, (corev1.ResourceList{"cpu": q("500m")}); !equalResources(got, want) {
		t.Errorf("template requests %v, want %v", got, want)
	}
	if got := d.Spec.Template.Spec.InitContainers[0].Resources.Requests; got != nil {
		t.Errorf("template init requests %v, want none", got)
	}
	// The workload's pod is the pod the cluster would create: it gets them.
	ws := inv.Workloads()
	if len(ws) != 1 {
		t.Fatalf("%d workloads", len(ws))
	}
	pod := ws[0].Pod
	if got, want := pod.Spec.Containers[0].Resources.Requests, (corev1.ResourceList{"cpu": q("500m"), "memory": q("1Gi"), "nvidia.com/gpu": q("1")}); !equalResources(got, want) {
		t.Errorf("workload pod requests %v, want %v", got, want)
	}
	if got, want := pod.Spec.InitContainers[0].Resources.Requests, (corev1.ResourceList{"cpu": q("1")}); !equalResources(got, want) {
		t.Errorf("workload pod init requests %v, want %v", got, want)
	}
	if pod.Namespace != "ai" || pod.Name != "d" || pod.Labels["app"] != "d" {
		t.Errorf("workload pod meta %s/%s %v", pod.Namespace, pod.Name, pod.Labels)
	}
	// Deriving the pod does not change the stored template.
	if got := d.Spec.Template.Spec.Containers[0].Resources.Requests; len(got) != 1 {
		t.Errorf("template requests changed to %v", got)
	}
}

func TestDefaultPodSpecFields(t *testing.T) {
	job := only[*batchv1.Job](t, `apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      serviceAccount: legacy
      restartPolicy: OnFailure
      containers: [{name: c, image: x}]
`)
	spec := job.Spec.Template.Spec
	if spec.ServiceAccountName != "legacy" || spec.DeprecatedServiceAccount != "legacy" {
		t.Errorf("serviceAccountName %q, serviceAccount %q", spec.ServiceAccountName, spec.DeprecatedServiceAccount)
	}
	if spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Errorf("explicit restartPolicy overwritten: %q", spec.RestartPolicy)
	}
	pod := only[*corev1.Pod](t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  serviceAccountName: new\n  containers: [{name: c, image: x}]\n")
	if pod.Spec.ServiceAccountName != "new" || pod.Spec.DeprecatedServiceAccount != "new" {
		t.Errorf("serviceAccountName %q, serviceAccount %q", pod.Spec.ServiceAccountName, pod.Spec.DeprecatedServiceAccount)
	}
}

func TestDefaultReplicas(t *testing.T) {
	tmpl := "  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: x}]}}\n"
	for _, kind := range []string{"apps/v1 Deployment", "apps/v1 ReplicaSet", "apps/v1 StatefulSet", "v1 ReplicationController"} {
		t.Run(kind, func(t *testing.T) {
			var apiVersion, k string
			for i := range kind {
				if kind[i] == ' ' {
					apiVersion, k = kind[:i], kind[i+1:]
				}
			}
			spec := tmpl
			if k == "ReplicationController" {
				spec = "  selector: {a: b}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: x}]}}\n"
			}
			inv := loadString(t, "r.yaml", "apiVersion: "+apiVersion+"\nkind: "+k+"\nmetadata: {name: r}\nspec:\n"+spec)
			ws := inv.Workloads()
			if len(ws) != 1 || ws[0].Replicas != 1 {
				t.Fatalf("workloads %+v", ws)
			}
			v := reflect.ValueOf(inv.Objects()[0].Obj).Elem().FieldByName("Spec").FieldByName("Replicas")
			if v.IsNil() || v.Elem().Int() != 1 {
				t.Errorf("spec.replicas not defaulted to 1")
			}
		})
	}
	for _, tc := range []struct {
		spec                     string
		parallelism, completions *int32
	}{
		{"", ptr[int32](1), ptr[int32](1)},
		{"parallelism: 4", ptr[int32](4), nil},
		{"completions: 8", ptr[int32](1), ptr[int32](8)},
		{"parallelism: 2\n  completions: 8", ptr[int32](2), ptr[int32](8)},
	} {
		job := only[*batchv1.Job](t, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  "+tc.spec+"\n  template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}\n")
		if !reflect.DeepEqual(job.Spec.Parallelism, tc.parallelism) || !reflect.DeepEqual(job.Spec.Completions, tc.completions) {
			t.Errorf("%q: parallelism %v completions %v, want %v %v", tc.spec, deref(job.Spec.Parallelism), deref(job.Spec.Completions), deref(tc.parallelism), deref(tc.completions))
		}
	}
}

func TestDefaultSecretType(t *testing.T) {
	s := only[*corev1.Secret](t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n")
	if s.Type != corev1.SecretTypeOpaque {
		t.Errorf("type %q", s.Type)
	}
	s = only[*corev1.Secret](t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\n")
	if s.Type != corev1.SecretTypeTLS {
		t.Errorf("explicit type overwritten: %q", s.Type)
	}
}

func TestDefaultLimitRange(t *testing.T) {
	lr := only[*corev1.LimitRange](t, `apiVersion: v1
kind: LimitRange
metadata: {name: lr}
spec:
  limits:
  - type: Container
    max: {cpu: "4", memory: 8Gi}
    min: {cpu: 100m, nvidia.com/gpu: "0"}
    default: {memory: 2Gi}
  - type: Container
    max: {cpu: "4"}
    defaultRequest: {cpu: 200m}
  - type: Pod
    max: {cpu: "8"}
`)
	items := lr.Spec.Limits
	check := func(name string, got, want corev1.ResourceList) {
		t.Helper()
		if !equalResources(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	// default from max where default lacks it; defaultRequest from default,
	// then from min.
	check("limits[0].default", items[0].Default, corev1.ResourceList{"cpu": q("4"), "memory": q("2Gi")})
	check("limits[0].defaultRequest", items[0].DefaultRequest, corev1.ResourceList{"cpu": q("4"), "memory": q("2Gi"), "nvidia.com/gpu": q("0")})
	check("limits[1].default", items[1].Default, corev1.ResourceList{"cpu": q("4")})
	check("limits[1].defaultRequest", items[1].DefaultRequest, corev1.ResourceList{"cpu": q("200m")})
	// Pod items get no defaults.
	check("limits[2].default", items[2].Default, nil)
	check("limits[2].defaultRequest", items[2].DefaultRequest, nil)
}

func TestDefaultQuantitiesRoundToMilli(t *testing.T) {
	rq := only[*corev1.ResourceQuota](t, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard: {requests.cpu: 0.0001, requests.memory: 1.5Gi}\n")
	if got := rq.Spec.Hard["requests.cpu"]; got.String() != "1m" {
		t.Errorf("requests.cpu %s, want 1m", got.String())
	}
	pod := only[*corev1.Pod](t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, resources: {requests: {cpu: 1500u}}}]\n")
	if got := pod.Spec.Containers[0].Resources.Requests["cpu"]; got.String() != "2m" {
		t.Errorf("cpu %s, want 2m", got.String())
	}
}

func TestDefaultRBACAPIGroup(t *testing.T) {
	inv := loadString(t, "rbac.yaml", `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: ai}
roleRef: {kind: Role, name: r}
subjects:
- {kind: User, name: alice}
- {kind: Group, name: ml}
- {kind: ServiceAccount, name: bot, namespace: ai}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {kind: ClusterRole, name: cr}
subjects: [{kind: Group, name: ml}]
`)
	for _, rb := range governance.Typed[*rbacv1.RoleBinding](inv) {
		if rb.RoleRef.APIGroup != rbacv1.GroupName {
			t.Errorf("roleRef.apiGroup %q", rb.RoleRef.APIGroup)
		}
		want := []string{rbacv1.GroupName, rbacv1.GroupName, ""}
		for i, s := range rb.Subjects {
			if s.APIGroup != want[i] {
				t.Errorf("subject %s apiGroup %q, want %q", s.Name, s.APIGroup, want[i])
			}
		}
	}
	for _, crb := range governance.Typed[*rbacv1.ClusterRoleBinding](inv) {
		if crb.RoleRef.APIGroup != rbacv1.GroupName || crb.Subjects[0].APIGroup != rbacv1.GroupName {
			t.Errorf("roleRef %q, subject %q", crb.RoleRef.APIGroup, crb.Subjects[0].APIGroup)
		}
	}
}

// `ingress: []` and no ingress are the same once stored.
func TestEmptyAndAbsentListsAreTheSame(t *testing.T) {
	empty := only[*networkingv1.NetworkPolicy](t, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, labels: {}, annotations: {}}
spec:
  podSelector: {matchLabels: {}, matchExpressions: []}
  ingress: []
  egress: []
`)
	absent := only[*networkingv1.NetworkPolicy](t, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec: {}
`)
	if !reflect.DeepEqual(empty, absent) {
		t.Errorf("empty lists and maps decode differently from absent ones:\n%+v\n%+v", empty, absent)
	}
	if empty.Spec.Ingress != nil {
		t.Errorf("ingress %#v, want nil", empty.Spec.Ingress)
	}
	// A rule with an empty peer list (all sources) is not an absent rule.
	np := only[*networkingv1.NetworkPolicy](t, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  ingress: [{from: []}]\n")
	if len(np.Spec.Ingress) != 1 || np.Spec.Ingress[0].From != nil {
		t.Errorf("ingress %#v, want one rule without peers", np.Spec.Ingress)
	}
}

// Kinds outside the apiserver's own groups are stored as JSON, where an
// empty list is not an absent one: they are not normalized.
func TestNonBuiltinKindsAreNotNormalized(t *testing.T) {
	anp := only[*anpv1alpha1.AdminNetworkPolicy](t, `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: anp}
spec:
  priority: 1
  subject: {namespaces: {}}
  ingress: []
`)
	if anp.Spec.Ingress == nil {
		t.Error("ingress: [] became nil")
	}
}

func equalResources(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

func ptr[T any](v T) *T { return &v }

func deref(p *int32) any {
	if p == nil {
		return nil
	}
	return *p
}

// indentBy shifts every line of s left by -n columns.
func indentBy(s string, n int) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if len(line) >= -n {
			lines[i] = line[-n:]
		}
	}
	return strings.Join(lines, "\n")
}
