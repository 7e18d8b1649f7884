package governance

import (
	"fmt"
	"sync"
)

// A Fact is something computed once from an inventory and shared by the
// checks that read it: the RBAC graph, the reachability graph, the quota
// ledger, the AI classification of workloads, who can read each Secret.
// A check names the facts it reads in Definition.Requires and gets each
// one's value from its Pass with Fact.Of; the engine computes every fact
// its checks require once per run, after the facts it requires itself.
//
// A Fact is a description, not a cache: declare it once as a package
// variable (as go/analysis declares an Analyzer) and compute it only
// through a Pass.
type Fact[T any] struct {
	name     string
	requires []FactRef
	build    func(p *Pass) T
}

// FactRef is a Fact of any result type, as Requires lists them.
type FactRef interface {
	// FactName is the fact's name, e.g. "rbac.Graph".
	FactName() string
	// FactRequires lists the facts the fact is built from.
	FactRequires() []FactRef
	compute(p *Pass) any
}

// NewFact declares a fact named name, built by build from a Pass (which
// gives the inventory and, through Of, the facts listed in requires).
// build must not report errors: a fact of malformed input describes what
// is there, and checks report the problem as findings.
func NewFact[T any](name string, build func(p *Pass) T, requires ...FactRef) *Fact[T] {
	return &Fact[T]{name: name, requires: requires, build: build}
}

// FactName returns the fact's name.
func (f *Fact[T]) FactName() string { return f.name }

// FactRequires returns the facts f is built from.
func (f *Fact[T]) FactRequires() []FactRef { return f.requires }

func (f *Fact[T]) compute(p *Pass) any { return f.build(p) }

// Of returns the fact's value for the pass's inventory, computing it on
// first use. A check may read only the facts its definition requires (or
// the facts those require); the engine has computed them already.
func (f *Fact[T]) Of(p *Pass) T {
	v, _ := p.result(f).(T)
	return v
}

// Pass is what a check evaluates: the inventory and the facts computed
// from it. One Pass serves one run of an Engine over one inventory; it is
// safe for concurrent use by the checks of that run.
type Pass struct {
	Inventory *Inventory

	mu    sync.Mutex
	facts map[FactRef]*factResult
}

type factResult struct {
	once  sync.Once
	value any
}

// NewPass returns a pass over inv with no fact computed yet. The engine
// makes one per run; tests and tools that call a check's Inventory
// function directly make their own.
func NewPass(inv *Inventory) *Pass {
	return &Pass{Inventory: inv, facts: map[FactRef]*factResult{}}
}

func (p *Pass) result(f FactRef) any {
	p.mu.Lock()
	if p.facts == nil {
		p.facts = map[FactRef]*factResult{}
	}
	r, ok := p.facts[f]
	if !ok {
		r = &factResult{}
		p.facts[f] = r
	}
	p.mu.Unlock()
	r.once.Do(func() {
		for _, dep := range f.FactRequires() {
			p.result(dep)
		}
		r.value = f.compute(p)
	})
	return r.value
}

// Computed reports whether the pass has computed fact f.
func (p *Pass) Computed(f FactRef) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.facts[f]
	return ok
}

// factOrder returns the facts the rules require, each after the facts it
// requires, each once. A cycle is an error naming it.
func factOrder(roots []FactRef) ([]FactRef, error) {
	var order []FactRef
	state := map[FactRef]int{} // 1 visiting, 2 done
	var visit func(f FactRef, path []string) error
	visit = func(f FactRef, path []string) error {
		if isNilFact(f) {
			if len(path) == 0 {
				return fmt.Errorf("a check requires a nil fact")
			}
			return fmt.Errorf("fact %q requires a nil fact", path[len(path)-1])
		}
		switch state[f] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("facts require each other: %v", append(path, f.FactName()))
		}
		state[f] = 1
		for _, dep := range f.FactRequires() {
			if err := visit(dep, append(path, f.FactName())); err != nil {
				return err
			}
		}
		state[f] = 2
		order = append(order, f)
		return nil
	}
	for _, f := range roots {
		if err := visit(f, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// isNilFact reports a nil FactRef, or one holding a nil *Fact (a fact
// used before its declaration ran).
func isNilFact(f FactRef) bool {
	if f == nil {
		return true
	}
	type nilCheck interface{ isNil() bool }
	n, ok := f.(nilCheck)
	return ok && n.isNil()
}

func (f *Fact[T]) isNil() bool { return f == nil }
