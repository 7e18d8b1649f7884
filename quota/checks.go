package quota

import (
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

var resourceQuotaKind = schema.GroupKind{Kind: "ResourceQuota"}

// LedgerFact is the inventory's quota Ledger, built once per run for the
// GPU checks that read it (gpu-without-quota, gpu-request-limit-mismatch,
// gpu-above-limitrange-max), with time-dependent rules at the Unix epoch
// so that a report does not change with the clock; nil when the
// inventory cannot have one.
var LedgerFact = governance.NewFact("quota.Ledger", func(p *governance.Pass) *Ledger {
	l, err := NewLedger(p.Inventory, Options{Now: time.Unix(0, 0)})
	if err != nil {
		return nil
	}
	return l
})

// ledgerCheck is the Inventory function of a check that reads the
// LedgerFact: findings of the ledger, none without one.
func ledgerCheck(findings func(*Ledger) []governance.Finding) func(*governance.Pass) []governance.Finding {
	return func(pass *governance.Pass) []governance.Finding {
		l := LedgerFact.Of(pass)
		if l == nil {
			return nil
		}
		return findings(l)
	}
}

// Checks returns the quota checks as governance definitions (fresh values
// each call): ResourceQuota keys the apiserver refuses or never enforces,
// GPU workloads no quota caps, LimitRange pitfalls and negative
// quantities. They run in Go only: no ValidatingAdmissionPolicy can see a
// whole namespace. None takes parameters.
func Checks() []governance.Definition {
	return []governance.Definition{QuotaInvalidKey(), QuotaInertKey(), GPUWithoutQuota(),
		GPURequestLimitMismatch(), GPUAboveLimitRangeMax(), LimitRangeMaxBecomesDefault(), InvalidResourceQuantity()}
}

// definition is the Definition of a check without parameters: the ID,
// description and severity are those of the check build returns, kinds
// name what it judges (for people).
func definition(build func() governance.Check, kinds ...string) governance.Definition {
	c := build()
	return governance.Definition{
		ID: c.ID, Description: c.Description, Severity: c.Severity, Kinds: kinds, Requires: c.Requires,
		VAP: c.Admission != nil,
		New: func(params any) (governance.Check, error) {
			if err := governance.NoParams(params); err != nil {
				return governance.Check{}, err
			}
			return build(), nil
		},
	}
}
