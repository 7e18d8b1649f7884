package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/report"
	"github.com/aigov/aigov/netpol"
)

func newExposureCommand() *cobra.Command {
	var (
		in     inputFlags
		output string
	)
	cmd := &cobra.Command{
		Use:   "exposure",
		Short: "Everything that can reach or read each vector DB, model store, provider-key Secret and routed model server",
		Long: `For each vector database, model store (a PVC an AI workload mounts),
provider-key Secret and model server a Gateway route reaches (listener →
HTTPRoute → Service or InferencePool): the pods, IP ranges and gateways that
may connect to it (netpol, Gateway API),
and the subjects that can read it, exec, attach or port-forward into its pods,
or create pods in its namespace (rbac, secrets) — as a table, JSON, or a
Graphviz (dot) or Mermaid picture.`,
		Example: `  aigov exposure -f examples/multitenant
  aigov exposure -f examples/multitenant -o mermaid > exposure.mmd
  aigov exposure -f examples/multitenant -o dot | dot -Tsvg > exposure.svg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			write, ok := exposureWriters[output]
			if !ok {
				return usageError("unknown output format %q (want text, json, dot or mermaid)", output)
			}
			inv, err := in.loadShowingProgress(cmd)
			if err != nil {
				return err
			}
			return write(cmd.OutOrStdout(), catalog.Exposures(inv))
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json, dot, mermaid")
	return cmd
}

var exposureWriters = map[string]func(io.Writer, []report.Exposure) error{
	"text":    writeExposureText,
	"json":    writeExposureJSON,
	"dot":     catalog.WriteExposureDOT,
	"mermaid": catalog.WriteExposureMermaid,
}

func writeExposureJSON(w io.Writer, exposures []report.Exposure) error {
	return writeJSON(w, catalog.NewExposureDocument(exposures))
}

func writeExposureText(w io.Writer, exposures []report.Exposure) error {
	var b strings.Builder
	none := func(items []string) string {
		if len(items) == 0 {
			return "nothing"
		}
		return strings.Join(items, ", ")
	}
	for _, e := range exposures {
		fmt.Fprintf(&b, "%s %s\n", e.Asset, e.ObjectName())
		if len(e.UsedBy) > 0 {
			fmt.Fprintf(&b, "  used by: %s\n", strings.Join(e.UsedBy, ", "))
		}
		fmt.Fprintf(&b, "  network: %s\n  access:  %s\n", netpol.LabelRanges(none(e.Network)), none(e.Access))
	}
	if len(exposures) == 0 {
		b.WriteString("no vector databases, model stores or provider-key Secrets found\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
