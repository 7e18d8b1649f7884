package quota

import (
	"encoding/json"

	"github.com/aigov/aigov/governance"
)

type admitJSON struct {
	SchemaVersion int                  `json:"schemaVersion"`
	Admitted      bool                 `json:"admitted"`
	Stage         Stage                `json:"stage"`
	Message       string               `json:"message"`
	Effective     effectiveJSON        `json:"effective"`
	Usage         map[string]string    `json:"usage"`
	Quotas        map[string]quotaJSON `json:"quotas"`
}

type effectiveJSON struct {
	Requests map[string]string `json:"requests"`
	Limits   map[string]string `json:"limits"`
}

type quotaJSON struct {
	Matches    bool              `json:"matches"`
	Hard       map[string]string `json:"hard"`
	UsedBefore map[string]string `json:"usedBefore"`
	UsedAfter  map[string]string `json:"usedAfter,omitempty"`
}

// MarshalJSON writes the fixed shape of `aigov quota admit -o json`.
func (r Result) MarshalJSON() ([]byte, error) {
	out := admitJSON{SchemaVersion: governance.SchemaVersion, Admitted: r.Admitted, Stage: r.Stage, Message: r.Message,
		Effective: effectiveJSON{Requests: Strings(r.Effective.Requests), Limits: Strings(r.Effective.Limits)},
		Usage:     Strings(r.Usage), Quotas: map[string]quotaJSON{}}
	for _, q := range r.Quotas {
		j := quotaJSON{Matches: q.Matches, Hard: Strings(q.Hard), UsedBefore: Strings(q.UsedBefore)}
		if r.Admitted {
			j.UsedAfter = Strings(q.UsedAfter)
		}
		out.Quotas[q.Name] = j
	}
	return json.Marshal(out)
}

// MarshalJSON writes the fixed shape of `aigov quota fit -o json`.
func (f FitResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		SchemaVersion int      `json:"schemaVersion"`
		Fit           int64    `json:"fit"`
		BindingKeys   []string `json:"bindingKeys"`
	}{governance.SchemaVersion, f.Fit, f.BindingKeys()})
}

// MarshalJSON writes a quota's status with quantities as strings;
// notEnforced (the inert keys) only when there are some.
func (s QuotaStatus) MarshalJSON() ([]byte, error) {
	var inert []string
	for _, k := range s.NotEnforced {
		inert = append(inert, string(k))
	}
	return json.Marshal(struct {
		Namespace   string            `json:"namespace"`
		Name        string            `json:"name"`
		Source      string            `json:"source"`
		Hard        map[string]string `json:"hard"`
		Used        map[string]string `json:"used"`
		Computed    map[string]string `json:"computed"`
		Remaining   map[string]string `json:"remaining"`
		NotEnforced []string          `json:"notEnforced,omitempty"`
	}{s.Namespace, s.Name, s.Source, Strings(s.Hard), Strings(s.Used), Strings(s.Computed), Strings(s.Remaining), inert})
}
