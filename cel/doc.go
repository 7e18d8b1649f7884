// Package cel compiles and evaluates CEL with the kube-apiserver's own CEL
// environment and cost limits, generates ValidatingAdmissionPolicies and
// bindings (admissionregistration.k8s.io/v1) from aigov policy entries, and
// evaluates policies in-process with the apiserver's admission code.
//
// Three pieces, one code path:
//
//   - Compiler checks expressions at the oldest Kubernetes version a policy
//     targets (the NewExpressions environment of that version: a rule that
//     uses a library the version lacks is an error naming the version it
//     needs) and compiles them for evaluation in the StoredExpressions
//     environment, as the admission plugin does. Rule is one user rule
//     (expression, message, messageExpression, reason) that can be run on
//     any typed or unstructured object; CustomCELDefinition is the catalog's
//     custom-cel check built on it.
//   - Generate turns a governance.Policy into one ValidatingAdmissionPolicy
//     and one binding per entry, from the definitions it is given: each
//     entry's check is built with its parameters and carries its own
//     admission form (governance.Check.Admission: rules, variables,
//     validations, written next to its Go evaluation in the check's file),
//     parameters inlined as CEL constants; Generate adds names, the failure
//     policy and the binding, fills in API defaults and compiles every
//     expression for the target version. The generated policy of a catalog
//     check decides exactly like its Go evaluation (proved by the package's
//     differential tests, in-process and against a real kube-apiserver).
//     GeneratePolicy and LoadPolicies are the policy-file entry points.
//   - Admission evaluates policies and bindings against a request with
//     k8s.io/apiserver/pkg/admission/plugin/policy/validating (matching,
//     failurePolicy, validationActions, messages and warnings included).
//
// This package is the only one of aigov that imports k8s.io/apiserver beyond
// its API types: importing it costs the weight of the admission plugin. It
// does not import the catalog. Package celtest holds the in-process
// admission assertions for tests.
package cel
