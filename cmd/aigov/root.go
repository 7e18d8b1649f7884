package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

func newRootCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "aigov",
		Short: "Governance for Kubernetes AI platforms",
		Long: `aigov answers, from manifests or a live cluster, the questions a platform team
must answer before and after a deploy: who can do what (RBAC), which pod can
reach which (NetworkPolicy), how many GPUs each team uses and has left (quota),
where API keys leak (secrets) — and generates ValidatingAdmissionPolicies so
the kube-apiserver enforces what can be enforced.

Exit codes: 0 success; 1 "no", rejected, or failing findings; 2 usage or input error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newCheckCommand(), newChecksCommand(), newVersionCommand(),
		newRBACCommand(), newNetpolCommand(), newQuotaCommand(), newSecretsCommand(), newVAPCommand(),
		newExposureCommand(), newServeCommand())
	root.AddCommand(newFixCommand())
	refuseUnknownSubcommands(root)
	return root
}

// refuseUnknownSubcommands makes every command group (rbac, netpol, quota,
// …) fail on an argument that names no subcommand, as kubectl does:
// "unknown command" with cobra's suggestions, exit 2. A group called bare
// still prints its help.
func refuseUnknownSubcommands(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if cmd.HasParent() && cmd.HasSubCommands() && !cmd.Runnable() {
		cmd.Args = cobra.ArbitraryArgs
		cmd.FParseErrWhitelist.UnknownFlags = true // the subcommand's flags: the name is what is wrong
		cmd.SuggestionsMinimumDistance = 2
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if suggestions := cmd.SuggestionsFor(args[0]); len(suggestions) > 0 {
				msg += "\n\nDid you mean this?\n\t" + strings.Join(suggestions, "\n\t")
			}
			return usageError("%s\nRun '%s --help' for usage.", msg, cmd.CommandPath())
		}
	}
}
