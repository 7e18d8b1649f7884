package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/rbac"
)

func newRBACUnusedCommand() *cobra.Command {
	var (
		in     rbacInput
		audit  []string
		output string
	)
	cmd := &cobra.Command{
		Use:   "unused -f PATH --audit FILE [-o text|json]",
		Short: "Grants (binding × subject × rule) an audit log never exercised",
		Long: `Every request of the audit log (audit.k8s.io/v1 Events, one JSON object a line)
is re-evaluated against the RBAC objects given; a grant is used when it allows
an allowed request, even if another grant allowed it first. Rules used with only
some of their verbs are listed with the unused verbs.`,
		Example: `  aigov rbac unused -f examples/multitenant --audit examples/audit/audit.log
  aigov rbac unused -f examples/multitenant --audit examples/audit/audit.log -o json   # --audit repeats: one file per day`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			if len(audit) == 0 {
				return usageError("--audit FILE is required")
			}
			g, err := in.graph(cmd)
			if err != nil {
				return err
			}
			log, err := rbac.ReadAuditLogs(audit...)
			if err != nil {
				return err
			}
			unused := g.Unused(log)
			if output == "json" {
				return writeRBACJSON(cmd.OutOrStdout(), rbac.NewUnusedDocument(log, unused))
			}
			return printUnused(cmd.OutOrStdout(), log, unused)
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringArrayVar(&audit, "audit", nil, "audit log file (JSON lines); repeatable")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func printUnused(w io.Writer, log *rbac.AuditLog, unused []rbac.GrantUsage) error {
	fmt.Fprintf(w, "%d events, %d distinct requests", log.Events, len(log.Requests))
	if !log.From.IsZero() {
		fmt.Fprintf(w, ", %s – %s", log.From.UTC().Format("2006-01-02T15:04:05Z"), log.To.UTC().Format("2006-01-02T15:04:05Z"))
	}
	fmt.Fprintln(w)
	if len(unused) == 0 {
		_, err := fmt.Fprintln(w, "every grant was used")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BINDING\tSUBJECT\tROLE\tRULE\tUNUSED")
	for _, u := range unused {
		what := "whole rule: " + rbac.RuleString(u.Rule)
		if u.Used {
			var parts []string
			if len(u.UnusedVerbs) > 0 {
				parts = append(parts, "verbs "+list(u.UnusedVerbs))
			}
			if len(u.UnusedNames) > 0 {
				parts = append(parts, "names "+list(u.UnusedNames))
			}
			what = strings.Join(parts, ", ") + " of " + rbac.RuleString(u.Rule)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", u.Binding, subjectText(u.Subject), u.Role, u.RuleIndex, what)
	}
	return tw.Flush()
}

func subjectText(s rbacv1.Subject) string {
	if s.Namespace != "" {
		return s.Kind + "/" + s.Namespace + "/" + s.Name
	}
	return s.Kind + "/" + s.Name
}

func newRBACGenerateCommand() *cobra.Command {
	var (
		in                   rbacInput
		audit                []string
		user, sa, name, outp string
		diff                 bool
	)
	cmd := &cobra.Command{
		Use:   "generate --audit FILE (--user U | --serviceaccount NS:NAME) [--name N] [--diff -f PATH] [-o yaml]",
		Short: "Least-privilege Role/ClusterRole + binding YAML covering exactly the observed requests",
		Long: `Reads the audit log and emits the RBAC that allows exactly the requests the user or
service account made (denied ones included): a Role and RoleBinding per namespace
for namespaced requests, a ClusterRole and ClusterRoleBinding for cluster-scoped,
all-namespace and non-resource requests. Rules are compacted only where every
combination was observed; resourceNames are used when every request named an object.
With --diff and the RBAC objects of today (-f), a trailing comment section lists
the grants bound to the subject that the observed requests do not need (rules
never exercised, verbs and resourceNames never used); the output stays valid YAML.`,
		Example: `  aigov rbac generate --audit examples/audit/audit.log --serviceaccount cv-team:cv-notebook | kubectl apply -f -
  aigov rbac generate --audit examples/audit/audit.log --user alice@example.com --name alice-observed
  aigov rbac generate --audit examples/audit/audit.log --serviceaccount cv-team:cv-notebook --diff -f examples/multitenant`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if outp != "yaml" {
				return usageError("unknown output format %q (want yaml)", outp)
			}
			if len(audit) == 0 {
				return usageError("--audit FILE is required")
			}
			var subject rbacv1.Subject
			switch {
			case (user == "") == (sa == ""):
				return usageError("give exactly one of --user U or --serviceaccount NS:NAME")
			case sa != "":
				ns, n, ok := strings.Cut(sa, ":")
				if !ok || ns == "" || n == "" || strings.Contains(n, ":") {
					return usageError("--serviceaccount wants NS:NAME, got %q", sa)
				}
				subject = rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: n}
			default:
				subject = rbacv1.Subject{Kind: rbacv1.UserKind, Name: user}
				if ns, n, ok := rbac.SplitServiceAccount(user); ok {
					subject = rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: n}
				}
			}
			log, err := rbac.ReadAuditLogs(audit...)
			if err != nil {
				return err
			}
			lp, err := rbac.Generate(log, subject, name)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			var buf bytes.Buffer
			for i, o := range lp.Objects() {
				doc, err := yaml.Marshal(o)
				if err != nil {
					return err
				}
				if i > 0 {
					buf.WriteString("---\n")
				}
				buf.Write(bytes.ReplaceAll(doc, []byte("  creationTimestamp: null\n"), nil))
			}
			if diff {
				g, err := in.graph(cmd)
				if err != nil {
					return err
				}
				writeUnneeded(&buf, subject, g.Unneeded(log, subject))
			}
			_, err = cmd.OutOrStdout().Write(buf.Bytes())
			return err
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	f := cmd.Flags()
	f.BoolVar(&diff, "diff", false, "also list, as YAML comments, the grants the subject holds today (-f) that the observed requests do not need")
	f.StringArrayVar(&audit, "audit", nil, "audit log file (JSON lines); repeatable")
	f.StringVar(&user, "user", "", "the user whose requests to cover")
	f.StringVar(&sa, "serviceaccount", "", "the service account NS:NAME whose requests to cover")
	f.StringVar(&name, "name", "", "name of the generated roles and bindings (default aigov:least-privilege:SUBJECT)")
	f.StringVarP(&outp, "output", "o", "yaml", "output format: yaml")
	return cmd
}

// writeUnneeded appends the --diff section of generate as YAML comments.
func writeUnneeded(buf *bytes.Buffer, s rbacv1.Subject, unneeded []rbac.GrantUsage) {
	who := s.Kind + " " + s.Name
	if s.Namespace != "" {
		who = s.Kind + " " + s.Namespace + "/" + s.Name
	}
	if len(unneeded) == 0 {
		fmt.Fprintf(buf, "# diff: the observed requests need every grant bound to %s today\n", who)
		return
	}
	fmt.Fprintf(buf, "# diff: %d grant(s) bound to %s today that the observed requests do not need:\n", len(unneeded), who)
	for _, u := range unneeded {
		what := "whole rule: " + rbac.RuleString(u.Rule)
		switch {
		case len(u.UnusedVerbs) > 0 && len(u.UnusedNames) > 0:
			what = "verbs " + strings.Join(u.UnusedVerbs, ",") + "; resourceNames " + strings.Join(u.UnusedNames, ",")
		case len(u.UnusedVerbs) > 0:
			what = "verbs " + strings.Join(u.UnusedVerbs, ",")
		case len(u.UnusedNames) > 0:
			what = "resourceNames " + strings.Join(u.UnusedNames, ",")
		}
		fmt.Fprintf(buf, "#   %s -> %s rule %d: %s\n", u.Binding, u.Role, u.RuleIndex, what)
	}
}
