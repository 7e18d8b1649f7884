package quota_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
	"github.com/aigov/aigov/quota"
)

// objectInventory lists every object of ns the quota evaluators read
// (pods, claims, PVCs, services, config maps, quotas, LimitRanges), and
// the cluster-scoped objects given.
func objectInventory(t *testing.T, cs kubernetes.Interface, ns string, dropStatus bool, cluster ...*governance.Object) *governance.Inventory {
	t.Helper()
	ctx := context.Background()
	objs := append(namespaceObjects(t, cs, ns), cluster...)
	if dropStatus {
		for _, o := range objs {
			if rq, ok := o.Obj.(*corev1.ResourceQuota); ok {
				rq.Status = corev1.ResourceQuotaStatus{}
			}
		}
	}
	claims, err := cs.ResourceV1().ResourceClaims(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range claims.Items {
		objs = append(objs, &governance.Object{Obj: &claims.Items[i], GVK: resourcev1.SchemeGroupVersion.WithKind("ResourceClaim"), Typed: true})
	}
	pvcs, err := cs.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range pvcs.Items {
		objs = append(objs, object(&pvcs.Items[i], "PersistentVolumeClaim"))
	}
	svcs, err := cs.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range svcs.Items {
		objs = append(objs, object(&svcs.Items[i], "Service"))
	}
	cms, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range cms.Items {
		objs = append(objs, object(&cms.Items[i], "ConfigMap"))
	}
	inv, err := governance.NewInventory(objs)
	require.NoError(t, err)
	return inv
}

// objectDiff creates obj through create and compares the verdict, the
// message and each quota's status.used with AdmitObject.
type objectDiff struct {
	t                  *testing.T
	cs                 kubernetes.Interface
	compared, admitted int
	// cluster lists the cluster-scoped objects the ledger reads (nil: none).
	cluster func() []*governance.Object
}

func (d *objectDiff) clusterObjects() []*governance.Object {
	if d.cluster == nil {
		return nil
	}
	return d.cluster()
}

func (d *objectDiff) run(ns, name, desc string, obj runtime.Object, create func() error) {
	t := d.t
	t.Helper()
	l, err := quota.NewLedger(objectInventory(t, d.cs, ns, false, d.clusterObjects()...), quota.Options{})
	require.NoError(t, err)
	want := l.AdmitObject(obj)
	err = create()
	d.compared++
	if err != nil {
		require.True(t, apierrors.IsForbidden(err) || apierrors.IsInvalid(err), "unexpected error %v", err)
		if want.Admitted || !sameMessage(err.Error(), want) {
			t.Errorf("%s/%s %s\napiserver: %v\nAdmitObject: admitted=%v %s %q (alternatives %q)", ns, name, desc, err, want.Admitted, want.Stage, want.Message, want.Alternatives)
		}
		return
	}
	d.admitted++
	if !want.Admitted {
		t.Errorf("%s/%s %s\napiserver admitted it; AdmitObject: %s %q", ns, name, desc, want.Stage, want.Message)
		return
	}
	for _, q := range want.Quotas {
		rq, err := d.cs.CoreV1().ResourceQuotas(ns).Get(context.Background(), q.Name, metav1.GetOptions{})
		require.NoError(t, err)
		if !sameList(rq.Status.Used, enforced(q.UsedAfter)) {
			t.Errorf("quota %s/%s after %s %s: status.used %v, AdmitObject usedAfter %v (usage %v)", ns, q.Name, name, desc, quota.Strings(rq.Status.Used), quota.Strings(q.UsedAfter), quota.Strings(want.Usage))
		}
	}
}

// computed checks the usage the ledger computes from the stored objects
// (quota status dropped) against status.used.
func (d *objectDiff) computed(ns string, now time.Time) {
	t := d.t
	t.Helper()
	ctx := context.Background()
	server, err := d.cs.CoreV1().ResourceQuotas(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	l, err := quota.NewLedger(objectInventory(t, d.cs, ns, true, d.clusterObjects()...), quota.Options{Now: now})
	require.NoError(t, err)
	seen := 0
	for _, s := range l.Status() {
		for _, rq := range server.Items {
			if rq.Name == s.Name {
				seen++
				if !sameList(rq.Status.Used, enforced(s.Computed)) {
					t.Errorf("quota %s/%s: status.used %v, computed %v", ns, s.Name, quota.Strings(rq.Status.Used), quota.Strings(s.Computed))
				}
			}
		}
	}
	require.Equal(t, len(server.Items), seen)
}

func createQuota(t *testing.T, cs kubernetes.Interface, ns string, rq *corev1.ResourceQuota) {
	t.Helper()
	_, err := cs.CoreV1().ResourceQuotas(ns).Create(context.Background(), rq, metav1.CreateOptions{})
	require.NoError(t, err)
	waitForStatus(t, cs, ns, rq)
}

// TestDifferentialResourceClaims: quotas per device class and on the
// claim count; claims with exact counts, allocationMode All and
// firstAvailable alternatives.
func TestDifferentialResourceClaims(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	suffix := fmt.Sprintf("%d", rnd.IntN(1_000_000))
	classes := []string{"aigov-gpu-" + suffix, "aigov-mig-" + suffix}
	for _, c := range classes {
		_, err := cs.ResourceV1().DeviceClasses().Create(ctx, &resourcev1.DeviceClass{ObjectMeta: metav1.ObjectMeta{Name: c}}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	key := func(c string) corev1.ResourceName {
		return corev1.ResourceName(c + ".deviceclass.resource.k8s.io/devices")
	}
	d := &objectDiff{t: t, cs: cs}
	for n := 0; n < 6; n++ {
		ns := env.CreateNamespace(t, "quota-dra")
		for i := 0; i < 1+rnd.IntN(2); i++ {
			hard := corev1.ResourceList{}
			if rnd.IntN(4) > 0 {
				hard[key(classes[0])] = q(pick(rnd, "1", "2", "4", "32", "40"))
			}
			if rnd.IntN(2) == 0 {
				hard[key(classes[1])] = q(pick(rnd, "0", "2", "3", "64"))
			}
			if rnd.IntN(3) == 0 {
				hard["count/resourceclaims.resource.k8s.io"] = q(pick(rnd, "2", "3"))
			}
			if len(hard) == 0 {
				hard[key(classes[0])] = q("3")
			}
			createQuota(t, cs, ns, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("q%d", i)}, Spec: corev1.ResourceQuotaSpec{Hard: hard}})
		}
		for c := 0; c < 8; c++ {
			claim := randomClaim(rnd, fmt.Sprintf("c%d", c), classes)
			claim.Namespace = ns
			d.run(ns, claim.Name, claimString(claim), claim, func() error {
				_, err := cs.ResourceV1().ResourceClaims(ns).Create(ctx, claim, metav1.CreateOptions{})
				return err
			})
		}
		d.computed(ns, time.Time{})
	}
	t.Logf("%d claims compared, %d admitted", d.compared, d.admitted)
	require.Positive(t, d.admitted)
	require.Less(t, d.admitted, d.compared)
}

func randomClaim(rnd *rand.Rand, name string, classes []string) *resourcev1.ResourceClaim {
	claim := &resourcev1.ResourceClaim{ObjectMeta: metav1.ObjectMeta{Name: name}}
	mode := func() (resourcev1.DeviceAllocationMode, int64) {
		switch rnd.IntN(5) {
		case 0:
			if rnd.IntN(6) == 0 {
				return resourcev1.DeviceAllocationModeAll, -1 // refused: no count with All
			}
			return resourcev1.DeviceAllocationModeAll, 0
		case 1:
			if rnd.IntN(4) == 0 {
				return "", -int64(1 + rnd.IntN(2)) // refused: negative count
			}
			return "", 0 // defaults: ExactCount, count 1
		default:
			return resourcev1.DeviceAllocationModeExactCount, int64(1 + rnd.IntN(3))
		}
	}
	for r := 0; r < 1+rnd.IntN(2); r++ {
		req := resourcev1.DeviceRequest{Name: fmt.Sprintf("r%d", r)}
		if rnd.IntN(2) == 0 {
			m, c := mode()
			req.Exactly = &resourcev1.ExactDeviceRequest{DeviceClassName: pick(rnd, classes...), AllocationMode: m, Count: c}
		} else {
			for s := 0; s < 2+rnd.IntN(2); s++ {
				m, c := mode()
				req.FirstAvailable = append(req.FirstAvailable, resourcev1.DeviceSubRequest{Name: fmt.Sprintf("s%d", s), DeviceClassName: pick(rnd, classes...), AllocationMode: m, Count: c})
			}
		}
		claim.Spec.Devices.Requests = append(claim.Spec.Devices.Requests, req)
	}
	return claim
}

func claimString(c *resourcev1.ResourceClaim) string {
	s := ""
	for _, r := range c.Spec.Devices.Requests {
		if r.Exactly != nil {
			s += fmt.Sprintf("[%s %s %d]", r.Exactly.DeviceClassName, r.Exactly.AllocationMode, r.Exactly.Count)
			continue
		}
		s += "[first:"
		for _, sub := range r.FirstAvailable {
			s += fmt.Sprintf(" %s %s %d;", sub.DeviceClassName, sub.AllocationMode, sub.Count)
		}
		s += "]"
	}
	return s
}

// TestDifferentialStorage: PVC LimitRange min/max and the storage quota
// keys, per storage class (spec and beta annotation).
func TestDifferentialStorage(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	d := &objectDiff{t: t, cs: cs}
	for n := 0; n < 6; n++ {
		ns := env.CreateNamespace(t, "quota-pvc")
		if rnd.IntN(3) > 0 {
			it := corev1.LimitRangeItem{Type: corev1.LimitTypePersistentVolumeClaim}
			if rnd.IntN(2) == 0 {
				it.Min = corev1.ResourceList{corev1.ResourceStorage: q(pick(rnd, "500Mi", "1Gi"))}
			}
			if rnd.IntN(2) == 0 || it.Min == nil {
				it.Max = corev1.ResourceList{corev1.ResourceStorage: q(pick(rnd, "2Gi", "5Gi"))}
			}
			_, err := cs.CoreV1().LimitRanges(ns).Create(ctx, &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "pvc"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{it}}}, metav1.CreateOptions{})
			require.NoError(t, err)
		}
		hard := corev1.ResourceList{}
		for k, vals := range map[corev1.ResourceName][]string{
			corev1.ResourceRequestsStorage:                            {"3Gi", "6Gi", "10G"},
			corev1.ResourcePersistentVolumeClaims:                     {"2", "4"},
			"count/persistentvolumeclaims":                            {"3"},
			"fast.storageclass.storage.k8s.io/requests.storage":       {"0", "2Gi", "4Gi"},
			"fast.storageclass.storage.k8s.io/persistentvolumeclaims": {"1", "2"},
			"slow.storageclass.storage.k8s.io/requests.storage":       {"3Gi"},
		} {
			if rnd.IntN(2) == 0 {
				hard[k] = q(pick(rnd, vals...))
			}
		}
		if len(hard) == 0 {
			hard[corev1.ResourceRequestsStorage] = q("4Gi")
		}
		createQuota(t, cs, ns, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "storage"}, Spec: corev1.ResourceQuotaSpec{Hard: hard}})
		for c := 0; c < 8; c++ {
			pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("v%d", c), Namespace: ns}}
			pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
			pvc.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: q(pick(rnd, "100Mi", "500Mi", "1Gi", "1500M", "3Gi", "6Gi", "-1Gi"))}
			switch rnd.IntN(4) {
			case 0:
				sc := pick(rnd, "fast", "slow")
				pvc.Spec.StorageClassName = &sc
			case 1:
				pvc.Annotations = map[string]string{corev1.BetaStorageClassAnnotation: pick(rnd, "fast", "slow")}
			case 2:
				sc := "fast"
				pvc.Spec.StorageClassName = &sc
			}
			desc := fmt.Sprintf("storage=%s class=%v ann=%v", quota.Strings(pvc.Spec.Resources.Requests), pvc.Spec.StorageClassName, pvc.Annotations)
			d.run(ns, pvc.Name, desc, pvc, func() error {
				_, err := cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc, metav1.CreateOptions{})
				return err
			})
		}
		d.computed(ns, time.Time{})
	}
	t.Logf("%d PVCs compared, %d admitted", d.compared, d.admitted)
	require.Positive(t, d.admitted)
	require.Less(t, d.admitted, d.compared)
}

// TestDifferentialObjectCounts: count/configmaps, configmaps, services,
// services.loadbalancers and services.nodeports.
func TestDifferentialObjectCounts(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	d := &objectDiff{t: t, cs: cs}
	for n := 0; n < 4; n++ {
		ns := env.CreateNamespace(t, "quota-count")
		hard := corev1.ResourceList{}
		for k, vals := range map[corev1.ResourceName][]string{
			"count/configmaps":                   {"1", "3"},
			corev1.ResourceConfigMaps:            {"2"},
			corev1.ResourceServices:              {"3", "5"},
			"count/services":                     {"4"},
			corev1.ResourceServicesLoadBalancers: {"0", "1"},
			corev1.ResourceServicesNodePorts:     {"1", "3"},
		} {
			if rnd.IntN(2) == 0 {
				hard[k] = q(pick(rnd, vals...))
			}
		}
		if len(hard) == 0 {
			hard[corev1.ResourceServices] = q("2")
		}
		createQuota(t, cs, ns, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "objects"}, Spec: corev1.ResourceQuotaSpec{Hard: hard}})
		for i := 0; i < 4; i++ {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm%d", i), Namespace: ns}}
			d.run(ns, cm.Name, "configmap", cm, func() error {
				_, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{})
				return err
			})
		}
		for i := 0; i < 5; i++ {
			svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc%d", i), Namespace: ns}}
			svc.Spec.Type = pick(rnd, corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer)
			svc.Spec.Selector = map[string]string{"app": "x"}
			for p := 0; p < 1+rnd.IntN(2); p++ {
				svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: fmt.Sprintf("p%d", p), Port: int32(80 + p), Protocol: corev1.ProtocolTCP})
			}
			if svc.Spec.Type == corev1.ServiceTypeLoadBalancer && rnd.IntN(2) == 0 {
				no := false
				svc.Spec.AllocateLoadBalancerNodePorts = &no
			}
			d.run(ns, svc.Name, fmt.Sprintf("service %s ports=%d", svc.Spec.Type, len(svc.Spec.Ports)), svc, func() error {
				_, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{})
				return err
			})
		}
		d.computed(ns, time.Time{})
	}
	t.Logf("%d objects compared, %d admitted", d.compared, d.admitted)
	require.Positive(t, d.admitted)
}

// TestDifferentialTerminating: Terminating/NotTerminating scopes
// (activeDeadlineSeconds), pods deleted with a grace period (bound to a
// node, so they stay terminating), terminal pods. The quota controller
// recomputes usage when a quota's spec changes; its status.used must
// equal the ledger's computed usage at that time.
func TestDifferentialTerminating(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx := context.Background()
	ns := env.CreateNamespace(t, "quota-term")
	_, err := env.WaitForServiceAccount(ctx, ns, "default")
	require.NoError(t, err)
	hard := func(pods string) corev1.ResourceList {
		return corev1.ResourceList{corev1.ResourcePods: q(pods), "count/pods": q("20"), corev1.ResourceRequestsCPU: q("10")}
	}
	quotas := []*corev1.ResourceQuota{
		{ObjectMeta: metav1.ObjectMeta{Name: "all"}, Spec: corev1.ResourceQuotaSpec{Hard: hard("20")}},
		{ObjectMeta: metav1.ObjectMeta{Name: "term"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: q("20"), corev1.ResourceRequestsCPU: q("10")}, Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeTerminating}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "nonterm"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: q("20"), corev1.ResourceRequestsCPU: q("10")}, Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotTerminating}}},
	}
	for _, rq := range quotas {
		createQuota(t, cs, ns, rq)
	}
	d := &objectDiff{t: t, cs: cs}
	type spec struct {
		name     string
		deadline bool
		grace    int64 // delete with this grace period; -1 keeps the pod
		phase    corev1.PodPhase
	}
	specs := []spec{
		{"run", false, -1, ""}, {"deadline", true, -1, ""},
		{"gone", false, 1, ""}, {"gone-deadline", true, 1, ""},
		{"slow", false, 3600, ""}, {"slow-deadline", true, 3600, ""},
		{"done", false, -1, corev1.PodSucceeded}, {"failed", true, -1, corev1.PodFailed},
	}
	for _, s := range specs {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: s.name, Namespace: ns}}
		pod.Spec.NodeName = "aigov-no-such-node"
		pod.Spec.Containers = []corev1.Container{{Name: "app", Image: "x", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m")}}}}
		if s.deadline {
			sec := int64(300)
			pod.Spec.ActiveDeadlineSeconds = &sec
		}
		l, err := quota.NewLedger(objectInventory(t, cs, ns, false), quota.Options{})
		require.NoError(t, err)
		want := l.Admit(pod)
		_, err = cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		require.NoError(t, err)
		require.True(t, want.Admitted, want.Message)
		compareUsed(t, ctx, cs, ns, want)
		d.compared++
	}
	for _, s := range specs {
		switch {
		case s.grace >= 0:
			g := s.grace
			require.NoError(t, cs.CoreV1().Pods(ns).Delete(ctx, s.name, metav1.DeleteOptions{GracePeriodSeconds: &g}))
		case s.phase != "":
			p, err := cs.CoreV1().Pods(ns).Get(ctx, s.name, metav1.GetOptions{})
			require.NoError(t, err)
			p.Status.Phase = s.phase
			_, err = cs.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
			require.NoError(t, err)
		}
	}
	// deletionTimestamp is now+grace; quota stops charging a deleted pod
	// once it has passed. Recompute quota "all" (a spec change) until its
	// status.used no longer charges the pods deleted with a 1 s grace.
	charged := 0
	for _, s := range specs {
		if s.phase == "" && s.grace != 1 {
			charged++
		}
	}
	waitForUsedPods(t, cs, ns, quotas[0], 30, int64(charged))
	before := map[string]corev1.ResourceList{}
	for _, rq := range quotas {
		got, err := cs.CoreV1().ResourceQuotas(ns).Get(ctx, rq.Name, metav1.GetOptions{})
		require.NoError(t, err)
		before[rq.Name] = got.Status.Used
		got.Spec.Hard[corev1.ResourcePods] = q("21")
		_, err = cs.CoreV1().ResourceQuotas(ns).Update(ctx, got, metav1.UpdateOptions{})
		require.NoError(t, err)
		rq.Spec.Hard = got.Spec.Hard
		waitForStatus(t, cs, ns, rq)
	}
	now := time.Now()
	d.computed(ns, now)
	// With --now before the grace periods ran out, the deleted pods are
	// still charged: the ledger must then differ from the recomputed
	// status in exactly the "gone" pods.
	l, err := quota.NewLedger(objectInventory(t, cs, ns, true), quota.Options{Now: now.Add(-time.Hour)})
	require.NoError(t, err)
	for _, s := range l.Status() {
		got, err := cs.CoreV1().ResourceQuotas(ns).Get(ctx, s.Name, metav1.GetOptions{})
		require.NoError(t, err)
		pods := s.Computed[corev1.ResourcePods]
		server := got.Status.Used[corev1.ResourcePods]
		if s.Name != "term" && s.Name != "nonterm" {
			require.Equal(t, server.Value()+2, pods.Value(), "quota %s: an hour ago both gone pods were charged", s.Name)
		} else {
			require.Equal(t, server.Value()+1, pods.Value(), "quota %s", s.Name)
		}
		t.Logf("quota %s: status.used before recompute %v, after %v", s.Name, quota.Strings(before[s.Name]), quota.Strings(got.Status.Used))
	}
}

// waitForUsedPods recomputes rq's status (raising spec.hard.pods to from,
// from+1, ... — the quota controller recomputes a quota whose spec
// changed) until status.used.pods is want, within 60 s.
func waitForUsedPods(t *testing.T, cs kubernetes.Interface, ns string, rq *corev1.ResourceQuota, from int, want int64) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for pods := from; ; pods++ {
		got, err := cs.CoreV1().ResourceQuotas(ns).Get(ctx, rq.Name, metav1.GetOptions{})
		require.NoError(t, err)
		got.Spec.Hard[corev1.ResourcePods] = q(fmt.Sprint(pods))
		_, err = cs.CoreV1().ResourceQuotas(ns).Update(ctx, got, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			continue // the controller wrote the status meanwhile: read it again
		}
		require.NoError(t, err)
		rq.Spec.Hard = got.Spec.Hard
		waitForStatus(t, cs, ns, rq)
		got, err = cs.CoreV1().ResourceQuotas(ns).Get(ctx, rq.Name, metav1.GetOptions{})
		require.NoError(t, err)
		if used := got.Status.Used[corev1.ResourcePods]; used.Value() == want {
			return
		}
		require.True(t, time.Now().Before(deadline), "quota %s/%s never reached %d used pods: %v", ns, rq.Name, want, got.Status.Used)
	}
}
