// The required-labels policy matches the kinds of the check (default
// Namespace, Pod and the workload controllers; custom resources by their
// guessed plural, any version) and has one validation per required label:
// the object's own metadata.labels must hold the key and, when the label
// has an allowedRegex, a value the anchored regex ^(?:re)$ matches (CEL
// matches() is RE2, as Go's regexp). The message names the label and the
// offending value.

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func requiredLabelsVAP(e governance.PolicyEntry) (vapBody, error) {
	p, err := catalog.ParseRequiredLabelsParams(e.Params)
	if err != nil {
		return vapBody{}, err
	}
	body := vapBody{rules: kindRules(p.GroupKinds)}
	for _, l := range p.Labels {
		key := lit(l.Key)
		present := `object.metadata.?labels[?` + key + `].hasValue()`
		v := admissionregistrationv1.Validation{
			Expression: present,
			Message:    "label " + l.Key + " is required",
		}
		if l.AllowedRegex != "" {
			pattern := catalog.AnchorRegex(l.AllowedRegex)
			v.Expression = present + ` && object.metadata.labels[` + key + `].matches(` + lit(pattern) + `)`
			v.Message = "label " + l.Key + " is required and must match " + oneLine(pattern)
			v.MessageExpression = present + ` ? "label \"" + ` + key + ` + "\" has value \"" + object.metadata.labels[` + key + `] + "\", which does not match " + ` + lit(oneLine(pattern)) +
				` : "label \"" + ` + key + ` + "\" is missing"`
		}
		body.validations = append(body.validations, v)
	}
	return body, nil
}
