// allowed-registries keeps images to the registries a platform trusts
// (mirrors that scan and sign images), so a manifest cannot pull a model
// server from an arbitrary host. It reads the image of every container, init
// container and ephemeral container of a Pod or of a workload's pod template
// (the stored object), computes the image's registry with ImageRegistry (the
// first path component when it contains "." or ":" or is "localhost", else
// docker.io; index.docker.io counts as docker.io) and denies every image
// whose registry is not exactly, port included, one of the registries
// parameter. Its ValidatingAdmissionPolicy computes the registry with the
// same rule in CEL and compares it with the registries inlined as a CEL list
// constant, exactly, never by prefix; the message names each image at fault.

package catalog

import (
	"errors"
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDAllowedRegistries is the catalog ID of the allowed-registries check.
const IDAllowedRegistries = "allowed-registries"

// DockerHub is the registry of images whose name has no registry part.
const DockerHub = "docker.io"

// AllowedRegistriesParams are the parameters of allowed-registries.
type AllowedRegistriesParams struct {
	// Registries are hosts with an optional port ("registry.example.com",
	// "localhost:5000"). ParseAllowedRegistriesParams normalizes
	// "index.docker.io" to "docker.io" and drops duplicates.
	Registries []string `json:"registries"`
}

// ParseAllowedRegistriesParams parses and validates allowed-registries
// parameters: registries is required and not empty, and every entry is a
// host[:port] (no scheme, no path, no whitespace).
func ParseAllowedRegistriesParams(raw any) (AllowedRegistriesParams, error) {
	var p AllowedRegistriesParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if len(p.Registries) == 0 {
		return p, errors.New("registries is required and must list at least one registry")
	}
	var out []string
	seen := map[string]bool{}
	for i, r := range p.Registries {
		switch {
		case r == "":
			return p, fmt.Errorf("registries[%d]: empty registry", i)
		case strings.ContainsAny(r, "/@ \t\r\n"):
			return p, fmt.Errorf("registries[%d]: %q is not a registry host[:port] (no scheme, repository path or whitespace)", i, r)
		}
		r = NormalizeRegistry(r)
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	p.Registries = out
	return p, nil
}

// ImageRegistry returns the registry an image is pulled from, by the
// catalog's rule: the first path component when the image has more than one
// and that component contains "." or ":" or is "localhost"; otherwise
// docker.io. index.docker.io is returned as docker.io. Tags and digests are
// not part of the registry: "nginx:1.27" and "nginx@sha256:..." are
// docker.io, "localhost:5000/app:1" is "localhost:5000".
func ImageRegistry(image string) string {
	first, _, found := strings.Cut(image, "/")
	if !found || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		return DockerHub
	}
	return NormalizeRegistry(first)
}

// NormalizeRegistry maps index.docker.io to docker.io and returns every
// other registry unchanged.
func NormalizeRegistry(registry string) string {
	if registry == "index.docker.io" {
		return DockerHub
	}
	return registry
}

func allowedRegistriesDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDAllowedRegistries,
		Description: "Every image must come from one of the listed registries (exact host, port included; images without a registry are docker.io).",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{PodsAndWorkloads},
		Params: []governance.Param{{
			Name: "registries", Type: "[]string", Required: true,
			Description: `allowed registries as host[:port], e.g. "registry.example.com", "nvcr.io", "localhost:5000"; "index.docker.io" is the same as "docker.io"`,
		}},
		VAP: true,
		New: NewAllowedRegistries,
	}
}

// NewAllowedRegistries builds the allowed-registries check from
// AllowedRegistriesParams.
func NewAllowedRegistries(params any) (governance.Check, error) {
	p, err := ParseAllowedRegistriesParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	allowed := map[string]bool{}
	for _, r := range p.Registries {
		allowed[r] = true
	}
	list := strings.Join(p.Registries, ", ")
	check := newCheck(allowedRegistriesDefinition(),
		"pull the image from an allowed registry (mirror it there first)",
		PodKinds(), podCheck(func(pv podView) []governance.Violation {
			var out []governance.Violation
			for _, c := range containersOf(pv.spec, pv.path, allContainers) {
				if reg := ImageRegistry(c.c.Image); !allowed[reg] {
					out = append(out, governance.Violation{
						Path: c.path() + ".image",
						Message: fmt.Sprintf("%s uses image %q from registry %q, which is not allowed (allowed: %s)",
							c.desc(), c.c.Image, reg, list),
					})
				}
			}
			return out
		}))
	check.Admission = allowedRegistriesAdmission(p)
	return check, nil
}

func allowedRegistriesAdmission(p AllowedRegistriesParams) *governance.Admission {
	allowed := governance.CELStringList(p.Registries)
	registry := `((i.first.contains(".") || i.first.contains(":") || i.first == "localhost") ? ` +
		`(i.first == "index.docker.io" ? "docker.io" : i.first) : "docker.io")`
	// images, imageParts and registries hold, per pod spec, one entry per
	// container.
	return withModels(modelImage, &governance.Admission{
		Rules: governance.PodAdmissionRules(),
		Variables: governance.PodSpecsAdmissionVariables(
			admissionregistrationv1.Variable{Name: "images", Expression: `variables.` + governance.VarPodContainers +
				`.map(cs, cs.map(c, {"name": string(c.name), "image": string(c.?image.orValue(""))}))`},
			admissionregistrationv1.Variable{Name: "imageParts", Expression: `variables.images.map(is, is.map(i, {"name": i.name, "image": i.image, ` +
				`"first": i.image.indexOf("/") < 0 ? "" : i.image.substring(0, i.image.indexOf("/"))}))`},
			admissionregistrationv1.Variable{Name: "registries", Expression: `variables.imageParts.map(is, is.map(i, {"name": i.name, "image": i.image, "registry": ` + registry + `}))`},
		),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `variables.registries.all(is, is.all(i, i.registry in ` + allowed + `))`,
			Message:    "every image must come from an allowed registry: " + strings.Join(p.Registries, ", "),
			MessageExpression: `variables.registries.map(is, is.filter(i, !(i.registry in ` + allowed + `))` +
				`.map(i, "container \"" + i.name + "\" uses image \"" + i.image + "\" from registry \"" + i.registry + "\"").join("; ")).filter(m, m != "").join("; ")` +
				` + ` + governance.CELString(", which is not allowed (allowed: "+strings.Join(p.Registries, ", ")+")"),
		}},
	})
}
