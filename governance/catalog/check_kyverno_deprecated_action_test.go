package catalog

import "testing"

func TestKyvernoDeprecatedAction(t *testing.T) {
	c := mustNew(t, NewKyvernoDeprecatedAction, "")
	head := "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n"
	runCases(t, c, []checkCase{
		{name: "per rule", manifest: head + "  rules: [{name: r, validate: {failureAction: Enforce, failureActionOverrides: [{action: Audit, namespaces: [dev]}]}}]\n"},
		{name: "other groups unjudged", manifest: "apiVersion: example.com/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec: {validationFailureAction: enforce}\n"},
		{name: "deprecated fields", manifest: head + "  validationFailureAction: Audit\n  validationFailureActionOverrides: [{action: enforce, namespaces: [prod]}]\n  rules: [{name: r, validate: {failureAction: enforce, failureActionOverrides: [{action: audit}]}}, {name: m, mutate: {}}]\n",
			want: []string{
				`ClusterPolicy/p spec.rules[0].validate.failureAction: ClusterPolicy "p": spec.rules[0].validate.failureAction is the deprecated lowercase "enforce"`,
				`ClusterPolicy/p spec.rules[0].validate.failureActionOverrides[0].action: ClusterPolicy "p": spec.rules[0].validate.failureActionOverrides[0].action is the deprecated lowercase "audit"`,
				`ClusterPolicy/p spec.validationFailureAction: ClusterPolicy "p" uses the deprecated spec.validationFailureAction (Audit)`,
				`ClusterPolicy/p spec.validationFailureActionOverrides: ClusterPolicy "p" uses the deprecated spec.validationFailureActionOverrides`,
				`ClusterPolicy/p spec.validationFailureActionOverrides[0].action: ClusterPolicy "p": spec.validationFailureActionOverrides[0].action is the deprecated lowercase "enforce"`,
			}},
		{name: "namespaced Policy", manifest: "apiVersion: kyverno.io/v2beta1\nkind: Policy\nmetadata: {name: q, namespace: ml}\nspec: {validationFailureAction: enforce}\n",
			want: []string{`Policy/q spec.validationFailureAction: Policy "q" uses the deprecated spec.validationFailureAction (enforce), with the deprecated lowercase value "enforce"`}},
	})
	runParamCases(t, NewKyvernoDeprecatedAction, noParamCases)
}
