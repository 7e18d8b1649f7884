package live

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/internal/cputime"
	"github.com/aigov/aigov/internal/gen"
)

// BenchmarkAdmission10k reviews changes against a generated platform of
// 10,000 pods (internal/gen: 200 team namespaces, 2,000 workloads of 5
// pods each, their ReplicaSets and Pods, RBAC, quotas, default-deny
// policies) evaluated with testdata/admission-policy.yaml, the policy of
// the what-if tests (RBAC, reachability, vector DB and inference exposure
// checks Deny, latest-tag Warn). Each sub-benchmark reviews one kind of
// change and reports the latency's p50, p90 and p99 in milliseconds, the
// process's CPU time per review (cpu-ms/op: the garbage collector's
// included, and less sensitive than wall time to other processes on a
// shared machine) and the garbage collections per review (gc/op). The
// base evaluation is built once, as a running server holds it. A p99
// needs samples: run with -benchtime 1000x or more.
func BenchmarkAdmission10k(b *testing.B) {
	opts := gen.Options{Seed: 1, Namespaces: 200, WorkloadsPerNamespace: 10, PodsPerWorkload: 5, GPUFraction: 0.2, ClusterRoles: 20}
	rules, err := policyset.Rules("testdata/admission-policy.yaml")
	if err != nil {
		b.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		b.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	inv, err := loader.LoadBytes("platform.yaml", gen.Cluster(opts))
	if err != nil {
		b.Fatal(err)
	}
	pass := governance.NewPass(inv)
	snap := &Snapshot{Generation: 1, Findings: engine.RunPass(pass), Objects: inv.Len(), inventory: inv, pass: pass}
	a, err := newAdmitter(engine, func() *Snapshot { return snap }, nil)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct{ name, manifest string }{
		{"RoleBinding", `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: extra, namespace: team-001}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: team-developer}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: team-002-leads}]
`},
		{"Service", `
apiVersion: v1
kind: Service
metadata: {name: public, namespace: team-001}
spec: {type: LoadBalancer, selector: {app: x}, ports: [{port: 80}]}
`},
		{"NetworkPolicy", `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: team-001}
spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {}}]}]}
`},
		{"Pod", `
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: team-001, labels: {team: team-001}}
spec: {containers: [{name: c, image: 'busybox:1.36'}]}
`},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			req := request(b, admissionv1.Create, tc.manifest)
			var took []time.Duration
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			cpuBefore, cpuOK := cputime.Process()
			for b.Loop() {
				start := time.Now()
				if _, err := a.review(context.Background(), req); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			cpuAfter, _ := cputime.Process()
			runtime.ReadMemStats(&after)
			slices.Sort(took)
			ms := func(q float64) float64 {
				return float64(took[min(len(took)-1, int(q*float64(len(took))))]) / float64(time.Millisecond)
			}
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.90), "p90-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
			if cpuOK {
				b.ReportMetric(float64(cpuAfter-cpuBefore)/float64(time.Millisecond)/float64(len(took)), "cpu-ms/op")
			}
			b.ReportMetric(float64(after.NumGC-before.NumGC)/float64(len(took)), "gc/op")
		})
	}
}
