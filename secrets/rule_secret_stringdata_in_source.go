// secret-stringdata-in-source finds Secret manifests meant for git that
// carry stringData: the values are plain text in the repository (and
// client-side kubectl apply copies them into the last-applied annotation).
// It runs in the source origin only (a cluster never returns stringData),
// reads a Secret's stringData and reports the field "stringData" when it
// has any key, placeholders included: the manifest is the wrong place even
// before the real value arrives.

package secrets

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDStringDataInSource is the ID of the secret-stringdata-in-source rule.
const IDStringDataInSource = "secret-stringdata-in-source"

func stringDataInSourceRule() Rule {
	return Rule{
		ID:          IDStringDataInSource,
		Severity:    sevHigh,
		Default:     true,
		Description: "A Secret manifest in source carries stringData.",
		Remediation: "keep the Secret out of git: an ExternalSecret (External Secrets Operator), a SealedSecret or a SOPS-encrypted file",
		Object:      checkStringDataInSource,
		AdmissionNote: "no VAP: stringData is write-only: the kube-apiserver merges it into data when it decodes the request " +
			"(Convert_v1_Secret_To_core_Secret, pkg/apis/core/v1), before admission, so a policy sees the Secret without stringData " +
			"and cannot tell it from one written with data; the rule judges manifests in source, which is the scan's " +
			"(secret-in-last-applied-annotation's policy refuses the stringData that client-side kubectl apply copies into its annotation)",
	}
}

func checkStringDataInSource(c *Context, o *governance.Object) []Finding {
	s, ok := o.Obj.(*corev1.Secret)
	if !ok || c.Origin != OriginSource || len(s.StringData) == 0 {
		return nil
	}
	return []Finding{{Path: "stringData",
		Message: fmt.Sprintf("the Secret manifest carries stringData (%d key(s)) in plain text", len(s.StringData))}}
}
