package governance

import (
	"fmt"
	"sort"
	"strings"

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
func (e *Engine) RunPass(pass *Pass) []Finding {
	inv := pass.Inventory
	for _, f := range e.facts {
		pass.result(f)
	}
	nsLabels := namespaceLabels(inv)
	exemptions, exemptFindings := readExemptions(inv)
	findings := exemptFindings
	for _, r := range e.rules {
		keep := func(f Finding) bool {
			return !exemptions.covers(f.Object, r.Check) && r.Scope.includes(f.Object, inv, nsLabels)
		}
		for _, f := range e.evaluate(r, pass, keep) {
			if keep(f) {
				findings = append(findings, e.complete(r, f))
			}
		}
	}
	placeOnFields(inv, findings)
	SortFindings(findings)
	return findings
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
	for doc, idx := range byDoc {
		var root *yamlv3.Node
		for _, i := range idx {
			f := &fs[i]
			f.Object.Source.Line = manifest.FieldLine(*doc, f.Object.Source.Item, f.Path, &root)
		}
	}
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
	if r.Check.Inventory != nil {
		return r.Check.Inventory(pass)
	}
	var out []Finding
	var objs []*Object
	for _, o := range pass.Inventory.Objects() {
		if !r.Check.appliesTo(o) {
			continue
		}
		for _, v := range r.Check.Object(o) {
			out = append(out, Finding{Object: o.Ref(), Path: v.Path, Message: v.Message})
			objs = append(objs, o)
		}
	}
	return foldOwned(pass.Inventory, out, objs, keep)
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
// first), namespace, kind, name, check, entry name, path, message.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		for _, pair := range [][2]string{
			{a.Object.Namespace, b.Object.Namespace}, {a.Object.Kind, b.Object.Kind},
			{a.Object.Name, b.Object.Name}, {a.Check, b.Check}, {a.Name, b.Name},
			{a.Path, b.Path}, {a.Message, b.Message},
		} {
			if pair[0] != pair[1] {
				return pair[0] < pair[1]
			}
		}
		return false
	})
}
