package governance

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// objectsOfKinds lists exactly the objects appliesTo accepts, in the
// inventory's order, whatever the order and repetitions of the kinds.
func TestObjectsOfKindsIsTheFilteredInventory(t *testing.T) {
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.LoadBytes("mixed.yaml", []byte(`
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: ns2}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: ns1}
spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: nginx}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: ns2}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: ns1}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: ns0}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: nginx}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: ns1}
spec: {containers: [{name: c, image: nginx}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	pod, deploy, job := schema.GroupKind{Kind: "Pod"}, schema.GroupKind{Group: "apps", Kind: "Deployment"}, schema.GroupKind{Group: "batch", Kind: "Job"}
	for _, kinds := range [][]schema.GroupKind{nil, {pod}, {job, pod, deploy}, {deploy, pod, deploy}, {{Kind: "Secret"}}} {
		var want []*Object
		for _, o := range inv.Objects() {
			if (Check{Kinds: kinds}).appliesTo(o) {
				want = append(want, o)
			}
		}
		got := slices.Concat(objectsOfKinds(inv, kinds)...)
		if !slices.Equal(got, want) {
			t.Errorf("kinds %v: objectsOfKinds gives %d objects %v, want %d %v", kinds, len(got), keys(got), len(want), keys(want))
		}
	}
}

func keys(objs []*Object) []Key {
	var out []Key
	for _, o := range objs {
		out = append(out, o.Key())
	}
	return out
}
