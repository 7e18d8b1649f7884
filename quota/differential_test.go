package quota_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
	"github.com/aigov/aigov/quota"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }

const gpu = corev1.ResourceName("nvidia.com/gpu")

// TestDifferentialAdmission creates random namespaces (LimitRanges,
// scoped quotas, priority classes, a RuntimeClass with overhead) and then
// random pods, one by one, comparing the apiserver's verdict, message,
// stored pod resources and quota status.used with Admit's.
func TestDifferentialAdmission(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx := context.Background()
	cluster := clusterObjects(t, cs)
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	seed := rnd.Uint64()
	t.Logf("seed %d", seed)
	rnd = rand.New(rand.NewPCG(seed, 7))
	const namespaces, podsPer = 25, 13
	compared, admitted := 0, 0
	for n := 0; n < namespaces; n++ {
		ns := env.CreateNamespace(t, "quota-diff")
		_, err := env.WaitForServiceAccount(ctx, ns, "default")
		require.NoError(t, err)
		if rnd.IntN(3) > 0 {
			_, err := cs.CoreV1().LimitRanges(ns).Create(ctx, randomLimitRange(rnd), metav1.CreateOptions{})
			require.NoError(t, err)
		}
		for i := 0; i < 1+rnd.IntN(2); i++ {
			rq := randomQuota(rnd, fmt.Sprintf("q%d", i))
			if quota.RefusalMessage(rq) != "" {
				continue
			}
			_, err := cs.CoreV1().ResourceQuotas(ns).Create(ctx, rq, metav1.CreateOptions{})
			require.NoError(t, err)
			waitForStatus(t, cs, ns, rq)
		}
		for p := 0; p < podsPer; p++ {
			pod := randomPod(rnd, fmt.Sprintf("p%d", p))
			pod.Namespace = ns
			ledger := ledgerFor(t, cs, ns, cluster)
			want := ledger.Admit(pod)
			created, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
			compared++
			if err != nil {
				require.True(t, apierrors.IsForbidden(err) || apierrors.IsInvalid(err), "unexpected error %v", err)
				if want.Admitted || !sameMessage(err.Error(), want) {
					t.Errorf("pod %s/%s %s\napiserver: %v\nAdmit: admitted=%v %s %q (alternatives %q)", ns, pod.Name, podString(pod), err, want.Admitted, want.Stage, want.Message, want.Alternatives)
				}
				continue
			}
			admitted++
			if !want.Admitted {
				t.Errorf("pod %s/%s %s\napiserver admitted it; Admit: %s %q", ns, pod.Name, podString(pod), want.Stage, want.Message)
				continue
			}
			compareStored(t, created, want)
			compareUsed(t, ctx, cs, ns, want)
		}
		compareComputed(t, cs, ns, cluster)
	}
	t.Logf("%d pods compared, %d admitted", compared, admitted)
	require.GreaterOrEqual(t, compared, 300)
}

// waitForStatus waits until the controller has synced the quota's
// enforced keys (inert keys never get a status.used entry).
func waitForStatus(t *testing.T, cs kubernetes.Interface, ns string, rq *corev1.ResourceQuota) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, err := cs.CoreV1().ResourceQuotas(ns).Get(context.Background(), rq.Name, metav1.GetOptions{})
		require.NoError(t, err)
		ready := sameList(got.Status.Hard, rq.Spec.Hard)
		for k := range rq.Spec.Hard {
			if class, _, _ := quota.ClassifyKey(k); class == quota.KeyEnforced {
				_, ok := got.Status.Used[k]
				ready = ready && ok
			} else if _, ok := got.Status.Used[k]; ok {
				t.Errorf("inert key %s has a status.used entry", k)
			}
		}
		if ready {
			return
		}
		require.True(t, time.Now().Before(deadline), "quota %s/%s status not synced: %v", ns, rq.Name, got.Status)
		time.Sleep(100 * time.Millisecond)
	}
}

// sameMessage accepts Admit's message or, when several quotas fail, one
// of the alternatives; aggregated lists are compared as sets (the
// apiserver walks maps).
func sameMessage(got string, r quota.Result) bool {
	for _, m := range append([]string{r.Message}, r.Alternatives...) {
		if normalize(got) == normalize(m) {
			return true
		}
	}
	return false
}

func normalize(msg string) string {
	i := strings.Index(msg, ": [")
	if i < 0 || !strings.HasSuffix(msg, "]") {
		return msg
	}
	parts := strings.Split(msg[i+3:len(msg)-1], ", ")
	sort.Strings(parts)
	return msg[:i] + ": [" + strings.Join(parts, ", ") + "]"
}

func compareStored(t *testing.T, stored *corev1.Pod, want quota.Result) {
	t.Helper()
	all := func(p *corev1.Pod) []corev1.Container {
		return append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...)
	}
	got, exp := all(stored), all(want.Pod)
	for i := range got {
		if !sameList(got[i].Resources.Requests, exp[i].Resources.Requests) || !sameList(got[i].Resources.Limits, exp[i].Resources.Limits) {
			t.Errorf("pod %s container %s: stored %v, Admit %v", stored.Name, got[i].Name, got[i].Resources, exp[i].Resources)
		}
	}
	if !sameList(stored.Spec.Overhead, want.Pod.Spec.Overhead) {
		t.Errorf("pod %s overhead: stored %v, Admit %v", stored.Name, stored.Spec.Overhead, want.Pod.Spec.Overhead)
	}
}

func compareUsed(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns string, want quota.Result) {
	t.Helper()
	for _, d := range want.Quotas {
		rq, err := cs.CoreV1().ResourceQuotas(ns).Get(ctx, d.Name, metav1.GetOptions{})
		require.NoError(t, err)
		if !sameList(rq.Status.Used, enforced(d.UsedAfter)) {
			t.Errorf("quota %s/%s after %s: status.used %v, Admit usedAfter %v", ns, d.Name, want.Pod.Name, quota.Strings(rq.Status.Used), quota.Strings(d.UsedAfter))
		}
	}
}

// compareComputed drops the quotas' status and checks the usage the
// ledger computes from the stored pods against status.used.
func compareComputed(t *testing.T, cs kubernetes.Interface, ns string, cluster []*governance.Object) {
	t.Helper()
	objs := namespaceObjects(t, cs, ns)
	var server []corev1.ResourceQuota
	for _, o := range objs {
		if rq, ok := o.Obj.(*corev1.ResourceQuota); ok {
			server = append(server, *rq.DeepCopy())
			rq.Status = corev1.ResourceQuotaStatus{}
		}
	}
	inv, err := governance.NewInventory(append(objs, cluster...))
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{})
	require.NoError(t, err)
	for _, s := range l.Status() {
		for _, rq := range server {
			if rq.Name == s.Name && !sameList(rq.Status.Used, enforced(s.Computed)) {
				t.Errorf("quota %s/%s: status.used %v, computed %v", ns, s.Name, quota.Strings(rq.Status.Used), quota.Strings(s.Computed))
			}
		}
	}
}

// enforced drops inert keys: the apiserver's status.used never has them.
func enforced(l corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k, v := range l {
		if class, _, _ := quota.ClassifyKey(k); class == quota.KeyEnforced {
			out[k] = v
		}
	}
	return out
}

func sameList(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

func ledgerFor(t *testing.T, cs kubernetes.Interface, ns string, cluster []*governance.Object) *quota.Ledger {
	t.Helper()
	inv, err := governance.NewInventory(append(namespaceObjects(t, cs, ns), cluster...))
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{})
	require.NoError(t, err)
	return l
}

func object(obj runtime.Object, kind string) *governance.Object {
	gvk := corev1.SchemeGroupVersion.WithKind(kind)
	switch obj.(type) {
	case *nodev1.RuntimeClass:
		gvk = nodev1.SchemeGroupVersion.WithKind(kind)
	case *schedulingv1.PriorityClass:
		gvk = schedulingv1.SchemeGroupVersion.WithKind(kind)
	}
	return &governance.Object{Obj: obj, GVK: gvk, Typed: true}
}

func namespaceObjects(t *testing.T, cs kubernetes.Interface, ns string) []*governance.Object {
	t.Helper()
	ctx := context.Background()
	var out []*governance.Object
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range pods.Items {
		out = append(out, object(&pods.Items[i], "Pod"))
	}
	qs, err := cs.CoreV1().ResourceQuotas(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range qs.Items {
		out = append(out, object(&qs.Items[i], "ResourceQuota"))
	}
	lrs, err := cs.CoreV1().LimitRanges(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range lrs.Items {
		out = append(out, object(&lrs.Items[i], "LimitRange"))
	}
	return out
}

// clusterObjects creates (once per binary) the cluster-wide objects the
// random pods refer to.
func clusterObjects(t *testing.T, cs kubernetes.Interface) []*governance.Object {
	t.Helper()
	ctx := context.Background()
	rc := &nodev1.RuntimeClass{ObjectMeta: metav1.ObjectMeta{Name: "aigov-overhead"}, Handler: "runc",
		Overhead: &nodev1.Overhead{PodFixed: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("64Mi")}}}
	if _, err := cs.NodeV1().RuntimeClasses().Create(ctx, rc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
	var out []*governance.Object
	got, err := cs.NodeV1().RuntimeClasses().Get(ctx, rc.Name, metav1.GetOptions{})
	require.NoError(t, err)
	out = append(out, object(got, "RuntimeClass"))
	for _, name := range []string{"aigov-high", "aigov-low"} {
		pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: 1000}
		if _, err := cs.SchedulingV1().PriorityClasses().Create(ctx, pc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			require.NoError(t, err)
		}
	}
	pcs, err := cs.SchedulingV1().PriorityClasses().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range pcs.Items {
		out = append(out, object(&pcs.Items[i], "PriorityClass"))
	}
	return out
}

func pick[T any](rnd *rand.Rand, xs ...T) T { return xs[rnd.IntN(len(xs))] }

func q(s string) resource.Quantity { return resource.MustParse(s) }

func randomLimitRange(rnd *rand.Rand) *corev1.LimitRange {
	c := corev1.LimitRangeItem{Type: corev1.LimitTypeContainer}
	set := func(l *corev1.ResourceList, k corev1.ResourceName, v string) {
		if *l == nil {
			*l = corev1.ResourceList{}
		}
		(*l)[k] = q(v)
	}
	if rnd.IntN(2) == 0 {
		set(&c.Max, corev1.ResourceCPU, pick(rnd, "1", "2", "1500m"))
	}
	if rnd.IntN(3) == 0 {
		set(&c.Max, corev1.ResourceMemory, pick(rnd, "512Mi", "1Gi"))
	}
	if rnd.IntN(3) == 0 {
		set(&c.Default, corev1.ResourceCPU, pick(rnd, "500m", "1"))
	}
	if rnd.IntN(3) == 0 {
		set(&c.DefaultRequest, corev1.ResourceCPU, pick(rnd, "100m", "250m"))
	}
	if rnd.IntN(3) == 0 {
		set(&c.Default, corev1.ResourceMemory, pick(rnd, "256Mi", "512Mi"))
	}
	if rnd.IntN(4) == 0 {
		set(&c.Min, corev1.ResourceMemory, pick(rnd, "32Mi", "128Mi"))
	}
	if rnd.IntN(4) == 0 {
		set(&c.MaxLimitRequestRatio, corev1.ResourceCPU, pick(rnd, "2", "4"))
	}
	if rnd.IntN(4) == 0 {
		set(&c.Max, gpu, pick(rnd, "1", "2"))
	}
	lr := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "limits"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{c}}}
	if rnd.IntN(3) == 0 {
		p := corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: corev1.ResourceList{corev1.ResourceCPU: q(pick(rnd, "2", "3"))}}
		lr.Spec.Limits = append(lr.Spec.Limits, p)
	}
	// Defaults must satisfy the item's own validation (default <= max...):
	// keep the LimitRange only if consistent, else use max alone.
	if !consistent(c) {
		lr.Spec.Limits[0] = corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Max: c.Max}
	}
	return lr
}

func consistent(c corev1.LimitRangeItem) bool {
	for k, d := range c.Default {
		if m, ok := c.Max[k]; ok && d.Cmp(m) > 0 {
			return false
		}
		if r, ok := c.DefaultRequest[k]; ok && r.Cmp(d) > 0 {
			return false
		}
	}
	for k, r := range c.DefaultRequest {
		if m, ok := c.Max[k]; ok && r.Cmp(m) > 0 {
			return false
		}
		if mn, ok := c.Min[k]; ok && r.Cmp(mn) < 0 {
			return false
		}
		if _, ok := c.Default[k]; !ok {
			if m, ok := c.Max[k]; ok && r.Cmp(m) > 0 {
				return false
			}
		}
	}
	for k, mn := range c.Min {
		if d, ok := c.Default[k]; ok && d.Cmp(mn) < 0 {
			return false
		}
		if m, ok := c.Max[k]; ok && m.Cmp(mn) < 0 {
			return false
		}
	}
	// A ratio with defaults could reject everything; fine either way.
	return true
}

func randomQuota(rnd *rand.Rand, name string) *corev1.ResourceQuota {
	hard := corev1.ResourceList{}
	keys := []struct {
		k    corev1.ResourceName
		vals []string
	}{
		{corev1.ResourceRequestsCPU, []string{"1", "2", "3500m"}},
		{corev1.ResourceCPU, []string{"2", "4"}},
		{corev1.ResourceLimitsCPU, []string{"2", "4"}},
		{corev1.ResourceRequestsMemory, []string{"512Mi", "1Gi"}},
		{corev1.ResourceLimitsMemory, []string{"1Gi", "2Gi"}},
		{corev1.ResourcePods, []string{"2", "4", "6"}},
		{"count/pods", []string{"3", "8"}},
		{"requests.nvidia.com/gpu", []string{"0", "1", "2", "4"}},
		{"nvidia.com/gpu", []string{"1"}},
	}
	for _, k := range keys {
		if rnd.IntN(3) == 0 {
			hard[k.k] = q(pick(rnd, k.vals...))
		}
	}
	if len(hard) == 0 {
		hard["requests.nvidia.com/gpu"] = q("2")
	}
	rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}
	switch rnd.IntN(9) {
	case 1:
		rq.Spec.Scopes = []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotBestEffort}
	case 2:
		rq.Spec.Scopes = []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}
		rq.Spec.Hard = corev1.ResourceList{corev1.ResourcePods: q("2"), "requests.nvidia.com/gpu": q("1")}
	case 3:
		rq.Spec.Scopes = []corev1.ResourceQuotaScope{pick(rnd, corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating)}
	case 4:
		op := pick(rnd, corev1.ScopeSelectorOpIn, corev1.ScopeSelectorOpNotIn, corev1.ScopeSelectorOpExists, corev1.ScopeSelectorOpDoesNotExist)
		req := corev1.ScopedResourceSelectorRequirement{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: op}
		if op == corev1.ScopeSelectorOpIn || op == corev1.ScopeSelectorOpNotIn {
			req.Values = []string{"aigov-high"}
		}
		rq.Spec.ScopeSelector = &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{req}}
	}
	return rq
}

func randomResources(rnd *rand.Rand) corev1.ResourceRequirements {
	r := corev1.ResourceRequirements{}
	set := func(l *corev1.ResourceList, k corev1.ResourceName, v string) {
		if *l == nil {
			*l = corev1.ResourceList{}
		}
		(*l)[k] = q(v)
	}
	if rnd.IntN(2) == 0 {
		set(&r.Requests, corev1.ResourceCPU, pick(rnd, "100m", "250m", "500m", "1", "2"))
	}
	if rnd.IntN(2) == 0 {
		set(&r.Limits, corev1.ResourceCPU, pick(rnd, "200m", "500m", "1", "2", "3"))
	}
	if rnd.IntN(2) == 0 {
		set(&r.Requests, corev1.ResourceMemory, pick(rnd, "64Mi", "128Mi", "256Mi", "1Gi"))
	}
	if rnd.IntN(3) == 0 {
		set(&r.Limits, corev1.ResourceMemory, pick(rnd, "128Mi", "512Mi", "1Gi"))
	}
	if rnd.IntN(40) == 0 {
		// Refused by validation: must be greater than or equal to 0.
		set(pick(rnd, &r.Requests, &r.Limits), pick(rnd, corev1.ResourceCPU, corev1.ResourceMemory), pick(rnd, "-100m", "-1Gi"))
	}
	switch rnd.IntN(8) {
	case 0, 1:
		set(&r.Limits, gpu, pick(rnd, "1", "2", "1", "2", "-1"))
	case 2:
		set(&r.Limits, gpu, "1")
		set(&r.Requests, gpu, pick(rnd, "1", "2"))
	case 3:
		set(&r.Requests, gpu, "1")
	}
	return r
}

func randomPod(rnd *rand.Rand, name string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for i := 0; i < 1+rnd.IntN(2); i++ {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: fmt.Sprintf("app%d", i), Image: "registry.example/app:1", Resources: randomResources(rnd)})
	}
	if rnd.IntN(3) == 0 {
		c := corev1.Container{Name: "init", Image: "registry.example/init:1", Resources: randomResources(rnd)}
		if rnd.IntN(2) == 0 {
			always := corev1.ContainerRestartPolicyAlways
			c.RestartPolicy = &always
			c.Name = "sidecar"
		}
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, c)
	}
	if rnd.IntN(4) == 0 {
		d := int64(600)
		pod.Spec.ActiveDeadlineSeconds = &d
	}
	if rnd.IntN(3) == 0 {
		pod.Spec.PriorityClassName = pick(rnd, "aigov-high", "aigov-low")
	}
	if rnd.IntN(5) == 0 {
		rc := "aigov-overhead"
		pod.Spec.RuntimeClassName = &rc
	}
	return pod
}

func podString(p *corev1.Pod) string {
	var b strings.Builder
	for _, c := range append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
		fmt.Fprintf(&b, "[%s req=%v lim=%v]", c.Name, quota.Strings(c.Resources.Requests), quota.Strings(c.Resources.Limits))
	}
	return b.String()
}
