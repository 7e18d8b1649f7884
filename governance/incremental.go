package governance

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Incremental evaluation: a long-running evaluator (aigov serve) keeps its
// inventory current from watch streams and re-evaluates only what a change
// touches, instead of running the whole catalog over the whole inventory
// for every change. The pieces here let it do so without knowing the
// engine's internals, and each keeps Run's answer: the union of what they
// return over an inventory equals Run's findings on it.
//
//   - Inventory.WithChanges applies a batch of watch deltas to an
//     inventory in one copy.
//   - An ObjectEvaluator runs each object check on each object once and
//     keeps the violations while the object (the same *Object) stays;
//     Findings folds, exempts, scopes and completes them for some objects
//     (whole namespaces: folding never crosses a namespace).
//   - Engine.RunInventoryRules runs some inventory checks on a pass (facts
//     that the caller carried over are not built again) on up to
//     GOMAXPROCS goroutines and returns each one's findings as its check
//     gave them; a Keeper applies exemptions and scopes and completes
//     them, so a caller can keep the raw findings of a rule the change did
//     not touch and apply the current exemptions and scopes to them again.
//   - Finish orders the joined findings as Run does.

// WithChanges returns a new inventory equal to inv with the objects of the
// keys in removed taken out and the objects in added put in (a key in
// both is a replacement). inv is not modified and the objects are shared:
// both inventories are read-only. Adding an object whose key another
// object of the result has is an error, as in NewInventory. The new
// inventory computes its workloads on first use.
func (inv *Inventory) WithChanges(removed []Key, added []*Object) (*Inventory, error) {
	out := &Inventory{
		byKind:   maps.Clone(inv.byKind),
		byKey:    inv.keyIndex(),
		Warnings: slices.Clone(inv.Warnings),
		Degraded: slices.Clone(inv.Degraded),
	}
	gone := map[*Object]bool{}
	touched := map[schema.GroupKind]bool{}
	for _, k := range removed {
		if o := out.byKey[k]; o != nil {
			gone[o] = true
			touched[o.GVK.GroupKind()] = true
			delete(out.byKey, k)
		}
	}
	type keyed struct {
		key Key
		obj *Object
	}
	sorted := make([]keyed, 0, len(added))
	for _, o := range added {
		if _, err := decodeTemplates(o); err != nil {
			return nil, &InputError{Source: o.Source, Err: err}
		}
		k := o.Key()
		if prev, dup := out.byKey[k]; dup && k.Name != "" {
			return nil, fmt.Errorf("duplicate object %s: already defined at %s", k, prev.Source)
		}
		if k.Name != "" {
			out.byKey[k] = o
		}
		touched[o.GVK.GroupKind()] = true
		sorted = append(sorted, keyed{k, o})
	}
	sort.SliceStable(sorted, func(i, j int) bool { return lessKey(sorted[i].key, sorted[j].key) })
	// Merge: the kept objects in their order, each added one after the
	// objects that sort before or with it (insertObject's place).
	out.objects = make([]*Object, 0, len(inv.objects)-len(gone)+len(sorted))
	next := 0
	for _, o := range inv.objects {
		if gone[o] {
			continue
		}
		if next < len(sorted) {
			k := o.Key()
			for next < len(sorted) && lessKey(sorted[next].key, k) {
				out.objects = append(out.objects, sorted[next].obj)
				next++
			}
		}
		out.objects = append(out.objects, o)
	}
	for ; next < len(sorted); next++ {
		out.objects = append(out.objects, sorted[next].obj)
	}
	for gk := range touched {
		delete(out.byKind, gk)
	}
	for _, o := range out.objects {
		if gk := o.GVK.GroupKind(); touched[gk] {
			out.byKind[gk] = append(out.byKind[gk], o)
		}
	}
	return out, nil
}

// ObjectEvaluator evaluates an engine's object checks incrementally: each
// check runs once on each object, and its violations are kept until
// Forget. Objects are immutable once in an inventory, so a kept result
// is the one the check would give again. Not safe for concurrent use.
type ObjectEvaluator struct {
	engine *Engine
	// rules are the indexes of the engine's object rules.
	rules []int
	// violations holds, per object evaluated, the violations of each
	// rule of rules (nil where the rule does not apply or found none).
	violations map[*Object][][]Violation
}

// NewObjectEvaluator returns an evaluator of e's object checks with
// nothing evaluated yet.
func (e *Engine) NewObjectEvaluator() *ObjectEvaluator {
	c := &ObjectEvaluator{engine: e, violations: map[*Object][][]Violation{}}
	for i, r := range e.rules {
		if r.Check.Object != nil {
			c.rules = append(c.rules, i)
		}
	}
	return c
}

// Forget drops what was kept of objs (objects that left the inventory).
func (c *ObjectEvaluator) Forget(objs []*Object) {
	for _, o := range objs {
		delete(c.violations, o)
	}
}

// Retain drops what was kept of the objects inv does not hold.
func (c *ObjectEvaluator) Retain(inv *Inventory) {
	in := make(map[*Object]bool, inv.Len())
	for _, o := range inv.objects {
		in[o] = true
	}
	for o := range c.violations {
		if !in[o] {
			delete(c.violations, o)
		}
	}
}

// Kept is the number of objects whose violations are kept.
func (c *ObjectEvaluator) Kept() int { return len(c.violations) }

// evaluate runs the object checks on the objects of objs not evaluated
// yet, on up to GOMAXPROCS goroutines.
func (c *ObjectEvaluator) evaluate(objs []*Object) {
	var todo []*Object
	for _, o := range objs {
		if _, ok := c.violations[o]; !ok {
			todo = append(todo, o)
		}
	}
	results := make([][][]Violation, len(todo))
	one := func(i int) {
		o := todo[i]
		var per [][]Violation
		for j, ri := range c.rules {
			chk := c.engine.rules[ri].Check
			if !chk.appliesTo(o) {
				continue
			}
			if vs := chk.Object(o); len(vs) > 0 {
				if per == nil {
					per = make([][]Violation, len(c.rules))
				}
				per[j] = vs
			}
		}
		results[i] = per
	}
	forEachIndex(min(runtime.GOMAXPROCS(0), len(todo)), len(todo), func() func(int) { return one })
	for i, o := range todo {
		c.violations[o] = results[i]
	}
}

// Findings returns the findings of the object checks on objs, objects of
// inv, as Run gives them: folded into their owners' (objs must hold every
// object of each folding family, which whole namespaces do), exemptions
// and scopes applied, completed; with the findings about objs' malformed
// exemption annotations. Checks run only on objects not evaluated before.
func (c *ObjectEvaluator) Findings(inv *Inventory, keeper *Keeper, objs []*Object) []Finding {
	c.evaluate(objs)
	_, out := readExemptions(&Inventory{objects: objs})
	for j, ri := range c.rules {
		var fs []Finding
		var owners []*Object
		for _, o := range objs {
			per := c.violations[o]
			if per == nil {
				continue
			}
			for _, v := range per[j] {
				fs = append(fs, Finding{Object: o.Ref(), Path: v.Path, Message: v.Message})
				owners = append(owners, o)
			}
		}
		if len(fs) == 0 {
			continue
		}
		keep := keeper.keepFunc(ri)
		for _, f := range foldOwned(inv, fs, owners, keep) {
			if keep(f) {
				out = append(out, c.engine.complete(c.engine.rules[ri], f))
			}
		}
	}
	return out
}

// InventoryRules returns the indexes of e's inventory rules: those whose
// check has an Inventory evaluation (a check with both is an object rule
// of the ObjectEvaluator too).
func (e *Engine) InventoryRules() []int {
	var out []int
	for i, r := range e.rules {
		if r.Check.Inventory != nil {
			out = append(out, i)
		}
	}
	return out
}

// RunInventoryRules runs the inventory rules listed (indexes into Rules)
// on pass, building the facts they require that pass has not (see
// Pass.CarryFacts), facts and checks on up to GOMAXPROCS goroutines as
// RunPass does. It returns each rule's findings as its check gave them,
// in the order of rules: Keeper.Keep applies exemptions and scopes.
func (e *Engine) RunInventoryRules(pass *Pass, rules []int) ([][]Finding, error) {
	sub := &Engine{}
	var required []FactRef
	for _, i := range rules {
		if i < 0 || i >= len(e.rules) || e.rules[i].Check.Inventory == nil {
			return nil, fmt.Errorf("rule %d is not an inventory rule of the engine", i)
		}
		sub.rules = append(sub.rules, e.rules[i])
		required = append(required, e.rules[i].Check.Requires...)
	}
	facts, err := factOrder(required)
	if err != nil {
		return nil, err
	}
	sub.facts = facts
	out := make([][]Finding, len(rules))
	if len(rules) > 0 {
		sub.schedule(pass, func(j int) { out[j] = sub.rules[j].Check.Inventory(pass) })
	}
	return out, nil
}

// Keeper applies rules' exemptions and scopes to findings on one
// inventory, reading exemption annotations object by object as findings
// ask. Not safe for concurrent use.
type Keeper struct {
	engine   *Engine
	inv      *Inventory
	nsLabels map[string]labels.Set
	exempt   func(ObjectRef, Check) bool
}

// NewKeeper returns the keeper of e's rules on inv.
func (e *Engine) NewKeeper(inv *Inventory) *Keeper {
	return &Keeper{engine: e, inv: inv, nsLabels: namespaceLabels(inv), exempt: exemptionsOf(inv)}
}

func (k *Keeper) keepFunc(rule int) func(Finding) bool {
	r := k.engine.rules[rule]
	return func(f Finding) bool {
		return !k.exempt(f.Object, r.Check) && r.Scope.includes(f.Object, k.inv, k.nsLabels)
	}
}

// Keep returns the findings of raw, as rule's check gave them, that the
// rule's exemptions and scope keep, completed as Run completes them.
func (k *Keeper) Keep(rule int, raw []Finding) []Finding {
	keep := k.keepFunc(rule)
	out := make([]Finding, 0, len(raw))
	for _, f := range raw {
		if keep(f) {
			out = append(out, k.engine.complete(k.engine.rules[rule], f))
		}
	}
	return out
}

// Finish orders findings joined from the pieces above as Run orders its
// own, on the fields they are about (see placeOnFields).
func Finish(inv *Inventory, findings []Finding) {
	placeOnFields(inv, findings)
	SortFindings(findings)
}
