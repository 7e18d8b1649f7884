package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aigov/aigov/netpol"
)

// Sources of a network path, aggregated so that a report grows with
// causes, not with pods or pairs: the pods of one workload are one source
// (netpol may tell them apart by IP), a namespace every workload of which
// is a source is one source, and so is a team every workload of which is
// (two workloads at least: a lone workload is named). cross-team-
// reachability and the exposure table's network column list sources this
// way.

// sourceWorkloads indexes the workloads of the reachability graph by
// namespace, and the namespaces by team, to tell whether all of a
// namespace's or team's workloads are sources.
type sourceWorkloads struct {
	inNamespace map[string]map[string]bool // namespace -> workload keys
	namespaces  map[string][]string        // team -> its namespaces, sorted
	teamOf      func(ns string) string
}

// newSourceWorkloads indexes g's pod endpoints; teamOf names a
// namespace's team ("" for none: its namespace is aggregated alone).
func newSourceWorkloads(g *netpol.Graph, teamOf func(ns string) string) *sourceWorkloads {
	s := &sourceWorkloads{inNamespace: map[string]map[string]bool{}, namespaces: map[string][]string{}, teamOf: teamOf}
	for _, e := range g.Endpoints() {
		if e.Kind == netpol.ExternalEndpoint {
			continue
		}
		if s.inNamespace[e.Namespace] == nil {
			s.inNamespace[e.Namespace] = map[string]bool{}
			if t := teamOf(e.Namespace); t != "" {
				s.namespaces[t] = append(s.namespaces[t], e.Namespace)
			}
		}
		s.inNamespace[e.Namespace][sourceKey(e)] = true
	}
	for _, nss := range s.namespaces {
		sort.Strings(nss)
	}
	return s
}

// sourceKey names the workload of a pod endpoint, "namespace/Kind/name"
// (the endpoint's name when it has no workload).
func sourceKey(e *netpol.Endpoint) string {
	if e.Workload == "" {
		return e.Name
	}
	return e.Namespace + "/" + e.Workload
}

// sourceList collects the sources of one path (same destination and
// ports).
type sourceList struct {
	// byKey holds each source workload's description and namespace.
	byKey map[string]sourceDesc
}

type sourceDesc struct {
	namespace, text string
	endpoints       int
}

func newSourceList() *sourceList { return &sourceList{byKey: map[string]sourceDesc{}} }

// add records a pod endpoint as a source.
func (l *sourceList) add(e *netpol.Endpoint) { l.addEdges(e, 1) }

// addEdges records a pod endpoint as the source of n edges of the path
// (n destination endpoints), as n calls of add would.
func (l *sourceList) addEdges(e *netpol.Endpoint, n int) {
	k := sourceKey(e)
	d, seen := l.byKey[k]
	if !seen {
		d = sourceDesc{namespace: e.Namespace, text: describeEndpoint(e)}
	}
	d.endpoints += n
	if d.endpoints > 1 && e.Workload != "" {
		// Several pods of one workload: name the workload.
		kind, name, _ := strings.Cut(e.Workload, "/")
		d.text = e.Namespace + "/" + name + " (" + kind + ")"
	}
	l.byKey[k] = d
}

// workloads is the number of source workloads.
func (l *sourceList) workloads() int { return len(l.byKey) }

// describe lists the sources, sorted by team and namespace: "team cv
// (all 12 workloads)" when every workload of the team is a source (at
// least two), else "namespace cv-team (all 3 workloads)" likewise, else
// each workload as describeEndpoint names it. suffix, when set, follows
// a namespace's entries and workloads (" of team cv").
func (l *sourceList) describe(idx *sourceWorkloads, suffix func(ns string) string) []string {
	byNS := map[string][]string{}
	for k, d := range l.byKey {
		byNS[d.namespace] = append(byNS[d.namespace], k)
	}
	all := func(ns string) bool {
		return len(byNS[ns]) == len(idx.inNamespace[ns]) && len(byNS[ns]) > 0
	}
	done := map[string]bool{}
	var out []string
	namespaces := make([]string, 0, len(byNS))
	for ns := range byNS {
		namespaces = append(namespaces, ns)
	}
	sort.Strings(namespaces)
	// Whole teams first, by team name.
	var teams []string
	seenTeam := map[string]bool{}
	for _, ns := range namespaces {
		if t := idx.teamOf(ns); t != "" && !seenTeam[t] {
			seenTeam[t] = true
			teams = append(teams, t)
		}
	}
	sort.Strings(teams)
	for _, t := range teams {
		n, whole := 0, true
		for _, ns := range idx.namespaces[t] {
			if !all(ns) {
				whole = false
				break
			}
			n += len(byNS[ns])
		}
		if !whole || n < 2 {
			continue
		}
		out = append(out, fmt.Sprintf("team %s (all %d workloads)", t, n))
		for _, ns := range idx.namespaces[t] {
			done[ns] = true
		}
	}
	for _, ns := range namespaces {
		if done[ns] {
			continue
		}
		tail := ""
		if suffix != nil {
			tail = suffix(ns)
		}
		if n := len(byNS[ns]); n >= 2 && all(ns) {
			out = append(out, fmt.Sprintf("namespace %s%s (all %d workloads)", ns, tail, n))
			continue
		}
		var ws []string
		for _, k := range byNS[ns] {
			ws = append(ws, l.byKey[k].text+tail)
		}
		sort.Strings(ws)
		out = append(out, ws...)
	}
	return out
}
