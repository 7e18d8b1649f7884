// The secrets rules as checks: every rule (AllRules) is a
// governance.Definition of its own, with the rule's ID, severity,
// description and remediation, so that a policy can enable, scope,
// re-severity or baseline each one, and SARIF lists each as a rule. (One
// "secrets" check reporting the rule ID as Finding.Check was the
// alternative; it would force one severity on every rule, since the engine
// gives findings their check's severity.)
//
// The checks of the default rules share one scan per inventory and origin
// (ScanFact: the scanner's "most specific rule at one field path" choice
// needs all value rules at once); each reports its rule's findings. An
// opt-in rule's check scans with its rule alone. The origin parameter says
// what the inventory is: "source" (manifests: Secret data is a leak; the
// default) or "cluster" (objects read from an apiserver).

package secrets

import (
	"fmt"
	"slices"

	"github.com/aigov/aigov/governance"
)

// CheckParams are the parameters of every secrets rule check.
type CheckParams struct {
	// Origin is "source" (default) or "cluster".
	Origin string `json:"origin,omitempty"`
}

// OptInKind is the entry of a Definition's Kinds that marks the check of
// an opt-in rule: it does not run unless a policy lists it.
const OptInKind = "opt-in: runs only when a policy lists it"

// Checks returns one definition per secrets rule, in AllRules order
// (fresh values each call): the default rules, then the opt-in ones
// (secret-env-reference, secret-not-immutable), whose Kinds end with
// OptInKind (see OptIn). Each takes CheckParams; the checks of the default
// rules require ScanFact of their origin.
func Checks() []governance.Definition {
	var defs []governance.Definition
	for _, r := range AllRules() {
		kinds := []string{"secrets rule: Secrets, pods + workloads, ConfigMaps, EncryptionConfiguration (inventory)"}
		var requires []governance.FactRef
		if r.Default {
			requires = []governance.FactRef{ScanFact(OriginSource), ScanFact(OriginCluster)}
		} else {
			kinds = append(kinds, OptInKind)
		}
		defs = append(defs, governance.Definition{
			ID: r.ID, Description: r.Description, Severity: r.Severity, Kinds: kinds,
			Params: []governance.Param{{Name: "origin", Type: "string", Default: "source",
				Description: `"source" for manifests (Secret data is a leak) or "cluster" for objects read from an apiserver`}},
			Requires:      requires,
			AdmissionNote: r.AdmissionNote,
			New:           func(p any) (governance.Check, error) { return newCheck(r, p) },
		})
	}
	return defs
}

// OptIn reports whether d is the check of an opt-in rule (its Kinds hold
// OptInKind): one that runs only when a policy lists it.
func OptIn(d governance.Definition) bool { return slices.Contains(d.Kinds, OptInKind) }

// NewCheck builds the check of the secrets rule with the given ID from
// its CheckParams (nil, the struct, a pointer to it, or its JSON).
func NewCheck(id string, params any) (governance.Check, error) {
	for _, r := range AllRules() {
		if r.ID == id {
			return newCheck(r, params)
		}
	}
	return governance.Check{}, fmt.Errorf("%w %q", governance.ErrUnknownCheck, id)
}

func newCheck(r Rule, params any) (governance.Check, error) {
	p := CheckParams{Origin: "source"}
	if err := governance.DecodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	origin, err := ParseOrigin(p.Origin)
	if err != nil {
		return governance.Check{}, fmt.Errorf("origin: %w", err)
	}
	c := governance.Check{ID: r.ID, Description: r.Description, Severity: r.Severity, Remediation: r.Remediation}
	var scan func(pass *governance.Pass) []Finding
	if r.Default {
		fact := ScanFact(origin)
		c.Requires = []governance.FactRef{fact}
		scan = fact.Of
	} else {
		alone, err := NewScanner(Config{Rules: []Rule{r}})
		if err != nil {
			return governance.Check{}, err
		}
		scan = func(pass *governance.Pass) []Finding { return alone.Scan(pass.Inventory, origin) }
	}
	c.Inventory = func(pass *governance.Pass) []governance.Finding {
		var out []governance.Finding
		for _, f := range scan(pass) {
			if f.Rule == r.ID {
				g := f.Governance()
				g.Check, g.Action = "", ""
				out = append(out, g)
			}
		}
		return out
	}
	return c, nil
}
