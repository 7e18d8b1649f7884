package report

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/safetext"
)

// Overview is what a newcomer reads first in the text report: how big the
// platform is, which AI assets it runs, and who or what can reach or read
// its sensitive assets. catalog.Overview computes it from the inventory
// and the analyzers' facts; the encoders only render it. The JSON report
// adds its Assets as "assets".
type Overview struct {
	// Namespaces is the number of namespaces in the inventory.
	Namespaces int
	// Teams are the distinct values of the namespaces' team label, sorted.
	Teams []string
	// NamespaceTeam maps a namespace to its team ("" when unlabelled):
	// the team of a finding is the team of its object's namespace.
	NamespaceTeam map[string]string
	// Assets are the AI assets (catalog.AssetTable), in table order.
	Assets []Asset
	// Exposure lists, per sensitive asset, what can reach or read it.
	Exposure []Exposure
	// TopRisks is how many of the most severe findings are listed first
	// (0 means 5).
	TopRisks int
}

// Asset is one AI asset: a workload or custom resource the catalog's
// classifier recognises (catalog.AssetTable lists them, one row of the AI
// asset table each).
type Asset struct {
	// Key and Object are the workload or custom resource.
	Key    governance.Key     `json:"-"`
	Object *governance.Object `json:"-"`
	// Class is the AI class (catalog.AIClass), e.g. "inference-server".
	Class     string `json:"class"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Team is the namespace's team (governance.Inventory.TeamOf).
	Team string `json:"team,omitempty"`
	// Reason is the evidence of the classification, and Path the field
	// that holds it.
	Reason string `json:"reason"`
	Path   string `json:"-"`
	// GPUs sums, per pod, the GPU requests (else limits) of the regular
	// containers per resource, sorted by resource: "nvidia.com/gpu=4"
	// ("" for none).
	GPUs string `json:"gpus,omitempty"`
	// Replicas is the workload's pod count (0 for custom resources).
	Replicas int32 `json:"replicas,omitempty"`
	// ServiceAccount is the pod's ServiceAccount ("default" when unset;
	// "" for custom resources).
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// Images are the images of the pod template, containers then init
	// containers (empty for custom resources).
	Images []string `json:"images,omitempty"`
}

// Exposure is everything that can reach or read one sensitive AI asset: a
// vector database, a model store (a PersistentVolumeClaim an AI workload
// mounts), a provider-key Secret, or a model server a Gateway route
// reaches — one row of the asset exposure table (catalog.Exposures lists
// them).
type Exposure struct {
	// Asset is what the object is: vector-database, model-store,
	// provider-key, model-server.
	Asset  string               `json:"asset"`
	Object governance.ObjectRef `json:"object"`
	// UsedBy are the workloads ("Kind/name") that mount or read it.
	UsedBy []string `json:"usedBy,omitempty"`
	// Network are the sources (pods "namespace/name", external ranges)
	// that may open a connection to the asset's pods (for a model store,
	// to the pods that mount it), each with its ports:
	// "cv-team/cv-notebook (TCP/6379)".
	Network []string `json:"network,omitempty"`
	// Access are the subjects that can read it or get into its pods, with
	// how: "Group cv-engineers (exec, port-forward, create-pods)".
	// system:masters is left out: it can do everything.
	Access []string `json:"access,omitempty"`
}

// ObjectName is the exposed object as "Kind/namespace/name".
func (e Exposure) ObjectName() string {
	return e.Object.Kind + "/" + e.Object.Namespace + "/" + e.Object.Name
}

// GroupBy names how the text report groups its findings.
type GroupBy string

// The groupings of `aigov check --group-by`.
const (
	GroupBySeverity  GroupBy = "severity"
	GroupByTeam      GroupBy = "team"
	GroupByFramework GroupBy = "framework"
)

// ParseGroupBy accepts severity, team or framework (case-insensitively);
// "" is severity.
func ParseGroupBy(s string) (GroupBy, error) {
	if s == "" {
		return GroupBySeverity, nil
	}
	for _, g := range []GroupBy{GroupBySeverity, GroupByTeam, GroupByFramework} {
		if strings.EqualFold(s, string(g)) {
			return g, nil
		}
	}
	return "", fmt.Errorf("unknown grouping %q (want severity, team or framework)", s)
}

// Group is a titled group of findings, for a text listing grouped other
// than by severity.
type Group struct {
	Title    string
	Findings []governance.Finding
}

// TeamGroups groups findings by the team of their namespace (Overview's
// NamespaceTeam; a Namespace finding is its own namespace's): teams in
// order, then "(cluster-scoped)" and "(no team)"; by severity within a
// group.
func TeamGroups(findings []governance.Finding, namespaceTeam map[string]string) []Group {
	byTeam := map[string][]governance.Finding{}
	for _, f := range sortedFindings(findings) {
		byTeam[teamTitle(f, namespaceTeam)] = append(byTeam[teamTitle(f, namespaceTeam)], f)
	}
	titles := make([]string, 0, len(byTeam))
	for t := range byTeam {
		titles = append(titles, t)
	}
	sort.Slice(titles, func(i, j int) bool {
		a, b := strings.HasPrefix(titles[i], "("), strings.HasPrefix(titles[j], "(")
		if a != b {
			return b
		}
		return titles[i] < titles[j]
	})
	out := make([]Group, len(titles))
	for i, t := range titles {
		out[i] = Group{Title: t, Findings: byTeam[t]}
	}
	return out
}

// teamTitle is the group of a finding: the team of its namespace (of the
// Namespace itself for a Namespace).
func teamTitle(f governance.Finding, namespaceTeam map[string]string) string {
	ns := f.Object.Namespace
	if f.Object.Kind == "Namespace" {
		ns = f.Object.Name
	}
	switch {
	case ns == "":
		return "(cluster-scoped)"
	case namespaceTeam[ns] == "":
		return "(no team)"
	}
	return "team " + namespaceTeam[ns]
}

// headerTeamsShown is how many team names the header lists before "and N
// more": the header stays one line on a platform of hundreds of teams.
const headerTeamsShown = 5

// headerTeams lists the first headerTeamsShown teams, then "and N more".
func headerTeams(teams []string) string {
	if len(teams) <= headerTeamsShown {
		return strings.Join(teams, ", ")
	}
	return strings.Join(teams[:headerTeamsShown], ", ") + fmt.Sprintf(" and %d more", len(teams)-headerTeamsShown)
}

// writeOverview renders the header, the AI asset table, the top risks and
// the asset exposure table.
func writeOverview(b *strings.Builder, r Report, fs []governance.Finding) {
	o := r.Overview
	counts, _ := severityCounts(fs)
	teams := "no teams"
	if len(o.Teams) > 0 {
		teams = plural(len(o.Teams), "team") + " (" + safetext.Line(headerTeams(o.Teams)) + ")"
	}
	fmt.Fprintf(b, "aigov check: %s, %s, %s, %s\n", plural(r.Objects, "object"), plural(o.Namespaces, "namespace"),
		teams, plural(len(o.Assets), "AI asset"))
	if len(fs) > 0 {
		fmt.Fprintf(b, "%s: ", plural(len(fs), "finding"))
		var parts []string
		for s := governance.SeverityCritical; s >= governance.SeverityInfo; s-- {
			if counts[s] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
			}
		}
		b.WriteString(strings.Join(parts, ", "))
		b.WriteByte('\n')
	}

	if len(o.Assets) > 0 {
		b.WriteString("\nAI ASSETS\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  CLASS\tTEAM\tWORKLOAD\tGPUS\tRECOGNISED BY")
		for _, a := range o.Assets {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", a.Class, safetext.Line(dash(a.Team)),
				safetext.Line(objectName(governance.ObjectRef{Kind: a.Kind, Namespace: a.Namespace, Name: a.Name})),
				safetext.Line(dash(a.GPUs)), safetext.Line(a.Reason))
		}
		tw.Flush()
	}

	if len(fs) > 0 {
		n := o.TopRisks
		if n <= 0 {
			n = 5
		}
		n = min(n, len(fs))
		b.WriteString("\nTOP RISKS\n")
		for i, f := range fs[:n] {
			fmt.Fprintf(b, "  %d. %-8s %s  %s\n     %s\n", i+1, f.Severity, safetext.Line(f.Check),
				safetext.Line(objectName(f.Object)), safetext.Line(oneLine(f.Message, 160)))
		}
	}

	if len(o.Exposure) > 0 {
		b.WriteString("\nASSET EXPOSURE (who or what can reach or read it; system:masters, which can do anything, left out)\n")
		for _, e := range o.Exposure {
			fmt.Fprintf(b, "  %s %s\n", e.Asset, safetext.Line(e.ObjectName()))
			if len(e.UsedBy) > 0 {
				fmt.Fprintf(b, "    used by: %s\n", safetext.Line(strings.Join(e.UsedBy, ", ")))
			}
			if e.Asset != "provider-key" {
				fmt.Fprintf(b, "    network: %s\n", safetext.Line(listOrNone(e.Network)))
			}
			fmt.Fprintf(b, "    access:  %s\n", safetext.Line(listOrNone(e.Access)))
		}
	}
	b.WriteByte('\n')
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "nothing"
	}
	return strings.Join(items, ", ")
}

// oneLine keeps the first line of s, at most n bytes.
func oneLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}
