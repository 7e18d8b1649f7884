package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aigov/aigov/governance"
)

// SARIF constants.
const (
	// SARIFSchema is the $schema every SARIF log names.
	SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"
	// SARIFVersion is the SARIF version written.
	SARIFVersion = "2.1.0"
	// SARIFSourceRoot is the uriBaseId of relative artifact paths: the
	// directory aigov ran in (code-scanning uploads resolve it to the
	// repository root).
	SARIFSourceRoot = "%SRCROOT%"
	// SARIFFingerprint is the partialFingerprints key holding the SHA-256 of
	// the finding's identity (governance.Finding.Identity).
	SARIFFingerprint = "aigovFindingIdentity/v1"
)

// The SARIF 2.1.0 subset aigov writes. Field order follows the spec's.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
		Properties  sarifRunProps     `json:"properties"`
	}
	sarifRunProps struct {
		Objects int `json:"objects"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Version        string      `json:"version,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string          `json:"id"`
		Name                 string          `json:"name"`
		ShortDescription     sarifText       `json:"shortDescription"`
		FullDescription      sarifText       `json:"fullDescription"`
		Help                 sarifText       `json:"help"`
		DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
		Properties           sarifRuleProps  `json:"properties"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifRuleProps struct {
		SecuritySeverity string   `json:"security-severity"`
		Tags             []string `json:"tags"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level   string    `json:"level"`
		Message sarifText `json:"message"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		BaselineState       string            `json:"baselineState"`
		Properties          sarifResultProps  `json:"properties"`
	}
	sarifResultProps struct {
		Severity string `json:"severity"`
		Action   string `json:"action,omitempty"`
		// Affected and Example are governance.Finding's (the pods
		// folded into the result), left out when nothing was.
		Affected int    `json:"affected,omitempty"`
		Example  string `json:"example,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           *sarifRegion          `json:"region,omitempty"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogicalLocation struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
)

// WriteSARIF writes a SARIF 2.1.0 log with one run of the driver "aigov".
//
// Rules are the checks of the findings plus every definition in
// r.Definitions, sorted by ID. A finding of a named policy entry (a
// custom-cel rule "jobs-need-owner") gets its own rule
// "custom-cel/jobs-need-owner", as different entries check different
// things. A rule's level and security-severity come from the most severe of
// its findings (policy entries may override severities), else from its
// definition: critical 9.5, high 8.0, medium 5.5, low 3.0, info 1.0;
// critical and high are "error", medium "warning", low and info "note".
// Its help text is the remediation of its findings.
//
// Each result locates the finding's file (a relative path against
// %SRCROOT%, an absolute one as a file: URI; standard input has no
// physical location) and line, and logically the object
// ("Kind/namespace/name") and the field ("Kind/namespace/name:path").
// partialFingerprints holds a hash of the finding's identity, so results
// stay matched across edits; baselineState is "unchanged" for known
// findings and "new" for the others. The source's warnings are
// toolExecutionNotifications; run.properties.objects counts the objects
// loaded. A result's properties hold its severity and action and, for a
// finding that pods were folded into, affected (their number) and example
// ("Kind/name" of one of them).
func WriteSARIF(w io.Writer, r Report) error {
	return encodeJSON(w, buildSARIF(r))
}

func buildSARIF(r Report) sarifLog {
	fs := sortedFindings(r.Findings)
	rules, index := sarifRules(fs, r.Definitions)

	results := make([]sarifResult, 0, len(fs))
	for _, f := range fs {
		id := ruleID(f)
		msg := f.Message
		if msg == "" {
			msg = id
		}
		state := "new"
		if f.Known {
			state = "unchanged"
		}
		sum := sha256.Sum256([]byte(f.Identity()))
		res := sarifResult{
			RuleID:              id,
			RuleIndex:           index[id],
			Level:               sarifLevel(f.Severity),
			Message:             sarifText{Text: msg},
			Locations:           []sarifLocation{sarifLocationOf(f)},
			PartialFingerprints: map[string]string{SARIFFingerprint: hex.EncodeToString(sum[:])},
			BaselineState:       state,
			Properties: sarifResultProps{Severity: f.Severity.String(), Action: string(f.Action),
				Affected: f.Affected, Example: f.ExampleName()},
		}
		results = append(results, res)
	}

	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, warning := range r.Warnings {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: "warning", Message: sarifText{Text: warning}})
	}
	return sarifLog{
		Schema:  SARIFSchema,
		Version: SARIFVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: ToolName, InformationURI: InformationURI, Version: r.ToolVersion, Rules: rules,
			}},
			Invocations: []sarifInvocation{inv},
			Results:     results,
			Properties:  sarifRunProps{Objects: r.Objects},
		}},
	}
}

// ruleID is the SARIF rule of a finding: the check ID, or "check/name" for
// a named policy entry.
func ruleID(f governance.Finding) string {
	if f.Name == "" {
		return f.Check
	}
	return f.Check + "/" + f.Name
}

// sarifRules builds the sorted rules and the index of each rule ID.
func sarifRules(fs []governance.Finding, defs []governance.Definition) ([]sarifRule, map[string]int) {
	type info struct {
		check, name string
		def         *governance.Definition
		severity    governance.Severity
		found       bool
		remediation string
	}
	byCheck := map[string]*governance.Definition{}
	rules := map[string]*info{}
	for i := range defs {
		d := &defs[i]
		if _, dup := byCheck[d.ID]; !dup {
			byCheck[d.ID] = d
		}
		if _, ok := rules[d.ID]; !ok {
			rules[d.ID] = &info{check: d.ID, def: d, severity: d.Severity}
		}
	}
	for _, f := range fs {
		id := ruleID(f)
		in, ok := rules[id]
		if !ok {
			in = &info{check: f.Check, name: f.Name, def: byCheck[f.Check]}
			rules[id] = in
		}
		// Findings are sorted most severe first: the first one of a rule
		// carries its severity.
		if !in.found {
			in.found, in.severity = true, f.Severity
		}
		if in.remediation == "" {
			in.remediation = f.Remediation
		}
	}

	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]sarifRule, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		in := rules[id]
		index[id] = i
		desc := ""
		if in.def != nil {
			desc = strings.TrimSpace(in.def.Description)
		}
		if desc == "" {
			desc = "aigov check " + in.check + "."
		}
		short := desc
		name := in.check
		if in.name != "" {
			name = in.name
			short = in.name + " (" + in.check + "): " + desc
		}
		full := short
		if in.def != nil && len(in.def.Kinds) > 0 {
			full += " Applies to: " + strings.Join(in.def.Kinds, ", ") + "."
		}
		if in.def != nil && in.def.VAP {
			full += " Can also be enforced in admission as a generated ValidatingAdmissionPolicy."
		}
		help := in.remediation
		if help == "" {
			help = desc
		}
		out[i] = sarifRule{
			ID:                   id,
			Name:                 name,
			ShortDescription:     sarifText{Text: short},
			FullDescription:      sarifText{Text: full},
			Help:                 sarifText{Text: help},
			DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(in.severity)},
			Properties: sarifRuleProps{
				SecuritySeverity: securitySeverity(in.severity),
				Tags:             []string{"kubernetes", "security", "aigov"},
			},
		}
	}
	return out, index
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s governance.Severity) string {
	switch {
	case s >= governance.SeverityHigh:
		return "error"
	case s == governance.SeverityMedium:
		return "warning"
	default:
		return "note"
	}
}

// securitySeverity is the numeric "security-severity" code-scanning UIs
// rank by (GitHub: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9
// low).
func securitySeverity(s governance.Severity) string {
	switch {
	case s >= governance.SeverityCritical:
		return "9.5"
	case s == governance.SeverityHigh:
		return "8.0"
	case s == governance.SeverityMedium:
		return "5.5"
	case s == governance.SeverityLow:
		return "3.0"
	default:
		return "1.0"
	}
}

func sarifLocationOf(f governance.Finding) sarifLocation {
	obj := objectName(f.Object)
	loc := sarifLocation{LogicalLocations: []sarifLogicalLocation{
		{Name: f.Object.Name, FullyQualifiedName: obj, Kind: "resource"},
	}}
	if f.Path != "" {
		loc.LogicalLocations = append(loc.LogicalLocations,
			sarifLogicalLocation{Name: f.Path, FullyQualifiedName: obj + ":" + f.Path, Kind: "property"})
	}
	if art, ok := sarifArtifact(f.Object.Source.File); ok {
		loc.PhysicalLocation = &sarifPhysicalLocation{ArtifactLocation: art}
		if f.Object.Source.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Object.Source.Line}
		}
	}
	return loc
}

// sarifArtifact turns a source file into an artifact location: a URL (a
// live cluster's) as it is, an absolute path as a file: URI, a relative one
// as a forward-slash URI reference against %SRCROOT%. Standard input and
// findings without a file have none.
func sarifArtifact(file string) (sarifArtifactLocation, bool) {
	if file == "" || file == "-" {
		return sarifArtifactLocation{}, false
	}
	if strings.Contains(file, "://") {
		if u, err := url.Parse(file); err == nil && u.Scheme != "" {
			return sarifArtifactLocation{URI: u.String()}, true
		}
	}
	p := filepath.ToSlash(file)
	if isWindowsDrive(p) {
		p = "/" + p
	}
	if path.IsAbs(p) {
		return sarifArtifactLocation{URI: (&url.URL{Scheme: "file", Path: path.Clean(p)}).String()}, true
	}
	u := &url.URL{Path: path.Clean(p)}
	return sarifArtifactLocation{URI: u.String(), URIBaseID: SARIFSourceRoot}, true
}

// isWindowsDrive reports a "C:/..." path.
func isWindowsDrive(p string) bool {
	return len(p) >= 3 && p[1] == ':' && p[2] == '/' &&
		(('a' <= p[0] && p[0] <= 'z') || ('A' <= p[0] && p[0] <= 'Z'))
}
