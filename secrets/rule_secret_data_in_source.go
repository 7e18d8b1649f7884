// secret-data-in-source finds Secret manifests meant for git that carry
// data: base64 is an encoding, not encryption, so the values are in the
// repository. It runs in the source origin only, reads a Secret's data and
// reports the field "data" when at least one value is valid base64 and not
// empty (values that are not base64 are secret-data-invalid-base64's).

package secrets

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDDataInSource is the ID of the secret-data-in-source rule.
const IDDataInSource = "secret-data-in-source"

func dataInSourceRule() Rule {
	return Rule{
		ID:          IDDataInSource,
		Severity:    sevMedium,
		Default:     true,
		Description: "A Secret manifest in source carries base64 data.",
		Remediation: "keep the Secret out of git: an ExternalSecret (External Secrets Operator), a SealedSecret or a SOPS-encrypted file",
		Object:      checkDataInSource,
		AdmissionNote: "no VAP: the rule judges where a manifest lives (a Secret in a repository, origin source), not the object: at admission every " +
			"Secret carries data (stringData is merged into it before admission), and one applied from a repository is " +
			"indistinguishable from one a controller writes (External Secrets, cert-manager, the token controller): a policy " +
			"would refuse every Secret with data",
	}
}

func checkDataInSource(c *Context, o *governance.Object) []Finding {
	s, ok := o.Obj.(*corev1.Secret)
	if !ok || c.Origin != OriginSource {
		return nil
	}
	n := 0
	for k, v := range s.Data {
		if len(v) > 0 && !slices.Contains(o.InvalidBase64Keys, k) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return []Finding{{Path: "data",
		Message: fmt.Sprintf("the Secret manifest carries data (%d base64 value(s), readable by anyone with the repository)", n)}}
}
