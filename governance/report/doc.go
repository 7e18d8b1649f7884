// Package report encodes the findings of a governance run for people, for
// programs and for clusters, and keeps baselines of known findings.
//
// It answers "what did the run find, in the form my tool reads?" — the
// `aigov check -o text|json|sarif|report` of the CLI:
//
//   - WriteText: a listing grouped by severity (critical first), each
//     finding with file:line, object Kind/namespace/name, check, path,
//     message and remediation, and a summary line. With an Overview it
//     opens with a header (objects, namespaces, teams, AI assets, counts),
//     the AI asset table, the top risks and the asset exposure table; with
//     Groups (TeamGroups, or framework groups) the listing is by group.
//   - WriteJSON: the stable {"schemaVersion":1,"findings":[...]} document
//     other programs and baselines rely on (plus "assets" when the report
//     has an Overview); ReadJSON reads it back.
//   - WriteSARIF: a SARIF 2.1.0 log for code-scanning UIs, with rules,
//     security-severity, stable fingerprints and baseline states.
//   - WritePolicyReports: wgpolicyk8s.io/v1alpha2 PolicyReport (one per
//     namespace) and ClusterPolicyReport objects as YAML for
//     `kubectl apply`; PolicyReports builds them as values.
//
// Write picks the encoder by Format (ParseFormat reads the -o value). Every
// encoder sorts a copy of the findings, so output is deterministic.
//
// A Baseline is an earlier JSON output: Mark flags the findings already in it
// as known, and FailOn decides the exit code while ignoring them ("adopt
// now, pay down later"):
//
//	baseline, err := report.LoadBaseline("baseline.json")
//	if err != nil { ... } // a *governance.InputError: exit 2
//	findings := engine.Run(inv)
//	baseline.Mark(findings)
//	r := report.Report{Findings: findings, Objects: inv.Len(), Warnings: inv.Warnings}
//	if err := report.Write(os.Stdout, report.FormatSARIF, r); err != nil { ... }
//	if report.FailOn(findings, governance.SeverityHigh) {
//		os.Exit(1)
//	}
package report
