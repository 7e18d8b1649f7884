// The secrets rules: the catalog composes the checks package secrets
// exports (secrets.Checks), one per rule, keeping the default ones
// (secret-literal-provider-key, secret-stringdata-in-source, ...); the
// opt-in rules (secrets.OptIn) are not catalog checks, and neither is
// sa-token-automount, whose cause (the pod spec's
// automountServiceAccountToken) automount-token reports: its ID is an
// alias of automount-token (one cause, one finding). The checks share one scan per inventory and origin
// (secrets.ScanFact); see package secrets.

package catalog

import (
	"fmt"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// SecretsRulesParams are the parameters of every secrets rule check.
type SecretsRulesParams = secrets.CheckParams

// secretsRuleDefinitions returns one definition per default secrets rule,
// in the rules' order.
func secretsRuleDefinitions() []governance.Definition {
	var defs []governance.Definition
	for _, d := range secrets.Checks() {
		if !secrets.OptIn(d) && d.ID != secrets.IDSATokenAutomount {
			defs = append(defs, d)
		}
	}
	return defs
}

// NewSecretsRuleCheck builds the catalog check of the default secrets rule
// with the given ID.
func NewSecretsRuleCheck(id string, params any) (governance.Check, error) {
	for _, d := range secretsRuleDefinitions() {
		if d.ID == id {
			return d.New(params)
		}
	}
	return governance.Check{}, fmt.Errorf("%w %q", governance.ErrUnknownCheck, id)
}
