package quota

import (
	"fmt"
	"strconv"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// QuotaInertKey (quota-inert-key) reports a ResourceQuota key the
// apiserver stores but no quota evaluator tracks: nvidia.com/gpu or
// limits.nvidia.com/gpu instead of requests.nvidia.com/gpu. The quota
// looks like a cap in `kubectl get quota` and caps nothing; status.used
// never gets an entry for the key. Its ValidatingAdmissionPolicy denies
// such a quota at admission. (quota-invalid-key has none: it reports what
// the apiserver's own validation refuses.)
func QuotaInertKey() governance.Definition {
	return definition(newQuotaInertKey, "ResourceQuotas")
}

func newQuotaInertKey() governance.Check {
	return governance.Check{
		ID:          "quota-inert-key",
		Description: "ResourceQuota key that is stored but never enforced",
		Severity:    governance.SeverityHigh,
		Remediation: "extended resources are limited only as requests.<name>, e.g. requests.nvidia.com/gpu",
		Kinds:       []schema.GroupKind{resourceQuotaKind},
		Object: func(o *governance.Object) []governance.Violation {
			rq, ok := o.Obj.(*corev1.ResourceQuota)
			if !ok || len(ValidateQuota(rq)) > 0 {
				return nil
			}
			var out []governance.Violation
			for _, k := range sortedKeys(rq.Spec.Hard) {
				class, reason, fix := ClassifyKey(k)
				if class != KeyInert {
					continue
				}
				msg := fmt.Sprintf("key %s is never enforced: %s", k, reason)
				if fix != "" {
					msg += fmt.Sprintf(" (use %s)", fix)
				}
				out = append(out, governance.Violation{Path: "spec.hard[" + string(k) + "]", Message: msg})
			}
			return out
		},
		Admission: quotaInertKeyAdmission(),
	}
}

// quotaInertKeyAdmission denies a ResourceQuota holding a key ClassifyKey
// calls inert. The apiserver validates a ResourceQuota before validating
// admission, so the policy sees only quotas ValidateQuota accepts (the Go
// check's precondition), whose keys are qualified names: a key with a
// slash is inert unless an evaluator tracks it.
func quotaInertKeyAdmission() *governance.Admission {
	infix := governance.CELString(storageClassInfix)
	storageRest := `k.substring(k.indexOf(` + infix + `) + ` + strconv.Itoa(len(storageClassInfix)) + `)`
	enforced := `(k.startsWith(` + governance.CELString(requestsPrefix) + `) && (!k.contains(` + governance.CELString(kubernetesIOInfix) + `) || k.startsWith(` + governance.CELString(implicitDeviceClass) + `)))` +
		` || k.startsWith(` + governance.CELString(countPrefix) + `)` +
		` || k.endsWith(` + governance.CELString(deviceClassSuffix) + `)` +
		` || (k.indexOf(` + infix + `) > 0 && ` + storageRest + ` in ` + governance.CELStringList([]string{string(corev1.ResourceRequestsStorage), string(corev1.ResourcePersistentVolumeClaims)}) + `)`
	inert := `k.contains("/") && !(` + enforced + `)`
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"resourcequotas"})},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `!object.spec.?hard.orValue({}).exists(k, ` + inert + `)`,
			Message:    "ResourceQuota keys must be enforced by a quota evaluator; extended resources are limited only as requests.<name>",
			MessageExpression: `"keys " + object.spec.hard.filter(k, ` + inert + `).map(k, "\"" + k + "\"").join(", ") + ` +
				`" are never enforced: no quota evaluator tracks them; extended resources are limited only as requests.<name>"`,
		}},
	}
}
