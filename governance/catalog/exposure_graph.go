package catalog

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aigov/aigov/governance/report"
)

// exposureEdge is one arrow of the asset exposure picture: who (a pod, an
// IP range, a subject or a workload using the asset) reaches which asset,
// and how.
type exposureEdge struct {
	from, to, label string
	uses            bool
}

// exposureGraph turns the exposure table into nodes and edges. Sources are
// the table's entries up to their first " (": "cv-team/cv-notebook
// (Deployment) TCP/6379" is the node "cv-team/cv-notebook" with the edge
// label "(Deployment) TCP/6379". A way in through a Gateway is drawn as
// its chain: "Gateway infra/gw listener https (HTTPRoute ml/chat
// spec.rules[0].backendRefs[0] -> InferencePool ml/llama)" is the nodes
// "Gateway infra/gw listener https", "HTTPRoute ml/chat" and
// "InferencePool ml/llama", each once however many assets they lead to.
func exposureGraph(exposures []report.Exposure) (assets []string, sources []string, edges []exposureEdge) {
	seen := map[string]bool{}
	addSource := func(s string) {
		if !seen[s] {
			seen[s] = true
			sources = append(sources, s)
		}
	}
	seenEdge := map[exposureEdge]bool{}
	addEdge := func(e exposureEdge) {
		if !seenEdge[e] {
			seenEdge[e] = true
			edges = append(edges, e)
		}
	}
	for _, e := range exposures {
		asset := fmt.Sprintf("%s %s/%s/%s", e.Asset, e.Object.Kind, e.Object.Namespace, e.Object.Name)
		assets = append(assets, asset)
		for _, w := range e.UsedBy {
			// "Deployment/name" → "namespace/name", the node network
			// sources use for the same workload's pods.
			_, name, _ := strings.Cut(w, "/")
			src := e.Object.Namespace + "/" + name
			addSource(src)
			addEdge(exposureEdge{from: src, to: asset, label: "uses", uses: true})
		}
		for _, n := range e.Network {
			src, how := splitSource(n)
			addSource(src)
			if route, path, backend, ok := gatewayChain(src, how); ok {
				addSource(route)
				addSource(backend)
				addEdge(exposureEdge{from: src, to: route, label: "network"})
				addEdge(exposureEdge{from: route, to: backend, label: path})
				addEdge(exposureEdge{from: backend, to: asset, label: "selects"})
				continue
			}
			addEdge(exposureEdge{from: src, to: asset, label: "network " + how})
		}
		for _, a := range e.Access {
			src, how := splitSource(a)
			addSource(src)
			addEdge(exposureEdge{from: src, to: asset, label: how})
		}
	}
	return assets, sources, edges
}

// gatewayChain reads the hops of a way in through a Gateway (see
// gatewayWays): the HTTPRoute "HTTPRoute ml/chat", the backendRef's path
// and the backend "InferencePool ml/llama".
func gatewayChain(src, how string) (route, path, backend string, ok bool) {
	if !strings.HasPrefix(src, "Gateway ") || !strings.HasPrefix(how, "(HTTPRoute ") || !strings.HasSuffix(how, ")") {
		return "", "", "", false
	}
	hops, backend, found := strings.Cut(how[1:len(how)-1], " -> ")
	fields := strings.Fields(hops)
	if !found || len(fields) != 3 {
		return "", "", "", false
	}
	return fields[0] + " " + fields[1], fields[2], backend, true
}

func splitSource(entry string) (node, how string) {
	node, how, found := strings.Cut(entry, " (")
	if !found {
		return entry, ""
	}
	return node, "(" + how
}

// WriteExposureDOT writes the asset exposure table as a Graphviz digraph:
// assets as boxes, every pod, range, subject and workload that reaches or
// reads them as an ellipse, labelled arrows for how.
func WriteExposureDOT(w io.Writer, exposures []report.Exposure) error {
	assets, sources, edges := exposureGraph(exposures)
	var b strings.Builder
	b.WriteString("digraph exposure {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n")
	for _, a := range assets {
		fmt.Fprintf(&b, "  %s [shape=box, style=filled, fillcolor=\"#fde2e2\"];\n", strconv.Quote(a))
	}
	for _, s := range sources {
		fmt.Fprintf(&b, "  %s [shape=ellipse];\n", strconv.Quote(s))
	}
	for _, e := range edges {
		style := ""
		if e.uses {
			style = ", style=dashed"
		}
		fmt.Fprintf(&b, "  %s -> %s [label=%s%s];\n", strconv.Quote(e.from), strconv.Quote(e.to), strconv.Quote(e.label), style)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteExposureMermaid writes the asset exposure table as a Mermaid
// flowchart (GitHub renders it in Markdown).
func WriteExposureMermaid(w io.Writer, exposures []report.Exposure) error {
	assets, sources, edges := exposureGraph(exposures)
	ids := map[string]string{}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, a := range assets {
		ids[a] = fmt.Sprintf("a%d", i)
		fmt.Fprintf(&b, "  %s[%s]\n", ids[a], mermaidText(a))
	}
	for i, s := range sources {
		ids[s] = fmt.Sprintf("s%d", i)
		fmt.Fprintf(&b, "  %s(%s)\n", ids[s], mermaidText(s))
	}
	for _, e := range edges {
		arrow := "-->"
		if e.uses {
			arrow = "-.->"
		}
		fmt.Fprintf(&b, "  %s %s|%s| %s\n", ids[e.from], arrow, mermaidText(e.label), ids[e.to])
	}
	for _, a := range assets {
		fmt.Fprintf(&b, "  style %s fill:#fde2e2\n", ids[a])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidText quotes a label; Mermaid takes HTML entities inside quotes.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "|", "#124;")
	return `"` + r.Replace(s) + `"`
}
