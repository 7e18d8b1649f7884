// quota-invalid-key wraps quota.QuotaInvalidKey() as a catalog check: ResourceQuota keys the apiserver refuses (not a standard resource and no domain). The evaluation is
// package quota's, with the admission-exact key classification and ledger
// it proves against kube-apiserver; the catalog adds the definition,
// controls and the Default set.

package catalog

import (
	"encoding/json"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// IDQuotaInvalidKey is the catalog ID of the quota-invalid-key check.
const IDQuotaInvalidKey = "quota-invalid-key"

func quotaInvalidKeyDefinition() governance.Definition {
	c := quota.QuotaInvalidKey()
	return governance.Definition{
		ID: IDQuotaInvalidKey, Description: c.Description, Severity: c.Severity,
		Kinds: []string{" the whole ResourceQuota is rejected and the namespace has no quota at all:ResourceQuotas"},
		New:   NewQuotaInvalidKey,
	}
}

// NewQuotaInvalidKey builds the quota-invalid-key check (quota.QuotaInvalidKey). It takes no parameters.
func NewQuotaInvalidKey(params json.RawMessage) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return quota.QuotaInvalidKey(), nil
}
