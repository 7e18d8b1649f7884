package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/rbac"
	"github.com/aigov/aigov/secrets"
)

// newSecretsCommand is the "aigov secrets" command group.
func newSecretsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Find leaked credentials and Secret hygiene problems; who can read a Secret",
	}
	cmd.AddCommand(newSecretsScanCommand(), newSecretsExposureCommand())
	return cmd
}

func newSecretsScanCommand() *cobra.Command {
	var (
		in      inputFlags
		origin  string
		enable  []string
		disable []string
		output  string
	)
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Scan manifests or a live cluster for provider keys and Secret hygiene problems",
		Long: `Scan parsed objects for provider API keys (OpenAI, Anthropic, Hugging Face,
Gemini, Cohere, Replicate, AWS, GitHub, Slack, Stripe, …), private keys, URL
passwords and credential-named literals, and check Secret hygiene. Exit 1 when
there is any finding.

--origin source (the default for -f/-k) scans Secret data too: in git it is a
leak. --origin cluster (the default with --kubeconfig/--context) treats Secret
data as where credentials belong and does not scan it.

Default rules: ` + ruleList(secrets.DefaultRules()) + `.
Opt-in (--enable): secret-env-reference, secret-not-immutable.`,
		Example: `  aigov secrets scan -f examples/multitenant
  aigov secrets scan -f examples/multitenant --enable secret-env-reference,secret-not-immutable -o json
  aigov secrets scan --kubeconfig ~/.kube/config`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return usageError("unknown output format %q (want text or json)", output)
			}
			if !cmd.Flags().Changed("origin") && in.live() {
				origin = "cluster"
			}
			o, err := secrets.ParseOrigin(origin)
			if err != nil {
				return usageError("--origin: %v", err)
			}
			rules, err := secrets.SelectRules(enable, disable)
			if err != nil {
				return usageError("%v", err)
			}
			scanner, err := secrets.NewScanner(secrets.Config{Rules: rules})
			if err != nil {
				return err
			}
			inv, err := in.loadShowingProgress(cmd)
			if err != nil {
				return err
			}
			findings := scanner.Scan(inv, o)
			if err := writeSecretFindings(cmd.OutOrStdout(), output, findings, inv.Len()); err != nil {
				return err
			}
			if len(findings) > 0 {
				return errFailing
			}
			return nil
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	f := cmd.Flags()
	f.StringVar(&origin, "origin", "source", "where the objects come from: source (git, CI rendering) or cluster (read from an apiserver)")
	f.StringSliceVar(&enable, "enable", nil, "also run these rules (comma-separated IDs), e.g. secret-env-reference,secret-not-immutable")
	f.StringSliceVar(&disable, "disable", nil, "do not run these rules (comma-separated IDs)")
	f.StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func ruleList(rules []secrets.Rule) string {
	s := ""
	for i, r := range rules {
		if i > 0 {
			s += ", "
		}
		s += r.ID
	}
	return s
}

func writeSecretFindings(w io.Writer, format string, findings []secrets.Finding, objects int) error {
	if format == "json" {
		b, err := json.MarshalIndent(secrets.Report{Findings: findings}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	if len(findings) == 0 {
		_, err := fmt.Fprintf(w, "no findings; %d objects scanned\n", objects)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tRULE\tOBJECT\tPATH\tPROVIDER\tMESSAGE")
	for _, f := range findings {
		obj := f.Object.Display()
		provider := f.Provider
		if provider == "" {
			provider = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, f.Rule, obj, f.Path, provider, f.Message)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d finding(s); %d objects scanned\n", len(findings), objects)
	return err
}

func newSecretsExposureCommand() *cobra.Command {
	var (
		in     inputFlags
		output string
	)
	cmd := &cobra.Command{
		Use:   "exposure",
		Short: "Who can read each Secret: directly, by creating pods or controllers, by exec, or by impersonation",
		Long: `For every Secret of the input, list the subjects that can read it, with the
grant chain (binding → role): get/list/watch on secrets (resourceNames
honoured), create pods or pod controllers (Deployments, Jobs, CronJobs, ...)
in its namespace (and so mount it), exec into the pods of workloads that use
it (resourceNames honoured for pods whose names are known), or impersonate or
mint a token for a subject that can do one of these. ServiceAccount subjects
list the workloads that run as them. RBAC uses only the objects given.`,
		Example: `  aigov secrets exposure -f examples/multitenant
  aigov secrets exposure -f examples/multitenant -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return usageError("unknown output format %q (want text or json)", output)
			}
			inv, err := in.loadShowingProgress(cmd)
			if err != nil {
				return err
			}
			// Folded as each Secret's answer is made: what Secrets share
			// is listed once, in text as in JSON.
			doc := secrets.FoldedExposure(inv, rbac.New(inv))
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), doc)
			}
			return writeSecretsExposureText(cmd.OutOrStdout(), doc)
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
