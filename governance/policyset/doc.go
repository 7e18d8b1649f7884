// Package policyset turns a GovernancePolicy file into the rules an
// Engine runs: the catalog's definitions (package catalog) and custom-cel,
// the user's own CEL rule (package cel), composed in one place.
//
// It is its own package because neither of the two it composes may import
// the other: the catalog stays free of the apiserver's CEL machinery, and
// cel generates and evaluates whatever definitions it is given without
// knowing the catalog. The CLI (`aigov check --policy`), the admission
// webhook example and platform test suites all call Rules, so a policy
// file means the same checks everywhere.
//
//	rules, err := policyset.Rules("policy.yaml") // "" : the catalog's defaults
//	engine, err := governance.NewEngine(rules...)
package policyset
