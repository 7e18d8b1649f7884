// model-image-digest requires the images of model-serving workloads to be
// pinned by digest: a tag can be moved to an image with other weights, a
// backdoored runtime or a different tokenizer, and the serving fleet would
// pull it at the next restart. It classifies each Pod and workload
// (ClassifyObject) and, for inference-server and embedding-service
// workloads, reads the image of every container, init container and
// ephemeral container; it denies an image without a well-formed
// "@sha256:<64 hex digits>" digest (a tag may accompany the digest). An AI
// operator's resource is judged template by template, a KServe model on
// the image it writes, and so is it by the -operators policy, within its
// size guard.

package catalog

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDModelImageDigest is the catalog ID of the model-image-digest check.
const IDModelImageDigest = "model-image-digest"

// HasSHA256Digest reports whether an image reference ends in a well-formed
// "@sha256:" digest of 64 lower-case hex digits.
func HasSHA256Digest(image string) bool {
	_, digest, ok := strings.Cut(image, "@")
	hex, isSHA := strings.CutPrefix(digest, "sha256:")
	if !ok || !isSHA || len(hex) != 64 {
		return false
	}
	for _, r := range hex {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

func modelImageDigestDefinition() governance.Definition {
	return governance.Definition{
		ID:            IDModelImageDigest,
		Description:   "Images of inference servers and embedding services must be pinned by @sha256 digest.",
		Severity:      governance.SeverityMedium,
		Kinds:         []string{PodsAndWorkloads + " classified inference-server or embedding-service"},
		VAP:           true,
		AdmissionNote: operatorServingAdmissionNote(),
		New:           NewModelImageDigest,
	}
}

// NewModelImageDigest builds the model-image-digest check. It takes no
// parameters.
func NewModelImageDigest(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	cl := newClassifier()
	check := newCheck(modelImageDigestDefinition(),
		"pin the image by digest (image: repo:tag@sha256:...) of the build you verified, and update it through review",
		PodKinds(), func(o *governance.Object) []governance.Violation {
			return modelServingContainers(cl, o, allContainers, func(what string, ref containerRef) []governance.Violation {
				if HasSHA256Digest(ref.c.Image) {
					return nil
				}
				problem := "is not pinned by @sha256 digest"
				if strings.Contains(ref.c.Image, "@") {
					problem = "has a malformed digest (want @sha256: and 64 lower-case hex digits)"
				}
				return []governance.Violation{{Path: ref.path() + ".image",
					Message: fmt.Sprintf("%s: %s image %q %s", what, ref.desc(), ref.c.Image, problem)}}
			})
		})
	check.Admission = modelImageDigestAdmission()
	return check, nil
}

// sha256DigestRegexp matches the images HasSHA256Digest accepts: the
// first "@" is followed by exactly "sha256:" and 64 lower-case hex digits.
const sha256DigestRegexp = `^[^@]*@sha256:[0-9a-f]{64}$`

// modelImageDigestAdmission classifies the object in CEL (the variables
// of aiClassAdmissionVariables) and, for a model server, denies any
// container, init container or ephemeral container whose image is not
// pinned by digest.
func modelImageDigestAdmission() *governance.Admission {
	unpinned := `!c.?image.orValue("").matches(` + governance.CELString(sha256DigestRegexp) + `)`
	return &governance.Admission{
		Rules:     governance.PodAdmissionRules(),
		Variables: aiClassAdmissionVariables(false),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `!(variables.` + varAIClass + ` in ` + modelServingClassesCEL() + `) || !variables.` + governance.VarAllContainers + `.exists(c, ` + unpinned + `)`,
			Message:    "images of inference servers and embedding services must be pinned by @sha256 digest",
			MessageExpression: `variables.` + varAIClass + ` + " " + object.kind + " \"" + object.metadata.name + "\": containers " + ` +
				governance.CELQuotedNames("variables."+governance.VarAllContainers, unpinned) + ` + " are not pinned by @sha256 digest"`,
		}},
		Operators: modelImageDigestOperatorsAdmission(unpinned),
	}
}

// modelImageDigestOperatorsAdmission is the policy over the AI operators'
// resources: each pod template classified as a model server
// (operatorServingAdmissionVariables) must not hold a container, init
// container or ephemeral container whose image is not pinned by digest,
// nor a model server head's autoscaler whose image (autoscalerOptions'
// or the Ray container's) is not. A KServe model is judged on the image
// it writes (an image it leaves out
// comes from its ServingRuntime, which has its own policy), as in the Go
// check.
func modelImageDigestOperatorsAdmission(unpinned string) *governance.Admission {
	containers := governance.CELContainersOf("t", true)
	a := governance.WithOperatorModels(&governance.Admission{Variables: operatorServingAdmissionVariables()},
		`m.?image.orValue("") != "" ? `+governance.CELModelContainer(`"image": dyn(m.image)`)+` : []`)
	autoscalerUnpinned := `!img.matches(` + governance.CELString(sha256DigestRegexp) + `)`
	a.Operators.Validations = []admissionregistrationv1.Validation{{
		Expression: `!variables.` + varServingSpecs + `.exists(t, (` + containers + `).exists(c, ` + unpinned + `)) && ` +
			`!variables.` + varServingAutoscalerImages + `.exists(img, ` + autoscalerUnpinned + `)`,
		Message: "images of inference servers and embedding services must be pinned by @sha256 digest",
		MessageExpression: `object.kind + " \"" + object.metadata.name + "\": containers " + (variables.` + varServingSpecs + `.map(t, ` + governance.CELQuotedNames(`(`+containers+`)`, unpinned) + `) + ` +
			servingAutoscalerNamesCEL(autoscalerUnpinned) + `).filter(n, n != "").join(", ") + ` +
			`" of its inference servers and embedding services are not pinned by @sha256 digest"`,
	}}
	return a.Operators
}
