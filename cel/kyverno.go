package cel

// Export of generated policies as Kyverno ValidatingPolicies
// (policies.kyverno.io/v1, stable from Kyverno 1.17). Kyverno's
// ValidatingPolicy spec reuses the admissionregistration.k8s.io/v1 types of
// a ValidatingAdmissionPolicy for matchConstraints, matchConditions,
// variables, validations and auditAnnotations, and evaluates the same CEL
// (object, oldObject, request, namespaceObject, variables) in the
// apiserver's StoredExpressions environment plus Kyverno's own libraries
// (kyverno/kyverno v1.19.1, pkg/cel/policies/vpol/compiler/compiler.go).
// What the policy and its binding say in two objects is said in one here:
// there is no binding, so the binding's match and validationActions move
// into the policy. The schema followed is the published CRD
// (config/crds/policies.kyverno.io/policies.kyverno.io_validatingpolicies.yaml
// at v1.19.1, vendored as testdata/kyverno), checked against a real
// kube-apiserver by this package's tests.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/cel-go/common"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/parser"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Kyverno's ValidatingPolicy API.
const (
	KyvernoAPIVersion = "policies.kyverno.io/v1"
	KyvernoKind       = "ValidatingPolicy"
	// KyvernoEvaluationKubernetes is the evaluation mode of policies on
	// Kubernetes resources (the others, HTTP and Envoy, judge requests
	// that are not Kubernetes objects).
	KyvernoEvaluationKubernetes = "Kubernetes"
)

// KyvernoValidatingPolicy is a Kyverno policies.kyverno.io/v1
// ValidatingPolicy, with the fields aigov writes (the CRD's schema is the
// reference; the tests create every generated one on a kube-apiserver that
// serves it, with strict field validation).
type KyvernoValidatingPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              KyvernoValidatingPolicySpec `json:"spec"`
}

// KyvernoValidatingPolicySpec is the spec of a ValidatingPolicy: the
// ValidatingAdmissionPolicy spec without paramKind, plus the binding's
// validationActions and Kyverno's evaluation and autogen settings.
type KyvernoValidatingPolicySpec struct {
	MatchConstraints  *admissionregistrationv1.MatchResources    `json:"matchConstraints,omitempty"`
	MatchConditions   []admissionregistrationv1.MatchCondition   `json:"matchConditions,omitempty"`
	Variables         []admissionregistrationv1.Variable         `json:"variables,omitempty"`
	Validations       []admissionregistrationv1.Validation       `json:"validations,omitempty"`
	AuditAnnotations  []admissionregistrationv1.AuditAnnotation  `json:"auditAnnotations,omitempty"`
	FailurePolicy     *admissionregistrationv1.FailurePolicyType `json:"failurePolicy,omitempty"`
	ValidationActions []admissionregistrationv1.ValidationAction `json:"validationActions"`
	Evaluation        *KyvernoEvaluation                         `json:"evaluation,omitempty"`
	Autogen           *KyvernoAutogen                            `json:"autogen,omitempty"`
}

// KyvernoEvaluation is spec.evaluation: where and how Kyverno applies the
// policy.
type KyvernoEvaluation struct {
	Mode       string         `json:"mode,omitempty"`
	Admission  *KyvernoToggle `json:"admission,omitempty"`
	Background *KyvernoToggle `json:"background,omitempty"`
}

// KyvernoToggle is an {enabled: bool} setting of spec.evaluation.
type KyvernoToggle struct {
	Enabled bool `json:"enabled"`
}

// KyvernoAutogen is spec.autogen.
type KyvernoAutogen struct {
	PodControllers *KyvernoPodControllers `json:"podControllers,omitempty"`
}

// KyvernoPodControllers is spec.autogen.podControllers. An empty, non-nil
// Controllers list turns autogeneration off.
type KyvernoPodControllers struct {
	Controllers []string `json:"controllers"`
}

// KyvernoPolicy turns a generated policy and its binding into one Kyverno
// ValidatingPolicy with the same name, labels and annotations:
//
//   - the policy's CEL (matchConditions, variables, validations,
//     auditAnnotations) and failurePolicy are copied unchanged, so the
//     expressions are the ones Generate compiled for the target version;
//     parameters are already inlined (a policy with a paramKind is an
//     error: a ValidatingPolicy has no params);
//   - matchConstraints is what the policy and the binding match together:
//     the resource rules both match (pairwise intersections of their
//     rules), the union of their exclusions, and the conjunction of their
//     namespace and object selectors. An entry whose match.resources and
//     check share no resource is an error (Kyverno refuses a policy
//     without resource rules);
//   - validationActions are the binding's (the entry's action: Deny, Warn
//     or Audit; Kyverno reports Audit results in policy reports);
//   - evaluation mode Kubernetes, admission on, background scans on
//     unless an expression reads what only an admission request has
//     (request, oldObject, authorizer);
//   - autogen off: Kyverno would otherwise derive rules for Deployments
//     and the other pod controllers from a policy that matches only Pods,
//     rewriting object.spec paths, where the entry's rules are exactly
//     what the VAP matches.
func KyvernoPolicy(g Generated) (*KyvernoValidatingPolicy, error) {
	if g.Policy == nil || g.Binding == nil {
		return nil, fmt.Errorf("policy of %s: a policy and a binding are needed", g.ID)
	}
	p, b := g.Policy, g.Binding
	if p.Spec.ParamKind != nil || b.Spec.ParamRef != nil {
		return nil, fmt.Errorf("policy %s: a Kyverno ValidatingPolicy has no params: inline them", p.Name)
	}
	if len(b.Spec.ValidationActions) == 0 {
		return nil, fmt.Errorf("policy %s: the binding has no validationActions", p.Name)
	}
	match, err := intersectMatch(p.Spec.MatchConstraints, b.Spec.MatchResources)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", p.Name, err)
	}
	meta := *p.ObjectMeta.DeepCopy()
	spec := p.Spec.DeepCopy()
	out := &KyvernoValidatingPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: KyvernoAPIVersion, Kind: KyvernoKind},
		ObjectMeta: meta,
		Spec: KyvernoValidatingPolicySpec{
			MatchConstraints:  match,
			MatchConditions:   spec.MatchConditions,
			Variables:         spec.Variables,
			Validations:       spec.Validations,
			AuditAnnotations:  spec.AuditAnnotations,
			FailurePolicy:     spec.FailurePolicy,
			ValidationActions: slices.Clone(b.Spec.ValidationActions),
			Evaluation: &KyvernoEvaluation{
				Mode:       KyvernoEvaluationKubernetes,
				Admission:  &KyvernoToggle{Enabled: true},
				Background: &KyvernoToggle{Enabled: !readsAdmissionRequest(spec)},
			},
			Autogen: &KyvernoAutogen{PodControllers: &KyvernoPodControllers{Controllers: []string{}}},
		},
	}
	return out, nil
}

// MarshalKyverno renders the Kyverno ValidatingPolicies of generated
// policies as a YAML stream, "---" between documents, in order.
func MarshalKyverno(gs []Generated) ([]byte, error) {
	objs := make([]any, 0, len(gs))
	for _, g := range gs {
		k, err := KyvernoPolicy(g)
		if err != nil {
			return nil, err
		}
		objs = append(objs, k)
	}
	return marshalStream(objs)
}

// VAPSpec returns the ValidatingAdmissionPolicy spec whose expressions are
// the ValidatingPolicy's, for compiling them with Compiler.CheckSpec.
func (k *KyvernoValidatingPolicy) VAPSpec() *admissionregistrationv1.ValidatingAdmissionPolicySpec {
	return &admissionregistrationv1.ValidatingAdmissionPolicySpec{
		MatchConstraints: k.Spec.MatchConstraints.DeepCopy(),
		MatchConditions:  slices.Clone(k.Spec.MatchConditions),
		Variables:        slices.Clone(k.Spec.Variables),
		Validations:      slices.Clone(k.Spec.Validations),
		AuditAnnotations: slices.Clone(k.Spec.AuditAnnotations),
		FailurePolicy:    k.Spec.FailurePolicy,
	}
}

// admissionOnlyVariables are the CEL variables that a background scan of
// stored objects cannot give: Kyverno's documentation of
// evaluation.background asks for false when a policy uses them.
var admissionOnlyVariables = []string{"request", "oldObject", "authorizer"}

// readsAdmissionRequest reports whether any expression of spec names an
// admission-only variable. Expressions are parsed, not compiled (Generate
// compiled them already); one that does not parse counts as reading them,
// which only turns background scans off.
func readsAdmissionRequest(spec *admissionregistrationv1.ValidatingAdmissionPolicySpec) bool {
	p, err := parser.NewParser(parser.Macros(parser.AllMacros...), parser.EnableOptionalSyntax(true))
	if err != nil {
		return true
	}
	vars, rest := specExpressions(spec)
	for _, e := range append(vars, rest...) {
		parsed, errs := p.Parse(common.NewTextSource(e.text))
		if len(errs.GetErrors()) > 0 {
			return true
		}
		found := false
		celast.PreOrderVisit(parsed.Expr(), celast.NewExprVisitor(func(x celast.Expr) {
			found = found || x.Kind() == celast.IdentKind && slices.Contains(admissionOnlyVariables, x.AsIdent())
		}))
		if found {
			return true
		}
	}
	return false
}

// intersectMatch is the MatchResources that matches what both policy and
// binding match (either may be nil: it matches everything its other half
// allows). Both use matchPolicy Equivalent, as Generate sets it.
func intersectMatch(policy, binding *admissionregistrationv1.MatchResources) (*admissionregistrationv1.MatchResources, error) {
	if policy == nil || len(policy.ResourceRules) == 0 {
		return nil, fmt.Errorf("the policy matches no resources")
	}
	out := policy.DeepCopy()
	if binding == nil {
		return out, nil
	}
	if len(binding.ResourceRules) > 0 {
		var rules []admissionregistrationv1.NamedRuleWithOperations
		for _, pr := range policy.ResourceRules {
			for _, br := range binding.ResourceRules {
				if r, ok := intersectRule(pr, br); ok {
					rules = append(rules, r)
				}
			}
		}
		if len(rules) == 0 {
			return nil, fmt.Errorf("match.resources selects none of the resources the check judges")
		}
		out.ResourceRules = rules
	}
	out.ExcludeResourceRules = append(out.ExcludeResourceRules, binding.DeepCopy().ExcludeResourceRules...)
	out.NamespaceSelector = andSelectors(out.NamespaceSelector, binding.NamespaceSelector)
	out.ObjectSelector = andSelectors(out.ObjectSelector, binding.ObjectSelector)
	if out.MatchPolicy == nil {
		out.MatchPolicy = binding.MatchPolicy
	}
	return out, nil
}

// intersectRule is the rule matching the requests both a and b match: a
// rule matches a request when each of its dimensions does, so the
// intersection is taken dimension by dimension; ok is false when one is
// empty.
func intersectRule(a, b admissionregistrationv1.NamedRuleWithOperations) (admissionregistrationv1.NamedRuleWithOperations, bool) {
	var out admissionregistrationv1.NamedRuleWithOperations
	ops := meetValues(opStrings(a.Operations), opStrings(b.Operations), string(admissionregistrationv1.OperationAll))
	groups := meetValues(a.APIGroups, b.APIGroups, "*")
	versions := meetValues(a.APIVersions, b.APIVersions, "*")
	resources := meetResources(a.Resources, b.Resources)
	if len(ops) == 0 || len(groups) == 0 || len(versions) == 0 || len(resources) == 0 {
		return out, false
	}
	for _, o := range ops {
		out.Operations = append(out.Operations, admissionregistrationv1.OperationType(o))
	}
	out.APIGroups, out.APIVersions, out.Resources = groups, versions, resources
	scope, ok := meetScope(a.Scope, b.Scope)
	if !ok {
		return out, false
	}
	out.Scope = scope
	// An empty resourceNames list matches every name.
	switch {
	case len(a.ResourceNames) == 0:
		out.ResourceNames = slices.Clone(b.ResourceNames)
	case len(b.ResourceNames) == 0:
		out.ResourceNames = slices.Clone(a.ResourceNames)
	default:
		out.ResourceNames = meetValues(a.ResourceNames, b.ResourceNames, "")
		if len(out.ResourceNames) == 0 {
			return out, false
		}
	}
	return out, true
}

func opStrings(ops []admissionregistrationv1.OperationType) []string {
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = string(o)
	}
	return out
}

// meetValues intersects two value lists in which wildcard (when not
// empty) stands for every value, keeping a's order.
func meetValues(a, b []string, wildcard string) []string {
	switch {
	case wildcard != "" && slices.Contains(a, wildcard):
		return slices.Clone(b)
	case wildcard != "" && slices.Contains(b, wildcard):
		return slices.Clone(a)
	}
	var out []string
	for _, v := range a {
		if slices.Contains(b, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// meetScope intersects two rule scopes (nil and "*" match every scope).
func meetScope(a, b *admissionregistrationv1.ScopeType) (*admissionregistrationv1.ScopeType, bool) {
	all := func(s *admissionregistrationv1.ScopeType) bool {
		return s == nil || *s == admissionregistrationv1.AllScopes
	}
	switch {
	case all(a):
		return b, true
	case all(b), *a == *b:
		return a, true
	}
	return nil, false
}

// meetResources intersects two resource lists of admission rules. Each
// entry is resource[/subresource]: "*" matches every resource, a missing
// subresource only the resource itself, subresource "*" the resource and
// each of its subresources (k8s.io/apiserver
// pkg/admission/plugin/webhook/predicates/rules). Two entries meet where
// both their parts do; the result lists each meet once, in a's order.
func meetResources(a, b []string) []string {
	var out []string
	for _, x := range a {
		xr, xs := splitResource(x)
		for _, y := range b {
			yr, ys := splitResource(y)
			r, ok := meetPart(xr, yr)
			if !ok {
				continue
			}
			// "" is the resource itself, "*" it and every subresource.
			s, ok := meetPart(xs, ys)
			if !ok {
				continue
			}
			res := r
			if s != "" {
				res += "/" + s
			}
			if !slices.Contains(out, res) {
				out = append(out, res)
			}
		}
	}
	return out
}

func splitResource(r string) (resource, subresource string) {
	resource, subresource, _ = strings.Cut(r, "/")
	return resource, subresource
}

// meetPart intersects two resource or subresource names, "*" standing
// for any.
func meetPart(a, b string) (string, bool) {
	switch {
	case a == "*":
		return b, true
	case b == "*", a == b:
		return a, true
	}
	return "", false
}

// andSelectors is a selector matching the labels both a and b match (nil
// or empty: everything). matchLabels are merged; a key both require with
// different values becomes two In requirements, which nothing satisfies,
// as nothing satisfies the pair.
func andSelectors(a, b *metav1.LabelSelector) *metav1.LabelSelector {
	out := &metav1.LabelSelector{}
	for _, s := range []*metav1.LabelSelector{a, b} {
		if s == nil {
			continue
		}
		for _, k := range sortedKeys(s.MatchLabels) {
			v := s.MatchLabels[k]
			if have, ok := out.MatchLabels[k]; ok && have != v {
				out.MatchExpressions = append(out.MatchExpressions, metav1.LabelSelectorRequirement{Key: k, Operator: metav1.LabelSelectorOpIn, Values: []string{v}})
				continue
			}
			if out.MatchLabels == nil {
				out.MatchLabels = map[string]string{}
			}
			out.MatchLabels[k] = v
		}
		for _, r := range s.MatchExpressions {
			out.MatchExpressions = append(out.MatchExpressions, *r.DeepCopy())
		}
	}
	return out
}
