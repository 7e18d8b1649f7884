// Vapgen generates the ValidatingAdmissionPolicies and bindings
// (admissionregistration.k8s.io/v1) of a GovernancePolicy with package cel,
// so that the kube-apiserver itself enforces the catalog's checks:
//
//	go run ./examples/vapgen                              # the bundled AI-platform policy.yaml
//	go run ./examples/vapgen --policy my-policy.yaml --kube-version 1.31 --output vaps.yaml
//	go run ./examples/vapgen | kubectl apply -f -
//	go run ./examples/vapgen --mutating --kube-version 1.36  # also the safe defaults
//
// Each policy entry becomes one ValidatingAdmissionPolicy and one binding
// (validationActions from the entry's action, matchResources from its
// match), with parameters inlined as CEL constants and every expression
// compiled for the target Kubernetes version. A rule that does not compile
// for it is an error naming the entry and the version it needs. The same
// output is `aigov vap generate --policy FILE`; this program shows the few
// lines of library code behind it:
//
//	policy, err := governance.LoadPolicyFile(path)
//	gs, err := cel.GeneratePolicy(policy, catalog.Definitions(), "") // the policy's kubernetesVersion
//	yaml, err := cel.Marshal(gs)
//
// --mutating appends, after the validating policies, one
// MutatingAdmissionPolicy and binding (admissionregistration.k8s.io/v1,
// Kubernetes 1.36 or later: the bundled policy targets 1.30, so it needs
// --kube-version) per entry whose check has safe defaults, and one more
// (named with cel.OperatorsSuffix) for the pod templates of the AI
// operators' resources: here runAsNonRoot: true where the manifest sets a
// non-root runAsUser (run-as-non-root), automountServiceAccountToken:
// false (automount-token), the GPU taint toleration of GPU pods
// (gpu-node-targeting) and the team label copied from the namespace onto
// workload controllers (required-labels, entry workload-team). The same
// output is `aigov vap generate --policy FILE --mutating`:
//
//	gs, ms, err := cel.GeneratePolicyWithMutating(policy, catalog.Definitions(), "1.36")
//	yaml, err := cel.MarshalMutating(ms) // after cel.Marshal(gs)
//
// cel generates the admission form each check carries
// (governance.Check.Admission) from the definitions it is given; custom-cel
// is cel's own.
package main
