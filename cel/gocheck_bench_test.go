package cel

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// BenchmarkGoCheckPerPod runs each catalog check that has a generated VAP
// and applies to Pods, built by its catalog constructor with the corpus
// parameters, on one realistic Pod (an init container and two containers
// with limits, a GPU, a security context): ns/op is per pod per check
// (issue target: under 5 µs).
func BenchmarkGoCheckPerPod(b *testing.B) {
	pod := benchPod(b)
	podKind := schema.GroupKind{Kind: "Pod"}
	defs := map[string]governance.Definition{}
	for _, d := range catalog.Definitions() {
		defs[d.ID] = d
	}
	for _, dc := range corpus(b) {
		d, ok := defs[dc.entry.ID]
		if !ok {
			// custom-cel is defined by this package and evaluates CEL
			// (BenchmarkEvaluateRule).
			continue
		}
		check, err := d.New(dc.entry.Params)
		if err != nil {
			b.Fatalf("%s: %v", dc.entry.ID, err)
		}
		if check.Object == nil || (len(check.Kinds) > 0 && !slices.Contains(check.Kinds, podKind)) {
			continue
		}
		b.Run(diffLabel(dc.entry), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = check.Object(pod)
			}
		})
	}
}
