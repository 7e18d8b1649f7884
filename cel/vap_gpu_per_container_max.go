// The gpu-per-container-max policy caps the request and the limit of the
// GPU resource (default nvidia.com/gpu) of every container and init
// container, comparing quantities with quantity().isGreaterThan (at
// admission quantities are canonical strings, so a plain > would be a
// runtime error); an absent value counts as 0, as in the Go check.

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func gpuPerContainerMaxVAP(e governance.PolicyEntry) (vapBody, error) {
	p, err := catalog.ParseGPUPerContainerMaxParams(e.Params)
	if err != nil {
		return vapBody{}, err
	}
	key, maxLit := lit(p.Resource), lit(p.Max.String())
	over := func(field string) string {
		return `(c.?resources.?` + field + `[?` + key + `].hasValue() && quantity(c.resources.` + field + `[` + key + `]).isGreaterThan(quantity(` + maxLit + `)))`
	}
	bad := over("limits") + ` || ` + over("requests")
	return vapBody{
		rules:     podRules(),
		variables: podVariables(),
		validations: []admissionregistrationv1.Validation{{
			Expression: `!variables.containersAndInit.exists(c, ` + bad + `)`,
			Message:    "a container may request at most " + p.Max.String() + " " + p.Resource,
			MessageExpression: `"containers " + ` + quotedNames("variables.containersAndInit", bad) +
				` + " request or limit more than ` + p.Max.String() + ` ` + p.Resource + `"`,
		}},
	}, nil
}
