package catalog

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// BenchmarkCatalog runs every catalog check over 1,000 Deployments with an
// init container and two containers each, and 1,000 Services.
func BenchmarkCatalog(b *testing.B) {
	policy, err := governance.LoadPolicyFile("testdata/golden/policy.yaml")
	if err != nil {
		b.Fatal(err)
	}
	rules, err := policy.Rules(Definitions())
	if err != nil {
		b.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		b.Fatal(err)
	}
	var m strings.Builder
	for i := range 1000 {
		m.WriteString("---\n" + podManifest("Deployment", fmt.Sprintf("d%d", i), "{team: ml}",
			"{initContainers: [{name: i, image: busybox}], containers: [{name: a, image: 'nvcr.io/x:1', resources: {limits: {cpu: 1, nvidia.com/gpu: 8}}}, {name: b, image: 'registry.example.com/y@sha256:00', securityContext: {privileged: true}}]}"))
		m.WriteString("---\n" + service(fmt.Sprintf("s%d", i), "NodePort"))
	}
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	inv, err := loader.LoadBytes("bench.yaml", []byte(m.String()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if len(engine.Run(inv)) == 0 {
			b.Fatal("no findings")
		}
	}
}
