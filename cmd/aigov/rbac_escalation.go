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
		cut    bool
	)
	cmd := &cobra.Command{
		Use:   "escalations -f PATH [--cut] [-o text|json]",
		Short: "Shortest paths from each subject to cluster-admin-equivalent power, with the grants",
		Long: `Hops: creating pods or pod controllers in a namespace (run as any of its service
accounts), minting a service account token, impersonating a user, group or service
account. Ends: system:masters, "*" on "*", impersonating system:masters, binding an
admin ClusterRole cluster-wide, escalating a ClusterRole bound to the subject.

--cut adds a smallest set of grants (binding + rule) whose removal leaves no
path from any non-admin subject: exact when at most 20 grants lie on paths,
otherwise a greedy approximation (marked). The cut is verified by rebuilding
the graph without it.`,
		Example: `  aigov rbac escalations -f examples/escalation
  aigov rbac escalations -f examples/escalation --cut
  aigov rbac escalations -f examples/escalation -o json`,
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
			var c *rbac.Cut
			if cut {
				x := g.EscalationCut()
				c = &x
			}
			if output == "json" {
				return writeRBACJSON(cmd.OutOrStdout(), rbac.NewEscalationsDocument(paths, c))
			}
			if err := printEscalations(cmd.OutOrStdout(), paths); err != nil || c == nil {
				return err
			}
			return printCut(cmd.OutOrStdout(), *c)
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	cmd.Flags().BoolVar(&cut, "cut", false, "also print a smallest set of grants whose removal cuts every path")
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

func printCut(w io.Writer, c rbac.Cut) error {
	if len(c.Subjects) == 0 {
		_, err := fmt.Fprintln(w, "\ncut: nothing to remove")
		return err
	}
	kind := "exact minimum"
	if !c.Exact {
		kind = fmt.Sprintf("greedy approximation, %d candidate grants", c.Candidates)
	}
	verified := "verified"
	if !c.Verified {
		verified = "NOT verified: paths remain after removal"
	}
	fmt.Fprintf(w, "\ncut (%s; %s): remove %d grant(s) to cut the paths of %d subject(s)\n", kind, verified, len(c.Grants), len(c.Subjects))
	for _, g := range c.Grants {
		fmt.Fprintf(w, "  - %s rule %d %s (%s)\n", g.Binding, g.RuleIndex, rbac.RuleString(g.Rule), g.Role)
	}
	return nil
}
