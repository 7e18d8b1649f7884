package main

import (
	"github.com/spf13/cobra"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/governance/report"
)

func newCheckCommand() *cobra.Command {
	var (
		in           inputFlags
		policyFile   string
		baselineFile string
		failOn       string
		output       string
		groupBy      string
		progress     progressFlags
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Run governance checks on manifests or a live cluster",
		Long: `Run the catalog's checks (or exactly those a GovernancePolicy lists) and report
the findings. The run fails (exit 1) when a finding of a Deny check at or above
--fail-on is not in the --baseline; Warn and Audit findings are reported only.`,
		Example: `  # the bundled example platform, human-readable: counts, AI assets, top
  # risks, asset exposure, then the findings
  aigov check -f examples/multitenant

  # the same findings per team, or per compliance framework
  aigov check -f examples/multitenant --group-by team
  aigov check -f examples/multitenant --group-by framework

  # a policy file, JSON for other programs, fail only on high and critical
  aigov check -f examples/multitenant --policy examples/platformtest/policy.yaml --fail-on high -o json

  # adopt now, pay down later: known findings do not fail the run
  aigov check -f examples/multitenant -o json > baseline.json
  aigov check -f examples/multitenant --baseline baseline.json

  # SARIF for code-scanning UIs; PolicyReports for Kyverno-style dashboards
  aigov check -f examples/multitenant -o sarif > aigov.sarif
  aigov check --kubeconfig ~/.kube/config -o report | kubectl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := report.ParseFormat(output)
			if err != nil {
				return usageError("%v", err)
			}
			by, err := report.ParseGroupBy(groupBy)
			if err != nil {
				return usageError("--group-by: %v", err)
			}
			threshold, err := governance.ParseSeverity(failOn)
			if err != nil {
				return usageError("--fail-on: %v", err)
			}
			rules, err := policyset.Rules(policyFile)
			if err != nil {
				return err
			}
			var baseline *report.Baseline
			if baselineFile != "" {
				if baseline, err = report.LoadBaseline(baselineFile); err != nil {
					return err
				}
			}
			// check decides on a partial cluster read after its run: it
			// fails only when --fail-on is given (a gate), and the text
			// report prints the warnings itself.
			in.partialAfterRun, in.warningsInOutput = true, format == report.FormatText
			setDefaultMemoryLimit()
			line := startProgress(cmd, format, progress)
			defer line.stop()
			in.progress = line.progress()
			inv, err := in.load(cmd)
			if err != nil {
				return err
			}
			line.loaded(inv.Len())
			engine, err := governance.NewEngine(rules...)
			if err != nil {
				return err
			}
			pass := governance.NewPass(inv)
			findings := engine.WithProgress(line.progress()).RunPass(pass)
			if baseline != nil {
				baseline.Mark(findings)
			}
			defs := policyset.Definitions()
			r := report.Report{Findings: findings, Objects: inv.Len(), Warnings: inv.Warnings, Degraded: inv.Degraded,
				Definitions: defs, ToolVersion: version}
			if format == report.FormatText || format == report.FormatJSON {
				r.Overview = catalog.Overview(pass)
			}
			if format == report.FormatText {
				r.GroupBy = by
				r.Groups = catalog.FindingGroups(by, findings, r.Overview.NamespaceTeam, defs)
			}
			line.stop() // the report starts on a clean line
			if err := report.Write(cmd.OutOrStdout(), format, r); err != nil {
				return err
			}
			if report.FailOn(findings, threshold) {
				return errFailing
			}
			if cmd.Flags().Changed("fail-on") {
				return in.partialError()
			}
			return nil
		},
	}
	in.register(cmd)
	progress.register(cmd)
	f := cmd.Flags()
	f.StringVar(&policyFile, "policy", "", "GovernancePolicy `FILE`: run exactly the checks it lists")
	f.StringVar(&baselineFile, "baseline", "", "`FILE` written by an earlier check -o json: its findings are known and do not fail the run")
	f.StringVar(&failOn, "fail-on", "info", "lowest severity that fails the run: info, low, medium, high, critical")
	f.StringVarP(&output, "output", "o", "text", "output format: text, json, sarif, report (PolicyReport YAML)")
	f.StringVar(&groupBy, "group-by", "severity", "text report: group findings by severity, team (namespace label team) or framework (CIS, NSA-CISA, OWASP-LLM, MITRE-ATLAS)")
	return cmd
}
