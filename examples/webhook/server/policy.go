package server

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
)

// PolicyRules returns the object-level rules (see ObjectRules) of a
// GovernancePolicy file as policyset.Rules reads it (the catalog's
// definitions and custom-cel compiled for the policy's
// kubernetesVersion); an empty path means the object-level rules of the
// catalog's defaults.
func PolicyRules(path string) ([]governance.Rule, error) {
	rules, err := policyset.Rules(path)
	if err != nil {
		return nil, err
	}
	return ObjectRules(rules), nil
}

// ObjectRules keeps the rules whose check judges one object
// (governance.Check.Object). Inventory checks (reachability, RBAC,
// quota coverage, secret exposure) need the whole platform: over the
// webhook's one-object inventory they would report what is merely not in
// the request (no NetworkPolicy, no LimitRange) and deny everything.
func ObjectRules(rules []governance.Rule) []governance.Rule {
	var out []governance.Rule
	for _, r := range rules {
		if r.Check.Object != nil {
			out = append(out, r)
		}
	}
	return out
}
