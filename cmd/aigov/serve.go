package main

import (
	"context"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/cluster"
	"github.com/aigov/aigov/governance/live"
	"github.com/aigov/aigov/governance/policyset"
)

func newServeCommand() *cobra.Command {
	var (
		kubeconfig, kubeContext string
		policyFile              string
		metricsAddr, healthAddr string
		reports                 string
		opts                    live.Options
		failurePolicy           string
		verbose                 bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Keep governance reports current in the cluster",
		Long: `Watch every kind aigov reads, re-run the checks when something changes, and
keep one OpenReports Report per namespace (and a ClusterReport for
cluster-scoped objects), each named "aigov", equal to what
"aigov check --kubeconfig" finds — within seconds of a change.

Without --kubeconfig it uses the pod's service account (in-cluster), else the
usual kubeconfig rules. A kind the server serves but the account may not list
or watch is reported (log, metric aigov_resource_degraded, an "error" result
in the ClusterReport), never left out silently, and tried again with backoff
until it can be read; the kinds of CRDs installed later are found by asking
discovery again every --rediscover. /readyz answers 200 after the
first full sync. With --leader-elect, replicas share a Lease and only the
leader writes reports. Runs until SIGINT or SIGTERM.

With --webhook-addr every replica also serves a validating admission webhook
at /validate: a change is judged on the cluster's inventory with the change
applied, and denied when it creates a finding of a Deny check of --policy
that the cluster does not have yet (Warn checks' new findings become
warnings; existing findings never block). Without --policy the catalog runs
as Audit: reported, never enforced. deploy/webhook.yaml registers it.`,
		Example: `  # install the report CRDs once, then serve against the current context
  kubectl apply -f deploy/crds
  aigov serve --kubeconfig ~/.kube/config
  kubectl get reports -A

  # a GovernancePolicy, legacy PolicyReports, two replicas
  aigov serve --policy examples/platformtest/policy.yaml --reports policyreport --leader-elect   # in the cluster`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := live.ParseReportFormat(reports)
			if err != nil {
				return usageError("--reports: %v", err)
			}
			rules, err := policyset.Rules(policyFile)
			if err != nil {
				return err
			}
			if policyFile == "" {
				// Without a policy nobody chose what to enforce: the
				// catalog reports, and admission blocks nothing.
				for i := range rules {
					rules[i].Action = governance.ActionAudit
				}
			}
			if opts.WebhookAddr != "" && (opts.TLSCertFile == "" || opts.TLSKeyFile == "") {
				return usageError("--webhook-addr needs --tls-cert-file and --tls-private-key-file")
			}
			switch failurePolicy {
			case "Fail":
			case "Ignore":
				opts.WebhookFailOpen = true
			default:
				return usageError("--webhook-failure-policy: %q is neither Fail nor Ignore", failurePolicy)
			}
			cfg, err := cluster.RESTConfig(kubeconfig, kubeContext)
			if err != nil {
				return err
			}
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			opts.Config, opts.Rules, opts.Reports = cfg, rules, format
			opts.MetricsAddr, opts.HealthAddr = metricsAddr, healthAddr
			opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return live.Run(ctx, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig `FILE`; without it, the in-cluster service account or $KUBECONFIG, ~/.kube/config")
	f.StringVar(&kubeContext, "context", "", "kubeconfig context; \"\" is the current one")
	f.StringVar(&policyFile, "policy", "", "GovernancePolicy `FILE`: run exactly the checks it lists (default: the catalog)")
	f.StringVar(&metricsAddr, "metrics-addr", ":8080", "address of /metrics (Prometheus text format); \"\" serves none")
	f.StringVar(&healthAddr, "health-addr", ":8081", "address of /healthz and /readyz; \"\" serves none")
	f.StringVar(&reports, "reports", string(live.ReportsOpenReports), "reports to write: openreports (openreports.io Report/ClusterReport), policyreport (wgpolicyk8s.io PolicyReport), none")
	f.BoolVar(&opts.LeaderElect, "leader-elect", false, "share a Lease with the other replicas; only the leader writes reports")
	f.StringVar(&opts.LeaderElectionNamespace, "leader-election-namespace", "", "namespace of the Lease (default: the pod's namespace, else default)")
	f.StringVar(&opts.LeaderElectionName, "leader-election-id", "aigov", "name of the Lease")
	f.DurationVar(&opts.Debounce, "debounce", 0, "quiet period after a change before re-evaluating (default 500ms)")
	f.DurationVar(&opts.MaxDelay, "max-delay", 0, "longest wait from a change to its re-evaluation however busy the cluster (default 2s)")
	f.DurationVar(&opts.Rediscover, "rediscover", 0, "how often discovery is asked again for the kinds of CRDs installed after the start (default 1m; negative: never)")
	f.Float32Var(&opts.WriteQPS, "report-write-qps", 0, "most report writes per second (default 5)")
	f.StringVar(&opts.WebhookAddr, "webhook-addr", "", "address of the validating admission webhook (/validate, HTTPS); \"\" serves none")
	f.StringVar(&opts.TLSCertFile, "tls-cert-file", "", "serving certificate `FILE` (PEM) of the webhook")
	f.StringVar(&opts.TLSKeyFile, "tls-private-key-file", "", "private key `FILE` (PEM) of the webhook's certificate")
	f.DurationVar(&opts.WebhookTimeout, "webhook-timeout", 0, "longest review; past it the request is denied, or admitted with --webhook-failure-policy Ignore (default 10s; the apiserver's timeoutSeconds wins when shorter)")
	f.StringVar(&failurePolicy, "webhook-failure-policy", "Fail", "what a review that fails or times out does, as the ValidatingWebhookConfiguration's failurePolicy: Fail (deny) or Ignore (admit with a warning)")
	f.BoolVarP(&verbose, "verbose", "v", false, "log every evaluation")
	return cmd
}
