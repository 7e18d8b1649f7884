// The required-probes policy requires each listed probe on every regular
// container (init and ephemeral containers are exempt, as in the Go
// check), one validation per probe naming the containers that lack it.

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func requiredProbesVAP(e governance.PolicyEntry) (vapBody, error) {
	p, err := catalog.ParseRequiredProbesParams(e.Params)
	if err != nil {
		return vapBody{}, err
	}
	body := vapBody{rules: podRules(), variables: []admissionregistrationv1.Variable{
		podSpecVariable(),
		{Name: "containers", Expression: `variables.podSpec.?containers.orValue([])`},
	}}
	for _, probe := range p.Probes {
		has := `has(c.` + probe + `)`
		body.validations = append(body.validations, admissionregistrationv1.Validation{
			Expression:        `variables.containers.all(c, ` + has + `)`,
			Message:           "every container needs a " + probe,
			MessageExpression: `"containers " + ` + quotedNames("variables.containers", "!"+has) + ` + " have no ` + probe + `"`,
		})
	}
	return body, nil
}
