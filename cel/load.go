package cel

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
)

// VersionError is a target Kubernetes version the compiler refuses (not a
// version, or older than MinimumKubernetesVersion).
type VersionError struct{ Err error }

func (e *VersionError) Error() string { return e.Err.Error() }
func (e *VersionError) Unwrap() error { return e.Err }

// GeneratePolicy generates the ValidatingAdmissionPolicies and bindings of
// a GovernancePolicy for kubernetesVersion (empty: the policy's
// spec.kubernetesVersion), the entries' checks looked up in defs as
// Compiler.Generate does. A version the compiler refuses is a
// *VersionError; the other errors name the policy file and every failing
// entry.
func GeneratePolicy(p *governance.Policy, defs []governance.Definition, kubernetesVersion string) ([]Generated, error) {
	comp, err := policyCompiler(p, kubernetesVersion)
	if err != nil {
		return nil, err
	}
	gs, err := comp.Generate(p, defs)
	if err != nil {
		return nil, fmt.Errorf("policy %s:\n%w", p.Source.File, err)
	}
	return gs, nil
}

// PolicyCosts estimates the CEL cost of each policy of gs, which
// GeneratePolicy generated from p for kubernetesVersion (Compiler.EstimateCost,
// in the same environment). Generation leaves the estimate out: it
// inlines every variable into the expressions that read it, which for the
// large policies over the AI operators' resources costs far more than
// generating them.
func PolicyCosts(p *governance.Policy, gs []Generated, kubernetesVersion string) ([]CostReport, error) {
	comp, err := policyCompiler(p, kubernetesVersion)
	if err != nil {
		return nil, err
	}
	out := make([]CostReport, len(gs))
	for i, g := range gs {
		out[i] = comp.EstimateCost(&g.Policy.Spec)
	}
	return out, nil
}

// policyCompiler is the compiler for kubernetesVersion, else for p's
// spec.kubernetesVersion.
func policyCompiler(p *governance.Policy, kubernetesVersion string) (*Compiler, error) {
	if kubernetesVersion == "" {
		kubernetesVersion = p.KubernetesVersion
	}
	comp, err := NewCompiler(kubernetesVersion)
	if err != nil {
		return nil, &VersionError{Err: err}
	}
	return comp, nil
}

// LoadPolicies reads the admission policies of a file: a GovernancePolicy
// is generated (GeneratePolicy, for kubernetesVersion or its own
// spec.kubernetesVersion) from defs; any other file must hold
// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding documents
// only, at least one policy. The file is read within
// governance.MaxDocumentBytes.
func LoadPolicies(path string, defs []governance.Definition, kubernetesVersion string) ([]*admissionregistrationv1.ValidatingAdmissionPolicy, []*admissionregistrationv1.ValidatingAdmissionPolicyBinding, error) {
	whole := governance.Source{File: path, Item: -1}
	data, err := governance.ReadFileLimited(path, governance.MaxDocumentBytes)
	if err != nil {
		return nil, nil, &governance.InputError{Source: whole, Err: err}
	}
	var head struct {
		Kind string `json:"kind"`
	}
	first, _, _ := bytes.Cut(data, []byte("\n---"))
	if yaml.Unmarshal(first, &head) == nil && head.Kind == governance.PolicyKind {
		policy, err := governance.ParsePolicy(path, data)
		if err != nil {
			return nil, nil, err
		}
		gs, err := GeneratePolicy(policy, defs, kubernetesVersion)
		if err != nil {
			return nil, nil, err
		}
		ps, bs := Policies(gs)
		return ps, bs, nil
	}
	loader, err := governance.NewLoader()
	if err != nil {
		return nil, nil, err
	}
	objs, err := loader.Decode(path, data)
	if err != nil {
		return nil, nil, err
	}
	var ps []*admissionregistrationv1.ValidatingAdmissionPolicy
	var bs []*admissionregistrationv1.ValidatingAdmissionPolicyBinding
	var other []string
	for _, o := range objs {
		switch obj := o.Obj.(type) {
		case *admissionregistrationv1.ValidatingAdmissionPolicy:
			ps = append(ps, obj)
		case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
			bs = append(bs, obj)
		default:
			other = append(other, fmt.Sprintf("%s (%s/%s)", o.Source, o.Kind(), o.Name()))
		}
	}
	if len(other) > 0 {
		return nil, nil, &governance.InputError{Source: whole,
			Err: fmt.Errorf("--policy holds objects that are neither ValidatingAdmissionPolicy nor binding: %s", strings.Join(other, ", "))}
	}
	if len(ps) == 0 {
		return nil, nil, &governance.InputError{Source: whole, Err: fmt.Errorf("no ValidatingAdmissionPolicy in --policy")}
	}
	return ps, bs, nil
}

// Decisions of an AdmissionResult.
const (
	DecisionAllow = "allow"
	DecisionDeny  = "deny"
)

// AdmissionDocument is the JSON document of `aigov vap test -o json`:
// {"results":[...],"schemaVersion":1}, one result per object in input
// order.
type AdmissionDocument struct {
	Results       []AdmissionResult `json:"results"`
	SchemaVersion int               `json:"schemaVersion"`
}

// AdmissionResult is the verdict on one object.
type AdmissionResult struct {
	// Object is "Kind/name".
	Object    string `json:"object"`
	Namespace string `json:"namespace,omitempty"`
	// Decision is DecisionAllow or DecisionDeny.
	Decision string `json:"decision"`
	// Warnings are those of Warn bindings ([] when none).
	Warnings []string `json:"warnings"`
	// Messages holds the denial message of a denied object ([] when
	// allowed).
	Messages []string `json:"messages"`
}

// Denied reports whether any object was denied.
func (d AdmissionDocument) Denied() bool {
	for _, r := range d.Results {
		if r.Decision == DecisionDeny {
			return true
		}
	}
	return false
}

// AdmitInventory evaluates a CREATE of every object of inv (Namespaces
// too), in inventory order; a request's namespaceObject is the inventory's
// Namespace of that name, else a bare Namespace. An object the admission
// cannot evaluate is an error naming its source.
func (a *Admission) AdmitInventory(ctx context.Context, inv *governance.Inventory) (AdmissionDocument, error) {
	namespaces := governance.Typed[*corev1.Namespace](inv)
	doc := AdmissionDocument{Results: make([]AdmissionResult, 0, inv.Len()), SchemaVersion: governance.SchemaVersion}
	for _, o := range inv.Objects() {
		resp, err := a.Admit(ctx, Request{Object: o.Obj, Namespaces: namespaces})
		if err != nil {
			return AdmissionDocument{}, fmt.Errorf("%s: %w", o.Source, err)
		}
		r := AdmissionResult{Object: o.Kind() + "/" + o.Name(), Namespace: o.Namespace(), Decision: DecisionAllow,
			Warnings: resp.Warnings, Messages: []string{}}
		if r.Warnings == nil {
			r.Warnings = []string{}
		}
		if !resp.Allowed {
			r.Decision = DecisionDeny
			r.Messages = append(r.Messages, resp.Message)
		}
		doc.Results = append(doc.Results, r)
	}
	return doc, nil
}
