package live

import (
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/aigov/aigov/governance"
)

// Incremental re-evaluation. The first evaluation, and any after a change
// the deltas cannot describe (a resource starts or stops being watched or
// readable, two objects share a key), builds the inventory from every
// informer's cache and evaluates everything. Every other evaluation
// starts from the previous one:
//
//   - the inventory: each changed object (informer key) is looked up in
//     its informer's cache now, and its old decoded objects are replaced by
//     the new ones (Inventory.WithChanges), nothing else decoded or copied
//     one by one;
//   - object checks: each runs once per object version (ObjectEvaluator
//     keeps the violations of unchanged objects); the findings of a
//     namespace (folding, exemptions and scopes, all within a namespace)
//     are put together again only for the namespaces a change touched:
//     the object's namespace, a Namespace's own, every namespace when an
//     AI operator's resource changes (the pods it derives may come from
//     another resource, even a cluster-scoped runtime);
//   - inventory checks: only those the changed kinds can touch
//     (relevance: the facts they require and the kinds they read) run
//     again, on a pass that carries over every fact the changes cannot
//     touch; the others keep their findings as the check gave them;
//     exemptions and scopes are applied to every rule's findings again,
//     since an annotation or label of any object may have changed.
//
// The result equals a full evaluation of the same caches:
// TestIncrementalEqualsFull applies random changes and compares.

// itemKey names one object of one informer: the resource and the
// informer's key (namespace/name).
type itemKey struct {
	resource, key string
}

// evalState is what an evaluation leaves for the next. Only the
// evaluation goroutine uses it.
type evalState struct {
	inv  *governance.Inventory
	pass *governance.Pass
	// items are the informer objects the inventory was built from.
	items map[itemKey]*unstructured.Unstructured
	// degraded are the degradations the inventory was built with
	// (watched resources lost, resources not readable).
	degraded []governance.Degradation
	objects  *governance.ObjectEvaluator
	// byNamespace are the object checks' findings by namespace ("" for
	// cluster-scoped objects), exemptions and scopes applied.
	byNamespace map[string][]governance.Finding
	// raw are the findings of each inventory rule (invRules[i]) as its
	// check gave them.
	raw [][]governance.Finding
}

// evaluation is one evaluation's outcome.
type evaluation struct {
	inv       *governance.Inventory
	pass      *governance.Pass
	findings  []governance.Finding
	inputErrs governance.ErrorList
	// full is true when everything was evaluated.
	full bool
}

// evaluator computes evaluations, incrementally when it can.
type evaluator struct {
	host      string
	engine    *governance.Engine
	relevance *relevance
	decoded   *decodedCache
	invRules  []int
	state     *evalState
}

func newEvaluator(host string, engine *governance.Engine, rel *relevance, decoded *decodedCache) *evaluator {
	return &evaluator{host: host, engine: engine, relevance: rel, decoded: decoded, invRules: engine.InventoryRules()}
}

// run evaluates the informers' caches after the changes in set.
func (ev *evaluator) run(ws []*watched, degraded []governance.Degradation, set map[change]bool) (*evaluation, error) {
	if ev.state != nil && ev.canApply(ws, degraded, set) {
		out, ok, err := ev.incremental(ws, set)
		if err != nil || ok {
			return out, err
		}
	}
	return ev.full(ws, degraded)
}

// canApply reports whether the changes are object deltas of resources
// watched, readable and unchanged since the last evaluation.
func (ev *evaluator) canApply(ws []*watched, degraded []governance.Degradation, set map[change]bool) bool {
	for ch := range set {
		if ch.key == "" {
			return false
		}
	}
	return slices.Equal(ev.state.degraded, allDegraded(ws, degraded))
}

// allDegraded is degraded with the watched resources that were lost,
// sorted.
func allDegraded(ws []*watched, degraded []governance.Degradation) []governance.Degradation {
	out := slices.Clone(degraded)
	for _, w := range ws {
		if reason := w.lost.Load(); reason != nil {
			out = append(out, governance.Degradation{Resource: w.name(), Reason: *reason})
		}
	}
	sortDegraded(out)
	return out
}

// full builds the inventory from every cache and evaluates everything.
func (ev *evaluator) full(ws []*watched, degraded []governance.Degradation) (*evaluation, error) {
	inv, inputErrs, items, dups, err := buildInventory(ev.host, ws, degraded, ev.decoded)
	if err != nil {
		return nil, err
	}
	objects := ev.engine.NewObjectEvaluator()
	if ev.state != nil {
		objects = ev.state.objects
		objects.Retain(inv)
	}
	st := &evalState{inv: inv, pass: governance.NewPass(inv), items: items, degraded: allDegraded(ws, degraded),
		objects: objects, byNamespace: map[string][]governance.Finding{}}
	keeper := ev.engine.NewKeeper(inv)
	for ns, objs := range byNamespace(inv, nil) {
		st.byNamespace[ns] = objects.Findings(inv, keeper, objs)
	}
	if st.raw, err = ev.engine.RunInventoryRules(st.pass, ev.invRules); err != nil {
		return nil, err
	}
	ev.state = st
	if dups {
		// The deltas of an object whose key another has cannot be told
		// apart: evaluate in full until the duplicate is gone.
		ev.state = nil
	}
	return &evaluation{inv: inv, pass: st.pass, findings: ev.join(st, keeper), inputErrs: inputErrs, full: true}, nil
}

// incremental applies the changes to the last evaluation; ok is false
// when they cannot be applied (the caller evaluates in full).
func (ev *evaluator) incremental(ws []*watched, set map[change]bool) (_ *evaluation, ok bool, _ error) {
	prev := ev.state
	byName := make(map[string]*watched, len(ws))
	for _, w := range ws {
		byName[w.name()] = w
	}
	items := maps.Clone(prev.items)
	var (
		removed    []governance.Key
		gone       []*governance.Object
		added      []*governance.Object
		dropped    []*unstructured.Unstructured
		kinds      = map[schema.GroupKind]bool{}
		namespaces = map[string]bool{}
		every      bool // every namespace's object findings again
	)
	touch := func(o *governance.Object) {
		gk := o.GVK.GroupKind()
		kinds[gk] = true
		namespaces[o.Namespace()] = true
		if gk == (schema.GroupKind{Kind: "Namespace"}) {
			namespaces[o.Name()] = true
		}
		if governance.IsOperatorKind(o.GVK) {
			every = true
		}
	}
	for ch := range set {
		w := byName[ch.gvr]
		if w == nil {
			return nil, false, nil
		}
		ik := itemKey{resource: ch.gvr, key: ch.key}
		old := items[ik]
		var cur *unstructured.Unstructured
		item, exists, err := w.informer.GetStore().GetByKey(ch.key)
		if err != nil {
			return nil, false, nil
		}
		if exists {
			cur, _ = item.(*unstructured.Unstructured)
			if cur == nil {
				return nil, false, nil
			}
		}
		if cur == old {
			continue // changed and changed back, or already applied
		}
		if old != nil {
			for _, o := range ev.decoded.entries[old].objs {
				removed = append(removed, o.Key())
				gone = append(gone, o)
				touch(o)
			}
			dropped = append(dropped, old)
			delete(items, ik)
		}
		if cur != nil {
			for _, o := range ev.decoded.decode(ev.host, w, cur).objs {
				added = append(added, o)
				touch(o)
			}
			items[ik] = cur
		}
	}
	inv, err := prev.inv.WithChanges(removed, added)
	if err != nil {
		return nil, false, nil //nolint:nilerr // a duplicate key: evaluate in full, which reports it
	}
	for _, u := range dropped {
		delete(ev.decoded.entries, u)
	}
	inputErrs, warnings := collectProblems(items, ev.decoded)
	inv.Warnings = append(warnings, degradedWarnings(prev.degraded)...)
	inv.Degraded = slices.Clone(prev.degraded)

	st := &evalState{inv: inv, items: items, degraded: prev.degraded, objects: prev.objects,
		byNamespace: maps.Clone(prev.byNamespace), raw: slices.Clone(prev.raw)}
	st.objects.Forget(gone)
	keeper := ev.engine.NewKeeper(inv)
	var only map[string]bool
	if !every {
		only = namespaces
		for ns := range namespaces {
			delete(st.byNamespace, ns)
		}
	} else {
		clear(st.byNamespace)
	}
	for ns, objs := range byNamespace(inv, only) {
		st.byNamespace[ns] = st.objects.Findings(inv, keeper, objs)
	}

	var rules, slots []int
	for slot, i := range ev.invRules {
		for gk := range kinds {
			if ev.relevance.ruleTouched(gk, i) {
				rules, slots = append(rules, i), append(slots, slot)
				break
			}
		}
	}
	st.pass = governance.NewPass(inv)
	st.pass.CarryFacts(prev.pass, ev.untouchedFacts(kinds))
	raw, err := ev.engine.RunInventoryRules(st.pass, rules)
	if err != nil {
		return nil, false, err
	}
	for j, slot := range slots {
		st.raw[slot] = raw[j]
	}
	ev.state = st
	return &evaluation{inv: inv, pass: st.pass, findings: ev.join(st, keeper), inputErrs: inputErrs}, true, nil
}

// untouchedFacts are the facts that none of the changed kinds can touch.
func (ev *evaluator) untouchedFacts(kinds map[schema.GroupKind]bool) []governance.FactRef {
	var out []governance.FactRef
	for _, f := range ev.engine.Facts() {
		touched := false
		for gk := range kinds {
			if ev.relevance.factTouched(gk, f.FactName()) {
				touched = true
				break
			}
		}
		if !touched {
			out = append(out, f)
		}
	}
	return out
}

// join puts together the findings of st as Run orders them: the object
// checks' of every namespace and the inventory checks' with the
// exemptions and scopes of st's inventory.
func (ev *evaluator) join(st *evalState, keeper *governance.Keeper) []governance.Finding {
	n := 0
	for _, fs := range st.byNamespace {
		n += len(fs)
	}
	for _, fs := range st.raw {
		n += len(fs)
	}
	out := make([]governance.Finding, 0, n)
	for _, fs := range st.byNamespace {
		out = append(out, fs...)
	}
	for slot, i := range ev.invRules {
		out = append(out, keeper.Keep(i, st.raw[slot])...)
	}
	governance.Finish(st.inv, out)
	return out
}

// byNamespace groups the objects of inv by namespace ("" for
// cluster-scoped objects), only the namespaces in only when it is not nil.
func byNamespace(inv *governance.Inventory, only map[string]bool) map[string][]*governance.Object {
	out := map[string][]*governance.Object{}
	for _, o := range inv.Objects() {
		ns := o.Namespace()
		if only == nil || only[ns] {
			out[ns] = append(out[ns], o)
		}
	}
	return out
}

// collectProblems returns the decode errors and loader warnings of the
// objects of items.
func collectProblems(items map[itemKey]*unstructured.Unstructured, decoded *decodedCache) (governance.ErrorList, []string) {
	var errs governance.ErrorList
	var warnings []string
	for _, u := range items {
		e := decoded.entries[u]
		errs, warnings = append(errs, e.errs...), append(warnings, e.warnings...)
	}
	return errs, warnings
}

// degradedWarnings are the inventory's lines about degraded resources.
func degradedWarnings(degraded []governance.Degradation) []string {
	out := make([]string, 0, len(degraded))
	for _, d := range degraded {
		out = append(out, fmt.Sprintf("cannot list %s: %s; the inventory has none of them", d.Resource, d.Reason))
	}
	return out
}

// storeKey is the informer's key of an event's object ("" when it has
// none).
func storeKey(obj any) string {
	k, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return ""
	}
	return k
}
