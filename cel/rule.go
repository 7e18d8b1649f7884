package cel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/google/cel-go/checker"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"

	"github.com/aigov/aigov/governance"
)

// Rule is one CEL validation as a ValidatingAdmissionPolicy writes it: an
// expression over object, oldObject, request, namespaceObject, authorizer
// and variables that must be true; the message when it is false (a
// messageExpression wins when it yields a non-empty single line of at most
// 5 KiB); the status reason of the denial; and what an evaluation error
// means.
type Rule struct {
	// Name identifies the rule in errors (a policy entry's name).
	Name              string
	Expression        string
	Message           string
	MessageExpression string
	// Reason is Invalid (default), Forbidden, Unauthorized or
	// RequestEntityTooLarge.
	Reason metav1.StatusReason
	// FailurePolicy is Fail (default: an error denies) or Ignore.
	FailurePolicy admissionregistrationv1.FailurePolicyType
}

// Validation returns the rule as a ValidatingAdmissionPolicy validation.
func (r Rule) Validation() admissionregistrationv1.Validation {
	v := admissionregistrationv1.Validation{Expression: r.Expression, Message: r.Message, MessageExpression: r.MessageExpression}
	if r.Reason != "" {
		reason := r.Reason
		v.Reason = &reason
	}
	return v
}

func (r Rule) validate() error {
	if strings.TrimSpace(r.Expression) == "" {
		return errors.New("expression is required")
	}
	if strings.ContainsAny(r.Message, "\r\n") {
		return errors.New("message must be a single line")
	}
	switch r.Reason {
	case "", metav1.StatusReasonInvalid, metav1.StatusReasonForbidden, metav1.StatusReasonUnauthorized, metav1.StatusReasonRequestEntityTooLarge:
	default:
		return fmt.Errorf("reason %q: want Invalid, Forbidden, Unauthorized or RequestEntityTooLarge", r.Reason)
	}
	switch r.FailurePolicy {
	case "", admissionregistrationv1.Fail, admissionregistrationv1.Ignore:
	default:
		return fmt.Errorf("failurePolicy %q: want Fail or Ignore", r.FailurePolicy)
	}
	return nil
}

// Program is a compiled Rule. It is immutable and safe for concurrent use.
type Program struct {
	rule      Rule
	validator validating.Validator
	scheme    *runtime.Scheme
	oi        admission.ObjectInterfaces
	authz     denyAllAuthorizer
	// cost is the expression's estimated cost, computed on first use.
	cost func() (checker.CostEstimate, error)
}

// Compile checks the rule for the compiler's target version (an
// *ExpressionError names the version a too-new function needs) and compiles
// it for evaluation.
func (c *Compiler) Compile(r Rule) (*Program, error) {
	if err := r.validate(); err != nil {
		return nil, ruleError(r, err)
	}
	policy := r.policy()
	if err := c.CheckSpec(&policy.Spec); err != nil {
		return nil, ruleError(r, err)
	}
	v := compileValidator(c.envs, policy)
	if err := v.CompileError(); err != nil {
		return nil, ruleError(r, err)
	}
	cost := sync.OnceValues(func() (checker.CostEstimate, error) { return c.estimateRule(r.Expression) })
	return &Program{rule: r, validator: v, scheme: c.scheme, oi: c.oi, cost: cost}, nil
}

// EstimatedCost is the compile-time estimate of the cost of one
// evaluation of the rule's expression, in CEL cost units (the unit of
// PerCallLimit), as the apiserver estimates CEL rules: object and
// oldObject have no known kind, so their lists and strings are bounded by
// what a 3 MiB request can hold (Compiler.EstimateCost estimates a
// policy against the schemas of the kinds it matches). The
// messageExpression, evaluated only on a denial, is not included. max is
// math.MaxUint64 when the cost has no bound; max above PerCallLimit means
// a large object may make the evaluation fail. The estimate is computed
// on the first call.
func (p *Program) EstimatedCost() (min, max uint64) {
	est, err := p.cost()
	if err != nil {
		return 0, math.MaxUint64
	}
	return est.Min, est.Max
}

func ruleError(r Rule, err error) error {
	if r.Name == "" {
		return fmt.Errorf("rule: %w", err)
	}
	return fmt.Errorf("rule %q: %w", r.Name, err)
}

// policy wraps the rule in a one-validation policy.
func (r Rule) policy() *admissionregistrationv1.ValidatingAdmissionPolicy {
	p := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: r.Name},
		Spec:       admissionregistrationv1.ValidatingAdmissionPolicySpec{Validations: []admissionregistrationv1.Validation{r.Validation()}},
	}
	if r.FailurePolicy != "" {
		f := r.FailurePolicy
		p.Spec.FailurePolicy = &f
	}
	SetPolicyDefaults(p)
	return p
}

// Rule returns the rule the program was compiled from.
func (p *Program) Rule() Rule { return p.rule }

// Result is a rule's verdict on one object.
type Result struct {
	// Allowed is true when the expression is true, or when it failed and
	// the failure policy is Ignore.
	Allowed bool
	// Message is why it is not allowed: the rule's message (or
	// messageExpression result), or the evaluation error under Fail.
	Message string
	// Error is set when evaluation failed (runtime error, cost limit).
	Error string
}

// Input is what a rule is evaluated on beyond the object.
type Input struct {
	// Operation is CREATE (default) or UPDATE.
	Operation string
	// OldObject is the previous object of an UPDATE.
	OldObject runtime.Object
	// Namespace is namespaceObject; nil for cluster-scoped objects and when
	// unknown (then a namespaced object gets a BareNamespace).
	Namespace *corev1.Namespace
}

// Evaluate runs the rule on a typed k8s.io/api object or an
// *unstructured.Unstructured, as the apiserver does on a CREATE (or the
// Input's operation) request: the object is converted to CEL values the
// apiserver's way (typed structs through their JSON form, so quantities
// are canonical strings), with the per-call cost limit and the runtime
// budget enforced.
func (p *Program) Evaluate(ctx context.Context, obj runtime.Object, in Input) Result {
	gvk, err := GVKOf(p.scheme, obj)
	if err != nil {
		return p.failed(err)
	}
	return p.evaluate(ctx, obj, gvk, in)
}

// EvaluateObject runs the rule on a loaded object.
func (p *Program) EvaluateObject(ctx context.Context, o *governance.Object, in Input) Result {
	return p.evaluate(ctx, o.Obj, o.GVK, in)
}

func (p *Program) failed(err error) Result {
	if p.rule.FailurePolicy == admissionregistrationv1.Ignore {
		return Result{Allowed: true, Error: err.Error()}
	}
	return Result{Message: err.Error(), Error: err.Error()}
}

func (p *Program) evaluate(ctx context.Context, obj runtime.Object, gvk schema.GroupVersionKind, in Input) Result {
	if obj == nil {
		return p.failed(errors.New("no object"))
	}
	op := admission.Operation(in.Operation)
	if op == "" {
		op = admission.Create
	}
	obj = withKind(obj, gvk)
	old := withKind(in.OldObject, gvk)
	m, err := metaOf(obj)
	if err != nil {
		return p.failed(err)
	}
	namespace := m.GetNamespace()
	if gvk.Group == "" && gvk.Kind == "Namespace" {
		namespace = ""
	}
	gvr := guessResource(gvk)
	attrs := admission.NewAttributesRecord(obj, old, gvk, namespace, m.GetName(), gvr, "", op, nil, false, nil)
	va, err := admission.NewVersionedAttributes(attrs, gvk, p.oi)
	if err != nil {
		return p.failed(err)
	}
	ns := in.Namespace
	if ns == nil && namespace != "" {
		ns = BareNamespace(namespace)
	}
	res := p.validator.Validate(ctx, gvr, va, nil, ns, RuntimeCostBudget, p.authz)
	out := Result{Allowed: true}
	for _, d := range res.Decisions {
		if d.Evaluation == validating.EvalError {
			out.Error = d.Message
		}
		if d.Action == validating.ActionDeny {
			out.Allowed = false
			out.Message = d.Message
		}
	}
	return out
}
