package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aigov/aigov/governance"
)

// ToolName is the name aigov reports under: the SARIF driver name and the
// PolicyReport result source.
const ToolName = "aigov"

// InformationURI is where the SARIF driver points for information.
const InformationURI = "https://github.com/aigov/aigov"

// Report is what one run of checks produced: the input of every encoder.
// Encoders never modify it; they sort a copy of the findings with
// governance.SortFindings, so output is deterministic whatever the order of
// Findings.
type Report struct {
	// Findings are the run's findings; Known marks those in the baseline.
	Findings []governance.Finding
	// Objects is the number of objects loaded ("N objects loaded").
	Objects int
	// Warnings are non-fatal notes of the source (e.g. kinds a live cluster
	// did not let the run list).
	Warnings []string
	// Degraded lists the kinds a live cluster did not let the run read
	// (Inventory.Degraded): the findings may miss what they hold.
	Degraded []governance.Degradation
	// Definitions optionally documents checks: SARIF rules take their
	// descriptions and default severities from it, and every definition
	// given is listed as a SARIF rule even when it has no finding.
	Definitions []governance.Definition
	// ToolVersion is aigov's version, reported by SARIF ("" leaves it out).
	ToolVersion string
	// Time stamps PolicyReport results. The zero value means the time the
	// report is written; set it for reproducible output.
	Time time.Time
	// Overview, when set, opens the text report (header with counts, AI
	// assets, top risks, asset exposure) and adds "assets" to the JSON
	// report. Nil keeps both exactly as before.
	Overview *Overview
	// Groups, when set, replaces the text report's listing by severity:
	// each group (e.g. a team, a framework) is listed in order, its
	// findings most severe first, each tagged with its severity.
	Groups []Group
	// GroupBy names the grouping of Groups in the text report's heading.
	GroupBy GroupBy
}

// Format names an output format of `aigov check -o`.
type Format string

// The formats.
const (
	// FormatText is a human-readable listing grouped by severity.
	FormatText Format = "text"
	// FormatJSON is the stable {"schemaVersion":1,"findings":[...]} document
	// that baselines are made of.
	FormatJSON Format = "json"
	// FormatSARIF is a SARIF 2.1.0 log for code-scanning UIs.
	FormatSARIF Format = "sarif"
	// FormatPolicyReport is wgpolicyk8s.io/v1alpha2 PolicyReport and
	// ClusterPolicyReport objects as multi-document YAML.
	FormatPolicyReport Format = "report"
)

// Formats lists every format in the order the CLI documents them.
func Formats() []Format {
	return []Format{FormatText, FormatJSON, FormatSARIF, FormatPolicyReport}
}

// ParseFormat parses a format name case-insensitively; "" means text (the
// CLI's default).
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return FormatText, nil
	}
	for _, f := range Formats() {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	names := make([]string, 0, 4)
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown output format %q (want one of %s)", s, strings.Join(names, ", "))
}

// String returns the format's name.
func (f Format) String() string { return string(f) }

// Write encodes r in format f (parsed as ParseFormat does, so "" is text).
// Nothing is written when f is unknown.
func Write(w io.Writer, f Format, r Report) error {
	f, err := ParseFormat(string(f))
	if err != nil {
		return err
	}
	switch f {
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatSARIF:
		return WriteSARIF(w, r)
	case FormatPolicyReport:
		return WritePolicyReports(w, r)
	default:
		return WriteText(w, r)
	}
}

// sortedFindings returns a sorted copy: the caller's slice is left alone.
func sortedFindings(fs []governance.Finding) []governance.Finding {
	out := slices.Clone(fs)
	governance.SortFindings(out)
	return out
}

// severityCounts counts findings per severity (indexed by Severity) and the
// known ones.
func severityCounts(fs []governance.Finding) (counts [governance.SeverityCritical + 1]int, known int) {
	for _, f := range fs {
		if f.Severity >= governance.SeverityInfo && f.Severity <= governance.SeverityCritical {
			counts[f.Severity]++
		}
		if f.Known {
			known++
		}
	}
	return counts, known
}

// objectName renders "Kind/namespace/name", or "Kind/name" for
// cluster-scoped objects.
func objectName(r governance.ObjectRef) string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// isDeny reports whether a finding's action blocks: Deny, or no action at
// all (ParseAction reads "" as Deny).
func isDeny(a governance.Action) bool {
	return a == "" || strings.EqualFold(string(a), string(governance.ActionDeny))
}
