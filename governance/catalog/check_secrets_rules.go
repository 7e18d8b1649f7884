// The secrets rules: every default rule of package secrets
// (secrets.DefaultRules: secret-literal-provider-key,
// secret-stringdata-in-source, sa-token-automount, ...) is a catalog check
// of its own, with the rule's ID, severity, description and remediation,
// so that a policy can enable, scope, re-severity or baseline each one,
// and SARIF lists each as a rule. (One "secrets" check reporting the rule
// ID as Finding.Check was the alternative; it would force one severity on
// every rule, since the engine gives findings their check's severity.)
//
// The rules of one check set share one scan per inventory and origin (the
// scanner's "most specific rule at one field path" choice needs all value
// rules at once); each check reports its rule's findings. The origin
// parameter says what the inventory is: "source" (manifests: Secret data
// is a leak; the default) or "cluster" (objects read from an apiserver).

package catalog

import (
	"fmt"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// SecretsRulesParams are the parameters of every secrets rule check.
type SecretsRulesParams struct {
	// Origin is "source" (default) or "cluster".
	Origin string `json:"origin,omitempty"`
}

// secretsRuleDefinitions returns one definition per default secrets rule,
// in the rules' order, sharing the scanner and the scan memo.
func secretsRuleDefinitions(ax *analyses) []governance.Definition {
	var defs []governance.Definition
	for _, r := range secrets.DefaultRules() {
		defs = append(defs, governance.Definition{
			ID: r.ID, Description: r.Description, Severity: r.Severity,
			Kinds: []string{"secrets rule: Secrets, pods + workloads, ConfigMaps, EncryptionConfiguration (inventory)"},
			Params: []governance.Param{{Name: "origin", Type: "string", Default: "source",
				Description: `"source" for manifests (Secret data is a leak) or "cluster" for objects read from an apiserver`}},
			New: func(p any) (governance.Check, error) { return newSecretsRuleCheck(ax, r, p) },
		})
	}
	return defs
}

// NewSecretsRuleCheck builds the catalog check of the default secrets rule
// with the given ID.
func NewSecretsRuleCheck(id string, params any) (governance.Check, error) {
	for _, r := range secrets.DefaultRules() {
		if r.ID == id {
			return newSecretsRuleCheck(newAnalyses(), r, params)
		}
	}
	return governance.Check{}, fmt.Errorf("%w %q", governance.ErrUnknownCheck, id)
}

func newSecretsRuleCheck(ax *analyses, r secrets.Rule, params any) (governance.Check, error) {
	p := SecretsRulesParams{Origin: "source"}
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	origin, err := secrets.ParseOrigin(p.Origin)
	if err != nil {
		return governance.Check{}, fmt.Errorf("origin: %w", err)
	}
	scanner, err := secrets.NewScanner(secrets.Config{})
	if err != nil {
		return governance.Check{}, err
	}
	return governance.Check{
		ID: r.ID, Description: r.Description, Severity: r.Severity, Remediation: r.Remediation,
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			var out []governance.Finding
			for _, f := range ax.secretsScan(inv, scanner, origin) {
				if f.Rule == r.ID {
					g := f.Governance()
					g.Check, g.Action = "", ""
					out = append(out, g)
				}
			}
			return out
		},
	}, nil
}
