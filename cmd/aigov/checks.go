package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/governance/policyset"
)

func newChecksCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List the catalog: check IDs, parameters, severities and kinds",
		Example: `  aigov checks
  aigov checks -o json | jq '.checks[].id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc := policyset.Checks()
			switch output {
			case "json":
				return writeJSON(cmd.OutOrStdout(), doc)
			case "text", "":
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tSEVERITY\tVAP\tKINDS\tPARAMS")
				for _, d := range doc.Checks {
					var params []string
					for _, p := range d.Params {
						params = append(params, p.Name)
					}
					fmt.Fprintf(w, "%s\t%s\t%t\t%s\t%s\n", d.ID, d.Severity, d.VAP, strings.Join(d.Kinds, ", "), strings.Join(params, ", "))
				}
				return w.Flush()
			default:
				return usageError("unknown output format %q (want text or json)", output)
			}
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
