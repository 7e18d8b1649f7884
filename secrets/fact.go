package secrets

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// ExposureFact is who can read each provider-key Secret
// (ProviderKeySecrets) of a pass's inventory (Exposure over
// rbac.GraphFact, sorted as Exposure sorts), computed once per run. The
// checks and the exposure table report on provider keys only: asking
// about every Secret would cost, on a platform of 20,000 Secrets and 100
// cluster admins, several GiB of answers no check reads. Exposure gives
// every Secret.
var ExposureFact = governance.NewFact("secrets.Exposure", func(p *governance.Pass) []SecretExposure {
	keys := ProviderKeySecrets(p.Inventory)
	if len(keys) == 0 {
		return nil
	}
	return exposure(p.Inventory, rbac.GraphFact.Of(p), func(namespace, name string) bool {
		_, ok := keys[[2]string{namespace, name}]
		return ok
	})
}, rbac.GraphFact)

// The scans of the default rules, one per origin.
var (
	sourceScanFact  = newScanFact(OriginSource)
	clusterScanFact = newScanFact(OriginCluster)
)

// ScanFact is the findings of the default rules (a Scanner of Config{})
// over a pass's inventory read as origin, computed once per run: the
// checks of the default rules (Checks) each report their own rule's
// findings of one shared scan, since the scanner's "most specific rule at
// one field path" choice needs every value rule at once. An origin other
// than OriginCluster is OriginSource, as Scan reads it.
func ScanFact(origin Origin) *governance.Fact[[]Finding] {
	if origin == OriginCluster {
		return clusterScanFact
	}
	return sourceScanFact
}

func newScanFact(origin Origin) *governance.Fact[[]Finding] {
	return governance.NewFact("secrets.Scan("+origin.String()+")", func(p *governance.Pass) []Finding {
		s, err := NewScanner(Config{})
		if err != nil { // the default rules and detectors are valid
			return nil
		}
		return s.Scan(p.Inventory, origin)
	})
}
