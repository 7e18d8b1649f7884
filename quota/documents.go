package quota

import "github.com/aigov/aigov/governance"

// StatusDocument is the JSON document of `aigov quota status -o json`:
// every stored quota's status and the quotas the apiserver would refuse to
// store, both [] when empty.
type StatusDocument struct {
	Quotas        []QuotaStatus     `json:"quotas"`
	Refused       []RefusedDocument `json:"refused"`
	SchemaVersion int               `json:"schemaVersion"`
}

// RefusedDocument is a RefusedQuota in StatusDocument: the quota's
// namespace and name and the apiserver's message.
type RefusedDocument struct {
	Message   string `json:"message"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// StatusDocument returns the ledger's Status and Refused quotas as the
// document of `aigov quota status -o json`.
func (l *Ledger) StatusDocument() StatusDocument {
	doc := StatusDocument{Quotas: l.Status(), Refused: []RefusedDocument{}, SchemaVersion: governance.SchemaVersion}
	if doc.Quotas == nil {
		doc.Quotas = []QuotaStatus{}
	}
	for _, r := range l.Refused() {
		doc.Refused = append(doc.Refused, RefusedDocument{Message: r.Message, Name: r.Quota.Name, Namespace: r.Quota.Namespace})
	}
	return doc
}

// GPUDocument is the JSON document of `aigov quota gpu -o json`: the
// GPUReport's fields with the schema version first.
type GPUDocument struct {
	SchemaVersion int `json:"schemaVersion"`
	GPUReport
}

// NewGPUDocument returns rep (Ledger.GPUs) as the document of
// `aigov quota gpu -o json`.
func NewGPUDocument(rep GPUReport) GPUDocument {
	return GPUDocument{SchemaVersion: governance.SchemaVersion, GPUReport: rep}
}
