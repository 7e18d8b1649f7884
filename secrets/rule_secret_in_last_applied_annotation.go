// secret-in-last-applied-annotation finds Secrets whose
// kubectl.kubernetes.io/last-applied-configuration annotation holds their
// data or stringData: client-side `kubectl apply` copies the whole applied
// manifest there, stringData included, so the values are readable by
// anyone who may get the Secret's metadata and survive a later rotation by
// other means. It reads the annotation of Secrets (JSON; text that does not
// parse is searched for "data"/"stringData" keys) and reports the
// annotation's path when data or stringData is a non-empty map. It is more
// specific than the provider-key rule at the same path.

package secrets

import (
	"encoding/json"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDInLastAppliedAnnotation is the ID of the
// secret-in-last-applied-annotation rule.
const IDInLastAppliedAnnotation = "secret-in-last-applied-annotation"

// LastAppliedAnnotation is kubectl's client-side apply annotation.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

func inLastAppliedAnnotationRule() Rule {
	return Rule{
		ID:          IDInLastAppliedAnnotation,
		Severity:    sevHigh,
		Default:     true,
		Description: "A Secret's last-applied-configuration annotation holds its data or stringData.",
		Remediation: "rotate the values; remove the annotation (kubectl apply view-last-applied / annotate ...-) and apply Secrets with --server-side or from an operator",
		Object:      checkInLastAppliedAnnotation,
	}
}

func checkInLastAppliedAnnotation(_ *Context, o *governance.Object) []Finding {
	if _, ok := o.Obj.(*corev1.Secret); !ok {
		return nil
	}
	text, ok := o.Meta().GetAnnotations()[LastAppliedAnnotation]
	if !ok {
		return nil
	}
	var applied struct {
		Data       map[string]any `json:"data"`
		StringData map[string]any `json:"stringData"`
	}
	var fields []string
	if err := json.Unmarshal([]byte(text), &applied); err == nil {
		if len(applied.Data) > 0 {
			fields = append(fields, "data")
		}
		if len(applied.StringData) > 0 {
			fields = append(fields, "stringData")
		}
	} else {
		for _, f := range []string{"data", "stringData"} {
			if strings.Contains(text, `"`+f+`"`) {
				fields = append(fields, f)
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return []Finding{{Path: "metadata.annotations[" + LastAppliedAnnotation + "]",
		Message: "the last-applied-configuration annotation holds the Secret's " + strings.Join(fields, " and ")}}
}
