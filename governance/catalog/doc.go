// Package catalog evaluates aigov's catalog checks in Go: the AI-platform
// checks of the design's catalog table that are also generated as native
// ValidatingAdmissionPolicies, and the AI-platform governance checks
// that need no analyzer.
//
// Every check is a governance.Check built by a constructor that validates
// its parameters strictly (case-sensitive field names; unknown fields,
// missing required fields, bad quantities and bad regexes are errors, once,
// at construction):
//
//	id                     constructor               params
//	privileged-container   NewPrivilegedContainer    –
//	allowed-registries     NewAllowedRegistries      AllowedRegistriesParams
//	required-labels        NewRequiredLabels         RequiredLabelsParams
//	container-limits       NewContainerLimits        ContainerLimitsParams
//	gpu-per-container-max  NewGPUPerContainerMax     GPUPerContainerMaxParams
//	host-namespaces        NewHostNamespaces         –
//	automount-token        NewAutomountToken         –
//	service-type           NewServiceType            ServiceTypeParams
//	latest-tag             NewLatestTag              –
//	run-as-non-root        NewRunAsNonRoot           RunAsNonRootParams
//	required-probes        NewRequiredProbes         RequiredProbesParams
//
// and the AI-platform checks, evaluated in Go only (not yet generated as
// VAPs; those marked * are inventory checks, which read other objects):
//
//	id                                  constructor                           params
//	namespace-data-classification       NewNamespaceDataClassification        NamespaceDataClassificationParams
//	namespace-team-labels               NewNamespaceTeamLabels                NamespaceTeamLabelsParams
//	sensitive-workload-classification*  NewSensitiveWorkloadClassification    SensitiveWorkloadClassificationParams
//	pod-security-level*                 NewPodSecurityLevel                   PodSecurityLevelParams
//	inference-probes                    NewInferenceProbes                    –
//	model-image-digest                  NewModelImageDigest                   –
//	ai-workload-own-serviceaccount*     NewAIWorkloadOwnServiceAccount        –
//	shadow-ai*                          NewShadowAI                           ShadowAIParams
//	gpu-node-targeting                  NewGPUNodeTargeting                   –
//	audit-policy-lint                   NewAuditPolicyLint                    –
//	kyverno-deprecated-action           NewKyvernoDeprecatedAction            –
//	rbac-nonexistent-subresource        NewRBACNonexistentSubresource         –
//
// and the analyzer-composed inventory checks, which ask the analyzers
// (netpol reachability, rbac authorization, quota ledger, secrets scanner
// and exposure) rather than reading objects by eye:
//
//	id                              constructor                       params
//	namespace-default-deny          NewNamespaceDefaultDeny           NamespaceDefaultDenyParams
//	vector-db-isolation             NewVectorDBIsolation              VectorDBIsolationParams
//	cross-team-reachability         NewCrossTeamReachability          CrossTeamReachabilityParams
//	inference-exposure              NewInferenceExposure              InferenceExposureParams
//	ai-internet-egress              NewAIInternetEgress               AIInternetEgressParams
//	ai-serviceaccount-permissions   NewAIServiceAccountPermissions    AIServiceAccountPermissionsParams
//	team-group-risks                NewTeamGroupRisks                 TeamGroupRisksParams
//	quota-invalid-key               NewQuotaInvalidKey                – (quota.QuotaInvalidKey)
//	quota-inert-key                 NewQuotaInertKey                  – (quota.QuotaInertKey)
//	gpu-without-quota               NewGPUWithoutQuota                – (quota.GPUWithoutQuota)
//	gpu-limitrange-cap              NewGPULimitRangeCap               –
//	provider-key-secret-exposure    NewProviderKeySecretExposure      ProviderKeySecretExposureParams
//	<secrets rule ID>               NewSecretsRuleCheck               SecretsRulesParams
//
// Each default secrets rule (secrets.DefaultRules) is a check of its own
// under the rule's ID and severity, rather than one "secrets" check: the
// engine gives findings their check's severity, and a policy can scope or
// baseline each rule. The checks built from one Definitions call share
// their analyzer indexes (built once per inventory, remembered for the
// last inventory only, through a weak pointer: no global state). Exposures
// lists, for every vector database, model store (PVC) and provider-key
// Secret (ProviderKeySecrets), what can reach or read it: the asset
// exposure table of `aigov check`.
//
// The AI checks select workloads by AI asset recognition: Classify,
// ClassifyObject and ClassifyInventory assign an AIClass (inference-server,
// embedding-service, vector-database, model-registry, training-job,
// notebook) by the aigov.dev/ai-class label, custom resource kind, operator
// labels, app.kubernetes.io/component and image repository name; AssetTable
// lists the AI assets for a report. Every definition names the framework
// controls it serves (governance.Definition.Controls: CIS Kubernetes
// Benchmark, NSA/CISA hardening guidance, OWASP Top 10 for LLM
// Applications, MITRE ATLAS); GroupByFramework and GroupByControl group
// findings by them.
//
// Definitions lists them for a GovernancePolicy (governance.Policy.Rules)
// and for documentation; Default returns the rules that need no parameters
// (shadow-ai and sensitive-workload-classification are opt-in).
//
// Figure (go test -bench DefaultPlatform10k, 2 shared cores, 2026-11):
// Default over a generated platform of 200 namespaces, 2,000 workloads and
// 10,000 pods (internal/gen), analyzer indexes rebuilt every run, loading
// excluded: 2.7 s, 259 MB allocated.
// custom-cel lives in package cel, which needs the apiserver's CEL
// environment.
//
// Checks over pods ("pods + workloads") judge Pods and the pod templates of
// Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob and
// ReplicationController and those written inside the custom resources of AI
// operators, as stored (governance.PodTemplatesOf: no defaults beyond
// the loader's), and name the field in the object: "spec.containers[0].image",
// "spec.template.spec.initContainers[1].securityContext.privileged",
// "spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image".
//
// The same parsing serves the VAP generator: the Parse*Params functions
// return the normalized parameters, and ImageRegistry, ImageTag,
// NormalizeRegistry, AnchorRegex, ResolveKinds, ServiceType and PodKinds are
// the rules the generated CEL must reproduce.
package catalog
