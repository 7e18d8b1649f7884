// custom-cel is the user's own rule: a CEL expression over the admission
// variables (object, oldObject, request, namespaceObject, authorizer) that
// must be true, compiled with the kube-apiserver's CEL environment at the
// policy's kubernetesVersion and evaluated with its cost limits. In Go it
// judges every object the entry's scope (match.resources) selects, as a
// CREATE request; a false expression, or an evaluation error under
// failurePolicy Fail, is a finding. Its admission form is the expression
// as the one validation, with the failure policy, and no rules of its own:
// its ValidatingAdmissionPolicy matches exactly the entry's
// match.resources (Compiler.Generate).

package cel

import (
	"context"
	"errors"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aigov/aigov/governance"
)

// IDCustomCEL is the catalog ID of the custom-cel check.
const IDCustomCEL = "custom-cel"

// CustomCELParams are the parameters of custom-cel.
type CustomCELParams struct {
	// Expression must be true for an object to pass (required).
	Expression string `json:"expression"`
	// Message is the denial text (one line); default "failed expression: <expression>".
	Message string `json:"message,omitempty"`
	// MessageExpression computes the denial text (a string expression).
	MessageExpression string `json:"messageExpression,omitempty"`
	// FailurePolicy is Fail (default: an evaluation error denies) or Ignore.
	FailurePolicy admissionregistrationv1.FailurePolicyType `json:"failurePolicy,omitempty"`
}

// ParseCustomCELParams parses custom-cel parameters strictly (unknown
// fields are errors) and checks the rule's shape; compiling is
// NewCustomCEL's job.
func ParseCustomCELParams(params any) (CustomCELParams, error) {
	var p CustomCELParams
	if err := governance.DecodeParams(params, &p); err != nil {
		return p, err
	}
	if p == (CustomCELParams{}) {
		return p, errors.New("params are required: expression")
	}
	return p, p.rule("").validate()
}

func (p CustomCELParams) rule(name string) Rule {
	return Rule{Name: name, Expression: p.Expression, Message: p.Message, MessageExpression: p.MessageExpression, FailurePolicy: p.FailurePolicy}
}

// CustomCELDefinition is the custom-cel catalog entry, compiling rules for
// governance.DefaultKubernetesVersion.
func CustomCELDefinition() governance.Definition {
	d, _ := CustomCELDefinitionFor(governance.DefaultKubernetesVersion)
	return d
}

// CustomCELDefinitionFor is the custom-cel catalog entry whose rules must
// compile for the given oldest Kubernetes version (a policy's
// kubernetesVersion).
func CustomCELDefinitionFor(kubernetesVersion string) (governance.Definition, error) {
	c, err := NewCompiler(kubernetesVersion)
	if err != nil {
		return governance.Definition{}, err
	}
	return c.CustomCELDefinition(), nil
}

// CustomCELDefinition is the custom-cel catalog entry whose rules must
// compile for the compiler's target version.
func (c *Compiler) CustomCELDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDCustomCEL,
		Description: "A user CEL rule over the admission variables (object, oldObject, request, namespaceObject) must be true; compiled with the kube-apiserver's CEL environment and cost limits.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{"what match.resources lists"},
		Params: []governance.Param{
			{Name: "expression", Type: "string", Required: true, Description: "CEL expression that must be true, e.g. has(object.metadata.labels) && 'owner' in object.metadata.labels"},
			{Name: "message", Type: "string", Description: "denial message (one line)"},
			{Name: "messageExpression", Type: "string", Description: "CEL string expression for the denial message"},
			{Name: "failurePolicy", Type: "string", Default: "Fail", Description: "Fail: an evaluation error denies; Ignore: it admits"},
		},
		VAP: true,
		New: c.NewCustomCEL,
	}
}

// NewCustomCEL builds the custom-cel check from CustomCELParams: the rule
// is compiled once, for the compiler's target version.
func (c *Compiler) NewCustomCEL(params any) (governance.Check, error) {
	p, err := ParseCustomCELParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	prog, err := c.Compile(p.rule(IDCustomCEL))
	if err != nil {
		return governance.Check{}, err
	}
	def := c.CustomCELDefinition()
	fp := p.FailurePolicy
	if fp == "" {
		fp = admissionregistrationv1.Fail
	}
	return governance.Check{
		ID: def.ID, Description: def.Description, Severity: def.Severity,
		Remediation: "change the object so that the rule's expression holds",
		// No rules: the policy entry's match.resources say what it judges.
		Admission: &governance.Admission{
			Validations:   []admissionregistrationv1.Validation{p.rule("").Validation()},
			FailurePolicy: fp,
		},
		Object: func(o *governance.Object) []governance.Violation {
			r := prog.EvaluateObject(context.Background(), o, Input{})
			if r.Allowed {
				return nil
			}
			return []governance.Violation{{Path: field.NewPath("").String(), Message: r.Message}}
		},
	}, nil
}
