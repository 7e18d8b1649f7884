// The service-type policy matches Services and denies a type (omitted =
// ClusterIP, the API default) that the disallowed parameter lists, inlined
// as a CEL list constant.

package cel

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func serviceTypeVAP(e governance.PolicyEntry) (vapBody, error) {
	p, err := catalog.ParseServiceTypeParams(e.Params)
	if err != nil {
		return vapBody{}, err
	}
	names := make([]string, len(p.Disallowed))
	for i, t := range p.Disallowed {
		names[i] = string(t)
	}
	typ := `object.spec.?type.orValue("ClusterIP")`
	return vapBody{
		rules: []admissionregistrationv1.NamedRuleWithOperations{ruleFor([]string{""}, []string{"v1"}, []string{"services"})},
		validations: []admissionregistrationv1.Validation{{
			Expression:        `!(` + typ + ` in ` + litList(names) + `)`,
			Message:           "Service type must not be one of " + strings.Join(names, ", "),
			MessageExpression: `"Service type \"" + ` + typ + ` + "\" is not allowed (disallowed: ` + strings.Join(names, ", ") + `)"`,
		}},
	}, nil
}
