package server

import (
	"fmt"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// PolicyRules returns the object-level rules (see ObjectRules) a
// GovernancePolicy file lists, with the catalog's definitions and
// custom-cel compiled for the policy's kubernetesVersion; an empty path
// means the object-level rules of the catalog's defaults (catalog.Default).
func PolicyRules(path string) ([]governance.Rule, error) {
	if path == "" {
		rules, err := catalog.Default()
		if err != nil {
			return nil, err
		}
		return ObjectRules(rules), nil
	}
	policy, err := governance.LoadPolicyFile(path)
	if err != nil {
		return nil, err
	}
	custom, err := cel.CustomCELDefinitionFor(policy.KubernetesVersion)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	rules, err := policy.Rules(append(catalog.Definitions(), custom))
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
