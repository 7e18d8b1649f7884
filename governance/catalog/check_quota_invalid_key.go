// quota-invalid-key wraps quota.QuotaInvalidKey() as a catalog check:
// ResourceQuota keys the apiserver refuses (not a standard resource and no
// domain, e.g. limits.gpu), so the whole ResourceQuota is rejected and the
// namespace has no quota at all. The evaluation is package quota's, with the
// admission-exact key validation it proves against kube-apiserver; the
// catalog adds the definition, controls and the Default set.

package catalog

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// IDQuotaInvalidKey is the catalog ID of the quota-invalid-key check.
const IDQuotaInvalidKey = "quota-invalid-key"

func quotaInvalidKeyDefinition() governance.Definition {
	c := quota.QuotaInvalidKey()
	return governance.Definition{
		ID: IDQuotaInvalidKey, Description: c.Description, Severity: c.Severity,
		Kinds: []string{"ResourceQuotas"},
		New:   NewQuotaInvalidKey,
	}
}

// NewQuotaInvalidKey builds the quota-invalid-key check (quota.QuotaInvalidKey). It takes no parameters.
func NewQuotaInvalidKey(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	c := quota.QuotaInvalidKey()
	c.Object = mergeSamePath(c.Object)
	return c, nil
}

// mergeSamePath joins the violations an object check reports at one path
// into one (the apiserver gives two validation errors for a key such as
// limits.gpu; one finding per field reads better and baselines stay stable).
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
