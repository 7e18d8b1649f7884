// The allowed-registries policy computes every image's registry with the
// Go check's rule (catalog.ImageRegistry): the text before the first "/"
// when there is one and it contains "." or ":" or is "localhost", else
// docker.io, with index.docker.io read as docker.io; and it denies a
// container, init container or ephemeral container whose registry is not
// one of the registries parameter, compared exactly (port included), never
// by prefix. The allowed list is inlined as a CEL list constant.

package cel

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func allowedRegistriesVAP(e governance.PolicyEntry) (vapBody, error) {
	p, err := catalog.ParseAllowedRegistriesParams(e.Params)
	if err != nil {
		return vapBody{}, err
	}
	allowed := litList(p.Registries)
	registry := `((i.first.contains(".") || i.first.contains(":") || i.first == "localhost") ? ` +
		`(i.first == "index.docker.io" ? "docker.io" : i.first) : "docker.io")`
	return vapBody{
		rules: podRules(),
		variables: podVariables(
			admissionregistrationv1.Variable{Name: "images", Expression: `variables.allContainers.map(c, {"name": string(c.name), "image": string(c.?image.orValue(""))})`},
			admissionregistrationv1.Variable{Name: "imageParts", Expression: `variables.images.map(i, {"name": i.name, "image": i.image, ` +
				`"first": i.image.indexOf("/") < 0 ? "" : i.image.substring(0, i.image.indexOf("/"))})`},
			admissionregistrationv1.Variable{Name: "registries", Expression: `variables.imageParts.map(i, {"name": i.name, "image": i.image, "registry": ` + registry + `})`},
		),
		validations: []admissionregistrationv1.Validation{{
			Expression: `variables.registries.all(i, i.registry in ` + allowed + `)`,
			Message:    "every image must come from an allowed registry: " + strings.Join(p.Registries, ", "),
			MessageExpression: `variables.registries.filter(i, !(i.registry in ` + allowed + `))` +
				`.map(i, "container \"" + i.name + "\" uses image \"" + i.image + "\" from registry \"" + i.registry + "\"").join("; ")` +
				` + ` + lit(", which is not allowed (allowed: "+strings.Join(p.Registries, ", ")+")"),
		}},
	}, nil
}
