package cel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
)

// Labels and annotations on generated objects.
const (
	ManagedByLabel  = "app.kubernetes.io/managed-by"
	ManagedByValue  = "aigov"
	CheckAnnotation = "aigov.dev/check"
	EntryAnnotation = "aigov.dev/entry"
)

// Generated is one admission policy of a policy entry: the entry's own,
// or (Operators) the one that enforces a pod check on the pod templates of
// AI operators' custom resources.
type Generated struct {
	// Entry is the index of the entry in spec.checks.
	Entry   int
	ID      string
	Name    string
	Policy  *admissionregistrationv1.ValidatingAdmissionPolicy
	Binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// Operators marks the policy over the AI operators' resources
	// (governance.Admission.Operators), named after the entry's policy
	// with OperatorsSuffix.
	Operators bool
}

// OperatorsSuffix ends the name of the policy and binding that enforce a
// pod check on the AI operators' custom resources.
const OperatorsSuffix = "-operators"

// entryError is err about the policy file's entry i, named by its file,
// line, check ID and name.
func entryError(i int, e governance.PolicyEntry, err error) error {
	label := e.ID
	if e.Name != "" {
		label += " " + strconv.Quote(e.Name)
	}
	return &governance.InputError{Source: e.Source, Err: fmt.Errorf("spec.checks[%d] (%s): %w", i, label, err)}
}

// Generate builds one ValidatingAdmissionPolicy and one binding per entry
// of the policy (two for a pod check enforced on AI operators' custom
// resources too: see GenerateEntry), for the compiler's target version, from the admission
// form (governance.Check.Admission) of each entry's check: defs are the
// definitions the entries' IDs are looked up in, each built with the
// entry's params. A custom-cel entry is built by the compiler's own
// custom-cel (CustomCELDefinition: its rule compiles for the target
// version), whatever defs holds. Every expression is
// compiled for the target version; errors name the entry (file, line, id,
// name) and the reason, e.g. the version a function needs. Entries of
// checks that cannot be a policy are errors.
func (c *Compiler) Generate(p *governance.Policy, defs []governance.Definition) ([]Generated, error) {
	var out []Generated
	var errs []error
	for i, e := range p.Entries {
		gs, err := c.GenerateEntry(p.Name, e, defs)
		if err != nil {
			errs = append(errs, entryError(i, e, err))
			continue
		}
		for _, g := range gs {
			g.Entry = i
			if slices.ContainsFunc(out, func(o Generated) bool { return o.Policy.Name == g.Policy.Name }) {
				errs = append(errs, &governance.InputError{Source: e.Source, Err: fmt.Errorf("spec.checks[%d]: policy name %s is generated twice: give the entry a distinct name", i, g.Policy.Name)})
				break
			}
			out = append(out, g)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// GenerateEntry builds the policies and bindings of one entry, its check
// looked up in defs as Generate does; policyName is the GovernancePolicy's
// metadata.name (part of the generated names). The first is the entry's
// policy; a check whose admission form has Operators (the pod checks)
// gets a second one, named with OperatorsSuffix, matching the resources
// of the AI operators whose pod templates aigov reads, with the entry's
// binding match (namespaces, selectors).
func (c *Compiler) GenerateEntry(policyName string, e governance.PolicyEntry, defs []governance.Definition) ([]Generated, error) {
	adm, err := c.admissionOf(e, defs)
	if err != nil {
		return nil, err
	}
	g, err := c.generate(policyName, e, adm, "")
	if err != nil {
		return nil, err
	}
	out := []Generated{g}
	if adm.Operators != nil {
		op, err := c.generate(policyName, e, adm.Operators, OperatorsSuffix)
		if err != nil {
			return nil, fmt.Errorf("policy on AI operators' resources: %w", err)
		}
		op.Operators = true
		out = append(out, op)
	}
	return out, nil
}

// generate builds one policy and binding of an entry from an admission
// form, its name ending in suffix.
func (c *Compiler) generate(policyName string, e governance.PolicyEntry, adm *governance.Admission, suffix string) (Generated, error) {
	rules := adm.Rules
	var err error
	if rules == nil {
		// The check judges what the entry's match.resources lists
		// (custom-cel): those resources are the policy's matchConstraints.
		if len(e.Match.Resources) == 0 {
			return Generated{}, fmt.Errorf("params: %s needs match.resources to be generated as a ValidatingAdmissionPolicy", e.ID)
		}
		if rules, err = resourceRules(e.Match.Resources); err != nil {
			return Generated{}, fmt.Errorf("params: %w", err)
		}
	}
	name, err := objectName(policyName, e, suffix)
	if err != nil {
		return Generated{}, err
	}
	action, err := governance.ParseAction(string(e.Action))
	if err != nil {
		return Generated{}, err
	}
	fp := adm.FailurePolicy
	if fp == "" {
		fp = admissionregistrationv1.Fail
	}
	meta := metav1.ObjectMeta{
		Name:        name,
		Labels:      map[string]string{ManagedByLabel: ManagedByValue},
		Annotations: map[string]string{CheckAnnotation: e.ID},
	}
	if e.Name != "" {
		meta.Annotations[EntryAnnotation] = e.Name
	}
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: meta,
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy:    &fp,
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: rules},
			Variables:        adm.Variables,
			Validations:      adm.Validations,
		},
	}
	SetPolicyDefaults(policy)
	if err := c.CheckSpec(&policy.Spec); err != nil {
		return Generated{}, err
	}
	match, err := bindingMatch(e.Match, adm.Rules == nil)
	if err != nil {
		return Generated{}, err
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: *meta.DeepCopy(),
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.ValidationAction(action)},
			MatchResources:    match,
		},
	}
	SetBindingDefaults(binding)
	return Generated{ID: e.ID, Name: e.Name, Policy: policy, Binding: binding}, nil
}

// admissionOf builds the entry's check from its definition in defs (for
// custom-cel, the compiler's own) and returns a copy of its admission form.
func (c *Compiler) admissionOf(e governance.PolicyEntry, defs []governance.Definition) (*governance.Admission, error) {
	def, err := governance.Lookup(defs, e.ID)
	if e.ID == IDCustomCEL {
		def, err = c.CustomCELDefinition(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("check %q has no ValidatingAdmissionPolicy form", e.ID)
	}
	check, err := def.New(e.Params)
	if ee := expressionErrors(err); len(ee) > 0 {
		// The check compiled its own CEL (custom-cel) and it does not
		// compile for the target: report it as CheckSpec reports a
		// policy's expressions.
		return nil, errors.Join(ee...)
	}
	if err != nil {
		return nil, fmt.Errorf("params: %w", err)
	}
	if check.Admission == nil || len(check.Admission.Validations) == 0 { // none, or safe defaults only
		return nil, fmt.Errorf("check %q has no ValidatingAdmissionPolicy form", e.ID)
	}
	return cloneAdmission(check.Admission), nil
}

// cloneAdmission copies an admission form's slices (and its Operators').
func cloneAdmission(a *governance.Admission) *governance.Admission {
	if a == nil {
		return nil
	}
	adm := *a
	adm.Rules = slices.Clone(adm.Rules)
	adm.Variables = slices.Clone(adm.Variables)
	adm.Validations = slices.Clone(adm.Validations)
	adm.Operators = cloneAdmission(a.Operators)
	return &adm
}

// expressionErrors returns the *ExpressionErrors in err's tree, in order.
func expressionErrors(err error) []error {
	switch u := err.(type) {
	case *ExpressionError:
		return []error{u}
	case interface{ Unwrap() error }:
		return expressionErrors(u.Unwrap())
	case interface{ Unwrap() []error }:
		var out []error
		for _, e := range u.Unwrap() {
			out = append(out, expressionErrors(e)...)
		}
		return out
	}
	return nil
}

// objectName is aigov-<policy>-<check>[-<entry name>]<suffix>, a DNS
// subdomain.
func objectName(policyName string, e governance.PolicyEntry, suffix string) (string, error) {
	parts := []string{"aigov"}
	if policyName != "" {
		parts = append(parts, policyName)
	}
	parts = append(parts, e.ID)
	if e.Name != "" {
		parts = append(parts, e.Name)
	}
	name := strings.ToLower(strings.Join(parts, "-")) + suffix
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return "", fmt.Errorf("generated name %q: %s (use lower-case letters, digits and '-' in metadata.name and the entry's name)", name, strings.Join(errs, "; "))
	}
	return name, nil
}

// bindingMatch turns an entry's match into the binding's matchResources:
// selectors as given, excludeNamespaces as a NotIn requirement on
// kubernetes.io/metadata.name, and resources (except for custom-cel, whose
// resources are the policy's matchConstraints) as resourceRules.
func bindingMatch(m governance.Match, resourcesInPolicy bool) (*admissionregistrationv1.MatchResources, error) {
	out := &admissionregistrationv1.MatchResources{}
	if m.NamespaceSelector != nil {
		out.NamespaceSelector = m.NamespaceSelector.DeepCopy()
	}
	if m.ObjectSelector != nil {
		out.ObjectSelector = m.ObjectSelector.DeepCopy()
	}
	if len(m.ExcludeNamespaces) > 0 {
		if out.NamespaceSelector == nil {
			out.NamespaceSelector = &metav1.LabelSelector{}
		}
		values := slices.Clone(m.ExcludeNamespaces)
		slices.Sort(values)
		out.NamespaceSelector.MatchExpressions = append(out.NamespaceSelector.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpNotIn, Values: slices.Compact(values),
		})
	}
	if len(m.Resources) > 0 && !resourcesInPolicy {
		rules, err := resourceRules(m.Resources)
		if err != nil {
			return nil, err
		}
		out.ResourceRules = rules
	}
	return out, nil
}

// resourceRules converts match.resources (CREATE and UPDATE).
func resourceRules(rs []governance.ResourceRule) ([]admissionregistrationv1.NamedRuleWithOperations, error) {
	var out []admissionregistrationv1.NamedRuleWithOperations
	for i, r := range rs {
		if len(r.APIGroups) == 0 || len(r.APIVersions) == 0 || len(r.Resources) == 0 {
			return nil, fmt.Errorf("match.resources[%d]: apiGroups, apiVersions and resources are required", i)
		}
		out = append(out, governance.AdmissionRule(r.APIGroups, r.APIVersions, r.Resources))
	}
	return out, nil
}

// Policies returns the policies and bindings of gs, in order, as
// NewAdmission takes them.
func Policies(gs []Generated) ([]*admissionregistrationv1.ValidatingAdmissionPolicy, []*admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	ps := make([]*admissionregistrationv1.ValidatingAdmissionPolicy, 0, len(gs))
	bs := make([]*admissionregistrationv1.ValidatingAdmissionPolicyBinding, 0, len(gs))
	for _, g := range gs {
		ps, bs = append(ps, g.Policy), append(bs, g.Binding)
	}
	return ps, bs
}

// Marshal renders generated policies as a YAML stream: each policy
// followed by its binding, "---" between documents.
func Marshal(gs []Generated) ([]byte, error) {
	objs := make([]any, 0, 2*len(gs))
	for _, g := range gs {
		objs = append(objs, g.Policy, g.Binding)
	}
	return marshalStream(objs)
}

// marshalStream renders objects (see marshalObject) as a YAML stream,
// "---" between documents, in order.
func marshalStream(objs []any) ([]byte, error) {
	var buf bytes.Buffer
	for _, obj := range objs {
		data, err := marshalObject(obj)
		if err != nil {
			return nil, err
		}
		if buf.Len() > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}

// marshalObject renders an object as YAML without the status and the null
// creationTimestamp a Go struct carries.
func marshalObject(obj any) ([]byte, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return yaml.Marshal(m)
}
