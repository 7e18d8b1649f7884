package quota

import (
	"fmt"
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// QuotaInvalidKey (quota-invalid-key) reports a ResourceQuota the
// kube-apiserver refuses to store: a slash-less key that is not a standard
// quota name (limits.gpu, gpu, requests.gpu), a fractional or negative
// quantity, or a key its scopes do not allow. The quota never exists in the
// cluster, so the namespace it was meant to cap is uncapped; the message is
// the apiserver's and the remediation names the key meant. The apiserver's
// errors about one field are joined into one violation (it gives two for a
// key such as limits.gpu): one finding per field, stable in baselines.
// Its ValidatingAdmissionPolicy repeats the key rule (a key without a
// slash must be a standard quota name), so that the policy's offline
// evaluation (aigov vap test) and its audit show what the apiserver will
// refuse; in a cluster the apiserver's own validation refuses such a quota
// before admission policies run.
func QuotaInvalidKey() governance.Definition {
	d := definition(newQuotaInvalidKey, "ResourceQuotas")
	d.AdmissionNote = "VAP repeats only the key rule (a key without a slash must be a standard quota name), for offline " +
		"evaluation: in a cluster the apiserver's own validation refuses every quota this check reports before admission " +
		"policies run, invalid quantities, scopes and qualified names (which the VAP leaves out) included"
	return d
}

func newQuotaInvalidKey() governance.Check {
	return governance.Check{
		ID:          "quota-invalid-key",
		Description: "ResourceQuota the apiserver refuses (invalid key, quantity or scope): the namespace stays uncapped",
		Severity:    governance.SeverityHigh,
		Remediation: "limit extended resources as requests.<name>, e.g. requests.nvidia.com/gpu",
		Kinds:       []schema.GroupKind{resourceQuotaKind},
		Object: mergeSamePath(func(o *governance.Object) []governance.Violation {
			rq, ok := o.Obj.(*corev1.ResourceQuota)
			if !ok {
				return nil
			}
			var out []governance.Violation
			for _, e := range ValidateQuota(rq) {
				msg := e.Error()
				if k, isKey := keyOfPath(rq, e.Field); isKey {
					if _, _, fix := ClassifyKey(k); fix != "" {
						msg = fmt.Sprintf("%s (use %s)", msg, fix)
					}
				}
				out = append(out, governance.Violation{Path: e.Field, Message: msg})
			}
			return out
		}),
		Admission: quotaInvalidKeyAdmission(),
	}
}

// quotaInvalidKeyAdmission denies a ResourceQuota with a key that has no
// slash and is not a standard quota name (standardQuotaKeys, or a
// hugepages key): limits.gpu, gpu.
func quotaInvalidKeyAdmission() *governance.Admission {
	var std []string
	for k := range standardQuotaKeys {
		std = append(std, string(k))
	}
	slices.Sort(std)
	invalid := `!k.contains("/") && !(k in ` + governance.CELStringList(std) + `) && !k.startsWith(` +
		governance.CELString(hugePagesPrefix) + `) && !k.startsWith(` + governance.CELString(requestsHugePages) + `)`
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"resourcequotas"})},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `!object.spec.?hard.orValue({}).exists(k, ` + invalid + `)`,
			Message:    "ResourceQuota keys without a slash must be standard quota names; extended resources are limited as requests.<name>",
			MessageExpression: `"keys " + object.spec.hard.filter(k, ` + invalid + `).map(k, "\"" + k + "\"").join(", ") + ` +
				`" are not standard quota names: the apiserver refuses the quota; extended resources are limited as requests.<name>"`,
		}},
	}
}

// mergeSamePath joins the violations an object check reports at one path
// into one, their messages separated by "; ".
func mergeSamePath(check func(*governance.Object) []governance.Violation) func(*governance.Object) []governance.Violation {
	return func(o *governance.Object) []governance.Violation {
		var out []governance.Violation
		at := map[string]int{}
		for _, v := range check(o) {
			if i, seen := at[v.Path]; seen {
				out[i].Message += "; " + v.Message
				continue
			}
			at[v.Path] = len(out)
			out = append(out, v)
		}
		return out
	}
}

// keyOfPath finds the hard key a "spec.hard[KEY]" error path names.
func keyOfPath(rq *corev1.ResourceQuota, path string) (corev1.ResourceName, bool) {
	for k := range rq.Spec.Hard {
		if path == "spec.hard["+string(k)+"]" {
			return k, true
		}
	}
	return "", false
}
