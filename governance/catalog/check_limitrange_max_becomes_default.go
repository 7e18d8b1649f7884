// limitrange-max-becomes-default wraps quota.LimitRangeMaxBecomesDefault()
// as a catalog check: a LimitRange Container item whose max is also its
// default limit, most often because max was set without default and the
// apiserver copied it, so every container that states nothing for the
// resource gets limit and request = max (for GPUs: max GPUs to every
// container). The evaluation is package quota's; the catalog adds the
// definition, controls and the Default set.

package catalog

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// IDLimitRangeMaxBecomesDefault is the catalog ID of the limitrange-max-becomes-default check.
const IDLimitRangeMaxBecomesDefault = "limitrange-max-becomes-default"

func limitRangeMaxBecomesDefaultDefinition() governance.Definition {
	c := quota.LimitRangeMaxBecomesDefault()
	return governance.Definition{
		ID: IDLimitRangeMaxBecomesDefault, Description: c.Description, Severity: c.Severity,
		Kinds: []string{"LimitRanges"},
		New:   NewLimitRangeMaxBecomesDefault,
	}
}

// NewLimitRangeMaxBecomesDefault builds the limitrange-max-becomes-default check (quota.LimitRangeMaxBecomesDefault). It takes no parameters.
func NewLimitRangeMaxBecomesDefault(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return quota.LimitRangeMaxBecomesDefault(), nil
}
