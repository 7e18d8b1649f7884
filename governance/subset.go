package governance

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance/internal/operator"
)

// What-if evaluation: an admission webhook asks "which findings would this
// one change create?" many times a second over an inventory that is
// otherwise the same. Rebuilding the inventory, its workloads and every
// fact for each question costs seconds at 10,000 pods; the functions here
// let a caller derive the changed inventory from the current one, reuse
// the facts the change cannot touch, and run only some rules, object
// checks only on the objects the change is about.

// WithChange returns a new inventory equal to inv with the object of key
// old removed (when inv holds one) and o added (when not nil). inv is not
// modified, and the objects are shared, not copied: callers must treat
// both inventories as read-only. So is inv's index by key: the new
// inventory keeps only the keys the change alters (an admission review
// asks this once per request, and copying the index of 10,000 pods cost
// milliseconds and megabytes each time). The workloads of inv are carried
// over, with only the changed object's replaced, when the change cannot
// alter another object's workloads (see carriesWorkloads); otherwise the
// new inventory computes its own on first use. Adding an object whose key
// another object of inv (other than old) has is an error.
func (inv *Inventory) WithChange(old Key, o *Object) (*Inventory, error) {
	out := &Inventory{
		// One more than inv's, for an object added.
		objects:    append(make([]*Object, 0, len(inv.objects)+1), inv.objects...),
		byKind:     maps.Clone(inv.byKind),
		byKey:      inv.byKey,
		keyChanges: make(map[Key]*Object, len(inv.keyChanges)+2),
		Warnings:   slices.Clone(inv.Warnings),
		Degraded:   slices.Clone(inv.Degraded),
	}
	maps.Copy(out.keyChanges, inv.keyChanges)
	removed := inv.Get(old)
	if removed != nil {
		out.objects = removeObject(out.objects, removed)
		gk := removed.GVK.GroupKind()
		out.byKind[gk] = removeObject(slices.Clone(out.byKind[gk]), removed)
		if len(out.byKind[gk]) == 0 {
			delete(out.byKind, gk)
		}
		out.keyChanges[old] = nil
	}
	if o != nil {
		if _, err := decodeTemplates(o); err != nil {
			return nil, &InputError{Source: o.Source, Err: err}
		}
		k := o.Key()
		if prev := out.Get(k); prev != nil && k.Name != "" {
			return nil, fmt.Errorf("duplicate object %s: already defined at %s", k, prev.Source)
		}
		out.objects = insertObject(out.objects, o, k)
		gk := o.GVK.GroupKind()
		out.byKind[gk] = insertObject(slices.Clone(out.byKind[gk]), o, k)
		if k.Name != "" {
			out.keyChanges[k] = o
		}
	}
	if carriesWorkloads(inv, removed, o) {
		ws := spliceWorkloads(inv.Workloads(), out, removed, o)
		out.workloadsOnce.Do(func() { out.workloads = ws })
	}
	return out, nil
}

// keyIndex returns a map of inv's keys to its objects the caller owns.
func (inv *Inventory) keyIndex() map[Key]*Object {
	out := maps.Clone(inv.byKey)
	if out == nil {
		out = make(map[Key]*Object, len(inv.keyChanges))
	}
	for k, o := range inv.keyChanges {
		if o == nil {
			delete(out, k)
		} else {
			out[k] = o
		}
	}
	return out
}

// removeObject returns objs without o (the same pointer).
func removeObject(objs []*Object, o *Object) []*Object {
	k := o.Key()
	i := sort.Search(len(objs), func(i int) bool { return !lessKey(objs[i].Key(), k) })
	for ; i < len(objs); i++ {
		if objs[i] == o {
			return slices.Delete(objs, i, i+1)
		}
		if lessKey(k, objs[i].Key()) {
			break
		}
	}
	// Not where its key sorts (objects without a name): look everywhere.
	if i := slices.Index(objs, o); i >= 0 {
		return slices.Delete(objs, i, i+1)
	}
	return objs
}

// insertObject inserts o, of key k, after the objects that sort before or
// with it, keeping the inventory's order.
func insertObject(objs []*Object, o *Object, k Key) []*Object {
	i := sort.Search(len(objs), func(i int) bool { return lessKey(k, objs[i].Key()) })
	return slices.Insert(objs, i, o)
}

// carriesWorkloads reports whether replacing removed by added leaves every
// other object's workloads alone, so that the new inventory's workloads
// are the old ones with the changed object's replaced. That holds unless
// the change adds or removes a controller that may own other objects (an
// owner kind or an AI operator's resource: its children would stop or
// start being workloads of their own) or touches an AI operator's
// resource, whose pods may be derived from another resource of the
// inventory (a TrainJob from its runtime, an InferenceService from its
// ServingRuntime).
func carriesWorkloads(inv *Inventory, removed, added *Object) bool {
	for _, o := range []*Object{removed, added} {
		if o == nil {
			continue
		}
		if _, op := operator.Find(o.GVK); op {
			return false
		}
	}
	sameKey := removed != nil && added != nil && removed.Key() == added.Key()
	for _, o := range []*Object{removed, added} {
		if o == nil || sameKey {
			continue
		}
		if group, owner := ownerKinds[o.GVK.Kind]; owner && group == o.GVK.Group {
			return false
		}
	}
	return true
}

// spliceWorkloads returns ws (the workloads of the inventory before the
// change, in object order) without the removed object's and with the
// added object's, unless the new inventory owns it.
// When the change neither removes a workload nor adds one (a Service, a
// binding, a policy), ws itself is returned: both inventories are
// read-only, and a review of such a change need not copy the workloads of
// 10,000 pods.
func spliceWorkloads(ws []Workload, inv *Inventory, removed, added *Object) []Workload {
	var mine []Workload
	if added != nil && !inv.ownedInInventory(added) {
		if spec, podMeta, path, ok := podSpecOf(added); ok {
			mine = []Workload{newWorkload(added, spec, podMeta, path)}
		} else {
			mine = inv.operatorWorkloads(added)
		}
	}
	if len(mine) == 0 && (removed == nil || !slices.ContainsFunc(ws, func(w Workload) bool { return w.Object == removed })) {
		return ws
	}
	out := make([]Workload, 0, len(ws)+len(mine))
	for _, w := range ws {
		if removed == nil || w.Object != removed {
			out = append(out, w)
		}
	}
	if len(mine) == 0 {
		return out
	}
	k := added.Key()
	i := sort.Search(len(out), func(i int) bool { return lessKey(k, out[i].Object.Key()) })
	return slices.Insert(out, i, mine...)
}

// CarryFacts makes the facts of from that are listed in facts and already
// computed the values of p too, so that p does not compute them again.
// The caller asserts that the facts do not depend on what differs between
// the two passes' inventories.
func (p *Pass) CarryFacts(from *Pass, facts []FactRef) {
	from.mu.Lock()
	carried := map[FactRef]*factResult{}
	for _, f := range facts {
		if r, ok := from.facts[f]; ok {
			carried[f] = r
		}
	}
	from.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.facts == nil {
		p.facts = map[FactRef]*factResult{}
	}
	for f, r := range carried {
		// Wait for a computation in progress; the value is then final.
		r.once.Do(func() {})
		done := &factResult{value: r.value}
		done.once.Do(func() {})
		p.facts[f] = done
	}
}

// RunSubset is Run restricted to some rules: the engine's rules whose
// indexes (in Rules order) are listed, object checks evaluated only on
// objects (which must belong to the pass's inventory; a child among them
// folds into its owner's finding when the owner is listed too), inventory
// checks (and the Inventory part of a check with both) on the whole
// inventory. Exemptions and scopes apply as in Run;
// findings about malformed exemptions are not reported (they belong to no
// rule). Only the facts the listed rules require are computed, and they
// and the inventory checks run as Run schedules them, on up to GOMAXPROCS
// goroutines: a review of a Pod builds the reachability graph and the
// workloads' classification at once.
func (e *Engine) RunSubset(pass *Pass, rules []int, objects []*Object) ([]Finding, error) {
	var required []FactRef
	sub := &Engine{}
	slot := make(map[int]int, len(rules))
	for _, i := range rules {
		if i < 0 || i >= len(e.rules) {
			return nil, fmt.Errorf("rule index %d out of range (%d rules)", i, len(e.rules))
		}
		required = append(required, e.rules[i].Check.Requires...)
		if _, seen := slot[i]; !seen && e.rules[i].Check.Inventory != nil {
			slot[i] = len(sub.rules)
			sub.rules = append(sub.rules, e.rules[i])
		}
	}
	facts, err := factOrder(required)
	if err != nil {
		return nil, err
	}
	sub.facts = facts
	raw := make([][]Finding, len(sub.rules))
	if len(facts)+len(sub.rules) > 0 {
		sub.schedule(pass, func(j int) { raw[j] = sub.rules[j].Check.Inventory(pass) })
	}
	inv := pass.Inventory
	nsLabels := namespaceLabels(inv)
	exempt := exemptionsOf(inv)
	var findings []Finding
	for _, i := range rules {
		r := e.rules[i]
		keep := func(f Finding) bool {
			return !exempt(f.Object, r.Check) && r.Scope.includes(f.Object, inv, nsLabels)
		}
		var fs []Finding
		if r.Check.Object != nil {
			var objs []*Object
			for _, o := range objects {
				if !r.Check.appliesTo(o) {
					continue
				}
				for _, v := range r.Check.Object(o) {
					fs = append(fs, Finding{Object: o.Ref(), Path: v.Path, Message: v.Message})
					objs = append(objs, o)
				}
			}
			fs = foldOwned(inv, fs, objs, keep)
		}
		if r.Check.Inventory != nil {
			fs = append(fs, raw[slot[i]]...)
		}
		for _, f := range fs {
			if keep(f) {
				findings = append(findings, e.complete(r, f))
			}
		}
	}
	SortFindings(findings)
	return findings, nil
}

// exemptionsOf reads exemption annotations lazily, object by object, as
// findings ask: a what-if run reports few findings, and reading every
// object's annotations would cost more than the run.
func exemptionsOf(inv *Inventory) func(ObjectRef, Check) bool {
	cache := map[Key]exemptions{}
	return func(ref ObjectRef, c Check) bool {
		gv, _ := schema.ParseGroupVersion(ref.APIVersion)
		k := Key{Group: gv.Group, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}
		e, ok := cache[k]
		if !ok {
			e = exemptions{}
			if o := inv.Get(k); o != nil {
				e, _ = readExemptions(&Inventory{objects: []*Object{o}})
			}
			cache[k] = e
		}
		return e.covers(ref, c)
	}
}

// Owners returns the inventory objects that make o's pods theirs, nearest
// first (a Pod's ReplicaSet, then its Deployment), as findings fold into
// them: a what-if run of object checks on o lists them too, so that o's
// findings fold as in a full run.
func (inv *Inventory) Owners(o *Object) []*Object {
	var out []*Object
	for cur := inv.ownerInInventory(o); cur != nil && len(out) < maxOwnerDepth; cur = inv.ownerInInventory(cur) {
		if slices.Contains(out, cur) || cur == o {
			break
		}
		out = append(out, cur)
	}
	return out
}
