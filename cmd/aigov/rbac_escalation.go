package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/rbac"
)

func newRBACEscalationsCommand() *cobra.Command {
	var (
		in     rbacInput
		output string
	)
	cmd := &cobra.Command{
		Use:   "escalations -f PATH [-o text|json]",
		Short: "Shortest paths from each subject to cluster-admin-equivalent power, with the grants",
		Long: `Hops: creating pods or pod controllers in a namespace (run as any of its service
accounts), minting a service account token, impersonating a user, group or service
account. Ends: system:masters, "*" on "*", impersonating system:masters, binding an
admin ClusterRole cluster-wide, escalating a ClusterRole bound to the subject.`,
		Example: `  aigov rbac escalations -f rbac/
  aigov rbac escalations -f rbac/ -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			g, err := in.graph(cmd)
			if err != nil {
				return err
			}
			paths := g.EscalationPaths()
			if output == "json" {
				return writeRBACJSON(cmd.OutOrStdout(), map[string]any{"schemaVersion": 1, "paths": nonNil(paths)})
			}
			return printEscalations(cmd.OutOrStdout(), paths)
		},
	}
	in.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func printEscalations(w io.Writer, paths []rbac.EscalationPath) error {
	if len(paths) == 0 {
		_, err := fmt.Fprintln(w, "no escalation paths found")
		return err
	}
	for _, p := range paths {
		fmt.Fprintf(w, "%s (%d steps)\n", subjectText(p.Subject), len(p.Steps))
		for i, s := range p.Steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s.Message)
			for _, g := range s.Grants {
				fmt.Fprintf(w, "     via %s → %s rule %d %s\n", g.Binding, g.Role, g.RuleIndex, rbac.RuleString(g.Rule))
			}
		}
	}
	return nil
}
