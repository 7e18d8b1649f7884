package catalog

import (
	"sort"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
)

// OverviewRequire are the facts Overview reads.
var OverviewRequire = append([]governance.FactRef{AssetsFact}, ExposuresRequire...)

// Overview is the check report's overview of the pass's inventory: the
// number of namespaces (those of its objects and its Namespace objects),
// the teams (governance.Inventory.TeamOf of its Namespaces) and which
// namespace is whose, the AI assets (AssetTable, each with its team) and
// the asset exposure (Exposures). It reads the facts a run of the
// catalog's checks computed in the same pass (OverviewRequire) and
// computes those the run did not need.
func Overview(pass *governance.Pass) *report.Overview {
	inv := pass.Inventory
	o := &report.Overview{NamespaceTeam: map[string]string{}}
	namespaces := map[string]bool{}
	for _, obj := range inv.Objects() {
		if obj.Kind() == "Namespace" {
			namespaces[obj.Name()] = true
		} else if ns := obj.Namespace(); ns != "" {
			namespaces[ns] = true
		}
	}
	o.Namespaces = len(namespaces)
	teams := map[string]bool{}
	for _, ns := range governance.Typed[*corev1.Namespace](inv) {
		if t := inv.TeamOf(ns.Name); t != "" {
			o.NamespaceTeam[ns.Name] = t
			teams[t] = true
		}
	}
	for t := range teams {
		o.Teams = append(o.Teams, t)
	}
	sort.Strings(o.Teams)
	o.Assets = AssetsFact.Of(pass)
	o.Exposure = ExposuresOf(pass)
	return o
}

// FindingGroups groups findings for the text report's --group-by team
// (by the team of each finding's namespace, namespaceTeam as Overview
// computes it) or framework (by the controls of defs, frameworks in
// Frameworks order, then Unmapped); nil for severity, the encoder's own
// grouping.
func FindingGroups(by report.GroupBy, findings []governance.Finding, namespaceTeam map[string]string, defs []governance.Definition) []report.Group {
	switch by {
	case report.GroupByTeam:
		return report.TeamGroups(findings, namespaceTeam)
	case report.GroupByFramework:
		byFW := GroupByFramework(findings, defs)
		var groups []report.Group
		for _, fw := range Frameworks() {
			if fs := byFW[fw.ID]; len(fs) > 0 {
				groups = append(groups, report.Group{Title: fw.ID + ": " + fw.Title, Findings: fs})
			}
		}
		if fs := byFW[Unmapped]; len(fs) > 0 {
			groups = append(groups, report.Group{Title: Unmapped, Findings: fs})
		}
		return groups
	}
	return nil
}

// ExposureDocument is the JSON document of `aigov exposure -o json`:
// {"assets":[...],"schemaVersion":1} (assets is [] when the inventory
// holds no vector database, model store or provider-key Secret).
type ExposureDocument struct {
	Assets        []report.Exposure `json:"assets"`
	SchemaVersion int               `json:"schemaVersion"`
}

// NewExposureDocument returns exposures (Exposures) as the document of
// `aigov exposure -o json`.
func NewExposureDocument(exposures []report.Exposure) ExposureDocument {
	if exposures == nil {
		exposures = []report.Exposure{}
	}
	return ExposureDocument{Assets: exposures, SchemaVersion: governance.SchemaVersion}
}
