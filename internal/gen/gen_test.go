package gen_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

func load(t *testing.T, data []byte) *governance.Inventory {
	t.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.LoadBytes("cluster.yaml", data)
	if err != nil {
		t.Fatalf("generated cluster does not load:\n%v", err)
	}
	return inv
}

func TestClusterLoadsWithRequestedCounts(t *testing.T) {
	for _, opts := range []gen.Options{
		{Seed: 1},
		{Seed: 1, Namespaces: 1},
		{Seed: 2, Namespaces: 3, WorkloadsPerNamespace: 7, PodsPerWorkload: 2, GPUFraction: 0.5, ClusterRoles: 6},
		{Seed: 3, Namespaces: 2, WorkloadsPerNamespace: 10, PodsPerWorkload: 1, ClusterRoles: 1,
			WorkloadKinds: []string{gen.KindDeployment, gen.KindStatefulSet, gen.KindDaemonSet, gen.KindJob, gen.KindCronJob}},
		{Seed: 4, Namespaces: 2, WorkloadsPerNamespace: 3, GPUFraction: 1, GPUResource: "amd.com/gpu"},
		{Seed: 5, Namespaces: 2, WorkloadsPerNamespace: 4, PodsPerWorkload: 2, ClusterAdmins: 4, ReplicaSets: true,
			WorkloadKinds: []string{gen.KindDeployment, gen.KindCronJob}},
	} {
		t.Run(fmt.Sprintf("%+v", opts), func(t *testing.T) {
			out := gen.Generate(opts)
			if got, want := len(out.Objects), opts.ObjectCount(); got != want {
				t.Fatalf("Generate returned %d objects, ObjectCount says %d", got, want)
			}
			data := gen.Cluster(opts)
			inv := load(t, data)
			if got, want := inv.Len(), opts.ObjectCount(); got != want {
				t.Fatalf("loaded %d objects, want %d", got, want)
			}
			loaded := map[string]int{}
			for _, o := range inv.Objects() {
				loaded[o.Kind()]++
				if !o.Typed {
					t.Errorf("%s is not typed", o.Key())
				}
				if len(o.UnknownFields) > 0 {
					t.Errorf("%s has unknown fields %q", o.Key(), o.UnknownFields)
				}
			}
			if fmt.Sprint(loaded) != fmt.Sprint(out.Counts) {
				t.Errorf("kinds loaded %v, generated %v", loaded, out.Counts)
			}
			if got, want := loaded["Namespace"], opts.Namespaces; got != want {
				t.Errorf("%d namespaces, want %d", got, want)
			}
			if got, want := loaded["Pod"], opts.Namespaces*opts.WorkloadsPerNamespace*opts.PodsPerWorkload; got != want {
				t.Errorf("%d pods, want %d", got, want)
			}
			if got, want := loaded["ClusterRole"], opts.ClusterRoles+min(opts.ClusterAdmins, 1); got != want {
				t.Errorf("%d cluster roles, want %d", got, want)
			}
			controllers := 0
			for _, k := range []string{"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"} {
				controllers += loaded[k]
			}
			if want := opts.Namespaces * opts.WorkloadsPerNamespace; controllers != want {
				t.Errorf("%d controllers, want %d", controllers, want)
			}
		})
	}
}

func TestClusterIsDeterministic(t *testing.T) {
	opts := gen.Options{Seed: 42, Namespaces: 3, WorkloadsPerNamespace: 5, PodsPerWorkload: 2, GPUFraction: 0.4, ClusterRoles: 3}
	a, b := gen.Cluster(opts), gen.Cluster(opts)
	if !bytes.Equal(a, b) {
		t.Fatal("the same options gave different bytes")
	}
	opts.Seed = 43
	if bytes.Equal(a, gen.Cluster(opts)) {
		t.Fatal("different seeds gave the same bytes")
	}
	if !bytes.HasPrefix(a, []byte("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n")) {
		t.Errorf("unexpected start:\n%s", a[:min(len(a), 200)])
	}
	for _, noise := range []string{"null", "status: {}", "resources: {}", "strategy: {}"} {
		if bytes.Contains(a, []byte(noise)) {
			t.Errorf("output holds %q", noise)
		}
	}
	if !bytes.Contains(a, []byte("- podSelector: {}\n")) {
		t.Error("the egress peer podSelector: {} (every pod of the namespace) was dropped")
	}
}

func TestWriteIsCluster(t *testing.T) {
	for _, opts := range []gen.Options{
		{Seed: 42, Namespaces: 3, WorkloadsPerNamespace: 5, PodsPerWorkload: 2, GPUFraction: 0.4, ClusterRoles: 3},
		{Seed: 9, Namespaces: 2, WorkloadsPerNamespace: 3, PodsPerWorkload: 1, ClusterAdmins: 3, ReplicaSets: true},
	} {
		var buf bytes.Buffer
		if err := gen.Write(&buf, opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), gen.Cluster(opts)) {
			t.Errorf("%+v: Write and Cluster differ", opts)
		}
	}
	if err := gen.Write(&bytes.Buffer{}, gen.Options{Namespaces: -1}); err == nil {
		t.Error("Write accepted invalid options")
	}
}

// TestPlatformShape: gen.Platform(100000) is issue #16's platform; a
// smaller one keeps its proportions, and its ReplicaSets and cluster
// admins are what a cluster holds: each ReplicaSet owned by its
// Deployment and owning that Deployment's pods, which are therefore one
// workload per Deployment.
func TestPlatformShape(t *testing.T) {
	big := gen.Platform(100000)
	if big.Namespaces != 500 || big.Namespaces*big.WorkloadsPerNamespace != 20000 ||
		big.Namespaces*big.WorkloadsPerNamespace*big.PodsPerWorkload != 100000 || big.ClusterAdmins != 100 || !big.ReplicaSets {
		t.Errorf("Platform(100000) = %+v", big)
	}
	// 500 × (6 + 40 × 12) + cluster-admin and its 100 bindings.
	if got, want := big.ObjectCount(), 500*(6+40*12)+101; got != want {
		t.Errorf("Platform(100000) has %d objects, want %d", got, want)
	}
	opts := gen.Platform(400)
	out := gen.Generate(opts)
	want := map[string]int{"Namespace": 2, "Deployment": 80, "ReplicaSet": 80, "Pod": 400, "Secret": 80,
		"NetworkPolicy": 82, "ClusterRole": 1, "ClusterRoleBinding": 100}
	for kind, n := range want {
		if out.Counts[kind] != n {
			t.Errorf("%d %s, want %d", out.Counts[kind], kind, n)
		}
	}
	inv := load(t, gen.Cluster(opts))
	for _, rs := range governance.Typed[*appsv1.ReplicaSet](inv) {
		hash := rs.Labels["pod-template-hash"]
		if len(rs.OwnerReferences) != 1 || rs.OwnerReferences[0].Kind != "Deployment" || rs.Name != rs.OwnerReferences[0].Name+"-"+hash ||
			rs.Spec.Selector.MatchLabels["pod-template-hash"] != hash || rs.Spec.Template.Labels["pod-template-hash"] != hash {
			t.Errorf("ReplicaSet %s/%s: owners %v, labels %v", rs.Namespace, rs.Name, rs.OwnerReferences, rs.Labels)
		}
	}
	admins := 0
	for _, b := range governance.Typed[*rbacv1.ClusterRoleBinding](inv) {
		if b.RoleRef.Name == "cluster-admin" && len(b.Subjects) == 1 {
			admins++
		}
	}
	if admins != 100 {
		t.Errorf("%d cluster-admin bindings, want 100", admins)
	}
	perKind := map[string]int{}
	for _, w := range inv.Workloads() {
		perKind[w.Kind]++
	}
	if fmt.Sprint(perKind) != fmt.Sprint(map[string]int{"Deployment": 80}) {
		t.Errorf("workloads per kind %v, want the 80 Deployments only", perKind)
	}
}

func TestPodsHaveUniqueIPsAndOwners(t *testing.T) {
	opts := gen.Options{Seed: 7, Namespaces: 4, WorkloadsPerNamespace: 6, PodsPerWorkload: 3}
	inv := load(t, gen.Cluster(opts))
	seen := map[string]string{}
	for _, p := range governance.Typed[*corev1.Pod](inv) {
		if len(p.Status.PodIPs) != 1 || p.Status.PodIPs[0].IP != p.Status.PodIP || p.Status.PodIP == "" {
			t.Errorf("%s/%s: podIPs %v, podIP %q", p.Namespace, p.Name, p.Status.PodIPs, p.Status.PodIP)
		}
		if prev, dup := seen[p.Status.PodIP]; dup {
			t.Errorf("%s/%s and %s share IP %s", p.Namespace, p.Name, prev, p.Status.PodIP)
		}
		seen[p.Status.PodIP] = p.Namespace + "/" + p.Name
		if len(p.OwnerReferences) != 1 || p.OwnerReferences[0].Controller == nil || !*p.OwnerReferences[0].Controller {
			t.Errorf("%s/%s: owner references %v", p.Namespace, p.Name, p.OwnerReferences)
		}
		if p.Spec.NodeName == "" || p.Labels[gen.LabelApp] == "" {
			t.Errorf("%s/%s: no node or app label", p.Namespace, p.Name)
		}
	}
	// Every pod belongs to its controller: StatefulSet and Job pods name it,
	// Deployment pods name a ReplicaSet the input lacks, "<deployment>-<hash>".
	perKind := map[string]int{}
	for _, w := range inv.Workloads() {
		perKind[w.Kind]++
	}
	want := map[string]int{"Deployment": 8, "StatefulSet": 8, "Job": 8} // 6 workloads per namespace cycling 3 kinds, 4 namespaces
	if fmt.Sprint(perKind) != fmt.Sprint(want) {
		t.Errorf("workloads per kind %v, want %v", perKind, want)
	}
}

func TestGPUFraction(t *testing.T) {
	count := func(opts gen.Options) (gpuWorkloads int) {
		inv := load(t, gen.Cluster(opts))
		for _, w := range inv.Workloads() {
			if w.Kind == "Pod" {
				continue
			}
			if _, ok := w.Pod.Spec.Containers[0].Resources.Limits[corev1.ResourceName(gen.DefaultGPUResource)]; ok {
				gpuWorkloads++
			}
		}
		return gpuWorkloads
	}
	base := gen.Options{Seed: 5, Namespaces: 4, WorkloadsPerNamespace: 10}
	if n := count(base); n != 0 {
		t.Errorf("GPUFraction 0: %d GPU workloads", n)
	}
	base.GPUFraction = 1
	if n := count(base); n != 40 {
		t.Errorf("GPUFraction 1: %d GPU workloads, want 40", n)
	}
	base.GPUFraction = 0.5
	if n := count(base); n < 10 || n > 30 {
		t.Errorf("GPUFraction 0.5: %d GPU workloads of 40", n)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		opts gen.Options
		want string
	}{
		{gen.Options{WorkloadKinds: []string{"Pod"}}, `gen: unknown workload kind "Pod"`},
		{gen.Options{Namespaces: -1}, "gen: negative count"},
		{gen.Options{ClusterAdmins: -1}, "gen: negative count"},
		{gen.Options{GPUFraction: 2}, "gen: GPUFraction 2 is not between 0 and 1"},
		{gen.Options{Namespaces: 10000}, "gen: at most 9999 namespaces"},
		{gen.Options{Namespaces: 9999, WorkloadsPerNamespace: 1000, PodsPerWorkload: 2}, "gen: more pods than"},
	} {
		err := tc.opts.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
	if err := (gen.Options{Namespaces: 2, WorkloadsPerNamespace: 2}).Validate(); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

func BenchmarkCluster10k(b *testing.B) {
	opts := gen.Options{Seed: 1, Namespaces: 55, WorkloadsPerNamespace: 20, PodsPerWorkload: 3, GPUFraction: 0.3, ClusterRoles: 50}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(gen.Cluster(opts))
	}
	b.SetBytes(int64(n))
	b.ReportMetric(float64(opts.ObjectCount()), "objects/op")
}

func TestCachedFile(t *testing.T) {
	dir := t.TempDir()
	opts := gen.Options{Seed: 3, Namespaces: 2, WorkloadsPerNamespace: 3, PodsPerWorkload: 2, ClusterAdmins: 2, ReplicaSets: true}
	path, err := gen.CachedFile(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, gen.Cluster(opts)) {
		t.Error("the cached file is not the cluster")
	}
	// The second call reuses the file: a change to it stays.
	if err := os.WriteFile(path, []byte("reused"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, err := gen.CachedFile(dir, opts); err != nil || again != path {
		t.Fatalf("second call: %q, %v; want %q", again, err, path)
	}
	if data, _ := os.ReadFile(path); string(data) != "reused" {
		t.Error("the second call rewrote the file")
	}
	opts.Seed = 4
	if other, err := gen.CachedFile(dir, opts); err != nil || other == path {
		t.Errorf("other options: %q, %v; want a new file", other, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files in the cache, want 2 (no temporary file left)", len(entries))
	}
}

// TestPodNamesUnique: a workload's random pod suffixes never repeat, even
// where five hex digits drawn for thousands of pods would (an input with
// two pods of one name is an input error).
func TestPodNamesUnique(t *testing.T) {
	out := gen.Generate(gen.Options{Seed: 1, Namespaces: 2, WorkloadsPerNamespace: 3, PodsPerWorkload: 3000,
		WorkloadKinds: []string{gen.KindDeployment, gen.KindJob}})
	seen := map[string]bool{}
	for _, o := range out.Objects {
		if p, ok := o.(*corev1.Pod); ok {
			k := p.Namespace + "/" + p.Name
			if seen[k] {
				t.Fatalf("pod %s twice", k)
			}
			seen[k] = true
		}
	}
	if len(seen) != 2*3*3000 {
		t.Errorf("%d pods, want %d", len(seen), 2*3*3000)
	}
}
