package policyset

import (
	"fmt"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// Definitions returns every check a policy file may list: the catalog's
// definitions, then custom-cel compiling for
// governance.DefaultKubernetesVersion.
func Definitions() []governance.Definition {
	return append(catalog.Definitions(), cel.CustomCELDefinition())
}

// Rules returns the rules of the GovernancePolicy file at path, exactly
// the checks it lists; an empty path means the catalog's defaults
// (catalog.Default). Errors name the file: it cannot be read or decoded,
// its kubernetesVersion is not one custom-cel compiles for, or an entry is
// invalid (unknown check, bad params).
func Rules(path string) ([]governance.Rule, error) {
	if path == "" {
		return catalog.Default()
	}
	policy, err := governance.LoadPolicyFile(path)
	if err != nil {
		return nil, err
	}
	return PolicyRules(policy)
}

// PolicyRules returns the rules of a loaded policy: its entries resolved
// against the catalog's definitions and custom-cel compiling for the
// policy's kubernetesVersion (the oldest cluster its rules must run on).
func PolicyRules(policy *governance.Policy) ([]governance.Rule, error) {
	custom, err := cel.CustomCELDefinitionFor(policy.KubernetesVersion)
	if err != nil {
		return nil, &governance.InputError{Source: policy.Source, Err: err}
	}
	rules, err := policy.Rules(append(catalog.Definitions(), custom))
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return rules, nil
}

// ChecksDocument is the JSON document of `aigov checks -o json`: every
// definition (Definitions) with its id, parameters, severity, kinds and
// whether it generates a ValidatingAdmissionPolicy.
type ChecksDocument struct {
	Checks        []governance.Definition `json:"checks"`
	SchemaVersion int                     `json:"schemaVersion"`
}

// Checks returns the listing of Definitions.
func Checks() ChecksDocument {
	return ChecksDocument{Checks: Definitions(), SchemaVersion: governance.SchemaVersion}
}
