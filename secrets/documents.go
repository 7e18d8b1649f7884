package secrets

import "github.com/aigov/aigov/governance"

// ExposureDocument is the JSON document of `aigov secrets exposure -o
// json`: {"schemaVersion":1,"secrets":[...]} (secrets is [] when the
// inventory holds none).
type ExposureDocument struct {
	SchemaVersion int              `json:"schemaVersion"`
	Secrets       []SecretExposure `json:"secrets"`
}

// NewExposureDocument returns exposures (Exposure's result) as the
// document of `aigov secrets exposure -o json`.
func NewExposureDocument(exposures []SecretExposure) ExposureDocument {
	if exposures == nil {
		exposures = []SecretExposure{}
	}
	return ExposureDocument{SchemaVersion: governance.SchemaVersion, Secrets: exposures}
}
