// latest-tag requires images to be pinned: an image without a tag, or
// tagged latest, changes under a running platform (a model server upgraded
// by a node restart), so rollouts are neither reproducible nor reviewable.
// It reads the image of every container, init container and ephemeral
// container of a Pod or of a workload's pod template (the stored object).
// An image with a digest ("@sha256:...") always passes; otherwise the tag is
// the text after ":" in the last path component only (so
// "localhost:5000/app" has no tag), and the check denies a tag that is
// absent, empty or "latest". Its ValidatingAdmissionPolicy reads the tag
// the same way in CEL and names each image at fault.

package catalog

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDLatestTag is the catalog ID of the latest-tag check.
const IDLatestTag = "latest-tag"

// ImageTag splits an image reference: tag is the text after ":" in the last
// path component (before any digest), "" when there is none; hasDigest
// reports whether the image carries a digest ("@..."). For
// "localhost:5000/app" the tag is "" (the ":" belongs to the registry), for
// "app:1@sha256:..." it is "1" with a digest.
func ImageTag(image string) (tag string, hasDigest bool) {
	name, _, hasDigest := strings.Cut(image, "@")
	last := name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		last = name[i+1:]
	}
	_, tag, _ = strings.Cut(last, ":")
	return tag, hasDigest
}

func latestTagDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDLatestTag,
		Description: "Images must have a digest or a tag other than latest (an image without a tag is latest).",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{PodsAndWorkloads},
		VAP:         true,
		New:         NewLatestTag,
	}
}

// NewLatestTag builds the latest-tag check. It takes no parameters.
func NewLatestTag(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	check := newCheck(latestTagDefinition(),
		"pin the image to a version tag, or better to a digest (image@sha256:...)",
		PodKinds(), podCheck(checkLatestTag))
	check.Admission = latestTagAdmission()
	return check, nil
}

func latestTagAdmission() *governance.Admission {
	bad := `!i.image.contains("@") && (!i.last.contains(":") || i.last.substring(i.last.indexOf(":") + 1) in ["", "latest"])`
	// images and lastParts hold, per pod spec, one entry per container.
	return withModels(modelImage, &governance.Admission{
		Rules: governance.PodAdmissionRules(),
		Variables: governance.PodSpecsAdmissionVariables(
			admissionregistrationv1.Variable{Name: "images", Expression: `variables.` + governance.VarPodContainers +
				`.map(cs, cs.map(c, {"name": string(c.name), "image": string(c.?image.orValue(""))}))`},
			admissionregistrationv1.Variable{Name: "lastParts", Expression: `variables.images.map(is, is.map(i, {"name": i.name, "image": i.image, "last": i.image.substring(i.image.lastIndexOf("/") + 1)}))`},
		),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `!variables.lastParts.exists(is, is.exists(i, ` + bad + `))`,
			Message:    "images must have a digest or a tag other than latest",
			MessageExpression: `variables.lastParts.map(is, is.filter(i, ` + bad + `)` +
				`.map(i, "container \"" + i.name + "\" uses image \"" + i.image + "\" without a pinned tag (latest or none)").join("; ")).filter(m, m != "").join("; ")`,
		}},
	})
}

func checkLatestTag(p podView) []governance.Violation {
	var out []governance.Violation
	for _, c := range containersOf(p.spec, p.path, allContainers) {
		tag, digest := ImageTag(c.c.Image)
		var msg string
		switch {
		case digest:
			continue
		case tag == "latest":
			msg = fmt.Sprintf("%s uses image %q with the latest tag", c.desc(), c.c.Image)
		case tag == "":
			msg = fmt.Sprintf("%s uses image %q without a tag or digest (it means latest)", c.desc(), c.c.Image)
		default:
			continue
		}
		out = append(out, governance.Violation{Path: c.path() + ".image", Message: msg})
	}
	return out
}
