// Package cel compiles and evaluates CEL rules with the kube-apiserver's own
// CEL environment and cost limits, and generates ValidatingAdmissionPolicies
// and bindings from aigov checks so the apiserver enforces them natively.
//
// The generator is being built (see the project's open issues); today the
// package holds only this documentation.
package cel
