package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/netpol"
)

// newNetpolCommand is the "aigov netpol" command group.
func newNetpolCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "netpol", Short: "Which pod or IP can reach which, on which ports, and why (NetworkPolicy + admin tiers)"}
	cmd.AddCommand(newNetpolEvalCommand(), newNetpolMatrixCommand(), newNetpolExposureCommand(), newNetpolDiffCommand())
	return cmd
}

func buildGraph(cmd *cobra.Command, in *inputFlags) (*netpol.Graph, error) {
	inv, err := in.loadShowingProgress(cmd)
	if err != nil {
		return nil, err
	}
	g, err := netpol.Build(inv, netpol.Options{})
	if err != nil {
		return nil, err
	}
	for _, w := range g.Warnings() {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	return g, nil
}

func parseProtocol(s string) (corev1.Protocol, error) {
	p := corev1.Protocol(strings.ToUpper(s))
	switch p {
	case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		return p, nil
	}
	return "", usageError("unknown protocol %q: want TCP, UDP or SCTP", s)
}

func newNetpolEvalCommand() *cobra.Command {
	var in inputFlags
	var from, to, protocol string
	var port int32
	var explain bool
	cmd := &cobra.Command{
		Use:   "eval -f PATH --from NS/POD|IP --to NS/POD|IP --port N [--protocol TCP] [--explain]",
		Short: "Print yes (exit 0) or no (exit 1): may --from open a connection to --to on the port?",
		Example: `  # may the LLM service open TCP 6333 on the vector database, and why?
  aigov netpol eval -f examples/multitenant --from nlp-team/llm-service --to nlp-team/qdrant --port 6333 --explain

  # an IP as source or destination; UDP
  aigov netpol eval -f examples/multitenant --from 203.0.113.7 --to nlp-team/llm-service --port 8000
  aigov netpol eval -f examples/multitenant --from nlp-team/llm-service --to 10.96.0.10 --port 53 --protocol udp`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			proto, err := parseProtocol(protocol)
			if err != nil {
				return err
			}
			if from == "" || to == "" || port == 0 {
				return usageError("--from, --to and --port are required")
			}
			if port < 1 || port > netpol.MaxPort {
				return usageError("--port %d is out of range: want 1-65535", port)
			}
			g, err := buildGraph(cmd, &in)
			if err != nil {
				return err
			}
			src, ok := g.Lookup(from)
			if !ok {
				return usageError("--from %q: no such pod (NS/NAME) or IP", from)
			}
			dst, ok := g.Lookup(to)
			if !ok {
				return usageError("--to %q: no such pod (NS/NAME) or IP", to)
			}
			v := g.Allowed(src, dst, port, proto)
			out := cmd.OutOrStdout()
			if explain {
				fmt.Fprint(out, v.Explain())
			} else {
				fmt.Fprintln(out, map[bool]string{true: "yes", false: "no"}[v.Allowed])
			}
			if !v.Allowed {
				return errFailing
			}
			return nil
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "source: NS/POD (workload or pod name) or an IP")
	f.StringVar(&to, "to", "", "destination: NS/POD or an IP")
	f.Int32Var(&port, "port", 0, "destination port")
	f.StringVar(&protocol, "protocol", "TCP", "TCP, UDP or SCTP")
	f.BoolVar(&explain, "explain", false, "say which policies and rules decided each direction")
	return cmd
}

func newNetpolMatrixCommand() *cobra.Command {
	var in inputFlags
	var protocol, output string
	var port int32
	cmd := &cobra.Command{
		Use:   "matrix -f PATH [--port N --protocol P] [-o text|json|dot|mermaid]",
		Short: "Every allowed connection, for one port or over all ports",
		Example: `  # every allowed connection over every port and protocol
  aigov netpol matrix -f examples/multitenant

  # one port, as JSON for other programs: {"port","protocol","pods","allowed"}
  aigov netpol matrix -f examples/multitenant --port 6333 -o json

  # a picture, grouped by namespace
  aigov netpol matrix -f examples/multitenant --port 8000 -o dot | dot -Tsvg > matrix.svg
  aigov netpol matrix -f examples/multitenant -o mermaid`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			proto, err := parseProtocol(protocol)
			if err != nil {
				return err
			}
			if port < 0 || port > netpol.MaxPort {
				return usageError("--port %d is out of range: want 1-65535", port)
			}
			if err := oneOf(output, "text", "json", "dot", "mermaid"); err != nil {
				return err
			}
			g, err := buildGraph(cmd, &in)
			if err != nil {
				return err
			}
			m := g.Matrix()
			if port > 0 {
				m = m.ForPort(port, proto)
			}
			return writeMatrix(cmd.OutOrStdout(), m, g.Notes(), output, port, proto)
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	f := cmd.Flags()
	f.Int32Var(&port, "port", 0, "only this destination port (default: every port and protocol)")
	f.StringVar(&protocol, "protocol", "TCP", "protocol of --port: TCP, UDP or SCTP")
	f.StringVarP(&output, "output", "o", "text", "text, json, dot or mermaid")
	return cmd
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return usageError("-o %q: want one of %s", v, strings.Join(allowed, ", "))
}

func writeMatrix(w io.Writer, m netpol.Matrix, notes []string, output string, port int32, proto corev1.Protocol) error {
	switch output {
	case "json":
		if port > 0 {
			return writeJSON(w, m.PortDocument(port, proto, notes))
		}
		return writeJSON(w, m.AllPortsDocument(notes))
	case "dot":
		return m.WriteDOT(w)
	case "mermaid":
		return m.WriteMermaid(w)
	}
	for _, n := range notes {
		fmt.Fprintln(w, "# note:", n)
	}
	return m.WriteText(w)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newNetpolExposureCommand() *cobra.Command {
	var in inputFlags
	var output string
	cmd := &cobra.Command{
		Use:   "exposure -f PATH [-o text|json]",
		Short: "Pods reachable from outside the cluster, from a new namespace, or from other namespaces",
		Example: `  aigov netpol exposure -f examples/multitenant
  aigov netpol exposure -f examples/multitenant -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := oneOf(output, "text", "json"); err != nil {
				return err
			}
			g, err := buildGraph(cmd, &in)
			if err != nil {
				return err
			}
			doc := g.ExposureDocument()
			out := cmd.OutOrStdout()
			if output == "json" {
				return writeJSON(out, doc)
			}
			for _, n := range doc.Notes {
				fmt.Fprintln(out, "# note:", n)
			}
			for _, x := range doc.Exposure {
				fmt.Fprintf(out, "%s: internet %s; new namespace %s; from namespaces [%s]\n",
					x.Pod, x.Internet, x.AnyNamespace, strings.Join(x.Namespaces, ","))
			}
			return nil
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func newNetpolDiffCommand() *cobra.Command {
	var in inputFlags
	var before, after, output string
	cmd := &cobra.Command{
		Use:   "diff --before PATH --after PATH [-o text|json]",
		Short: "Connections the after-state adds or removes; exit 1 if any is added",
		Example: `  # what a pull request opens: exit 1 if it adds a connection
  aigov netpol diff --before examples/multitenant/fixed --after examples/multitenant
  aigov netpol diff --before examples/multitenant --after examples/multitenant/fixed -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if before == "" || after == "" {
				return usageError("--before and --after are required")
			}
			if err := oneOf(output, "text", "json"); err != nil {
				return err
			}
			graphs := make([]*netpol.Graph, 2)
			for i, p := range []string{before, after} {
				side := in
				side.filenames = []string{p}
				g, err := buildGraph(cmd, &side)
				if err != nil {
					return err
				}
				graphs[i] = g
			}
			changes := netpol.Diff(graphs[0], graphs[1])
			if err := writeChanges(cmd.OutOrStdout(), changes, output); err != nil {
				return err
			}
			for _, c := range changes {
				if !c.Added.IsEmpty() {
					return errFailing
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&before, "before", "", "manifests before the change (file or directory)")
	f.StringVar(&after, "after", "", "manifests after the change (file or directory)")
	f.BoolVarP(&in.recursive, "recursive", "R", false, "descend into sub-directories")
	f.StringVarP(&in.namespace, "namespace", "n", "", "namespace for objects without one")
	f.BoolVar(&in.allowEmpty, "allow-empty", false, "accept a side that holds no objects")
	f.StringVarP(&output, "output", "o", "text", "text or json")
	registerProgress(cmd)
	return cmd
}

func writeChanges(w io.Writer, changes []netpol.Change, output string) error {
	if output == "json" {
		return writeJSON(w, netpol.NewDiffDocument(changes))
	}
	if len(changes) == 0 {
		fmt.Fprintln(w, "no change")
	}
	for _, c := range changes {
		if !c.Added.IsEmpty() {
			fmt.Fprintf(w, "+ %s -> %s: %s\n", netpol.LabelRanges(c.From), netpol.LabelRanges(c.To), c.Added)
		}
		if !c.Removed.IsEmpty() {
			fmt.Fprintf(w, "- %s -> %s: %s\n", netpol.LabelRanges(c.From), netpol.LabelRanges(c.To), c.Removed)
		}
	}
	return nil
}
