package governance

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Severity orders findings. The zero value is Info.
type Severity int

// Severities from least to most severe.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// String returns the lower-case name.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity parses a severity name case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, name := range severityNames {
		if strings.EqualFold(s, name) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

// MarshalText encodes the name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses the name case-insensitively.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Action is what enforcement does with a failing check; the words are those
// of a ValidatingAdmissionPolicyBinding's validationActions.
type Action string

// Actions. Audit is the gentle start of a rollout: findings are recorded but
// nothing is rejected.
const (
	ActionDeny  Action = "Deny"
	ActionWarn  Action = "Warn"
	ActionAudit Action = "Audit"
)

// ParseAction accepts Deny, Warn or Audit (case-insensitively); "" means Deny.
func ParseAction(s string) (Action, error) {
	for _, a := range []Action{ActionDeny, ActionWarn, ActionAudit} {
		if strings.EqualFold(s, string(a)) {
			return a, nil
		}
	}
	if s == "" {
		return ActionDeny, nil
	}
	return "", fmt.Errorf("unknown action %q (want Deny, Warn or Audit)", s)
}

// ObjectRef names the object a finding is about and where it was read.
type ObjectRef struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	Source     Source `json:"source,omitzero"`
}

// String renders "Kind/name" (the form of the JSON "object" field).
func (r ObjectRef) String() string { return r.Kind + "/" + r.Name }

// Finding is one result of a check on one object.
type Finding struct {
	// Check is the catalog ID, e.g. "privileged-container".
	Check string
	// Name is the policy entry's name where it has one (custom-cel rules).
	Name     string
	Severity Severity
	Action   Action
	Object   ObjectRef
	// Path is the field the finding is about, e.g.
	// "spec.template.spec.containers[0].image".
	Path        string
	Message     string
	Remediation string
	// Known is true when the finding is in the baseline.
	Known bool
	// Affected counts the pods folded into this finding: Pods read with
	// the object's workload (a Deployment's Pods, through its ReplicaSet
	// or not; a Job's; those of a custom resource) that have the same
	// finding on the same field of their own spec. They are not reported
	// separately. 0 when none were read, as for manifests.
	Affected int
	// Example is one of the folded objects (the first by name, a Pod
	// when there are any), in the finding's namespace; zero when nothing
	// was folded.
	Example ObjectRef
}

// findingJSON is the stable JSON shape of the design's `check -o json`.
type findingJSON struct {
	Check       string   `json:"check"`
	Name        string   `json:"name,omitempty"`
	Object      string   `json:"object"`
	APIVersion  string   `json:"apiVersion,omitempty"`
	Namespace   string   `json:"namespace"`
	Path        string   `json:"path"`
	Severity    Severity `json:"severity"`
	Action      Action   `json:"action,omitempty"`
	Message     string   `json:"message"`
	Remediation string   `json:"remediation,omitempty"`
	File        string   `json:"file,omitempty"`
	Line        int      `json:"line,omitempty"`
	Document    int      `json:"document,omitempty"`
	Known       bool     `json:"known"`
	// Affected and Example are Finding's, left out when nothing was
	// folded into the finding; Example is "Kind/name" like Object.
	Affected int    `json:"affected,omitempty"`
	Example  string `json:"example,omitempty"`
}

// MarshalJSON encodes the design's finding shape.
func (f Finding) MarshalJSON() ([]byte, error) {
	return json.Marshal(findingJSON{
		Check: f.Check, Name: f.Name, Object: f.Object.String(), APIVersion: f.Object.APIVersion,
		Namespace: f.Object.Namespace, Path: f.Path, Severity: f.Severity, Action: f.Action,
		Message: f.Message, Remediation: f.Remediation, File: f.Object.Source.File,
		Line: f.Object.Source.Line, Document: f.Object.Source.Document, Known: f.Known,
		Affected: f.Affected, Example: f.ExampleName(),
	})
}

// UnmarshalJSON decodes the design's finding shape (baselines are earlier
// JSON reports).
func (f *Finding) UnmarshalJSON(b []byte) error {
	var j findingJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	kind, name, _ := strings.Cut(j.Object, "/")
	*f = Finding{
		Check: j.Check, Name: j.Name, Severity: j.Severity, Action: j.Action,
		Object: ObjectRef{APIVersion: j.APIVersion, Kind: kind, Name: name, Namespace: j.Namespace,
			Source: Source{File: j.File, Line: j.Line, Document: j.Document, Item: -1}},
		Path: j.Path, Message: j.Message, Remediation: j.Remediation, Known: j.Known,
		Affected: j.Affected,
	}
	if ekind, ename, ok := strings.Cut(j.Example, "/"); ok {
		f.Example = ObjectRef{Kind: ekind, Namespace: j.Namespace, Name: ename, Source: Source{Item: -1}}
	}
	return nil
}

// ExampleName is what reports show of Example: "Kind/name" (in the
// finding's namespace), or "" when nothing was folded.
func (f Finding) ExampleName() string {
	if f.Example.Kind == "" && f.Example.Name == "" {
		return ""
	}
	return f.Example.String()
}

// FoldedText is what reports append to a finding's message for the pods
// folded into it: " (and 12 pods)", "" when none were.
func (f Finding) FoldedText() string {
	switch {
	case f.Affected <= 0:
		return ""
	case f.Affected == 1:
		return " (and 1 pod)"
	}
	return fmt.Sprintf(" (and %d pods)", f.Affected)
}

// Identity is what makes two findings "the same" across runs (for
// baselines): check, entry name, object and field — not the message or the
// source line, which move as files are edited.
func (f Finding) Identity() string {
	return strings.Join([]string{f.Check, f.Name, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Path}, "\x00")
}
