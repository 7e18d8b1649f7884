package governance_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/internal/gen"
)

// TestWithChangeEqualsNewInventory: chains of random changes (an object
// removed, replaced by a relabelled copy, added back, added as a copy
// under a new name) applied with WithChange, one after the other, on
// inventories that share their index by key, and then with WithChanges
// on the result, give the inventory NewInventory builds from the same
// objects: the same objects in the same order, by kind, by key (removed
// keys included), the same workloads; and the inventory they started from
// is left as it was.
func TestWithChangeEqualsNewInventory(t *testing.T) {
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	base, err := loader.LoadBytes("platform.yaml", gen.Cluster(gen.Options{Seed: 3, Namespaces: 4, WorkloadsPerNamespace: 3,
		PodsPerWorkload: 2, GPUFraction: 0.3, ClusterRoles: 2, ReplicaSets: true, CRFraction: 0.3}))
	require.NoError(t, err)
	baseObjects := slices.Clone(base.Objects())
	baseWorkloads := slices.Clone(base.Workloads())

	r := rand.New(rand.NewPCG(4, 2))
	for chain := range 40 {
		inv := base
		current := slices.Clone(base.Objects())
		var gone []*governance.Object
		for step := range 1 + r.IntN(4) {
			var old governance.Key
			var added *governance.Object
			switch r.IntN(4) {
			case 0: // remove
				o := current[r.IntN(len(current))]
				old, gone = o.Key(), append(gone, o)
			case 1: // replace with a relabelled copy
				o := current[r.IntN(len(current))]
				old, added = o.Key(), relabelled(t, loader, o, fmt.Sprintf("c%d-%d", chain, step), o.Name())
			case 2: // add back a removed object, when there is one
				if len(gone) > 0 {
					added, gone = gone[len(gone)-1], gone[:len(gone)-1]
					old = added.Key()
					break
				}
				fallthrough
			default: // a copy under a new name
				o := current[r.IntN(len(current))]
				added = relabelled(t, loader, o, fmt.Sprintf("c%d-%d", chain, step), fmt.Sprintf("%s-copy-%d-%d", o.Name(), chain, step))
				old = added.Key()
			}
			current = slices.DeleteFunc(current, func(o *governance.Object) bool { return o.Key() == old && old.Name != "" })
			if added != nil {
				current = append(current, added)
			}
			inv, err = inv.WithChange(old, added)
			require.NoError(t, err)
			sameInventory(t, inv, current, gone, fmt.Sprintf("chain %d step %d", chain, step))
		}
		// A batch on the derived inventory: the first two objects out.
		removed := []governance.Key{current[0].Key(), current[1].Key()}
		gone = append(gone, current[0], current[1])
		current = current[2:]
		batch, err := inv.WithChanges(removed, nil)
		require.NoError(t, err)
		sameInventory(t, batch, current, gone, fmt.Sprintf("chain %d batch", chain))
	}
	require.Equal(t, baseObjects, base.Objects(), "the base inventory's objects changed")
	require.Equal(t, baseWorkloads, base.Workloads(), "the base inventory's workloads changed")
	for _, o := range baseObjects {
		require.Same(t, o, base.Get(o.Key()), "the base inventory's index changed")
	}
}

// relabelled decodes a copy of o named name with a label that tells it
// apart.
func relabelled(t *testing.T, loader *governance.Loader, o *governance.Object, mark, name string) *governance.Object {
	t.Helper()
	js, err := json.Marshal(o.Obj)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(js, &m))
	m["apiVersion"], m["kind"] = o.GVK.GroupVersion().String(), o.GVK.Kind
	js, err = json.Marshal(m)
	require.NoError(t, err)
	objs, errs := loader.Decoder().DecodeJSON(js, governance.Source{File: "change.json", Item: -1})
	require.Empty(t, errs)
	require.Len(t, objs, 1)
	meta := objs[0].Meta()
	meta.SetName(name)
	labels := meta.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels["changed"] = mark
	meta.SetLabels(labels)
	return objs[0]
}

// sameInventory compares inv with the inventory NewInventory builds from
// objects; the keys of gone (unless an object of objects has one) are in
// neither.
func sameInventory(t *testing.T, inv *governance.Inventory, objects, gone []*governance.Object, what string) {
	t.Helper()
	want, err := governance.NewInventory(objects)
	require.NoError(t, err, what)
	require.Equal(t, keysOf(want.Objects()), keysOf(inv.Objects()), what)
	for _, o := range want.Objects() {
		require.Same(t, want.Get(o.Key()), inv.Get(o.Key()), "%s: %v", what, o.Key())
		gk := o.GVK.GroupKind()
		require.Equal(t, want.OfKind(gk), inv.OfKind(gk), "%s: kind %v", what, gk)
	}
	for _, o := range gone {
		require.Same(t, want.Get(o.Key()), inv.Get(o.Key()), "%s: removed %v", what, o.Key())
	}
	type workload struct {
		object               *governance.Object
		kind, namespace, key string
	}
	flat := func(ws []governance.Workload) []workload {
		var out []workload
		for _, w := range ws {
			out = append(out, workload{w.Object, w.Kind, w.Namespace, w.Name + "/" + w.Role + "/" + w.SpecPath})
		}
		return out
	}
	require.Equal(t, flat(want.Workloads()), flat(inv.Workloads()), "%s: workloads", what)
}

func keysOf(objs []*governance.Object) []governance.Key {
	out := make([]governance.Key, len(objs))
	for i, o := range objs {
		out[i] = o.Key()
	}
	return out
}

// TestRunSubsetEqualsRun: RunSubset of random sets of the catalog's rules
// on every object (facts and inventory checks scheduled on several
// goroutines) finds what Run finds for those rules.
func TestRunSubsetEqualsRun(t *testing.T) {
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes("platform.yaml", gen.Cluster(gen.Options{Seed: 5, Namespaces: 4, WorkloadsPerNamespace: 3,
		PodsPerWorkload: 2, GPUFraction: 0.3, ClusterRoles: 2, ReplicaSets: true, CRFraction: 0.3}))
	require.NoError(t, err)
	rules, err := policyset.Rules("")
	require.NoError(t, err)
	engine, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	type id struct{ check, name, object, path, message string }
	idOf := func(f governance.Finding) id {
		return id{f.Check, f.Name, f.Object.APIVersion + "/" + f.Object.Display(), f.Path, f.Message}
	}
	byRule := map[[2]string][]id{}
	for _, f := range engine.Run(inv) {
		k := [2]string{f.Check, f.Name}
		byRule[k] = append(byRule[k], idOf(f))
	}
	r := rand.New(rand.NewPCG(5, 9))
	found := 0
	for round := range 12 {
		var subset []int
		var want []id
		for i, rule := range engine.Rules() {
			if r.IntN(3) == 0 {
				subset = append(subset, i)
				want = append(want, byRule[[2]string{rule.Check.ID, rule.Name}]...)
			}
		}
		got, err := engine.RunSubset(governance.NewPass(inv), subset, inv.Objects())
		require.NoError(t, err)
		var have []id
		for _, f := range got {
			have = append(have, idOf(f))
		}
		require.ElementsMatch(t, want, have, "round %d: rules %v", round, subset)
		found += len(have)
	}
	require.Positive(t, found, "no rule of the subsets found anything")
}
