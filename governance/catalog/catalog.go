package catalog

import (
	"fmt"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
	"github.com/aigov/aigov/rbac"
)

// Definitions returns the catalog checks this package evaluates: first
// those of the design's catalog table, in its order, each also generated as
// a ValidatingAdmissionPolicy (VAP true); then the AI-platform checks that
// are evaluated in Go only for now (VAP false: inventory checks, and checks
// that classify workloads); then the analyzer-composed inventory checks
// (netpol, rbac, quota, secrets), ending with one check per default
// secrets rule but sa-token-automount, whose cause automount-token
// reports and whose ID is automount-token's alias (Definition.Aliases). Every definition names the framework controls it serves
// (Controls). The slice and its entries are fresh on every call.
//
// The analyzer-composed checks name the facts they read in Requires
// (netpol.GraphFact, rbac.GraphFact, secrets.ScanFact,
// secrets.ExposureFact, ClassificationFact, ...): an engine computes each
// once per run, however many of them run, and a check built on its own
// computes them in the Pass it is given.
//
// custom-cel is not here: it needs the CEL environment of package cel,
// which adds its definition to this list.
func Definitions() []governance.Definition {
	defs := []governance.Definition{
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

		namespaceDataClassificationDefinition(),
		namespaceTeamLabelsDefinition(),
		sensitiveWorkloadClassificationDefinition(),
		podSecurityLevelDefinition(),
		inferenceProbesDefinition(),
		modelImageDigestDefinition(),
		aiWorkloadOwnServiceAccountDefinition(),
		shadowAIDefinition(),
		gpuNodeTargetingDefinition(),
		auditPolicyLintDefinition(),
		kyvernoDeprecatedActionDefinition(),

		namespaceDefaultDenyDefinition(),
		vectorDBIsolationDefinition(),
		crossTeamReachabilityDefinition(),
		inferenceExposureDefinition(),
		inferencePoolSelectsNonModelServersDefinition(), routeToOtherTeamDefinition(), rayDashboardExposureDefinition(),
		aiInternetEgressDefinition(),
		aiServiceAccountPermissionsDefinition(),
		teamGroupRisksDefinition(),
		gpuLimitRangeCapDefinition(),
		providerKeySecretExposureDefinition(),
	}
	defs = append(defs, rbac.Checks()...)
	defs = append(defs, quota.Checks()...)
	defs = append(defs, secretsRuleDefinitions()...)
	for i := range defs {
		defs[i].Controls = Controls(defs[i].ID)
	}
	return defs
}

// Default returns the checks that need no parameters, with their default
// parameters, each as a rule with action Deny, no entry name, the check's
// own severity and no scope: privileged-container, container-limits
// (limits required, no maximums), host-namespaces, automount-token,
// latest-tag, run-as-non-root, namespace-data-classification,
// namespace-team-labels, pod-security-level, inference-probes,
// model-image-digest, ai-workload-own-serviceaccount, gpu-node-targeting,
// audit-policy-lint, kyverno-deprecated-action, the analyzer-composed
// checks (namespace-default-deny, vector-db-isolation,
// cross-team-reachability, inference-exposure,
// inference-pool-selects-non-model-servers, route-to-other-team,
// ray-dashboard-exposure, ai-internet-egress,
// ai-serviceaccount-permissions, team-group-risks, gpu-limitrange-cap,
// provider-key-secret-exposure), every rbac check (rbac.Checks), every
// quota check (quota.Checks) and the default
// secrets rules (sa-token-automount as automount-token).
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
