// secret-data-invalid-base64 finds Secret data values that are not padded
// standard base64 (line breaks are allowed, spaces are not): the
// kube-apiserver refuses such a Secret ("illegal base64 data at input
// byte N"), and the usual cause is a plain-text secret pasted under data
// instead of stringData. The loader keeps such values as raw text and lists
// their keys (governance.Object.InvalidBase64Keys); the rule reports each
// as data[KEY], in both origins.

package secrets

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDDataInvalidBase64 is the ID of the secret-data-invalid-base64 rule.
const IDDataInvalidBase64 = "secret-data-invalid-base64"

func dataInvalidBase64Rule() Rule {
	return Rule{
		ID:          IDDataInvalidBase64,
		Severity:    sevHigh,
		Default:     true,
		Description: "A Secret data value is not valid padded standard base64; the apiserver refuses the Secret.",
		Remediation: "base64-encode the value (or move it to stringData only if it may be in plain text, which in git it may not)",
		Object:      checkDataInvalidBase64,
		AdmissionNote: "no VAP: the kube-apiserver refuses such a Secret itself before admission: decoding the request's data " +
			"(base64.StdEncoding in sigs.k8s.io/json) fails with \"illegal base64 data at input byte N\" (400 Bad Request); " +
			"offline the loader keeps the raw text, which a policy would see re-encoded as valid base64",
	}
}

func checkDataInvalidBase64(_ *Context, o *governance.Object) []Finding {
	if _, ok := o.Obj.(*corev1.Secret); !ok {
		return nil
	}
	var out []Finding
	for _, k := range o.InvalidBase64Keys {
		out = append(out, Finding{Path: KeyPath("data", k),
			Message: "data value is not valid padded standard base64 (plain text under data?)"})
	}
	return out
}
