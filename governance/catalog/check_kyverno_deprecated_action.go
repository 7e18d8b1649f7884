// kyverno-deprecated-action finds Kyverno policies that still use the
// policy-wide spec.validationFailureAction (and
// spec.validationFailureActionOverrides), deprecated since Kyverno 1.13 in
// favour of each rule's validate.failureAction (and
// validate.failureActionOverrides), and the lowercase values "enforce" and
// "audit", deprecated in favour of "Enforce" and "Audit": deprecated fields
// are removed in a later release, and a policy meant to block may then
// only audit. It reads ClusterPolicy and Policy objects of group kyverno.io
// (any version; they load as unstructured objects) and denies each use.

package catalog

import (
	"fmt"
	"strconv"

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
		// Kyverno's CRDs (config/crds/kyverno/kyverno.io_clusterpolicies.yaml
		// and kyverno.io_policies.yaml of github.com/kyverno/kyverno v1.15.2,
		// both served versions) default spec.validationFailureAction to
		// Audit: the apiserver adds the deprecated field before admission,
		// so a policy could not tell what the manifest wrote.
		AdmissionNote: "no VAP: Kyverno's CRDs default spec.validationFailureAction to Audit before admission, " +
			"so a policy would see the deprecated field on every Kyverno policy",
		New: NewKyvernoDeprecatedAction,
	}
}

// NewKyvernoDeprecatedAction builds the kyverno-deprecated-action check.
// It takes no parameters.
func NewKyvernoDeprecatedAction(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return newCheck(kyvernoDeprecatedActionDefinition(),
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
		}), nil
}
