package secrets

import (
	"fmt"

	"github.com/aigov/aigov/governance"
)

// Config configures a Scanner.
type Config struct {
	// Rules to run; nil means DefaultRules().
	Rules []Rule
	// Detectors of provider keys; nil means Detectors().
	Detectors []Detector
}

// Scanner runs a fixed set of rules and detectors over inventories. It is
// immutable after construction and safe for concurrent use.
type Scanner struct {
	rules     []Rule
	detectors *DetectorSet
}

// NewScanner validates the configuration once: every rule well-formed, no
// rule ID twice, every detector valid.
func NewScanner(cfg Config) (*Scanner, error) {
	rules := cfg.Rules
	if rules == nil {
		rules = DefaultRules()
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, err
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("rule %s is listed twice", r.ID)
		}
		seen[r.ID] = true
	}
	detectors := cfg.Detectors
	if detectors == nil {
		detectors = Detectors()
	}
	set, err := NewDetectorSet(detectors)
	if err != nil {
		return nil, err
	}
	return &Scanner{rules: append([]Rule(nil), rules...), detectors: set}, nil
}

// Rules returns the scanner's rules in order.
func (s *Scanner) Rules() []Rule { return append([]Rule(nil), s.rules...) }

// Scan runs every rule over every object of inv and returns the findings
// sorted by severity (most severe first), then object, path and rule. At one
// field path only the most specific of secret-private-key-material,
// secret-in-last-applied-annotation, secret-literal-provider-key,
// secret-url-credentials and secret-literal-sensitive-name is reported. An
// origin other than OriginCluster is treated as OriginSource.
func (s *Scanner) Scan(inv *governance.Inventory, origin Origin) []Finding {
	if !origin.valid() {
		origin = OriginSource
	}
	c := &Context{Origin: origin, Inventory: inv, Detectors: s.detectors}
	var out []Finding
	hasValueRules := false
	for _, r := range s.rules {
		hasValueRules = hasValueRules || r.Value != nil
	}
	for _, o := range inv.Objects() {
		var fs []Finding
		if hasValueRules {
			c.values = Values(o, origin)
		}
		for _, r := range s.rules {
			if r.Value != nil {
				for _, v := range c.values {
					fs = appendStamped(fs, r, o, r.Value(c, v))
				}
				continue
			}
			fs = appendStamped(fs, r, o, r.Object(c, o))
		}
		out = append(out, mostSpecific(fs)...)
	}
	c.values = nil
	sortFindings(out)
	return out
}

// ScanObject runs the rules over one object (with inv, which may be nil,
// for ServiceAccount and workload lookups), unsorted.
func (s *Scanner) ScanObject(inv *governance.Inventory, o *governance.Object, origin Origin) []Finding {
	if !origin.valid() {
		origin = OriginSource
	}
	c := &Context{Origin: origin, Inventory: inv, Detectors: s.detectors, values: Values(o, origin)}
	var fs []Finding
	for _, r := range s.rules {
		if r.Value != nil {
			for _, v := range c.values {
				fs = appendStamped(fs, r, o, r.Value(c, v))
			}
			continue
		}
		fs = appendStamped(fs, r, o, r.Object(c, o))
	}
	out := mostSpecific(fs)
	sortFindings(out)
	return out
}

func appendStamped(dst []Finding, r Rule, o *governance.Object, fs []Finding) []Finding {
	for _, f := range fs {
		if f.Rule == "" {
			f.Rule = r.ID
			f.Severity = r.Severity
		}
		if f.Object.Kind == "" {
			f.Object = o.Ref()
		}
		if f.Remediation == "" {
			f.Remediation = r.Remediation
		}
		dst = append(dst, f)
	}
	return dst
}

// specificity ranks the rules that compete for one field path: lower is
// more specific; 0 means the rule does not compete.
func specificity(rule string) int {
	switch rule {
	case IDPrivateKeyMaterial:
		return 1
	case IDInLastAppliedAnnotation:
		return 2
	case IDLiteralProviderKey:
		return 3
	case IDURLCredentials:
		return 4
	case IDLiteralSensitiveName:
		return 5
	}
	return 0
}

// mostSpecific drops, at each path of one object, competing findings less
// specific than the best one there, and exact duplicates.
func mostSpecific(fs []Finding) []Finding {
	if len(fs) < 2 {
		return fs
	}
	best := map[string]int{}
	for _, f := range fs {
		if r := specificity(f.Rule); r > 0 {
			if b, ok := best[f.Path]; !ok || r < b {
				best[f.Path] = r
			}
		}
	}
	type key struct{ rule, path string }
	seen := map[key]bool{}
	out := fs[:0]
	for _, f := range fs {
		if r := specificity(f.Rule); r > 0 && r != best[f.Path] {
			continue
		}
		k := key{f.Rule, f.Path}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}
