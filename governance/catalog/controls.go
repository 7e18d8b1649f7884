// Framework references: the controls of security frameworks each catalog
// check serves, for the "group by framework" view compliance reviews (SOC 2,
// ISO 27001) ask for. A control is written "FRAMEWORK CONTROL":
//
//	CIS 5.2.2                 CIS Kubernetes Benchmark v1.10 recommendation
//	                          (1.2.27-1.2.28 encryption at rest, 3.2.x audit
//	                          policy, 5.1.x RBAC and service accounts, 5.2.x
//	                          Pod Security Standards, 5.3.2 network policies,
//	                          5.4.x secrets management, 5.5.1 image
//	                          provenance, 5.7.x general policies)
//	NSA-CISA pod-security     NSA/CISA Kubernetes Hardening Guidance v1.2
//	                          section (see nsaCISASections)
//	OWASP-LLM LLM03           OWASP Top 10 for LLM Applications 2025
//	MITRE-ATLAS AML.T0010     MITRE ATLAS technique the check mitigates
//
// The mapping is documentation: it changes no verdict. A control is listed
// only when its topic is what the check judges; a check no control of a
// framework fits names none of that framework, rather than a near miss.
//
// Verified against (numbers and topics only):
//   - CIS v1.10: aquasecurity/kube-bench cfg/cis-1.10/master.yaml (1.2.27
//     the --encryption-provider-config flag, whose audit also asks that
//     the file cover Secrets; 1.2.28 the providers), controlplane.yaml
//     (3.2.1, 3.2.2) and policies.yaml (5.1.1-5.7.4).
//   - NSA/CISA v1.2: the section headings of the August 2022 PDF (the URL
//     in Frameworks), cross-checked against published tables of contents.
//   - OWASP LLM 2025: OWASP/www-project-top-10-for-large-language-model-
//     applications 2_0_vulns/LLM01_PromptInjection.md ...
//     LLM10_UnboundedConsumption.md (LLM01 Prompt Injection, LLM02
//     Sensitive Information Disclosure, LLM03 Supply Chain, LLM04 Data and
//     Model Poisoning, LLM05 Improper Output Handling, LLM06 Excessive
//     Agency, LLM07 System Prompt Leakage, LLM08 Vector and Embedding
//     Weaknesses, LLM09 Misinformation, LLM10 Unbounded Consumption).
//   - MITRE ATLAS: mitre-atlas/atlas-data data/techniques.yaml, ATLAS
//     4.9.1 (T0010 AI Supply Chain Compromise, T0012 Valid Accounts, T0018
//     Backdoor AI Model, renamed Manipulate AI Model later, T0024
//     Exfiltration via AI Inference API, T0025 Exfiltration via Cyber
//     Means, T0029 Denial of AI Service, T0034 Cost Harvesting, T0035 AI
//     Artifact Collection, T0036 Data from Information Repositories, T0040
//     AI Model Inference API Access, T0055 Unsecured Credentials).

package catalog

import (
	"slices"
	"strings"

	"github.com/aigov/aigov/governance"
)

// Framework identifiers: the first word of a control.
const (
	FrameworkCIS        = "CIS"
	FrameworkNSACISA    = "NSA-CISA"
	FrameworkOWASPLLM   = "OWASP-LLM"
	FrameworkMITREATLAS = "MITRE-ATLAS"
)

// Framework describes one framework controls refer to.
type Framework struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Frameworks returns the frameworks catalog controls refer to, in a fixed
// order. The slice is fresh on every call.
func Frameworks() []Framework {
	return []Framework{
		{FrameworkCIS, "CIS Kubernetes Benchmark v1.10", "https://www.cisecurity.org/benchmark/kubernetes"},
		{FrameworkNSACISA, "NSA/CISA Kubernetes Hardening Guidance v1.2", "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF"},
		{FrameworkOWASPLLM, "OWASP Top 10 for LLM Applications 2025", "https://genai.owasp.org/llm-top-10/"},
		{FrameworkMITREATLAS, "MITRE ATLAS", "https://atlas.mitre.org/"},
	}
}

// nsaCISASections names the sections of the NSA/CISA guidance that
// "NSA-CISA <section>" controls refer to (chapter: section, as headed in
// v1.2).
//
//	pod-security        Kubernetes Pod security: Pod security enforcement
//	non-root            Kubernetes Pod security: "Non-root" containers and
//	                    "rootless" container engines
//	secure-images       Kubernetes Pod security: Building secure container images
//	sa-tokens           Kubernetes Pod security: Protecting Pod service account tokens
//	namespaces          Network separation and hardening: Namespaces
//	network-policies    Network separation and hardening: Network policies
//	resource-policies   Network separation and hardening: Resource policies
//	secrets             Network separation and hardening: Secrets
//	rbac                Authentication and authorization: Role-based access control
//	audit-logging       Audit logging and threat detection: Logging (Kubernetes
//	                    native audit logging configuration)

// IDs of the quota checks the catalog composes (quota.Checks).
const (
	IDQuotaInvalidKey             = "quota-invalid-key"
	IDQuotaInertKey               = "quota-inert-key"
	IDGPUWithoutQuota             = "gpu-without-quota"
	IDGPURequestLimitMismatch     = "gpu-request-limit-mismatch"
	IDGPUAboveLimitRangeMax       = "gpu-above-limitrange-max"
	IDLimitRangeMaxBecomesDefault = "limitrange-max-becomes-default"
	IDInvalidResourceQuantity     = "invalid-resource-quantity"
)

// controlTable maps check IDs to their controls.
func controlTable() map[string][]string {
	const (
		ciso = FrameworkCIS + " "
		nsa  = FrameworkNSACISA + " "
		llm  = FrameworkOWASPLLM + " "
		atl  = FrameworkMITREATLAS + " "
	)
	return map[string][]string{
		IDPrivilegedContainer: {ciso + "5.2.2", nsa + "pod-security"},
		IDAllowedRegistries:   {ciso + "5.5.1", nsa + "secure-images", llm + "LLM03", atl + "AML.T0010"},
		IDRequiredLabels:      {ciso + "5.7.1", nsa + "namespaces"},
		IDContainerLimits:     {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0029"},
		IDGPUPerContainerMax:  {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0034"},
		IDHostNamespaces:      {ciso + "5.2.3", ciso + "5.2.4", ciso + "5.2.5", nsa + "pod-security"},
		IDAutomountToken:      {ciso + "5.1.6", nsa + "sa-tokens", atl + "AML.T0012"},
		IDServiceType:         {nsa + "network-policies", llm + "LLM10", atl + "AML.T0040"},
		IDLatestTag:           {nsa + "secure-images", llm + "LLM03", atl + "AML.T0010"},
		IDRunAsNonRoot:        {ciso + "5.2.7", nsa + "non-root"},
		IDRequiredProbes:      {atl + "AML.T0029"},

		IDNamespaceDataClassification:     {ciso + "5.7.1", nsa + "namespaces", llm + "LLM02"},
		IDNamespaceTeamLabels:             {ciso + "5.7.1", nsa + "namespaces"},
		IDSensitiveWorkloadClassification: {ciso + "5.7.1", nsa + "namespaces", llm + "LLM02", llm + "LLM08", atl + "AML.T0035", atl + "AML.T0036"},
		IDPodSecurityLevel: {ciso + "5.2.1", ciso + "5.2.2", ciso + "5.2.3", ciso + "5.2.4", ciso + "5.2.5",
			ciso + "5.2.6", ciso + "5.2.7", ciso + "5.2.8", ciso + "5.2.9", ciso + "5.2.10", ciso + "5.2.11", ciso + "5.2.12",
			ciso + "5.2.13", ciso + "5.7.2", nsa + "pod-security", nsa + "non-root"},
		IDInferenceProbes:             {llm + "LLM10", atl + "AML.T0029"},
		IDModelImageDigest:            {ciso + "5.5.1", nsa + "secure-images", llm + "LLM03", llm + "LLM04", atl + "AML.T0010", atl + "AML.T0018"},
		IDAIWorkloadOwnServiceAccount: {ciso + "5.1.5", nsa + "rbac", llm + "LLM06", atl + "AML.T0012"},
		IDShadowAI:                    {ciso + "5.7.1", nsa + "namespaces", llm + "LLM02", llm + "LLM03", atl + "AML.T0034"},
		IDGPUNodeTargeting:            {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0034"},
		IDAuditPolicyLint:             {ciso + "3.2.1", ciso + "3.2.2", nsa + "audit-logging", llm + "LLM02"},
		IDKyvernoDeprecatedAction:     {ciso + "5.2.1", nsa + "pod-security"},

		IDNamespaceDefaultDeny:        {ciso + "5.3.2", nsa + "network-policies"},
		IDVectorDBIsolation:           {ciso + "5.3.2", nsa + "network-policies", llm + "LLM02", llm + "LLM08", atl + "AML.T0036"},
		IDCrossTeamReachability:       {ciso + "5.3.2", nsa + "network-policies", nsa + "namespaces", llm + "LLM02"},
		IDInferenceExposure:           {nsa + "network-policies", llm + "LLM01", llm + "LLM10", atl + "AML.T0040", atl + "AML.T0024"},
		IDAIInternetEgress:            {ciso + "5.3.2", nsa + "network-policies", llm + "LLM02", llm + "LLM03", atl + "AML.T0025"},
		IDAIServiceAccountPermissions: {ciso + "5.1.2", ciso + "5.1.4", nsa + "rbac", llm + "LLM06", atl + "AML.T0012"},
		IDTeamGroupRisks: {ciso + "5.1.1", ciso + "5.1.3", ciso + "5.1.7", ciso + "5.1.8", ciso + "5.1.10", ciso + "5.1.11",
			ciso + "5.1.12", ciso + "5.1.13", nsa + "rbac", llm + "LLM06"},
		IDQuotaInvalidKey:             {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0034"},
		IDQuotaInertKey:               {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0034"},
		IDGPUWithoutQuota:             {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0034"},
		IDGPULimitRangeCap:            {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0034"},
		IDGPURequestLimitMismatch:     {nsa + "resource-policies"},
		IDGPUAboveLimitRangeMax:       {nsa + "resource-policies"},
		IDLimitRangeMaxBecomesDefault: {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0034"},
		IDInvalidResourceQuantity:     {nsa + "resource-policies", llm + "LLM10", atl + "AML.T0034"},
		IDProviderKeySecretExposure:   {ciso + "5.1.2", nsa + "secrets", nsa + "rbac", llm + "LLM02", atl + "AML.T0055"},

		// The Gateway API and Ray checks. An InferencePool delivers prompts
		// to every pod it selects; another team's route decides who calls,
		// and who pays for, a model; the Ray dashboard's job API runs code.
		IDInferencePoolSelectsNonModelServers: {llm + "LLM02"},
		IDRouteToOtherTeam:                    {nsa + "namespaces", llm + "LLM10", atl + "AML.T0034"},
		IDRayDashboardExposure:                {ciso + "5.3.2", nsa + "network-policies", nsa + "namespaces"},

		// The rbac checks (rbac.Checks): RBAC hygiene. Only the wildcard
		// grant has a CIS recommendation of its own (5.1.3, minimize
		// wildcard use in Roles and ClusterRoles).
		"rbac-binding-missing-role":    {nsa + "rbac"},
		"rbac-empty-rule":              {nsa + "rbac"},
		"rbac-invalid-nonresourceurls": {nsa + "rbac"},
		"rbac-missing-serviceaccount":  {nsa + "rbac"},
		"rbac-resourcenames-verb":      {nsa + "rbac"},
		"rbac-unknown-resource":        {nsa + "rbac"},
		"rbac-unknown-verb":            {nsa + "rbac"},
		"rbac-wildcard-team-grant":     {ciso + "5.1.3", nsa + "rbac"},

		// The default secrets rules (check_secrets_rules.go). CIS 5.4.1
		// (Secrets as files, not env) is secret-env-reference's, which is
		// opt-in; the rules whose remediation is a Secret kept outside git
		// serve 5.4.2 (external secret storage).
		"secret-private-key-material":       {ciso + "5.4.2", nsa + "secrets", llm + "LLM02", atl + "AML.T0055"},
		"secret-in-last-applied-annotation": {nsa + "secrets", llm + "LLM02", atl + "AML.T0055"},
		"secret-literal-provider-key":       {ciso + "5.4.2", nsa + "secrets", llm + "LLM02", atl + "AML.T0055"},
		"secret-url-credentials":            {nsa + "secrets", llm + "LLM02", atl + "AML.T0055"},
		"secret-literal-sensitive-name":     {ciso + "5.4.2", nsa + "secrets", llm + "LLM02", atl + "AML.T0055"},
		"secret-stringdata-in-source":       {ciso + "5.4.2", nsa + "secrets", atl + "AML.T0055"},
		"secret-data-in-source":             {ciso + "5.4.2", nsa + "secrets", atl + "AML.T0055"},
		"secret-data-invalid-base64":        {nsa + "secrets"},
		"secret-type-keys-missing":          {nsa + "secrets"},
		"secret-volume-unused":              {nsa + "secrets"},
		// 1.2.27 is the --encryption-provider-config flag, whose audit asks
		// that the file cover Secrets; 1.2.28 is an encrypting provider.
		"encryption-identity-first":      {ciso + "1.2.28", nsa + "secrets"},
		"encryption-secrets-not-covered": {ciso + "1.2.27", nsa + "secrets"},
	}
}

// Controls returns the framework controls a catalog check serves, nil for
// an unknown ID. The slice is fresh on every call.
func Controls(checkID string) []string {
	return slices.Clone(controlTable()[checkID])
}

// ControlFramework returns the framework of a control: its first word
// ("CIS" for "CIS 5.2.2").
func ControlFramework(control string) string {
	fw, _, _ := strings.Cut(control, " ")
	return fw
}

// Unmapped is the GroupByFramework key of findings whose check names no
// control (custom rules, exemption findings).
const Unmapped = "unmapped"

// GroupByFramework groups findings by the frameworks their checks' controls
// belong to (the Controls of the definition with the finding's check ID):
// a finding appears once under every framework its check serves, and under
// Unmapped when the check names none. Within a group findings keep their
// order.
func GroupByFramework(findings []governance.Finding, defs []governance.Definition) map[string][]governance.Finding {
	return groupBy(findings, defs, ControlFramework)
}

// GroupByControl groups findings by control ("CIS 5.2.2"): a finding
// appears once under every control its check serves, and under Unmapped
// when the check names none.
func GroupByControl(findings []governance.Finding, defs []governance.Definition) map[string][]governance.Finding {
	return groupBy(findings, defs, func(c string) string { return c })
}

func groupBy(findings []governance.Finding, defs []governance.Definition, key func(string) string) map[string][]governance.Finding {
	controls := make(map[string][]string, len(defs))
	for _, d := range defs {
		controls[d.ID] = d.Controls
	}
	out := map[string][]governance.Finding{}
	for _, f := range findings {
		var keys []string
		for _, c := range controls[f.Check] {
			if k := key(c); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			keys = []string{Unmapped}
		}
		for _, k := range keys {
			out[k] = append(out[k], f)
		}
	}
	return out
}
