// invalid-resource-quantity wraps quota.InvalidResourceQuantity() as a
// catalog check: a negative request, limit, pod-level resource or overhead
// of a Pod or workload template, a negative device count of a
// ResourceClaim or ResourceClaimTemplate, a negative PVC storage request,
// or a LimitRange value that hands pods a negative quantity. The apiserver
// refuses such objects (or the pods the LimitRange applies to); quota
// charges them nothing, since a negative charge would lower a namespace's
// usage and let more in. The evaluation is package quota's, with the
// apiserver's messages it proves against kube-apiserver; the catalog adds
// the definition, controls and the Default set.

package catalog

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// IDInvalidResourceQuantity is the catalog ID of the invalid-resource-quantity check.
const IDInvalidResourceQuantity = "invalid-resource-quantity"

func invalidResourceQuantityDefinition() governance.Definition {
	c := quota.InvalidResourceQuantity()
	return governance.Definition{
		ID: IDInvalidResourceQuantity, Description: c.Description, Severity: c.Severity,
		Kinds: []string{PodsAndWorkloads, "PersistentVolumeClaims", "LimitRanges", "ResourceClaims", "ResourceClaimTemplates"},
		New:   NewInvalidResourceQuantity,
	}
}

// NewInvalidResourceQuantity builds the invalid-resource-quantity check (quota.InvalidResourceQuantity). It takes no parameters.
func NewInvalidResourceQuantity(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return quota.InvalidResourceQuantity(), nil
}
