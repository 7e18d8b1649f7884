package governance

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Violation is what an object check reports: the field and what is wrong
// with it. The engine turns it into a Finding.
type Violation struct {
	Path    string
	Message string
}

// Check is a configured check: what Definition.New builds from the
// definition and its parameters, validated once. Object, Inventory or
// both are set (see Inventory). Checks return findings, never errors: configuration
// errors surface when the check is constructed.
type Check struct {
	ID string
	// Aliases are former IDs of the check (see Definition.Aliases): an
	// exemption annotation naming one exempts the object from this check.
	Aliases     []string
	Description string
	Severity    Severity
	Remediation string
	// Kinds restricts Object to these kinds; empty means every object.
	Kinds []schema.GroupKind
	// Requires lists the facts Inventory reads (Fact.Of); the engine
	// computes them before the check runs.
	Requires []FactRef
	// Object evaluates one object.
	Object func(o *Object) []Violation
	// Inventory evaluates the whole inventory (reachability, RBAC risks,
	// quota coverage): questions no single object answers. Findings whose
	// Check, Severity or Remediation are empty get the check's. A check
	// may set both: Object then judges what each object writes, and
	// Inventory only what an object's pods take from another object (a
	// KServe InferenceService's pod holds the containers of its
	// ServingRuntime), so that the two never report one cause twice.
	Inventory func(p *Pass) []Finding
	// Admission is the check's native admission form with these
	// parameters (nil when the check cannot be a ValidatingAdmissionPolicy):
	// package cel turns it into a policy with the same verdict as Object.
	Admission *Admission
}

var checkIDRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate reports a malformed check.
func (c Check) Validate() error {
	switch {
	case !checkIDRE.MatchString(c.ID):
		return fmt.Errorf("check ID %q is not kebab-case", c.ID)
	case slices.ContainsFunc(c.Aliases, func(a string) bool { return a == c.ID || !checkIDRE.MatchString(a) }):
		return fmt.Errorf("check %s: aliases %q must be kebab-case IDs other than the check's", c.ID, c.Aliases)
	case c.Object == nil && c.Inventory == nil:
		return fmt.Errorf("check %s: Object or Inventory must be set", c.ID)
	case c.Severity < SeverityInfo || c.Severity > SeverityCritical:
		return fmt.Errorf("check %s: invalid severity %d", c.ID, c.Severity)
	}
	return nil
}

// appliesTo reports whether an object check covers o's kind.
func (c Check) appliesTo(o *Object) bool {
	if len(c.Kinds) == 0 {
		return true
	}
	gk := o.GVK.GroupKind()
	for _, k := range c.Kinds {
		if k == gk {
			return true
		}
	}
	return false
}

// Param describes one parameter of a catalog check.
type Param struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Required    bool   `json:"required,omitempty"`
	Default     string `json:"default,omitempty"`
	Description string `json:"description"`
}

// Definition is one check as aigov documents and configures it: its ID,
// what it denies and why, its severity, the kinds and facts it reads, its
// parameters, and the constructor that validates them once and builds the
// Check (its Go evaluation and, where CEL can express it, its admission
// form). Every analyzer exports its definitions (rbac.Checks,
// secrets.Checks, quota.Checks); the catalog composes them.
type Definition struct {
	ID string `json:"id"`
	// Aliases are former IDs of the check, kept when checks are merged: a
	// policy entry (Lookup) or an exemption annotation naming an alias
	// means this check, and its findings carry ID. The check New builds
	// has the same Aliases.
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	// Kinds names what the check applies to, for people ("pods + workloads").
	Kinds  []string `json:"kinds"`
	Params []Param  `json:"params,omitempty"`
	// VAP is true when the check is also generated as a
	// ValidatingAdmissionPolicy; inventory-level checks cannot be.
	VAP bool `json:"vap"`
	// AdmissionNote says why an object-level check has no
	// ValidatingAdmissionPolicy (VAP false: "no VAP: ..."), or, for a check
	// whose policy decides a subset of what its Go evaluation decides (a
	// size guard of its cost, a test CEL cannot express), what the policy
	// leaves to the scan (VAP true: "VAP ...").
	AdmissionNote string `json:"admissionNote,omitempty"`
	// Controls names the framework controls the check serves, each as
	// "FRAMEWORK CONTROL", e.g. "CIS 5.2.2", "NSA-CISA pod-security",
	// "OWASP-LLM LLM03", "MITRE-ATLAS AML.T0010".
	Controls []string `json:"controls,omitempty"`
	// Requires lists the facts the check reads (see Fact).
	Requires []FactRef `json:"-"`
	// New builds the check from its parameters: nil for the defaults, the
	// check's parameter struct (or a pointer to it), or its JSON as a
	// policy file gives it (see DecodeParams).
	New func(params any) (Check, error) `json:"-"`
}

// ErrUnknownCheck is returned for a check ID no definition has.
var ErrUnknownCheck = errors.New("unknown check")

// Lookup finds a definition by ID or by one of its aliases.
func Lookup(defs []Definition, id string) (Definition, error) {
	for _, d := range defs {
		if d.ID == id || slices.Contains(d.Aliases, id) {
			return d, nil
		}
	}
	return Definition{}, fmt.Errorf("%w %q", ErrUnknownCheck, id)
}
