package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// newRBACCommand is the "aigov rbac" command group.
func newRBACCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rbac",
		Short: "Who can do what, why, and which grants are dangerous",
		Long: `RBAC questions answered with the kube-apiserver's own semantics, from the
objects given only (no bootstrap roles are assumed): ClusterRole aggregation is
computed, system:masters is a superuser, service accounts and impersonated users
get the groups the apiserver gives them.`,
	}
	cmd.AddCommand(newRBACCanICommand(), newRBACWhoCanCommand(), newRBACRisksCommand(), newRBACLintCommand(),
		newRBACUnusedCommand(), newRBACGenerateCommand(), newRBACDiffCommand(), newRBACEscalationsCommand())
	return cmd
}

// rbacInput is inputFlags where -n/-A name the request namespace, not a
// default for objects without one.
type rbacInput struct{ inputFlags }

// requestNamespace is -n NS, "" with -A, else "default".
func (in *rbacInput) requestNamespace() string {
	switch {
	case in.allNamespaces:
		return ""
	case in.namespace != "":
		return in.namespace
	}
	return "default"
}

func (in *rbacInput) graph(cmd *cobra.Command) (*rbac.Graph, error) {
	_, g, err := in.inventoryAndGraph(cmd)
	return g, err
}

func (in *rbacInput) inventoryAndGraph(cmd *cobra.Command) (*governance.Inventory, *rbac.Graph, error) {
	if in.namespace != "" && in.allNamespaces {
		return nil, nil, usageError("use either -n or -A, not both")
	}
	f := in.inputFlags
	if !f.live() {
		f.namespace = "" // objects without a namespace stay in "default"
	}
	inv, err := f.loadShowingProgress(cmd)
	if err != nil {
		return nil, nil, err
	}
	return inv, rbac.New(inv), nil
}

// parseResource parses TYPE[.GROUP][/NAME] as the design's CLI contract
// says: the resource is the text before the first ".", the group the rest;
// NAME is everything after the first "/".
func parseResource(arg string) (resource, group, name string) {
	typ, name, _ := strings.Cut(arg, "/")
	resource, group, _ = strings.Cut(typ, ".")
	return resource, group, name
}

// requestAttributes parses a can-i or who-can request; its resource type
// (TYPE[.GROUP], "" for a URL) is resolved by resolveRequest once the
// inputs are loaded.
func requestAttributes(verb, target, sub, ns string) (rbac.Attributes, string, error) {
	if strings.HasPrefix(target, "/") {
		if sub != "" {
			return rbac.Attributes{}, "", usageError("--subresource cannot be used with a non-resource URL")
		}
		return rbac.Attributes{Verb: verb, Path: target}, "", nil
	}
	res, group, name := parseResource(target)
	if res == "" {
		return rbac.Attributes{}, "", usageError("no resource type in %q", target)
	}
	typ, _, _ := strings.Cut(target, "/")
	return rbac.Attributes{Verb: verb, Namespace: ns, APIGroup: group, Resource: res, Subresource: sub, Name: name}, typ, nil
}

// resolveRequest sets the resource and group of a as kubectl resolves typ
// (rbac.ResolveResource: Kubernetes v1.37 and the inputs' CRDs), prints
// kubectl's warning for a name no group serves, and returns how the group
// was chosen.
func resolveRequest(cmd *cobra.Command, inv *governance.Inventory, a *rbac.Attributes, typ string) (string, error) {
	if typ == "" {
		return "", nil
	}
	r, err := rbac.ResolveResource(inv, typ)
	if err != nil {
		return "", usageError("%v", err)
	}
	if r.Warning != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "Warning: "+r.Warning)
	}
	a.Resource, a.APIGroup = r.Resource, r.APIGroup
	return r.Explanation, nil
}

func writeRBACJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func checkOutput(o string, allowed ...string) error {
	for _, a := range allowed {
		if o == a {
			return nil
		}
	}
	return usageError("unknown output format %q (want %s)", o, strings.Join(allowed, " or "))
}

func newRBACCanICommand() *cobra.Command {
	var (
		in               rbacInput
		as, sub, output  string
		groups           []string
		explain, listAll bool
	)
	cmd := &cobra.Command{
		Use:   "can-i VERB (TYPE[.GROUP] | TYPE[.GROUP]/NAME | /URL)",
		Short: "Whether an identity may make a request (yes/no, exit 0/1)",
		Example: `  aigov rbac can-i get secrets -n nlp-team --as system:serviceaccount:nlp-team:llm-service -f examples/multitenant
  # a subresource is --subresource (TYPE/NAME names an object: a pod called "exec")
  aigov rbac can-i create pods --subresource exec -n nlp-team --as alice --as-group nlp-engineers -f examples/multitenant --explain
  aigov rbac can-i get /metrics --as prometheus -f examples/multitenant
  aigov rbac can-i --list --as alice --as-group nlp-engineers -n nlp-team -f examples/multitenant -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if as == "" {
				return usageError("--as USER is required")
			}
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			if listAll {
				if len(args) != 0 {
					return usageError("--list takes no VERB or resource")
				}
				g, err := in.graph(cmd)
				if err != nil {
					return err
				}
				return printList(cmd.OutOrStdout(), g, rbac.Impersonate(as, groups...), in.requestNamespace(), output)
			}
			if len(args) != 2 {
				return usageError("want VERB and (TYPE[.GROUP][/NAME] | /URL), got %d arguments", len(args))
			}
			a, typ, err := requestAttributes(args[0], args[1], sub, in.requestNamespace())
			if err != nil {
				return err
			}
			inv, g, err := in.inventoryAndGraph(cmd)
			if err != nil {
				return err
			}
			resolved, err := resolveRequest(cmd, inv, &a, typ)
			if err != nil {
				return err
			}
			return printCanI(cmd.OutOrStdout(), g, rbac.Impersonate(as, groups...), a, resolved, explain, output)
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	fl := cmd.Flags()
	fl.StringVar(&as, "as", "", "user to ask for (system:serviceaccount:NS:NAME for a service account)")
	fl.StringArrayVar(&groups, "as-group", nil, "group of the user; repeatable")
	fl.StringVar(&sub, "subresource", "", "subresource (log, exec, scale, ...)")
	fl.BoolVar(&explain, "explain", false, "print the grants (binding → role → rule) behind the answer")
	fl.BoolVar(&listAll, "list", false, "list everything the identity may do in the namespace")
	fl.StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func printCanI(w io.Writer, g *rbac.Graph, id rbac.Identity, a rbac.Attributes, resolved string, explain bool, output string) error {
	if output == "json" {
		doc := g.CanI(id, a)
		err := writeRBACJSON(w, doc)
		if err == nil && !doc.Allowed {
			return errFailing
		}
		return err
	}
	d := g.Can(id, a)
	var grants []rbac.Grant
	if explain {
		grants = g.Grants(id, a)
	}
	if d.Allowed {
		fmt.Fprintln(w, "yes")
	} else {
		fmt.Fprintln(w, "no")
	}
	if explain {
		fmt.Fprintf(w, "identity: user %q, groups %q\nrequest:  %s\n", id.User, id.Groups, a)
		if resolved != "" {
			fmt.Fprintf(w, "resource: %s\n", resolved)
		}
		switch {
		case d.Superuser:
			fmt.Fprintf(w, "allowed:  %s (the apiserver authorizes it before RBAC)\n", d.Reason)
		case d.Allowed:
			for _, gr := range grants {
				fmt.Fprintf(w, "allowed by %s, rule %d %s\n", gr, gr.RuleIndex, rbac.RuleString(gr.Rule))
			}
		default:
			fmt.Fprintln(w, "denied:  ", g.ExplainDenial(id, a))
		}
	}
	if !d.Allowed {
		return errFailing
	}
	return nil
}

func printList(w io.Writer, g *rbac.Graph, id rbac.Identity, ns, output string) error {
	if output == "json" {
		return writeRBACJSON(w, g.List(id, ns))
	}
	perms := g.Effective(id, ns)
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "Resources\tNon-Resource URLs\tResource Names\tVerbs")
	for _, p := range perms {
		res := p.Resource
		if p.APIGroup != "" && res != "" {
			res += "." + p.APIGroup
		}
		var urls []string
		if p.NonResourceURL != "" {
			urls = []string{p.NonResourceURL}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", res, list(urls), list(p.ResourceNames), list(p.Verbs))
	}
	return tw.Flush()
}

func list(s []string) string { return "[" + strings.Join(s, " ") + "]" }

func newRBACWhoCanCommand() *cobra.Command {
	var (
		in          rbacInput
		sub, output string
	)
	cmd := &cobra.Command{
		Use:   "who-can VERB TYPE[.GROUP][/NAME]",
		Short: "Every subject a binding allows to make a request, with the grants",
		Example: `  aigov rbac who-can get secrets/huggingface-token -n nlp-team -f examples/multitenant
  aigov rbac who-can create pods --subresource exec -n cv-team -f examples/multitenant -o json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			a, typ, err := requestAttributes(args[0], args[1], sub, in.requestNamespace())
			if err != nil {
				return err
			}
			inv, g, err := in.inventoryAndGraph(cmd)
			if err != nil {
				return err
			}
			if _, err := resolveRequest(cmd, inv, &a, typ); err != nil {
				return err
			}
			subjects := g.WhoCan(a)
			if output == "json" {
				return writeRBACJSON(cmd.OutOrStdout(), rbac.NewWhoCanDocument(a, subjects))
			}
			return printWhoCan(cmd.OutOrStdout(), subjects)
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringVar(&sub, "subresource", "", "subresource (log, exec, scale, ...)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func printWhoCan(w io.Writer, subjects []rbac.SubjectAccess) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAMESPACE\tNAME\tVIA")
	for _, s := range subjects {
		via := "superuser (system:masters is authorized before RBAC)"
		if !s.Superuser {
			var parts []string
			for _, g := range s.Grants {
				parts = append(parts, fmt.Sprintf("%s → %s rule %d", g.Binding, g.Role, g.RuleIndex))
			}
			via = strings.Join(parts, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Subject.Kind, s.Subject.Namespace, s.Subject.Name, via)
	}
	return tw.Flush()
}

func newRBACRisksCommand() *cobra.Command {
	var (
		in             rbacInput
		output, failOn string
	)
	cmd := &cobra.Command{
		Use:   "risks",
		Short: "Subjects holding dangerous permission classes, with the grant chain",
		Example: `  aigov rbac risks -f examples/multitenant
  aigov rbac risks -f examples/multitenant -o json --fail-on critical`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			threshold := governance.Severity(-1)
			if failOn != "" {
				s, err := governance.ParseSeverity(failOn)
				if err != nil {
					return usageError("--fail-on: %v", err)
				}
				threshold = s
			}
			g, err := in.graph(cmd)
			if err != nil {
				return err
			}
			risks := g.Risks(nil)
			if output == "json" {
				err = writeRBACJSON(cmd.OutOrStdout(), rbac.NewRisksDocument(risks))
			} else {
				err = printRisks(cmd.OutOrStdout(), risks)
			}
			if err != nil {
				return err
			}
			for _, r := range risks {
				if threshold >= 0 && r.Severity >= threshold {
					return errFailing
				}
			}
			return nil
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	cmd.Flags().StringVar(&failOn, "fail-on", "", "exit 1 when a risk is at or above this severity")
	return cmd
}

func printRisks(w io.Writer, risks []rbac.Risk) error {
	if len(risks) == 0 {
		_, err := fmt.Fprintln(w, "no dangerous grants found")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tCLASS\tSUBJECT\tSCOPE\tVIA")
	for _, r := range risks {
		scope := "cluster"
		if r.Namespace != "" {
			scope = r.Namespace
		}
		subject := r.Subject.Kind + "/" + r.Subject.Name
		if r.Subject.Namespace != "" {
			subject = r.Subject.Kind + "/" + r.Subject.Namespace + "/" + r.Subject.Name
		}
		var via []string
		for _, g := range r.Grants {
			via = append(via, fmt.Sprintf("%s → %s rule %d", g.Binding, g.Role, g.RuleIndex))
		}
		note := ""
		if r.NameRestricted {
			note = " (named objects only)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s%s\n", r.Severity, r.Class, subject, scope, strings.Join(via, " + "), note)
	}
	return tw.Flush()
}
