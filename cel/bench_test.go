package cel

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

func benchPod(b *testing.B) *governance.Object {
	l, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	objs, err := l.Decode("pod.yaml", []byte(`apiVersion: v1
kind: Pod
metadata: {name: llm, namespace: team-a}
spec:
  securityContext: {runAsNonRoot: true}
  initContainers: [{name: fetch, image: "registry.example.com/fetch:1", resources: {limits: {cpu: 1, memory: 1Gi}}}]
  containers:
  - {name: server, image: "registry.example.com/vllm:0.6", resources: {limits: {cpu: 8, memory: 64Gi, nvidia.com/gpu: 2}}}
  - {name: proxy, image: "nginx:1.27", resources: {limits: {cpu: 1, memory: 1Gi}}}
`))
	if err != nil {
		b.Fatal(err)
	}
	return objs[0]
}

// BenchmarkGenerateCatalog generates and compiles (1.30) every corpus entry.
func BenchmarkGenerateCatalog(b *testing.B) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		b.Fatal(err)
	}
	p := &governance.Policy{Name: "bench"}
	for _, dc := range corpus(b) {
		p.Entries = append(p.Entries, dc.entry)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := comp.Generate(p, testDefinitions()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdmitPodPerPolicy evaluates each generated policy on one pod
// in-process (ns/op is per object per policy).
func BenchmarkAdmitPodPerPolicy(b *testing.B) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		b.Fatal(err)
	}
	pod := benchPod(b)
	var adms []*Admission
	for _, dc := range corpus(b) {
		gs, err := comp.GenerateEntry("bench", dc.entry, testDefinitions())
		if err != nil {
			b.Fatal(err)
		}
		adm, err := NewAdmission(Policies(gs))
		if err != nil {
			b.Fatal(err)
		}
		adms = append(adms, adm)
	}
	ns := []*corev1.Namespace{BareNamespace("team-a")}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := adms[i%len(adms)].Admit(context.Background(), Request{Object: pod.Obj, Namespaces: ns}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileRule(b *testing.B) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		b.Fatal(err)
	}
	r := Rule{Expression: `object.spec.containers.all(c, c.?securityContext.?privileged.orValue(false) != true)`, MessageExpression: `"pod " + object.metadata.name`}
	for b.Loop() {
		if _, err := comp.Compile(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateRule(b *testing.B) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		b.Fatal(err)
	}
	prog, err := comp.Compile(Rule{Expression: `object.spec.containers.all(c, quantity(c.resources.limits["nvidia.com/gpu"]).compareTo(quantity("1")) <= 0)`})
	if err != nil {
		b.Fatal(err)
	}
	pod := benchPod(b)
	for b.Loop() {
		prog.EvaluateObject(context.Background(), pod, Input{})
	}
}
