package secrets

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// ExposureFact is who can read each Secret of a pass's inventory
// (Exposure over rbac.GraphFact), computed once per run.
var ExposureFact = governance.NewFact("secrets.Exposure", func(p *governance.Pass) []SecretExposure {
	return Exposure(p.Inventory, rbac.GraphFact.Of(p))
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
