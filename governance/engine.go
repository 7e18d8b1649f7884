package governance

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	yamlv3 "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance/internal/manifest"
)

// Rule is a check as a policy entry runs it: with an entry name (custom
// rules have one), an action, an optional severity override and a scope.
type Rule struct {
	Check Check
	// Name is the policy entry's name ("" for most catalog checks).
	Name   string
	Action Action
	// Severity overrides the check's severity when set.
	Severity *Severity
	Scope    Scope
}

// Engine runs a fixed set of rules over inventories. It is immutable after
// construction and safe for concurrent use.
type Engine struct {
	rules []Rule
	// facts are the facts the rules require, each after those it
	// requires.
	facts []FactRef
	// progress, when set, is told how each run advances.
	progress ProgressFunc
}

// NewEngine validates the rules once: every check well-formed, actions
// known, and no two rules with the same ID and name.
func NewEngine(rules ...Rule) (*Engine, error) {
	seen := map[[2]string]bool{}
	out := make([]Rule, len(rules))
	for i, r := range rules {
		if err := r.Check.Validate(); err != nil {
			return nil, err
		}
		action, err := ParseAction(string(r.Action))
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", r.Check.ID, err)
		}
		r.Action = action
		key := [2]string{r.Check.ID, r.Name}
		if seen[key] {
			return nil, fmt.Errorf("check %s (name %q) is listed twice", r.Check.ID, r.Name)
		}
		seen[key] = true
		out[i] = r
	}
	var required []FactRef
	for _, r := range out {
		required = append(required, r.Check.Requires...)
	}
	facts, err := factOrder(required)
	if err != nil {
		return nil, err
	}
	return &Engine{rules: out, facts: facts}, nil
}

// WithProgress returns an engine with e's rules that tells fn, during
// each run, which facts are being built and how many checks are done (nil
// tells nothing). e is unchanged.
func (e *Engine) WithProgress(fn ProgressFunc) *Engine {
	c := *e
	c.progress = fn
	return &c
}

// Rules returns the engine's rules in order.
func (e *Engine) Rules() []Rule { return e.rules }

// Facts returns the facts the engine's rules require, in the order a run
// computes them (each after the facts it requires).
func (e *Engine) Facts() []FactRef { return e.facts }

// Run evaluates every rule and returns the findings sorted by severity
// (most severe first), then object, check and path. Objects exempted by
// annotation or by a rule's scope yield no findings; malformed exemptions
// are findings of the check ExemptionCheckID.
func (e *Engine) Run(inv *Inventory) []Finding { return e.RunPass(NewPass(inv)) }

// RunPass is Run over the pass's inventory, computing the rules' facts in
// pass: a caller that reads facts of the same inventory afterwards (the
// check report's overview reads the graphs and the classification) gets
// them from pass without building them again.
//
// Facts and checks run on up to GOMAXPROCS goroutines, each fact once and
// each check once its facts are built. The findings do not depend on it:
// each rule's go to its own slot, joined in rule order and then sorted.
func (e *Engine) RunPass(pass *Pass) []Finding {
	inv := pass.Inventory
	nsLabels := namespaceLabels(inv)
	exemptions, exemptFindings := readExemptions(inv)
	perRule := make([][]Finding, len(e.rules))
	e.schedule(pass, func(i int) {
		r := e.rules[i]
		keep := func(f Finding) bool {
			return !exemptions.covers(f.Object, r.Check) && r.Scope.includes(f.Object, inv, nsLabels)
		}
		var out []Finding
		for _, f := range e.evaluate(r, pass, keep) {
			if keep(f) {
				out = append(out, e.complete(r, f))
			}
		}
		perRule[i] = out
	})
	n := len(exemptFindings)
	for _, fs := range perRule {
		n += len(fs)
	}
	findings := append(make([]Finding, 0, n), exemptFindings...)
	for i, fs := range perRule {
		findings = append(findings, fs...)
		perRule[i] = nil // the joined copy is the one kept
	}
	placeOnFields(inv, findings)
	SortFindings(findings)
	return findings
}

// A runTask is one unit of a run: building a fact (fact set) or
// evaluating rule number rule, ready once the facts in deps are built.
type runTask struct {
	fact FactRef
	rule int
	deps []FactRef
}

// scheduler hands out the tasks of one run to the workers: the first task
// in order whose facts are built, facts (in dependency order) before
// rules, so that the checks that wait for a fact wait the least.
type scheduler struct {
	mu      sync.Mutex
	ready   *sync.Cond
	tasks   []runTask
	started []bool
	next    int // tasks before next have all started
	built   map[FactRef]bool
	// building are the facts started and not built, for progress.
	building []FactRef
	progress Progress
	report   ProgressFunc
	// panicked is the first panic of a task, repeated in RunPass's
	// goroutine once the workers stop.
	panicked any
}

// schedule builds the engine's facts in pass and calls evaluate for each
// rule, on up to GOMAXPROCS goroutines, and returns when all are done. A
// panic in a fact or check stops the run and is raised again here.
func (e *Engine) schedule(pass *Pass, evaluate func(rule int)) {
	tasks := make([]runTask, 0, len(e.facts)+len(e.rules))
	for _, f := range e.facts {
		tasks = append(tasks, runTask{fact: f, deps: f.FactRequires()})
	}
	for i, r := range e.rules {
		tasks = append(tasks, runTask{rule: i, deps: r.Check.Requires})
	}
	s := &scheduler{tasks: tasks, started: make([]bool, len(tasks)), built: map[FactRef]bool{}, report: e.progress,
		progress: Progress{Phase: PhaseRun, Facts: len(e.facts), Checks: len(e.rules)}}
	s.ready = sync.NewCond(&s.mu)
	s.mu.Lock()
	s.tell()
	s.mu.Unlock()
	work := func() {
		for {
			i, ok := s.take()
			if !ok {
				return
			}
			s.run(i, pass, evaluate)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(tasks))
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(work)
	}
	work() // the calling goroutine is a worker too: one worker is a sequential run
	wg.Wait()
	if s.panicked != nil {
		panic(s.panicked)
	}
}

// take returns the next task ready to run, waiting while every task left
// waits for a fact being built; ok is false when none is left (or a task
// panicked).
func (s *scheduler) take() (i int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for s.next < len(s.tasks) && s.started[s.next] {
			s.next++
		}
		if s.next == len(s.tasks) || s.panicked != nil {
			return 0, false
		}
		for j := s.next; j < len(s.tasks); j++ {
			if !s.started[j] && s.isReady(s.tasks[j]) {
				s.started[j] = true
				if f := s.tasks[j].fact; f != nil {
					s.building = append(s.building, f)
					s.tell()
				}
				return j, true
			}
		}
		s.ready.Wait()
	}
}

func (s *scheduler) isReady(t runTask) bool {
	for _, d := range t.deps {
		if !s.built[d] {
			return false
		}
	}
	return true
}

// run runs task i and records that it is done, even when it panics (the
// other workers then stop taking tasks).
func (s *scheduler) run(i int, pass *Pass, evaluate func(rule int)) {
	t := s.tasks[i]
	defer func() {
		p := recover()
		s.mu.Lock()
		defer s.mu.Unlock()
		if p != nil && s.panicked == nil {
			s.panicked = p
		}
		if t.fact != nil {
			s.built[t.fact] = true
			s.building = deleteFact(s.building, t.fact)
			s.progress.FactsDone++
		} else {
			s.progress.ChecksDone++
		}
		s.tell()
		s.ready.Broadcast()
	}()
	if t.fact != nil {
		pass.result(t.fact)
		return
	}
	evaluate(t.rule)
}

// tell reports the progress (s.mu held, so reports come one at a time and
// in order).
func (s *scheduler) tell() {
	if s.report == nil {
		return
	}
	p := s.progress
	for _, f := range s.building {
		p.Building = append(p.Building, f.FactName())
	}
	s.report(p)
}

func deleteFact(fs []FactRef, f FactRef) []FactRef {
	for i, g := range fs {
		if g == f {
			return append(fs[:i], fs[i+1:]...)
		}
	}
	return fs
}

// placeOnFields moves the line of each finding about an object read from a
// file from the start of the object's document to the line of the field
// the finding is about (its Path; the deepest part of it that the document
// holds, e.g. the containers list for containers[*]), and a finding on an
// item of a List document without a path to the item's line. Each document
// with findings is parsed once and dropped afterwards, so that the
// inventory keeps no parse trees. Findings whose check gave a line of its
// own, and objects without a document (read from a cluster, built by
// code), keep theirs.
func placeOnFields(inv *Inventory, fs []Finding) {
	byDoc := map[*manifest.Document][]int{}
	for i := range fs {
		src := fs[i].Object.Source
		if src.File == "" || fs[i].Path == "" && src.Item < 0 {
			continue // no file, or about the whole document: its line is right
		}
		o := findingObject(inv, fs[i].Object)
		if o == nil || src.Line != o.Source.Line {
			continue
		}
		byDoc[o.doc] = append(byDoc[o.doc], i)
	}
	// Documents are independent and each finding is in one: they are
	// placed on up to GOMAXPROCS goroutines (reading the field lines of
	// 100,000 findings was a sequential tail of the run).
	docs := make([]*manifest.Document, 0, len(byDoc))
	for doc := range byDoc {
		docs = append(docs, doc)
	}
	place := func(doc *manifest.Document) {
		var root *yamlv3.Node
		for _, i := range byDoc[doc] {
			f := &fs[i]
			f.Object.Source.Line = manifest.FieldLine(*doc, f.Object.Source.Item, f.Path, &root)
		}
	}
	forEachIndex(min(runtime.GOMAXPROCS(0), len(docs)), len(docs), func() func(int) {
		return func(i int) { place(docs[i]) }
	})
}

// findingObject returns the object of the inventory a finding names, read
// from the document its source names, or nil.
func findingObject(inv *Inventory, ref ObjectRef) *Object {
	group, _, hasGroup := strings.Cut(ref.APIVersion, "/")
	if !hasGroup {
		group = "" // "v1": the core group
	}
	same := func(o *Object) bool {
		return o != nil && o.doc != nil && o.Source.File == ref.Source.File &&
			o.Source.Document == ref.Source.Document && o.Source.Item == ref.Source.Item
	}
	if o := inv.Get(Key{Group: group, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}); same(o) {
		return o
	}
	if !configGroups[group] {
		return nil
	}
	// Configuration files may have no name (Ref names them after the file)
	// and are few: look them up by where they were read.
	for _, o := range inv.OfKind(schema.GroupKind{Group: group, Kind: ref.Kind}) {
		if same(o) {
			return o
		}
	}
	return nil
}

// evaluate runs one rule. The findings of an object check on objects
// whose pods are another object's (a Deployment's ReplicaSet and Pods)
// fold into that object's (foldOwned); keep is the rule's exemptions and
// scope, which decide which children fold.
func (e *Engine) evaluate(r Rule, pass *Pass, keep func(Finding) bool) []Finding {
	var whole []Finding
	if r.Check.Inventory != nil {
		whole = r.Check.Inventory(pass)
	}
	if r.Check.Object == nil {
		return whole
	}
	var out []Finding
	var objs []*Object
	for _, group := range objectsOfKinds(pass.Inventory, r.Check.Kinds) {
		for _, o := range group {
			for _, v := range r.Check.Object(o) {
				out = append(out, Finding{Object: o.Ref(), Path: v.Path, Message: v.Message})
				objs = append(objs, o)
			}
		}
	}
	return append(foldOwned(pass.Inventory, out, objs, keep), whole...)
}

// objectsOfKinds returns the objects of inv of the given kinds (all
// objects when kinds is empty) in the inventory's order, as runs of one
// kind each: the inventory sorts its objects by group and kind first, so
// the objects of one kind are inv.OfKind's list, and the kinds sorted as
// the inventory sorts them give its order. An object check of a few
// kinds then reads those, not every object of a 243,000-object inventory.
func objectsOfKinds(inv *Inventory, kinds []schema.GroupKind) [][]*Object {
	if len(kinds) == 0 {
		return [][]*Object{inv.Objects()}
	}
	sorted := slices.Clone(kinds)
	slices.SortFunc(sorted, func(a, b schema.GroupKind) int {
		if c := strings.Compare(a.Group, b.Group); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	sorted = slices.Compact(sorted)
	out := make([][]*Object, 0, len(sorted))
	for _, gk := range sorted {
		if objs := inv.OfKind(gk); len(objs) > 0 {
			out = append(out, objs)
		}
	}
	return out
}

// complete fills in what the rule knows and the check function did not say.
func (e *Engine) complete(r Rule, f Finding) Finding {
	if f.Check == "" {
		f.Check = r.Check.ID
	}
	if f.Name == "" {
		f.Name = r.Name
	}
	f.Severity = r.Check.Severity
	if r.Severity != nil {
		f.Severity = *r.Severity
	}
	if f.Remediation == "" {
		f.Remediation = r.Check.Remediation
	}
	f.Action = r.Action
	return f
}

// SortFindings orders findings deterministically: severity (most severe
// first), namespace, kind, name, check, entry name, path, message; equal
// findings keep their order.
func SortFindings(fs []Finding) {
	// Sorting indexes and placing each finding once moves a finding (a
	// large struct) once, not at every swap of the merge sort: at 100,000
	// findings the swaps were a second of a run's sequential tail.
	order := make([]int32, len(fs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int { return compareFindings(&fs[i], &fs[j]) })
	sorted := make([]Finding, len(fs))
	for i, from := range order {
		sorted[i] = fs[from]
	}
	copy(fs, sorted)
}

// compareFindings is SortFindings' order.
func compareFindings(a, b *Finding) int {
	if a.Severity != b.Severity {
		return cmp.Compare(b.Severity, a.Severity)
	}
	for _, pair := range [...][2]*string{
		{&a.Object.Namespace, &b.Object.Namespace}, {&a.Object.Kind, &b.Object.Kind},
		{&a.Object.Name, &b.Object.Name}, {&a.Check, &b.Check}, {&a.Name, &b.Name},
		{&a.Path, &b.Path}, {&a.Message, &b.Message},
	} {
		if c := strings.Compare(*pair[0], *pair[1]); c != 0 {
			return c
		}
	}
	return 0
}
