// The container-limits policy requires limits.cpu and limits.memory on
// every container and init container (ephemeral containers are exempt, as
// in the Go check) and, when a maximum is set, compares the limit with it
// as quantities (quantity().isGreaterThan: "2000m" equals "2", "4G" is less
// than "4Gi"), never as strings. One validation per resource and rule, each
// naming the containers and values at fault.

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func containerLimitsVAP(e governance.PolicyEntry) (vapBody, error) {
	p, err := catalog.ParseContainerLimitsParams(e.Params)
	if err != nil {
		return vapBody{}, err
	}
	body := vapBody{rules: podRules(), variables: podVariables()}
	for _, r := range []struct {
		name string
		max  *resource.Quantity
	}{{"cpu", p.CPU}, {"memory", p.Memory}} {
		key := lit(r.name)
		has := `c.?resources.?limits[?` + key + `].hasValue()`
		body.validations = append(body.validations, admissionregistrationv1.Validation{
			Expression:        `variables.containersAndInit.all(c, ` + has + `)`,
			Message:           "containers and init containers must set limits." + r.name,
			MessageExpression: `"containers " + ` + quotedNames("variables.containersAndInit", "!"+has) + ` + " have no ` + r.name + ` limit"`,
		})
		if r.max == nil {
			continue
		}
		maxLit := lit(r.max.String())
		over := has + ` && quantity(c.resources.limits[` + key + `]).isGreaterThan(quantity(` + maxLit + `))`
		body.validations = append(body.validations, admissionregistrationv1.Validation{
			Expression: `!variables.containersAndInit.exists(c, ` + over + `)`,
			Message:    "limits." + r.name + " must be at most " + r.max.String(),
			MessageExpression: `variables.containersAndInit.filter(c, ` + over + `)` +
				`.map(c, "container \"" + c.name + "\": ` + r.name + ` limit " + c.resources.limits[` + key + `] + " is above the maximum of ` + r.max.String() + `").join("; ")`,
		})
	}
	return body, nil
}
