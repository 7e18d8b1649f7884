package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

func newRBACLintCommand() *cobra.Command {
	var (
		in     rbacInput
		output string
	)
	cmd := &cobra.Command{
		Use:   "lint -f PATH [-o text|json]",
		Short: "RBAC hygiene: missing roles and service accounts, typos, rules that never match (exit 1 on findings)",
		Example: `  aigov rbac lint -f examples/multitenant
  aigov rbac lint -f examples/multitenant -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			inv, _, err := in.inventoryAndGraph(cmd)
			if err != nil {
				return err
			}
			findings := rbac.Lint(inv)
			if output == "json" {
				err = writeRBACJSON(cmd.OutOrStdout(), rbac.NewLintDocument(findings))
			} else {
				err = printLint(cmd.OutOrStdout(), findings)
			}
			if err == nil && len(findings) > 0 {
				return errFailing
			}
			return err
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func printLint(w io.Writer, findings []governance.Finding) error {
	if len(findings) == 0 {
		_, err := fmt.Fprintln(w, "no findings")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tRULE\tOBJECT\tPATH\tMESSAGE")
	for _, f := range findings {
		obj := f.Object.Kind + "/" + f.Object.Name
		if f.Object.Namespace != "" {
			obj = f.Object.Kind + "/" + f.Object.Namespace + "/" + f.Object.Name
		}
		if src := f.Object.Source; src.File != "" {
			obj += fmt.Sprintf(" (%s:%d)", src.File, src.Line)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Severity, f.Check, obj, f.Path, f.Message)
	}
	return tw.Flush()
}
