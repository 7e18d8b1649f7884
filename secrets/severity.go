package secrets

import "github.com/aigov/aigov/governance"

// Short names of the severities the rules use.
const (
	sevInfo     = governance.SeverityInfo
	sevLow      = governance.SeverityLow
	sevMedium   = governance.SeverityMedium
	sevHigh     = governance.SeverityHigh
	sevCritical = governance.SeverityCritical
)
