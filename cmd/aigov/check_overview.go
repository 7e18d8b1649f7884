package main

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/report"
)

// teamLabel is the namespace label the report groups by.
const teamLabel = "team"

// overview computes the report's overview: counts, AI assets and, when
// exposure is true, the asset exposure table.
func overview(inv *governance.Inventory, exposure bool) *report.Overview {
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
		if t := ns.Labels[teamLabel]; t != "" {
			o.NamespaceTeam[ns.Name] = t
			teams[t] = true
		}
	}
	for t := range teams {
		o.Teams = append(o.Teams, t)
	}
	sort.Strings(o.Teams)
	for _, a := range catalog.AssetTable(inv) {
		row := report.Asset{Class: string(a.Class), Kind: a.Kind, Namespace: a.Namespace, Name: a.Name,
			Team: o.NamespaceTeam[a.Namespace], Reason: a.Reason, Replicas: a.Replicas, ServiceAccount: a.ServiceAccount, Images: a.Images}
		var gpus []string
		for r, q := range a.GPUs {
			gpus = append(gpus, r+"="+q)
		}
		sort.Strings(gpus)
		row.GPUs = strings.Join(gpus, ",")
		o.Assets = append(o.Assets, row)
	}
	if exposure {
		for _, e := range catalog.Exposures(inv) {
			o.Exposure = append(o.Exposure, report.Exposure{Asset: e.Asset,
				Object: fmt.Sprintf("%s/%s/%s", e.Object.Kind, e.Object.Namespace, e.Object.Name),
				UsedBy: e.UsedBy, Network: e.Network, Access: e.Access})
		}
	}
	return o
}

// findingGroups groups findings for --group-by team or framework (nil
// for severity, the encoder's own grouping).
func findingGroups(by report.GroupBy, findings []governance.Finding, o *report.Overview, defs []governance.Definition) []report.Group {
	switch by {
	case report.GroupByTeam:
		return report.TeamGroups(findings, o.NamespaceTeam)
	case report.GroupByFramework:
		byFW := catalog.GroupByFramework(findings, defs)
		var groups []report.Group
		for _, fw := range catalog.Frameworks() {
			if fs := byFW[fw.ID]; len(fs) > 0 {
				groups = append(groups, report.Group{Title: fw.ID + ": " + fw.Title, Findings: fs})
			}
		}
		if fs := byFW[catalog.Unmapped]; len(fs) > 0 {
			groups = append(groups, report.Group{Title: catalog.Unmapped, Findings: fs})
		}
		return groups
	}
	return nil
}
