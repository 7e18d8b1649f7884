package governance

import (
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Admission is the native admission form of a configured check: what a
// ValidatingAdmissionPolicy needs to decide, in the kube-apiserver, the
// same verdict the check's Go evaluation decides. It is built from
// k8s.io/api types only; package cel compiles it for a target version,
// adds the policy's name, failure policy and binding, and evaluates it.
type Admission struct {
	// Rules are the resources and operations the policy matches; nil
	// means the policy entry's match.resources (custom-cel).
	Rules []admissionregistrationv1.NamedRuleWithOperations
	// Variables are the policy's variables, in order.
	Variables []admissionregistrationv1.Variable
	// Validations are the policy's validations.
	Validations []admissionregistrationv1.Validation
	// FailurePolicy is Fail when empty.
	FailurePolicy admissionregistrationv1.FailurePolicyType
}

// AdmissionRule matches CREATE and UPDATE of the resources in the groups
// and versions given.
func AdmissionRule(groups, versions, resources []string) admissionregistrationv1.NamedRuleWithOperations {
	return admissionregistrationv1.NamedRuleWithOperations{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
		Rule: admissionregistrationv1.Rule{
			APIGroups: slices.Clone(groups), APIVersions: slices.Clone(versions), Resources: slices.Clone(resources),
		},
	}}
}

// PodAdmissionRules match Pods (with the pods/ephemeralcontainers
// subresource) and every built-in workload with a pod template.
func PodAdmissionRules() []admissionregistrationv1.NamedRuleWithOperations {
	return []admissionregistrationv1.NamedRuleWithOperations{
		AdmissionRule([]string{""}, []string{"v1"}, []string{"pods", "pods/ephemeralcontainers", "replicationcontrollers"}),
		AdmissionRule([]string{"apps"}, []string{"v1"}, []string{"daemonsets", "deployments", "replicasets", "statefulsets"}),
		AdmissionRule([]string{"batch"}, []string{"v1"}, []string{"cronjobs", "jobs"}),
	}
}

// NamespaceAdmissionRules match Namespaces.
func NamespaceAdmissionRules() []admissionregistrationv1.NamedRuleWithOperations {
	return []admissionregistrationv1.NamedRuleWithOperations{AdmissionRule([]string{""}, []string{"v1"}, []string{"namespaces"})}
}

// KindAdmissionRules match the given kinds, any version, by the resource
// each is served as (the lower-case plural).
func KindAdmissionRules(kinds []schema.GroupKind) []admissionregistrationv1.NamedRuleWithOperations {
	byGroup := map[string][]string{}
	var groups []string
	for _, gk := range kinds {
		plural, _ := meta.UnsafeGuessKindToResource(gk.WithVersion("v1"))
		if _, ok := byGroup[gk.Group]; !ok {
			groups = append(groups, gk.Group)
		}
		if !slices.Contains(byGroup[gk.Group], plural.Resource) {
			byGroup[gk.Group] = append(byGroup[gk.Group], plural.Resource)
		}
	}
	slices.Sort(groups)
	var out []admissionregistrationv1.NamedRuleWithOperations
	for _, g := range groups {
		res := byGroup[g]
		slices.Sort(res)
		out = append(out, AdmissionRule([]string{g}, []string{"*"}, res))
	}
	return out
}

// The variables PodAdmissionVariables declares.
const (
	// VarPodSpec is the pod spec of a Pod, a CronJob's job template or any
	// other workload's template ({} for a ReplicationController without
	// one).
	VarPodSpec = "podSpec"
	// VarAllContainers is containers, initContainers and
	// ephemeralContainers.
	VarAllContainers = "allContainers"
	// VarContainersAndInit is containers and initContainers.
	VarContainersAndInit = "containersAndInit"
)

// PodAdmissionVariables returns the podSpec variable and the container
// lists of the pod checks, followed by extra.
func PodAdmissionVariables(extra ...admissionregistrationv1.Variable) []admissionregistrationv1.Variable {
	return append([]admissionregistrationv1.Variable{
		{Name: VarPodSpec, Expression: `object.kind == "Pod" ? object.spec : ` +
			`(object.kind == "CronJob" ? object.spec.jobTemplate.spec.template.spec : object.spec.?template.?spec.orValue({}))`},
		{Name: VarAllContainers, Expression: `variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([]) + variables.podSpec.?ephemeralContainers.orValue([])`},
		{Name: VarContainersAndInit, Expression: `variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([])`},
	}, extra...)
}

// CELString renders a Go string as a CEL string literal.
func CELString(s string) string { return strconv.Quote(s) }

// CELStringList renders a CEL list of string literals.
func CELStringList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = CELString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// CELQuotedNames renders a CEL expression joining the names of the
// containers of list that satisfy cond (which names the container c) as
// `"a", "b"`.
func CELQuotedNames(list, cond string) string {
	return list + `.filter(c, ` + cond + `).map(c, "\"" + c.name + "\"").join(", ")`
}
