package cel

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"

	"github.com/aigov/aigov/governance"
)

// MinimumMutatingKubernetesVersion is the first Kubernetes version serving
// MutatingAdmissionPolicy as admissionregistration.k8s.io/v1 (GA).
const MinimumMutatingKubernetesVersion = "1.36"

// GeneratedMutating is the MutatingAdmissionPolicy and binding of one
// policy entry whose check has safe defaults (governance.Admission.Mutations).
type GeneratedMutating struct {
	// Entry is the index of the entry in spec.checks.
	Entry   int
	ID      string
	Name    string
	Policy  *admissionregistrationv1.MutatingAdmissionPolicy
	Binding *admissionregistrationv1.MutatingAdmissionPolicyBinding
	// Operators marks the policy over the AI operators' resources, named
	// after the entry's policy with OperatorsSuffix.
	Operators bool
	// Cost is the compile-time cost estimate of the policy (see
	// Compiler.EstimateMutatingCost).
	Cost CostReport
}

// GenerateMutating builds one MutatingAdmissionPolicy and binding per
// entry of the policy whose check has safe defaults, named like the
// entry's ValidatingAdmissionPolicy (see Generate) and bound with the
// entry's match. Entries of checks without safe defaults give none.
// The compiler's target must be MinimumMutatingKubernetesVersion or newer.
//
// The policies match CREATE of Pods and Jobs (whose pod templates the
// apiserver refuses to change afterwards, so an UPDATE must not be
// patched) and CREATE and UPDATE of the other resources of the check's
// rules; subresources are left out. A check whose mutations read only the
// pod specs (governance.VarPodSpecRefs) gets a second policy, named with
// OperatorsSuffix, over CREATE of the AI operators' resources, patching
// every pod template they hold. Their failurePolicy is Ignore: a
// mutation that cannot run must not block a workload, the entry's
// ValidatingAdmissionPolicy still judges it. Reinvocation is IfNeeded (an
// object another admission plugin changed is defaulted again; the
// mutations add only what is absent, so a second run changes nothing).
// A Job without labels of its own that a mutation patches keeps its
// template's labels as they were at admission, without the four
// controller-uid and job-name labels (batch.kubernetes.io/ and legacy):
// the apiserver's defaulting makes such a Job's labels the very map of its
// template's labels, which the Job strategy extends after admission, and a
// patch decodes the object into two maps (its selector and template keep
// the labels; the uid they name is not set at admission, so the policy
// cannot add them). A binding's namespaceSelector does not restrict
// cluster-scoped resources (ClusterTrainingRuntime, ClusterServingRuntime):
// the apiserver matches them whatever the selector.
func (c *Compiler) GenerateMutating(p *governance.Policy, defs []governance.Definition) ([]GeneratedMutating, error) {
	if c.target.LessThan(version.MustParseGeneric(MinimumMutatingKubernetesVersion)) {
		return nil, fmt.Errorf("MutatingAdmissionPolicy (admissionregistration.k8s.io/v1) needs Kubernetes %s or newer; the target is %s", MinimumMutatingKubernetesVersion, c.Version())
	}
	var out []GeneratedMutating
	var errs []error
	for i, e := range p.Entries {
		gs, err := c.generateMutatingEntry(p.Name, e, defs)
		if err != nil {
			errs = append(errs, entryError(i, e, err))
			continue
		}
		for _, g := range gs {
			g.Entry = i
			out = append(out, g)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// generateMutatingEntry builds the mutating policies of one entry: none
// when its check has no safe default; one over the check's rules; and,
// when every mutation reads only governance.VarPodSpecRefs (the pod specs
// with their paths), a second over the AI operators' resources
// (governance.OperatorAdmissionRules), patching their pod templates at the
// paths the operators read. VarPodSpecRefs is declared here, not in the
// check's admission form, so that the validating policies stay as they
// are.
func (c *Compiler) generateMutatingEntry(policyName string, e governance.PolicyEntry, defs []governance.Definition) ([]GeneratedMutating, error) {
	if e.ID == IDCustomCEL {
		return nil, nil
	}
	def, err := governance.Lookup(defs, e.ID)
	if err != nil {
		return nil, fmt.Errorf("unknown check %q", e.ID)
	}
	check, err := def.New(e.Params)
	if err != nil {
		return nil, fmt.Errorf("params: %w", err)
	}
	adm := check.Admission
	if adm == nil || len(adm.Mutations) == 0 || len(adm.Rules) == 0 {
		return nil, nil
	}
	vars := slices.Clone(adm.Variables)
	refs, onlyRefs := mutationVariables(adm.Mutations)
	if refs {
		vars = append(vars, governance.PodSpecRefsVariable())
	}
	g, err := c.mutatingPolicy(policyName, e, mutatingRules(adm.Rules), vars, adm.Mutations, "")
	if err != nil {
		return nil, err
	}
	out := []GeneratedMutating{g}
	if refs && onlyRefs {
		// CREATE only: some operators make their templates immutable
		// (a JobSet's replicatedJobs), and an update must not be refused
		// for a default its object never had.
		var opRules []admissionregistrationv1.NamedRuleWithOperations
		for _, r := range mutatingRules(governance.OperatorAdmissionRules()) {
			r.Operations = []admissionregistrationv1.OperationType{admissionregistrationv1.Create}
			opRules = append(opRules, r)
		}
		op, err := c.mutatingPolicy(policyName, e, opRules,
			[]admissionregistrationv1.Variable{governance.OperatorPodSpecRefsVariable()}, adm.Mutations, OperatorsSuffix)
		if err != nil {
			return nil, fmt.Errorf("mutating policy on AI operators' resources: %w", err)
		}
		op.Operators = true
		out = append(out, op)
	}
	return out, nil
}

var celVariableRef = regexp.MustCompile(`\bvariables\.([A-Za-z_][A-Za-z0-9_]*)`)

// mutationVariables reports whether the mutations read
// governance.VarPodSpecRefs, and whether that is the only variable they
// read.
func mutationVariables(ms []admissionregistrationv1.Mutation) (refs, onlyRefs bool) {
	onlyRefs = true
	for _, m := range ms {
		var expr string
		switch {
		case m.JSONPatch != nil:
			expr = m.JSONPatch.Expression
		case m.ApplyConfiguration != nil:
			expr = m.ApplyConfiguration.Expression
		}
		for _, v := range celVariableRef.FindAllStringSubmatch(expr, -1) {
			if v[1] == governance.VarPodSpecRefs {
				refs = true
			} else {
				onlyRefs = false
			}
		}
	}
	return refs, onlyRefs
}

// mutatingPolicy builds one mutating policy and binding of an entry, its
// name ending in suffix.
func (c *Compiler) mutatingPolicy(policyName string, e governance.PolicyEntry, rules []admissionregistrationv1.NamedRuleWithOperations,
	vars []admissionregistrationv1.Variable, mutations []admissionregistrationv1.Mutation, suffix string) (GeneratedMutating, error) {
	name, err := objectName(policyName, e, suffix)
	if err != nil {
		return GeneratedMutating{}, err
	}
	meta := metav1.ObjectMeta{
		Name:        name,
		Labels:      map[string]string{ManagedByLabel: ManagedByValue},
		Annotations: map[string]string{CheckAnnotation: e.ID},
	}
	if e.Name != "" {
		meta.Annotations[EntryAnnotation] = e.Name
	}
	ignore := admissionregistrationv1.Ignore
	equivalent := admissionregistrationv1.Equivalent
	policy := &admissionregistrationv1.MutatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "MutatingAdmissionPolicy"},
		ObjectMeta: meta,
		Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules:     rules,
				MatchPolicy:       &equivalent,
				NamespaceSelector: &metav1.LabelSelector{},
				ObjectSelector:    &metav1.LabelSelector{},
			},
			Variables:          vars,
			Mutations:          slices.Clone(mutations),
			FailurePolicy:      &ignore,
			ReinvocationPolicy: admissionregistrationv1.IfNeededReinvocationPolicy,
		},
	}
	match, err := bindingMatch(e.Match, false)
	if err != nil {
		return GeneratedMutating{}, err
	}
	if match.MatchPolicy == nil {
		match.MatchPolicy = &equivalent
	}
	binding := &admissionregistrationv1.MutatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "MutatingAdmissionPolicyBinding"},
		ObjectMeta: *meta.DeepCopy(),
		Spec:       admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{PolicyName: name, MatchResources: match},
	}
	return GeneratedMutating{ID: e.ID, Name: e.Name, Policy: policy, Binding: binding, Cost: c.EstimateMutatingCost(&policy.Spec)}, nil
}

// createOnlyResources are the resources whose pod spec the apiserver
// does not let an update change: a mutation on UPDATE would make every
// update of an older object fail.
var createOnlyResources = []string{"pods", "jobs"}

// mutatingRules turns a check's validating rules into the mutating
// policy's: subresources dropped, Pods and Jobs on CREATE only.
func mutatingRules(rules []admissionregistrationv1.NamedRuleWithOperations) []admissionregistrationv1.NamedRuleWithOperations {
	var out []admissionregistrationv1.NamedRuleWithOperations
	for _, r := range rules {
		var createOnly, both []string
		for _, res := range r.Resources {
			switch {
			case strings.Contains(res, "/"):
			case slices.Contains(createOnlyResources, res):
				createOnly = append(createOnly, res)
			default:
				both = append(both, res)
			}
		}
		scope := admissionregistrationv1.AllScopes
		for _, set := range []struct {
			resources []string
			ops       []admissionregistrationv1.OperationType
		}{
			{createOnly, []admissionregistrationv1.OperationType{admissionregistrationv1.Create}},
			{both, []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}},
		} {
			if len(set.resources) == 0 {
				continue
			}
			nr := *r.DeepCopy()
			nr.Operations, nr.Resources = set.ops, set.resources
			if nr.Scope == nil {
				nr.Scope = &scope
			}
			out = append(out, nr)
		}
	}
	return out
}

// MarshalMutating renders generated mutating policies as a YAML stream:
// each policy followed by its binding, "---" between documents.
func MarshalMutating(gs []GeneratedMutating) ([]byte, error) {
	objs := make([]any, 0, 2*len(gs))
	for _, g := range gs {
		objs = append(objs, g.Policy, g.Binding)
	}
	return marshalStream(objs)
}

// GeneratePolicyMutating loads the target version as GeneratePolicy does
// (kubernetesVersion, else the policy's spec.kubernetesVersion) and
// generates the policy's MutatingAdmissionPolicies. A target below
// MinimumMutatingKubernetesVersion is a *VersionError naming it.
func GeneratePolicyMutating(p *governance.Policy, defs []governance.Definition, kubernetesVersion string) ([]GeneratedMutating, error) {
	comp, err := policyCompiler(p, kubernetesVersion)
	if err != nil {
		return nil, err
	}
	if comp.target.LessThan(version.MustParseGeneric(MinimumMutatingKubernetesVersion)) {
		return nil, &VersionError{Err: fmt.Errorf("kubernetes version %s: MutatingAdmissionPolicy (admissionregistration.k8s.io/v1) needs %s or newer", comp.Version(), MinimumMutatingKubernetesVersion)}
	}
	gs, err := comp.GenerateMutating(p, defs)
	if err != nil {
		return nil, fmt.Errorf("policy %s:\n%w", p.Source.File, err)
	}
	return gs, nil
}

// GeneratePolicyWithMutating generates, for the target version chosen as
// GeneratePolicyMutating does, the policy's ValidatingAdmissionPolicies
// (as GeneratePolicy, Entry the index in spec.checks) and its
// MutatingAdmissionPolicies. An entry whose check has safe defaults but no
// validating form (pod-security-level: the PodSecurity admission plugin
// judges) gets only its mutating policy instead of being an error.
func GeneratePolicyWithMutating(p *governance.Policy, defs []governance.Definition, kubernetesVersion string) ([]Generated, []GeneratedMutating, error) {
	ms, err := GeneratePolicyMutating(p, defs, kubernetesVersion)
	if err != nil {
		return nil, nil, err
	}
	mutationOnly := map[int]bool{}
	for _, m := range ms {
		if check, err := newEntryCheck(p.Entries[m.Entry], defs); err == nil && len(check.Admission.Validations) == 0 {
			mutationOnly[m.Entry] = true
		}
	}
	// Generate the other entries, then renumber them to their index in
	// spec.checks (errors already name the entry's file and line).
	rest := *p
	rest.Entries = nil
	var index []int
	for i, e := range p.Entries {
		if !mutationOnly[i] {
			rest.Entries = append(rest.Entries, e)
			index = append(index, i)
		}
	}
	if len(rest.Entries) == 0 {
		return nil, ms, nil
	}
	vs, err := GeneratePolicy(&rest, defs, kubernetesVersion)
	if err != nil && len(index) < len(p.Entries) {
		return nil, nil, fmt.Errorf("%w\n(the spec.checks indexes above skip the entries with safe defaults only; the file lines are exact)", err)
	}
	if err != nil {
		return nil, nil, err
	}
	for i := range vs {
		vs[i].Entry = index[vs[i].Entry]
	}
	return vs, ms, nil
}

// newEntryCheck builds an entry's check from its definition in defs.
func newEntryCheck(e governance.PolicyEntry, defs []governance.Definition) (governance.Check, error) {
	def, err := governance.Lookup(defs, e.ID)
	if err != nil {
		return governance.Check{}, err
	}
	return def.New(e.Params)
}
