package netpol

import (
	"fmt"
	"io"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// ForPort keeps the edges that allow port/proto, each with just that port.
func (m Matrix) ForPort(port int32, proto corev1.Protocol) Matrix {
	out := Matrix{Pods: m.Pods, External: m.External}
	one := PortsOf(proto, port, port)
	for _, e := range m.Edges {
		if e.Ports.Contains(proto, port) {
			out.Edges = append(out.Edges, Edge{From: e.From, To: e.To, Ports: one})
		}
	}
	return out
}

// PortJSON is the fixed JSON shape of a single-port matrix.
type PortJSON struct {
	SchemaVersion int                 `json:"schemaVersion"`
	Port          string              `json:"port"`
	Protocol      string              `json:"protocol"`
	Pods          []string            `json:"pods"`
	External      []string            `json:"external"`
	Allowed       map[string][]string `json:"allowed"`
	Notes         []string            `json:"notes,omitempty"`
}

// AllPortsJSON is the fixed JSON shape of the all-ports matrix.
type AllPortsJSON struct {
	SchemaVersion int                            `json:"schemaVersion"`
	Pods          []string                       `json:"pods"`
	External      []string                       `json:"external"`
	Connections   map[string]map[string][]string `json:"connections"`
	Notes         []string                       `json:"notes,omitempty"`
}

// PortDocument renders m (already filtered with ForPort) in the
// single-port shape: allowed[src] lists every destination src may open a
// connection to.
func (m Matrix) PortDocument(port int32, proto corev1.Protocol, notes []string) PortJSON {
	doc := PortJSON{SchemaVersion: governance.SchemaVersion, Port: fmt.Sprint(port), Protocol: string(proto), Pods: m.Pods, External: m.External,
		Allowed: map[string][]string{}, Notes: notes}
	for _, e := range m.Edges {
		doc.Allowed[e.From] = append(doc.Allowed[e.From], e.To)
	}
	return doc
}

// AllPortsDocument renders m in the all-ports shape.
func (m Matrix) AllPortsDocument(notes []string) AllPortsJSON {
	doc := AllPortsJSON{SchemaVersion: governance.SchemaVersion, Pods: m.Pods, External: m.External, Connections: map[string]map[string][]string{}, Notes: notes}
	for _, e := range m.Edges {
		if doc.Connections[e.From] == nil {
			doc.Connections[e.From] = map[string][]string{}
		}
		doc.Connections[e.From][e.To] = e.Ports.Strings()
	}
	return doc
}

// WriteText writes one line per edge: "src -> dst: TCP/80,UDP/53", the
// internet named by InternetLabel (LabelRanges).
func (m Matrix) WriteText(w io.Writer) error {
	for _, e := range m.Edges {
		if _, err := fmt.Fprintf(w, "%s -> %s: %s\n", LabelRanges(e.From), LabelRanges(e.To), e.Ports); err != nil {
			return err
		}
	}
	return nil
}

// groups returns the endpoints by namespace ("external" for IP ranges).
func (m Matrix) groups() ([]string, map[string][]string) {
	by := map[string][]string{}
	for _, p := range m.Pods {
		ns, _, _ := strings.Cut(p, "/")
		by[ns] = append(by[ns], p)
	}
	names := make([]string, 0, len(by))
	for ns := range by {
		names = append(names, ns)
	}
	sort.Strings(names)
	if len(m.External) > 0 {
		names = append(names, "")
		by[""] = m.External
	}
	return names, by
}

// WriteDOT writes a Graphviz digraph, one cluster per namespace.
func (m Matrix) WriteDOT(w io.Writer) error {
	var b strings.Builder
	b.WriteString("digraph netpol {\n  rankdir=LR;\n  node [shape=box];\n")
	names, by := m.groups()
	for i, ns := range names {
		label := ns
		if ns == "" {
			label = "external"
		}
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%q;\n", i, label)
		for _, n := range by[ns] {
			fmt.Fprintf(&b, "    %q;\n", n)
		}
		b.WriteString("  }\n")
	}
	for _, e := range m.Edges {
		fmt.Fprintf(&b, "  %q -> %q [label=%q];\n", e.From, e.To, e.Ports.String())
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMermaid writes a Mermaid flowchart, one subgraph per namespace.
func (m Matrix) WriteMermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	ids := map[string]string{}
	names, by := m.groups()
	for i, ns := range names {
		label := ns
		if ns == "" {
			label = "external"
		}
		fmt.Fprintf(&b, "  subgraph g%d[%q]\n", i, label)
		for _, n := range by[ns] {
			ids[n] = fmt.Sprintf("n%d", len(ids))
			fmt.Fprintf(&b, "    %s[%q]\n", ids[n], n)
		}
		b.WriteString("  end\n")
	}
	for _, e := range m.Edges {
		fmt.Fprintf(&b, "  %s -->|%q| %s\n", ids[e.From], e.Ports.String(), ids[e.To])
	}
	_, err := io.WriteString(w, b.String())
	return err
}
