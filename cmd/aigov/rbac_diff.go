package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/rbac"
)

func newRBACDiffCommand() *cobra.Command {
	var (
		in                    rbacInput
		before, after, output string
	)
	cmd := &cobra.Command{
		Use:   "diff --before PATH --after PATH [-o text|json]",
		Short: "Access the after-state grants that the before-state did not (subject × permission); exit 1 if any",
		Example: `  aigov rbac diff --before examples/multitenant/fixed --after examples/multitenant
  aigov rbac diff --before examples/multitenant/fixed --after examples/multitenant -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if before == "" || after == "" {
				return usageError("--before and --after are required")
			}
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			graphs := make([]*rbac.Graph, 2)
			for i, p := range []string{before, after} {
				side := in
				side.filenames = []string{p}
				g, err := side.graph(cmd)
				if err != nil {
					return err
				}
				graphs[i] = g
			}
			changes := rbac.Diff(graphs[0], graphs[1])
			var err error
			if output == "json" {
				err = writeRBACJSON(cmd.OutOrStdout(), rbac.NewDiffDocument(changes))
			} else {
				err = printAccessChanges(cmd.OutOrStdout(), changes)
			}
			if err == nil && len(changes) > 0 {
				return errFailing
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&before, "before", "", "RBAC manifests before the change (file or directory)")
	f.StringVar(&after, "after", "", "RBAC manifests after the change (file or directory)")
	f.BoolVarP(&in.recursive, "recursive", "R", false, "descend into sub-directories")
	f.BoolVar(&in.allowEmpty, "allow-empty", false, "accept a side that holds no objects")
	f.StringVarP(&output, "output", "o", "text", "text or json")
	registerProgress(cmd)
	return cmd
}

func printAccessChanges(w io.Writer, changes []rbac.AccessChange) error {
	if len(changes) == 0 {
		_, err := fmt.Fprintln(w, "no new access")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tSCOPE\tADDED\tVIA")
	for _, c := range changes {
		scope := "cluster"
		if c.Namespace != "" {
			scope = c.Namespace
		}
		var via []string
		for _, g := range c.Grants {
			via = append(via, fmt.Sprintf("%s → %s rule %d", g.Binding, g.Role, g.RuleIndex))
		}
		for i, r := range c.Added {
			v := ""
			if i == 0 {
				v = strings.Join(via, "; ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", subjectText(c.Subject), scope, rbac.RuleString(r), v)
		}
	}
	return tw.Flush()
}
