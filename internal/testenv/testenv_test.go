package testenv_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aigov/aigov/internal/testenv"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestVersion(t *testing.T) {
	env := testenv.Shared(t)
	info, err := env.Client(t).Discovery().ServerVersion()
	require.NoError(t, err)
	assert.Equal(t, "1", info.Major)
	assert.Equal(t, "37", info.Minor)
	assert.Equal(t, "v1.37.2", info.GitVersion)
	assert.Equal(t, "v1.37.2", env.Version)
}

func TestKubeconfig(t *testing.T) {
	env := testenv.Shared(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", env.Kubeconfig)
	require.NoError(t, err)
	cs, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	_, err = cs.CoreV1().Namespaces().Get(testCtx(t), "kube-system", metav1.GetOptions{})
	require.NoError(t, err)
}

func TestNamespaceGetsDefaultServiceAccount(t *testing.T) {
	env := testenv.Shared(t)
	ctx := testCtx(t)
	cs := env.Client(t)

	ns := env.CreateNamespace(t, "roundtrip")
	other := env.CreateNamespace(t, "roundtrip")
	assert.NotEqual(t, ns, other, "namespace names must be unique")

	got, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, corev1.NamespaceActive, got.Status.Phase)

	sa, err := env.WaitForServiceAccount(ctx, ns, "default")
	require.NoError(t, err)
	assert.Equal(t, ns, sa.Namespace)
}

func sar(ctx context.Context, t *testing.T, cs kubernetes.Interface, user string, groups []string, attrs authorizationv1.ResourceAttributes) bool {
	t.Helper()
	resp, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
		Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups, ResourceAttributes: &attrs},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	return resp.Status.Allowed
}

func TestSubjectAccessReviewAndRoleBinding(t *testing.T) {
	env := testenv.Shared(t)
	ctx := testCtx(t)
	cs := env.Client(t)
	ns := env.CreateNamespace(t, "sar")
	attrs := authorizationv1.ResourceAttributes{Namespace: ns, Verb: "list", Resource: "secrets"}

	assert.True(t, sar(ctx, t, cs, testenv.AdminUser, []string{testenv.AdminGroup}, attrs), "admin may list secrets")
	assert.False(t, sar(ctx, t, cs, "alice", []string{"system:authenticated"}, attrs), "alice may not list secrets yet")

	// The same question through impersonation (kubectl auth can-i --as alice).
	alice := testenv.ClientFor(t, env.ImpersonatedConfig("alice"))
	_, err := alice.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	require.True(t, apierrors.IsForbidden(err), "want Forbidden, got %v", err)

	_, err = env.ApplyYAML(ctx, []byte(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-reads-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
`), testenv.WithNamespace(ns))
	require.NoError(t, err)

	// The RBAC authorizer reads bindings through an informer: poll.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		return sar(ctx, t, cs, "alice", []string{"system:authenticated"}, attrs), nil
	})
	require.NoError(t, err, "the RoleBinding must allow alice")
	_, err = alice.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)

	// Not in another namespace, and not another verb.
	other := attrs
	other.Namespace = "default"
	assert.False(t, sar(ctx, t, cs, "alice", []string{"system:authenticated"}, other))
	del := attrs
	del.Verb = "delete"
	assert.False(t, sar(ctx, t, cs, "alice", []string{"system:authenticated"}, del))

	// A service account identity through impersonation.
	_, err = testenv.ClientFor(t, env.ServiceAccountConfig(ns, "default")).CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	require.True(t, apierrors.IsForbidden(err), "want Forbidden, got %v", err)
}

func TestAggregatedClusterRole(t *testing.T) {
	env := testenv.Shared(t)
	ctx := testCtx(t)
	label := "aigov.dev/aggregate-to-" + env.CreateNamespace(t, "agg") // unique per run
	aggName, partName := label[len("aigov.dev/"):]+"-aggregate", label[len("aigov.dev/"):]+"-part"

	_, err := env.ApplyObjects(ctx,
		&rbacv1.ClusterRole{
			ObjectMeta:      metav1.ObjectMeta{Name: aggName},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{label: "true"}}}},
		},
		&rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: partName, Labels: map[string]string{label: "true"}},
			Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"serving.kserve.io"}, Resources: []string{"inferenceservices"}, Verbs: []string{"get", "list"}}},
		},
	)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = env.Client(t).RbacV1().ClusterRoles().Delete(context.Background(), aggName, metav1.DeleteOptions{})
		_ = env.Client(t).RbacV1().ClusterRoles().Delete(context.Background(), partName, metav1.DeleteOptions{})
	})

	cr, err := env.WaitForAggregatedClusterRole(ctx, aggName, func(cr *rbacv1.ClusterRole) bool { return len(cr.Rules) > 0 })
	require.NoError(t, err)
	require.Len(t, cr.Rules, 1)
	assert.Equal(t, []string{"serving.kserve.io"}, cr.Rules[0].APIGroups)
	assert.Equal(t, []string{"inferenceservices"}, cr.Rules[0].Resources)
	assert.Equal(t, []string{"get", "list"}, cr.Rules[0].Verbs)
}

func TestResourceQuotaChargesPod(t *testing.T) {
	env := testenv.Shared(t)
	ctx := testCtx(t)
	cs := env.Client(t)
	ns := env.CreateNamespace(t, "quota")

	_, err := env.ApplyYAML(ctx, []byte(`
apiVersion: v1
kind: ResourceQuota
metadata: {name: team}
spec:
  hard:
    pods: "3"
    requests.cpu: "2"
    requests.memory: 1Gi
    requests.nvidia.com/gpu: "1"
`), testenv.WithNamespace(ns))
	require.NoError(t, err)

	q, err := env.WaitForQuotaStatus(ctx, ns, "team")
	require.NoError(t, err)
	assert.True(t, q.Status.Used.Pods().IsZero(), "used: %v", q.Status.Used)

	// The ServiceAccount admission plugin needs the namespace's default SA.
	_, err = env.WaitForServiceAccount(ctx, ns, "default")
	require.NoError(t, err)

	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "llm", Namespace: ns},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name:  "server",
			Image: "registry.example.com/llm:1.0",
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi"), "nvidia.com/gpu": resource.MustParse("1")},
				Limits:   corev1.ResourceList{"nvidia.com/gpu": resource.MustParse("1")},
			},
		}}},
	}
	_, err = cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)

	// Admission charges the quota at once; the controller keeps it so.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		q, err = cs.CoreV1().ResourceQuotas(ns).Get(ctx, "team", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		used := q.Status.Used
		return used.Pods().Value() == 1 && used.Name("requests.cpu", resource.DecimalSI).Equal(resource.MustParse("500m")), nil
	})
	require.NoError(t, err, "quota used: %v", q.Status.Used)
	assert.True(t, q.Status.Used.Name("requests.memory", resource.BinarySI).Equal(resource.MustParse("256Mi")), "used: %v", q.Status.Used)
	assert.True(t, q.Status.Used.Name("requests.nvidia.com/gpu", resource.DecimalSI).Equal(resource.MustParse("1")), "used: %v", q.Status.Used)

	// A second GPU pod exceeds the quota: the apiserver's own verdict.
	second := pod.DeepCopy()
	second.Name = "llm-2"
	_, err = cs.CoreV1().Pods(ns).Create(ctx, second, metav1.CreateOptions{})
	require.True(t, apierrors.IsForbidden(err), "want a quota rejection, got %v", err)
	assert.Contains(t, err.Error(), "exceeded quota")

	got, err := cs.CoreV1().Pods(ns).Get(ctx, "llm", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, corev1.PodPending, got.Status.Phase, "no scheduler or kubelet")
}

func TestApplyDirMultiDoc(t *testing.T) {
	env := testenv.Shared(t)
	ctx := testCtx(t)
	ns := env.CreateNamespace(t, "apply")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(`
---
apiVersion: v1
kind: ConfigMap
metadata: {name: one}
data: {k: v}
---
# empty document above and a comment-only one here
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: two}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: runner}
`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"three"}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ignored.txt"), []byte(`not a manifest`), 0o644))

	objs, err := env.ApplyDir(ctx, dir, testenv.WithNamespace(ns))
	require.NoError(t, err)
	var names []string
	for _, o := range objs {
		assert.Equal(t, ns, o.GetNamespace())
		names = append(names, o.GetKind()+"/"+o.GetName())
	}
	assert.Equal(t, []string{"ConfigMap/one", "ConfigMap/two", "ServiceAccount/runner", "ConfigMap/three"}, names)

	// Applying again is idempotent.
	_, err = env.ApplyDir(ctx, dir, testenv.WithNamespace(ns))
	require.NoError(t, err)
}
