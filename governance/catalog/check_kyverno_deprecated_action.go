// kyverno-deprecated-action finds Kyverno policies that still use the
// policy-wide spec.validationFailureAction (and
// spec.validationFailureActionOverrides), deprecated since Kyverno 1.13 in
// favour of each rule's validate.failureAction (and
// validate.failureActionOverrides), and the lowercase values "enforce" and
// "audit", deprecated in favour of "Enforce" and "Audit": deprecated fields
// are removed in a later release, and a policy meant to block may then
// only audit. It reads ClusterPolicy and Policy objects of group kyverno.io
// (any version; they load as unstructured objects) and denies each use.
// Its ValidatingAdmissionPolicy matches the resources Kyverno's CRDs serve
// (clusterpolicies and policies of kyverno.io, every version) and denies
// what survives the CRDs' defaulting: spec.validationFailureAction other
// than Audit (the CRDs default the field to Audit before admission, so an
// explicit Audit cannot be told from an absent field and is left to the
// scan), spec.validationFailureActionOverrides, and the lowercase values
// in the rules' failureAction and failureActionOverrides, on at most
// kyvernoMaxRules rules of at most kyvernoMaxOverrides overrides each
// (the size guard that bounds the policy's cost; larger policies are left
// to the scan).

package catalog

import (
	"fmt"
	"strconv"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// IDKyvernoDeprecatedAction is the catalog ID of the
// kyverno-deprecated-action check.
const IDKyvernoDeprecatedAction = "kyverno-deprecated-action"

func kyvernoDeprecatedActionDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDKyvernoDeprecatedAction,
		Description: "Kyverno policies must set validate.failureAction per rule (Enforce or Audit), not the deprecated spec.validationFailureAction or lowercase values.",
		Severity:    governance.SeverityLow,
		Kinds:       []string{"ClusterPolicy.kyverno.io", "Policy.kyverno.io"},
		VAP:         true,
		// Kyverno's CRDs (config/crds/kyverno/kyverno.io_clusterpolicies.yaml
		// and kyverno.io_policies.yaml of github.com/kyverno/kyverno v1.15.2,
		// both served versions) default spec.validationFailureAction to
		// Audit: the apiserver adds the deprecated field before admission,
		// so the policy cannot tell an explicit Audit from none.
		AdmissionNote: "VAP leaves to the scan: an explicit spec.validationFailureAction: Audit (Kyverno's CRDs default the field " +
			"to Audit before admission, so it looks like an absent one), and policies of more than " +
			strconv.Itoa(kyvernoMaxRules) + " rules or a rule of more than " + strconv.Itoa(kyvernoMaxOverrides) + " failureActionOverrides (the size guard of its cost)",
		New: NewKyvernoDeprecatedAction,
	}
}

// NewKyvernoDeprecatedAction builds the kyverno-deprecated-action check.
// It takes no parameters.
func NewKyvernoDeprecatedAction(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	check := newCheck(kyvernoDeprecatedActionDefinition(),
		"move the action into each validate rule as failureAction: Enforce (or Audit), with failureActionOverrides where needed, and drop spec.validationFailureAction",
		[]schema.GroupKind{{Group: "kyverno.io", Kind: "ClusterPolicy"}, {Group: "kyverno.io", Kind: "Policy"}},
		func(o *governance.Object) []governance.Violation {
			u, ok := o.Obj.(*unstructured.Unstructured)
			if !ok {
				return nil
			}
			what := fmt.Sprintf("%s %q", o.Kind(), o.Name())
			var out []governance.Violation
			lowercase := func(path string, v any) {
				if s, ok := v.(string); ok && (s == "enforce" || s == "audit") {
					out = append(out, governance.Violation{Path: path,
						Message: fmt.Sprintf("%s: %s is the deprecated lowercase %q", what, path, s)})
				}
			}
			if v, found, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "validationFailureAction"); found {
				msg := fmt.Sprintf("%s uses the deprecated spec.validationFailureAction (%v)", what, v)
				if s, ok := v.(string); ok && (s == "enforce" || s == "audit") {
					msg += fmt.Sprintf(", with the deprecated lowercase value %q", s)
				}
				out = append(out, governance.Violation{Path: "spec.validationFailureAction", Message: msg})
			}
			if overrides, found, _ := unstructured.NestedSlice(u.Object, "spec", "validationFailureActionOverrides"); found {
				out = append(out, governance.Violation{Path: "spec.validationFailureActionOverrides",
					Message: fmt.Sprintf("%s uses the deprecated spec.validationFailureActionOverrides", what)})
				for i, ov := range overrides {
					if m, ok := ov.(map[string]any); ok {
						lowercase("spec.validationFailureActionOverrides["+strconv.Itoa(i)+"].action", m["action"])
					}
				}
			}
			rules, _, _ := unstructured.NestedSlice(u.Object, "spec", "rules")
			for i, r := range rules {
				rule, ok := r.(map[string]any)
				if !ok {
					continue
				}
				validate, ok := rule["validate"].(map[string]any)
				if !ok {
					continue
				}
				base := "spec.rules[" + strconv.Itoa(i) + "].validate"
				lowercase(base+".failureAction", validate["failureAction"])
				if ovs, ok := validate["failureActionOverrides"].([]any); ok {
					for j, ov := range ovs {
						if m, ok := ov.(map[string]any); ok {
							lowercase(base+".failureActionOverrides["+strconv.Itoa(j)+"].action", m["action"])
						}
					}
				}
			}
			return out
		})
	check.Admission = kyvernoDeprecatedActionAdmission()
	return check, nil
}

// The size guards of the policy: a Kyverno policy with more rules, or a
// rule with more failureActionOverrides, is admitted and left to the scan.
const (
	kyvernoMaxRules     = 256
	kyvernoMaxOverrides = 64
)

// kyvernoDeprecatedActionAdmission denies, on Kyverno's ClusterPolicies
// and Policies, what the CRDs' defaulting leaves distinguishable: a
// spec.validationFailureAction other than the default Audit, any
// spec.validationFailureActionOverrides, and a lowercase action in a
// rule's failureAction or failureActionOverrides.
func kyvernoDeprecatedActionAdmission() *governance.Admission {
	lower := `["enforce", "audit"]`
	rules := strconv.Itoa(kyvernoMaxRules)
	overrides := strconv.Itoa(kyvernoMaxOverrides)
	// badRules holds "rule N" for each rule whose validate block uses a
	// lowercase action, within the size guard.
	badRule := `(string(r.?validate.?failureAction.orValue("")) in ` + lower +
		` || r.?validate.?failureActionOverrides.orValue([]).exists(o, string(o.?action.orValue("")) in ` + lower + `))`
	return &governance.Admission{
		Rules: governance.KindAdmissionRules([]schema.GroupKind{{Group: "kyverno.io", Kind: "ClusterPolicy"}, {Group: "kyverno.io", Kind: "Policy"}}),
		Variables: []admissionregistrationv1.Variable{
			{Name: "action", Expression: `string(object.?spec.?validationFailureAction.orValue("Audit"))`},
			{Name: "rules", Expression: `object.?spec.?rules.orValue([])`},
			{Name: "guarded", Expression: `size(variables.rules) <= ` + rules +
				` && variables.rules.all(r, size(r.?validate.?failureActionOverrides.orValue([])) <= ` + overrides + `)`},
			{Name: "lowercaseRules", Expression: `variables.guarded ? variables.rules.filter(r, ` + badRule + `).map(r, string(r.?name.orValue(""))) : []`},
		},
		Validations: []admissionregistrationv1.Validation{
			{
				Expression:        `variables.action == "Audit"`,
				Message:           "Kyverno policies must not set the deprecated spec.validationFailureAction (use each rule's validate.failureAction)",
				MessageExpression: `object.kind + " \"" + object.metadata.name + "\" uses the deprecated spec.validationFailureAction (" + variables.action + ")"`,
			},
			{
				Expression:        `!has(object.spec) || !has(object.spec.validationFailureActionOverrides)`,
				Message:           "Kyverno policies must not set the deprecated spec.validationFailureActionOverrides (use each rule's validate.failureActionOverrides)",
				MessageExpression: `object.kind + " \"" + object.metadata.name + "\" uses the deprecated spec.validationFailureActionOverrides"`,
			},
			{
				Expression: `size(variables.lowercaseRules) == 0`,
				Message:    `Kyverno rules must write failureAction as Enforce or Audit, not the deprecated lowercase values`,
				MessageExpression: `object.kind + " \"" + object.metadata.name + "\": rules " + variables.lowercaseRules.map(n, "\"" + n + "\"").join(", ") +
					" use the deprecated lowercase \"enforce\" or \"audit\" in validate.failureAction or failureActionOverrides"`,
			},
		},
	}
}
