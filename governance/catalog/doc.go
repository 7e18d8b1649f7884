// Package catalog evaluates aigov's catalog checks in Go: the AI-platform
// checks of the design's catalog table that are also generated as native
// ValidatingAdmissionPolicies.
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
//	run-as-non-root        NewRunAsNonRoot           –
//	required-probes        NewRequiredProbes         RequiredProbesParams
//
// Definitions lists them for a GovernancePolicy (governance.Policy.Rules)
// and for documentation; Default returns the rules that need no parameters.
// custom-cel lives in package cel, which needs the apiserver's CEL
// environment.
//
// Checks over pods ("pods + workloads") judge Pods and the pod templates of
// Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob and
// ReplicationController, as stored (governance.PodSpecOf: no defaults beyond
// the loader's), and name the field in the object: "spec.containers[0].image",
// "spec.template.spec.initContainers[1].securityContext.privileged",
// "spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image".
//
// The same parsing serves the VAP generator: the Parse*Params functions
// return the normalized parameters, and ImageRegistry, ImageTag,
// NormalizeRegistry, AnchorRegex, ResolveKinds, ServiceType and PodKinds are
// the rules the generated CEL must reproduce.
package catalog
