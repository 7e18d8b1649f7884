package catalog

import (
	"fmt"

	"github.com/aigov/aigov/governance"
)

// Definitions returns the catalog checks this package evaluates, in the
// order of the design's catalog table. Every one is also generated as a
// ValidatingAdmissionPolicy (VAP true). The slice and its entries are fresh
// on every call.
//
// custom-cel is not here: it needs the CEL environment of package cel,
// which adds its definition to this list.
func Definitions() []governance.Definition {
	return []governance.Definition{
		privilegedContainerDefinition(),
		allowedRegistriesDefinition(),
		requiredLabelsDefinition(),
		containerLimitsDefinition(),
		gpuPerContainerMaxDefinition(),
		hostNamespacesDefinition(),
		automountTokenDefinition(),
		serviceTypeDefinition(),
		latestTagDefinition(),
		runAsNonRootDefinition(),
		requiredProbesDefinition(),
	}
}

// Default returns the checks that need no parameters, each as a rule with
// action Deny, no entry name, the check's own severity and no scope:
// privileged-container, container-limits (limits required, no maximums),
// host-namespaces, automount-token, latest-tag and run-as-non-root.
func Default() ([]governance.Rule, error) {
	var rules []governance.Rule
	for _, d := range Definitions() {
		if requiresParams(d) {
			continue
		}
		c, err := d.New(nil)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", d.ID, err)
		}
		rules = append(rules, governance.Rule{Check: c, Action: governance.ActionDeny})
	}
	return rules, nil
}

func requiresParams(d governance.Definition) bool {
	for _, p := range d.Params {
		if p.Required {
			return true
		}
	}
	return false
}
