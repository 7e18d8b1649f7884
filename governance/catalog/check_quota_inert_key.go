// quota-inert-key wraps quota.QuotaInertKey() as a catalog check:
// ResourceQuota keys the apiserver stores but never tracks (nvidia.com/gpu or
// limits.nvidia.com/gpu instead of requests.nvidia.com/gpu), so the quota
// looks like a cap and caps nothing. The evaluation is package quota's, with
// the admission-exact key classification it proves against kube-apiserver;
// the catalog adds the definition, controls and the Default set.

package catalog

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// IDQuotaInertKey is the catalog ID of the quota-inert-key check.
const IDQuotaInertKey = "quota-inert-key"

func quotaInertKeyDefinition() governance.Definition {
	c := quota.QuotaInertKey()
	return governance.Definition{
		ID: IDQuotaInertKey, Description: c.Description, Severity: c.Severity,
		Kinds: []string{"ResourceQuotas"},
		New:   NewQuotaInertKey,
	}
}

// NewQuotaInertKey builds the quota-inert-key check (quota.QuotaInertKey). It takes no parameters.
func NewQuotaInertKey(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return quota.QuotaInertKey(), nil
}
