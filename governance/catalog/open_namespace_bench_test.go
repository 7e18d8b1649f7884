package catalog

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/aigov/aigov/governance"
)

// openPods is a JSON List of standalone Pods spread evenly over
// namespaces ns-000, ns-001, … with no NetworkPolicy, as `kubectl get pods
// -A -o json` gives them on a cluster without policies: every pod reaches
// every pod and the internet on every port. One pod in ten runs vLLM (an
// inference server, so ai-internet-egress has findings).
func openPods(t testing.TB, pods, namespaces int, teams bool) *governance.Inventory {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(`{"apiVersion":"v1","kind":"List","items":[`)
	for i := 0; teams && i < namespaces; i++ {
		fmt.Fprintf(&buf, `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns-%03d","labels":{"team":"team-%03d"}}},`, i, i)
	}
	for i := 0; i < pods; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		image := "registry.example.com/web:1.4.2"
		if i%10 == 0 {
			image = "vllm/vllm-openai:v0.6.3"
		}
		fmt.Fprintf(&buf, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-%05d","namespace":"ns-%03d","labels":{"app":"pod-%05d"}},`+
			`"spec":{"containers":[{"name":"main","image":%q,"ports":[{"containerPort":8080}]}]},`+
			`"status":{"phase":"Running","podIP":"10.%d.%d.%d"}}`,
			i, i%namespaces, i, image, 1+i/65536, i/256%256, i%256)
	}
	buf.WriteString("]}")
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("pods.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// benchmarkOpenPods runs the default catalog (as `aigov check` does,
// loading excluded) over openPods: the reachability checks must walk
// classes of pods, not the pods² pairs an open cluster allows. Besides
// wall time and allocations it reports cpu-s/op (user + system CPU of
// the process: on a shared machine wall time includes waiting for a
// core) and peak-RSS-MiB (see BenchmarkPlatform).
func benchmarkOpenPods(b *testing.B, pods, namespaces int, teams bool) {
	inv := openPods(b, pods, namespaces, teams)
	rules, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	var peak uint64
	peakOK := true
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		peakOK = peakOK && resetPeakRSS()
		before := processCPU()
		b.StartTimer()

		n = len(engine.Run(inv))

		b.StopTimer()
		cpu += processCPU() - before
		peak = max(peak, procStatusKiB("VmHWM"))
		b.StartTimer()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(n), "findings")
	if peakOK && peak > 0 {
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
	}
}

// BenchmarkCheckOpenNamespace2k: 2,000 Pods in one namespace, no
// NetworkPolicy (4 million allowed pod pairs).
//
//	go test -run '^$' -bench OpenNamespace -benchtime 1x ./governance/catalog/
func BenchmarkCheckOpenNamespace2k(b *testing.B) { benchmarkOpenPods(b, 2000, 1, false) }

// BenchmarkCheckOpenNamespaces20k: 20,000 Pods over 100 namespaces, no
// NetworkPolicy (400 million allowed pod pairs).
func BenchmarkCheckOpenNamespaces20k(b *testing.B) { benchmarkOpenPods(b, 20000, 100, false) }

// BenchmarkCheckOpenTeams20k: the same pods, their namespaces labelled
// as 100 teams: cross-team-reachability has a finding per pod, each
// naming the 99 other teams, and one description of them per team.
func BenchmarkCheckOpenTeams20k(b *testing.B) { benchmarkOpenPods(b, 20000, 100, true) }
