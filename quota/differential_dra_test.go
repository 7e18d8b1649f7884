package quota_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
	"github.com/aigov/aigov/quota"
)

// draNames are the names one run of the DRA differential test uses: a
// DeviceClass mapping an extended resource name, one mapping none, and a
// class that does not exist.
type draNames struct {
	mapped, plain, missing string
	ext                    corev1.ResourceName
}

func (n draNames) implicit(class string) corev1.ResourceName {
	return corev1.ResourceName("deviceclass.resource.kubernetes.io/" + class)
}

// TestDifferentialDRAExtendedResource: DRAExtendedResource (GA, on by
// default in v1.37). Pods ask for devices under a DeviceClass's
// extendedResourceName and under the implicit
// deviceclass.resource.kubernetes.io/<class>; ResourceClaims are a
// user's or, with the extended-resource-claim annotation and a controller
// reference to a pod, the scheduler's (made here by hand: testenv runs no
// scheduler). Verdicts, messages and status.used after each create, and
// the usage the quota controller recomputes, are compared with the
// ledger's.
func TestDifferentialDRAExtendedResource(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 14))
	suffix := fmt.Sprintf("%d", rnd.IntN(1_000_000))
	names := draNames{mapped: "aigov-x-" + suffix, plain: "aigov-y-" + suffix, missing: "aigov-z-" + suffix,
		ext: corev1.ResourceName("example.com/aigov-x-" + suffix)}
	ext := string(names.ext)
	for _, dc := range []*resourcev1.DeviceClass{
		{ObjectMeta: metav1.ObjectMeta{Name: names.mapped}, Spec: resourcev1.DeviceClassSpec{ExtendedResourceName: &ext}},
		{ObjectMeta: metav1.ObjectMeta{Name: names.plain}},
	} {
		_, err := cs.ResourceV1().DeviceClasses().Create(ctx, dc, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	waitForClassCaches(t, env, cs, names)
	d := &objectDiff{t: t, cs: cs, cluster: func() []*governance.Object { return deviceClassObjects(t, cs) }}
	for n := 0; n < 5; n++ {
		ns := env.CreateNamespace(t, "quota-draext")
		_, err := env.WaitForServiceAccount(ctx, ns, "default")
		require.NoError(t, err)
		quotas := randomDRAQuotas(rnd, names)
		for _, rq := range quotas {
			createQuota(t, cs, ns, rq)
		}
		var pods []*corev1.Pod
		for p := 0; p < 5; p++ {
			if pod := draPod(t, d, ns, fmt.Sprintf("p%d", p), randomDRAPodResources(rnd, names)); pod != nil {
				pods = append(pods, pod)
			}
		}
		// The apiserver finds a claim's pod, and the pod's earlier claims,
		// in its informers: let them catch up.
		time.Sleep(500 * time.Millisecond)
		for c := 0; c < 8; c++ {
			claim := randomClaim(rnd, fmt.Sprintf("c%02d", c), []string{names.mapped, names.plain, names.missing})
			claim.Namespace = ns
			if len(pods) > 0 && rnd.IntN(2) == 0 {
				pod := pick(rnd, pods...)
				yes := true
				claim.Annotations = map[string]string{resourcev1.ExtendedResourceClaimAnnotation: "true"}
				claim.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID, Controller: &yes}}
			}
			d.run(ns, claim.Name, draClaimString(claim), claim, func() error {
				_, err := cs.ResourceV1().ResourceClaims(ns).Create(ctx, claim, metav1.CreateOptions{})
				return err
			})
			time.Sleep(200 * time.Millisecond)
		}
		// A spec change makes the controller recompute status.used from
		// scratch (its replenishment only adds up).
		for _, rq := range quotas {
			got, err := cs.CoreV1().ResourceQuotas(ns).Get(ctx, rq.Name, metav1.GetOptions{})
			require.NoError(t, err)
			got.Spec.Hard[corev1.ResourcePods] = q("101")
			_, err = cs.CoreV1().ResourceQuotas(ns).Update(ctx, got, metav1.UpdateOptions{})
			require.NoError(t, err)
			rq.Spec.Hard = got.Spec.Hard
			waitForStatus(t, cs, ns, rq)
		}
		d.computed(ns, time.Time{})
	}
	t.Logf("%d pods and claims compared, %d admitted", d.compared, d.admitted)
	require.Positive(t, d.admitted)
	require.Less(t, d.admitted, d.compared)
}

// draPod creates a pod asking for resources, comparing Admit with the
// apiserver; it returns the stored pod when admitted.
func draPod(t *testing.T, d *objectDiff, ns, name string, res corev1.ResourceRequirements) *corev1.Pod {
	t.Helper()
	ctx := context.Background()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	pod.Spec.Containers = []corev1.Container{{Name: "app", Image: "x", Resources: res}}
	l, err := quota.NewLedger(objectInventory(t, d.cs, ns, false, d.clusterObjects()...), quota.Options{})
	require.NoError(t, err)
	want := l.Admit(pod)
	created, err := d.cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	d.compared++
	desc := fmt.Sprintf("requests %v limits %v", quota.Strings(res.Requests), quota.Strings(res.Limits))
	if err != nil {
		require.True(t, apierrors.IsForbidden(err) || apierrors.IsInvalid(err), "unexpected error %v", err)
		if want.Admitted || !sameMessage(err.Error(), want) {
			t.Errorf("pod %s/%s %s\napiserver: %v\nAdmit: admitted=%v %s %q (alternatives %q)", ns, name, desc, err, want.Admitted, want.Stage, want.Message, want.Alternatives)
		}
		return nil
	}
	d.admitted++
	if !want.Admitted {
		t.Errorf("pod %s/%s %s\napiserver admitted it; Admit: %s %q", ns, name, desc, want.Stage, want.Message)
		return created
	}
	compareUsed(t, ctx, d.cs, ns, want)
	return created
}

// waitForClassCaches waits until the apiserver's quota admission and the
// quota controller both know the mapped class (each reads DeviceClasses
// through its own informer): a claim of it must be refused by a quota of
// 0 on the extended name, and counted there by the controller when it
// recomputes a quota.
func waitForClassCaches(t *testing.T, env *testenv.Env, cs kubernetes.Interface, names draNames) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	ns := env.CreateNamespace(t, "quota-draext-probe")
	createQuota(t, cs, ns, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "zero"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{requestsOf(names.ext): q("0")}}})
	for i := 0; ; i++ {
		_, err := cs.ResourceV1().ResourceClaims(ns).Create(ctx, probeClaim(fmt.Sprintf("probe%d", i), names.mapped), metav1.CreateOptions{})
		if apierrors.IsForbidden(err) {
			break
		}
		require.NoError(t, err)
		require.True(t, time.Now().Before(deadline), "the apiserver's quota admission never saw DeviceClass %s", names.mapped)
		time.Sleep(100 * time.Millisecond)
	}
	ns = env.CreateNamespace(t, "quota-draext-probe")
	rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "some"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{requestsOf(names.ext): q("100"), corev1.ResourcePods: q("1")}}}
	createQuota(t, cs, ns, rq)
	_, err := cs.ResourceV1().ResourceClaims(ns).Create(ctx, probeClaim("probe", names.mapped), metav1.CreateOptions{})
	require.NoError(t, err)
	for pods := 2; ; pods++ {
		got, err := cs.CoreV1().ResourceQuotas(ns).Get(ctx, rq.Name, metav1.GetOptions{})
		require.NoError(t, err)
		got.Spec.Hard[corev1.ResourcePods] = q(fmt.Sprint(pods))
		_, err = cs.CoreV1().ResourceQuotas(ns).Update(ctx, got, metav1.UpdateOptions{})
		require.NoError(t, err)
		rq.Spec.Hard = got.Spec.Hard
		waitForStatus(t, cs, ns, rq)
		got, err = cs.CoreV1().ResourceQuotas(ns).Get(ctx, rq.Name, metav1.GetOptions{})
		require.NoError(t, err)
		if used := got.Status.Used[requestsOf(names.ext)]; used.Sign() > 0 {
			return
		}
		require.True(t, time.Now().Before(deadline), "the quota controller never counted a claim of DeviceClass %s: %v", names.mapped, got.Status)
		time.Sleep(500 * time.Millisecond)
	}
}

func probeClaim(name, class string) *resourcev1.ResourceClaim {
	return &resourcev1.ResourceClaim{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{
		Requests: []resourcev1.DeviceRequest{{Name: "r", Exactly: &resourcev1.ExactDeviceRequest{DeviceClassName: class}}}}}}
}

func requestsOf(name corev1.ResourceName) corev1.ResourceName { return "requests." + name }

func deviceClassObjects(t *testing.T, cs kubernetes.Interface) []*governance.Object {
	t.Helper()
	list, err := cs.ResourceV1().DeviceClasses().List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	var out []*governance.Object
	for i := range list.Items {
		out = append(out, &governance.Object{Obj: &list.Items[i], GVK: resourcev1.SchemeGroupVersion.WithKind("DeviceClass"), Typed: true})
	}
	return out
}

// randomDRAQuotas are one or two quotas over the keys pods and claims of
// these classes are charged, one of them perhaps scoped.
func randomDRAQuotas(rnd *rand.Rand, n draNames) []*corev1.ResourceQuota {
	keys := map[corev1.ResourceName][]string{
		requestsOf(n.ext):                 {"0", "3", "6"},
		requestsOf(n.implicit(n.mapped)):  {"2", "5", "8"},
		requestsOf(n.implicit(n.plain)):   {"2", "6"},
		requestsOf(n.implicit(n.missing)): {"1", "4"},
		corev1.ResourceName(n.mapped + ".deviceclass.resource.k8s.io/devices"): {"3", "40"},
		"count/resourceclaims.resource.k8s.io":                                 {"4", "6"},
	}
	var out []*corev1.ResourceQuota
	for i := 0; i < 1+rnd.IntN(2); i++ {
		hard := corev1.ResourceList{}
		for k, vals := range keys {
			if rnd.IntN(2) == 0 {
				hard[k] = q(pick(rnd, vals...))
			}
		}
		hard[corev1.ResourcePods] = q("100")
		rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("q%d", i)}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}
		if rnd.IntN(4) == 0 {
			rq.Spec.Scopes = []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotTerminating}
		}
		out = append(out, rq)
	}
	return out
}

// randomDRAPodResources asks for 1-3 devices by the mapped extended name
// or by a class's implicit name (limits = requests, as extended resources
// must; the implicit names are in kubernetes.io, so a request alone would
// do too).
func randomDRAPodResources(rnd *rand.Rand, n draNames) corev1.ResourceRequirements {
	name := pick(rnd, n.ext, n.implicit(n.mapped), n.implicit(n.plain), n.implicit(n.missing))
	v := q(fmt.Sprint(1 + rnd.IntN(3)))
	res := corev1.ResourceRequirements{Requests: corev1.ResourceList{name: v}}
	if name == n.ext || rnd.IntN(2) == 0 {
		res.Limits = corev1.ResourceList{name: v}
	}
	return res
}

func draClaimString(c *resourcev1.ResourceClaim) string {
	s := claimString(c)
	if ref := metav1.GetControllerOfNoCopy(c); ref != nil {
		s += " owned by pod " + ref.Name
	}
	return strings.TrimSpace(s)
}
