package secrets

import (
	"encoding/json"
	"sort"

	"github.com/aigov/aigov/governance"
)

// Finding is one result of a secrets rule.
type Finding struct {
	// Rule is the rule ID, e.g. "secret-literal-provider-key".
	Rule     string
	Severity governance.Severity
	Object   governance.ObjectRef
	// Path is the field that holds the value ("data[api-key]",
	// "spec.template.spec.containers[0].env[0].value") or, for rules about
	// a field or a list, that field ("stringData", "resources").
	Path string
	// Provider is the credential's provider ("openai", "aws", …): the
	// detector's for provider keys, a hint from the name for sensitive
	// names, the URL scheme for URL credentials; "" otherwise.
	Provider string
	// Message says what is wrong without repeating the secret; names that
	// may hold one are redacted (DisplayName), as are such keys in Path.
	Message     string
	Remediation string
}

// findingJSON is the fixed shape of `aigov secrets scan -o json`.
type findingJSON struct {
	Rule      string `json:"rule"`
	Object    string `json:"object"`
	Namespace string `json:"namespace"`
	Path      string `json:"path"`
	Provider  string `json:"provider"`
}

// MarshalJSON encodes the design's fixed shape:
// {"rule","object":"Kind/name","namespace","path","provider"}.
func (f Finding) MarshalJSON() ([]byte, error) {
	return json.Marshal(findingJSON{Rule: f.Rule, Object: f.Object.String(), Namespace: f.Object.Namespace,
		Path: f.Path, Provider: f.Provider})
}

// Governance converts the finding for governance report encoders (text,
// SARIF, PolicyReport): Check is the rule ID; the provider, when known, is
// appended to the message.
func (f Finding) Governance() governance.Finding {
	msg := f.Message
	if f.Provider != "" {
		msg += " (provider " + f.Provider + ")"
	}
	return governance.Finding{Check: f.Rule, Severity: f.Severity, Action: governance.ActionDeny,
		Object: f.Object, Path: f.Path, Message: msg, Remediation: f.Remediation}
}

// Report is the JSON document of `aigov secrets scan -o json`:
// {"schemaVersion":1,"findings":[...]} (findings is [] when empty).
type Report struct {
	Findings []Finding
}

// MarshalJSON encodes {"schemaVersion":1,"findings":[...]}.
func (r Report) MarshalJSON() ([]byte, error) {
	fs := r.Findings
	if fs == nil {
		fs = []Finding{}
	}
	return json.Marshal(struct {
		SchemaVersion int       `json:"schemaVersion"`
		Findings      []Finding `json:"findings"`
	}{governance.SchemaVersion, fs})
}

// sortFindings orders by severity (most severe first), then kind,
// namespace, name, path and rule (the secrets scan order; its JSON
// golden files depend on it).
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Object.Kind != b.Object.Kind {
			return a.Object.Kind < b.Object.Kind
		}
		if a.Object.Namespace != b.Object.Namespace {
			return a.Object.Namespace < b.Object.Namespace
		}
		if a.Object.Name != b.Object.Name {
			return a.Object.Name < b.Object.Name
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Rule < b.Rule
	})
}
