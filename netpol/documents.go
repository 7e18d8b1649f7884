package netpol

import "github.com/aigov/aigov/governance"

// ExposureDocument is the JSON document of `aigov netpol exposure -o json`:
// {"schemaVersion":1,"exposure":[...],"notes":[...]} (exposure is [] when
// no pod is exposed; notes are left out when there are none).
type ExposureDocument struct {
	SchemaVersion int        `json:"schemaVersion"`
	Exposure      []Exposure `json:"exposure"`
	Notes         []string   `json:"notes,omitempty"`
}

// ExposureDocument returns the graph's exposure (Graph.Exposure) and notes
// as the document of `aigov netpol exposure -o json`.
func (g *Graph) ExposureDocument() ExposureDocument {
	xs := g.Exposure()
	if xs == nil {
		xs = []Exposure{}
	}
	return ExposureDocument{SchemaVersion: governance.SchemaVersion, Exposure: xs, Notes: g.Notes()}
}

// DiffDocument is the JSON document of `aigov netpol diff -o json`:
// {"schemaVersion":1,"changes":[...]} (changes is [] when nothing changed).
type DiffDocument struct {
	SchemaVersion int      `json:"schemaVersion"`
	Changes       []Change `json:"changes"`
}

// NewDiffDocument returns changes (Diff's result) as the document of
// `aigov netpol diff -o json`.
func NewDiffDocument(changes []Change) DiffDocument {
	if changes == nil {
		changes = []Change{}
	}
	return DiffDocument{SchemaVersion: governance.SchemaVersion, Changes: changes}
}
