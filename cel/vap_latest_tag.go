// The latest-tag policy passes every image with a digest ("@"), and
// otherwise reads the tag exactly as catalog.ImageTag does: the text after
// the first ":" of the last path component (so "localhost:5000/app" has no
// tag), denying an absent, empty or "latest" tag, for containers, init
// containers and ephemeral containers.

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func latestTagVAP(e governance.PolicyEntry) (vapBody, error) {
	if _, err := catalog.NewLatestTag(e.Params); err != nil {
		return vapBody{}, err
	}
	bad := `!i.image.contains("@") && (!i.last.contains(":") || i.last.substring(i.last.indexOf(":") + 1) in ["", "latest"])`
	return vapBody{
		rules: podRules(),
		variables: podVariables(
			admissionregistrationv1.Variable{Name: "images", Expression: `variables.allContainers.map(c, {"name": string(c.name), "image": string(c.?image.orValue(""))})`},
			admissionregistrationv1.Variable{Name: "lastParts", Expression: `variables.images.map(i, {"name": i.name, "image": i.image, "last": i.image.substring(i.image.lastIndexOf("/") + 1)})`},
		),
		validations: []admissionregistrationv1.Validation{{
			Expression: `!variables.lastParts.exists(i, ` + bad + `)`,
			Message:    "images must have a digest or a tag other than latest",
			MessageExpression: `variables.lastParts.filter(i, ` + bad + `)` +
				`.map(i, "container \"" + i.name + "\" uses image \"" + i.image + "\" without a pinned tag (latest or none)").join("; ")`,
		}},
	}, nil
}
