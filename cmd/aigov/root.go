package main

import (
	"io"

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
		newExposureCommand())
	return root
}
