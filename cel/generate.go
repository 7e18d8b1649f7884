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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// Labels and annotations on generated objects.
const (
	ManagedByLabel  = "app.kubernetes.io/managed-by"
	ManagedByValue  = "aigov"
	CheckAnnotation = "aigov.dev/check"
	EntryAnnotation = "aigov.dev/entry"
)

// Generated is the admission policy of one policy entry.
type Generated struct {
	// Entry is the index of the entry in spec.checks.
	Entry   int
	ID      string
	Name    string
	Policy  *admissionregistrationv1.ValidatingAdmissionPolicy
	Binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// Cost is the compile-time cost estimate of the policy (see
	// Compiler.EstimateCost).
	Cost CostReport
}

// vapBody is what a check's generator contributes to a policy.
type vapBody struct {
	rules       []admissionregistrationv1.NamedRuleWithOperations
	variables   []admissionregistrationv1.Variable
	validations []admissionregistrationv1.Validation
	// failurePolicy is Fail unless set.
	failurePolicy admissionregistrationv1.FailurePolicyType
}

// generator builds a check's policy body from the entry (its params, and
// for custom-cel its match.resources).
type generator func(e governance.PolicyEntry) (vapBody, error)

// generatorFor returns the generator of a catalog check.
func generatorFor(id string) (generator, bool) {
	switch id {
	case catalog.IDPrivilegedContainer:
		return privilegedContainerVAP, true
	case catalog.IDAllowedRegistries:
		return allowedRegistriesVAP, true
	case catalog.IDRequiredLabels:
		return requiredLabelsVAP, true
	case catalog.IDContainerLimits:
		return containerLimitsVAP, true
	case catalog.IDGPUPerContainerMax:
		return gpuPerContainerMaxVAP, true
	case catalog.IDHostNamespaces:
		return hostNamespacesVAP, true
	case catalog.IDAutomountToken:
		return automountTokenVAP, true
	case catalog.IDServiceType:
		return serviceTypeVAP, true
	case catalog.IDLatestTag:
		return latestTagVAP, true
	case catalog.IDRunAsNonRoot:
		return runAsNonRootVAP, true
	case catalog.IDRequiredProbes:
		return requiredProbesVAP, true
	case IDCustomCEL:
		return customCELVAP, true
	}
	return nil, false
}

// Generate builds one ValidatingAdmissionPolicy and one binding per entry
// of the policy, for the compiler's target version. Every expression is
// compiled for that version; errors name the entry (file, line, id, name)
// and the reason, e.g. the version a function needs. Entries of checks
// that cannot be a policy are errors.
func (c *Compiler) Generate(p *governance.Policy) ([]Generated, error) {
	var out []Generated
	var errs []error
	for i, e := range p.Entries {
		g, err := c.GenerateEntry(p.Name, e)
		if err != nil {
			label := e.ID
			if e.Name != "" {
				label += " " + strconv.Quote(e.Name)
			}
			errs = append(errs, &governance.InputError{Source: e.Source, Err: fmt.Errorf("spec.checks[%d] (%s): %w", i, label, err)})
			continue
		}
		g.Entry = i
		if slices.ContainsFunc(out, func(o Generated) bool { return o.Policy.Name == g.Policy.Name }) {
			errs = append(errs, &governance.InputError{Source: e.Source, Err: fmt.Errorf("spec.checks[%d]: policy name %s is generated twice: give the entry a distinct name", i, g.Policy.Name)})
			continue
		}
		out = append(out, g)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// GenerateEntry builds the policy and binding of one entry; policyName is
// the GovernancePolicy's metadata.name (part of the generated names).
func (c *Compiler) GenerateEntry(policyName string, e governance.PolicyEntry) (Generated, error) {
	gen, ok := generatorFor(e.ID)
	if !ok {
		return Generated{}, fmt.Errorf("check %q has no ValidatingAdmissionPolicy form", e.ID)
	}
	body, err := gen(e)
	if err != nil {
		return Generated{}, fmt.Errorf("params: %w", err)
	}
	name, err := objectName(policyName, e)
	if err != nil {
		return Generated{}, err
	}
	action, err := governance.ParseAction(string(e.Action))
	if err != nil {
		return Generated{}, err
	}
	fp := body.failurePolicy
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
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: body.rules},
			Variables:        body.variables,
			Validations:      body.validations,
		},
	}
	SetPolicyDefaults(policy)
	if err := c.CheckSpec(&policy.Spec); err != nil {
		return Generated{}, err
	}
	match, err := bindingMatch(e.Match, e.ID == IDCustomCEL)
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
	return Generated{ID: e.ID, Name: e.Name, Policy: policy, Binding: binding, Cost: c.EstimateCost(&policy.Spec)}, nil
}

// objectName is aigov-<policy>-<check>[-<entry name>], a DNS subdomain.
func objectName(policyName string, e governance.PolicyEntry) (string, error) {
	parts := []string{"aigov"}
	if policyName != "" {
		parts = append(parts, policyName)
	}
	parts = append(parts, e.ID)
	if e.Name != "" {
		parts = append(parts, e.Name)
	}
	name := strings.ToLower(strings.Join(parts, "-"))
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
		out = append(out, ruleFor(r.APIGroups, r.APIVersions, r.Resources))
	}
	return out, nil
}

func ruleFor(groups, versions, resources []string) admissionregistrationv1.NamedRuleWithOperations {
	return admissionregistrationv1.NamedRuleWithOperations{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
		Rule: admissionregistrationv1.Rule{
			APIGroups: slices.Clone(groups), APIVersions: slices.Clone(versions), Resources: slices.Clone(resources),
		},
	}}
}

// podRules matches Pods (with the pods/ephemeralcontainers subresource)
// and every built-in workload with a pod template.
func podRules() []admissionregistrationv1.NamedRuleWithOperations {
	return []admissionregistrationv1.NamedRuleWithOperations{
		ruleFor([]string{""}, []string{"v1"}, []string{"pods", "pods/ephemeralcontainers", "replicationcontrollers"}),
		ruleFor([]string{"apps"}, []string{"v1"}, []string{"daemonsets", "deployments", "replicasets", "statefulsets"}),
		ruleFor([]string{"batch"}, []string{"v1"}, []string{"cronjobs", "jobs"}),
	}
}

// kindRules matches the given kinds, any version, by the resource each is
// served as (lower-case plural).
func kindRules(kinds []schema.GroupKind) []admissionregistrationv1.NamedRuleWithOperations {
	byGroup := map[string][]string{}
	var groups []string
	for _, gk := range kinds {
		plural, _ := metaGuess(gk)
		if _, ok := byGroup[gk.Group]; !ok {
			groups = append(groups, gk.Group)
		}
		if !slices.Contains(byGroup[gk.Group], plural) {
			byGroup[gk.Group] = append(byGroup[gk.Group], plural)
		}
	}
	slices.Sort(groups)
	var out []admissionregistrationv1.NamedRuleWithOperations
	for _, g := range groups {
		res := byGroup[g]
		slices.Sort(res)
		out = append(out, ruleFor([]string{g}, []string{"*"}, res))
	}
	return out
}

func metaGuess(gk schema.GroupKind) (string, bool) {
	gvr := guessResource(gk.WithVersion("v1"))
	return gvr.Resource, true
}

// Pod spec variables shared by the pod checks.
const (
	// varPodSpec is the pod spec of a Pod, a CronJob's job template or any
	// other workload's template ({} for a ReplicationController without one).
	varPodSpec = "podSpec"
	// varAllContainers: containers, initContainers and ephemeralContainers.
	varAllContainers = "allContainers"
	// varContainersAndInit: containers and initContainers.
	varContainersAndInit = "containersAndInit"
)

func podSpecVariable() admissionregistrationv1.Variable {
	return admissionregistrationv1.Variable{Name: varPodSpec, Expression: `object.kind == "Pod" ? object.spec : ` +
		`(object.kind == "CronJob" ? object.spec.jobTemplate.spec.template.spec : object.spec.?template.?spec.orValue({}))`}
}

// podVariables returns podSpec and the container lists, plus extra.
func podVariables(extra ...admissionregistrationv1.Variable) []admissionregistrationv1.Variable {
	return append([]admissionregistrationv1.Variable{
		podSpecVariable(),
		{Name: varAllContainers, Expression: `variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([]) + variables.podSpec.?ephemeralContainers.orValue([])`},
		{Name: varContainersAndInit, Expression: `variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([])`},
	}, extra...)
}

// lit renders a Go string as a CEL string literal.
func lit(s string) string { return strconv.Quote(s) }

// litList renders a CEL list of string literals.
func litList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = lit(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// quotedNames renders the names of the containers of list that match cond
// as `"a", "b"` (cond uses c).
func quotedNames(list, cond string) string {
	return list + `.filter(c, ` + cond + `).map(c, "\"" + c.name + "\"").join(", ")`
}

// Marshal renders generated policies as a YAML stream: each policy
// followed by its binding, "---" between documents.
func Marshal(gs []Generated) ([]byte, error) {
	var buf bytes.Buffer
	for _, g := range gs {
		for _, obj := range []any{g.Policy, g.Binding} {
			data, err := marshalObject(obj)
			if err != nil {
				return nil, err
			}
			if buf.Len() > 0 {
				buf.WriteString("---\n")
			}
			buf.Write(data)
		}
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
