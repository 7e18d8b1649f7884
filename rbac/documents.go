package rbac

import (
	"time"

	"github.com/aigov/aigov/governance"
)

// The JSON documents of `aigov rbac ... -o json`. Their keys are in
// alphabetical order, the order the documents have always had; list
// fields are [] when empty unless a comment says otherwise.

// CanIDocument answers `aigov rbac can-i VERB TYPE -o json`: the decision
// and the grants that allow the request.
type CanIDocument struct {
	Allowed       bool       `json:"allowed"`
	Grants        []Grant    `json:"grants"`
	Identity      Identity   `json:"identity"`
	Reason        string     `json:"reason"`
	Request       Attributes `json:"request"`
	SchemaVersion int        `json:"schemaVersion"`
	Superuser     bool       `json:"superuser"`
}

// CanI decides request a for id (Graph.Can) and lists the grants behind
// the answer (Graph.Grants).
func (g *Graph) CanI(id Identity, a Attributes) CanIDocument {
	d := g.Can(id, a)
	return CanIDocument{Allowed: d.Allowed, Grants: orEmpty(g.Grants(id, a)), Identity: id, Reason: d.Reason,
		Request: a, SchemaVersion: governance.SchemaVersion, Superuser: d.Superuser}
}

// ListDocument answers `aigov rbac can-i --list -o json`: everything id
// may do in a namespace ("" for cluster-wide), as Graph.Effective lists it.
type ListDocument struct {
	Identity      Identity     `json:"identity"`
	Namespace     string       `json:"namespace"`
	Permissions   []Permission `json:"permissions"`
	SchemaVersion int          `json:"schemaVersion"`
}

// List returns the effective permissions of id in namespace.
func (g *Graph) List(id Identity, namespace string) ListDocument {
	return ListDocument{Identity: id, Namespace: namespace, Permissions: orEmpty(g.Effective(id, namespace)),
		SchemaVersion: governance.SchemaVersion}
}

// WhoCanDocument answers `aigov rbac who-can -o json`. Subjects is never
// empty: system:masters can make every request.
type WhoCanDocument struct {
	Request       Attributes      `json:"request"`
	SchemaVersion int             `json:"schemaVersion"`
	Subjects      []SubjectAccess `json:"subjects"`
}

// NewWhoCanDocument returns subjects (Graph.WhoCan of a) as the document.
func NewWhoCanDocument(a Attributes, subjects []SubjectAccess) WhoCanDocument {
	return WhoCanDocument{Request: a, SchemaVersion: governance.SchemaVersion, Subjects: subjects}
}

// RisksDocument answers `aigov rbac risks -o json`.
type RisksDocument struct {
	Risks         []Risk `json:"risks"`
	SchemaVersion int    `json:"schemaVersion"`
}

// NewRisksDocument returns risks (Graph.Risks) as the document.
func NewRisksDocument(risks []Risk) RisksDocument {
	return RisksDocument{Risks: orEmpty(risks), SchemaVersion: governance.SchemaVersion}
}

// UnusedDocument answers `aigov rbac unused -o json`: the audit log's
// extent (events, distinct requests, observation window; from and to are
// the zero time for a log without events) and the grants it never
// exercised.
type UnusedDocument struct {
	Events        int          `json:"events"`
	From          time.Time    `json:"from"`
	Requests      int          `json:"requests"`
	SchemaVersion int          `json:"schemaVersion"`
	To            time.Time    `json:"to"`
	Unused        []GrantUsage `json:"unused"`
}

// NewUnusedDocument returns unused (Graph.Unused of log) as the document.
func NewUnusedDocument(log *AuditLog, unused []GrantUsage) UnusedDocument {
	return UnusedDocument{Events: log.Events, From: log.From, Requests: len(log.Requests),
		SchemaVersion: governance.SchemaVersion, To: log.To, Unused: orEmpty(unused)}
}

// DiffDocument answers `aigov rbac diff -o json`: the access the
// after-state adds (Diff).
type DiffDocument struct {
	Added         []AccessChange `json:"added"`
	SchemaVersion int            `json:"schemaVersion"`
}

// NewDiffDocument returns changes (Diff's result) as the document.
func NewDiffDocument(changes []AccessChange) DiffDocument {
	return DiffDocument{Added: orEmpty(changes), SchemaVersion: governance.SchemaVersion}
}

// EscalationsDocument answers `aigov rbac escalations -o json`; Cut is
// present with --cut only.
type EscalationsDocument struct {
	Cut           *Cut             `json:"cut,omitempty"`
	Paths         []EscalationPath `json:"paths"`
	SchemaVersion int              `json:"schemaVersion"`
}

// NewEscalationsDocument returns paths (Graph.EscalationPaths) and, when
// not nil, a cut (Graph.EscalationCut) as the document.
func NewEscalationsDocument(paths []EscalationPath, cut *Cut) EscalationsDocument {
	return EscalationsDocument{Cut: cut, Paths: orEmpty(paths), SchemaVersion: governance.SchemaVersion}
}

// LintDocument answers `aigov rbac lint -o json`: the findings of the
// checks of Checks (Lint's result).
type LintDocument struct {
	Findings      []governance.Finding `json:"findings"`
	SchemaVersion int                  `json:"schemaVersion"`
}

// NewLintDocument returns findings (Lint's result) as the document.
func NewLintDocument(findings []governance.Finding) LintDocument {
	return LintDocument{Findings: orEmpty(findings), SchemaVersion: governance.SchemaVersion}
}

// orEmpty returns s, or an empty slice for nil (a JSON [] instead of null).
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
