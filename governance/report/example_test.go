package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
)

// findings are what governance.Engine.Run returns.
func findings() []governance.Finding {
	return []governance.Finding{
		{
			Check: "latest-tag", Severity: governance.SeverityMedium, Action: governance.ActionDeny,
			Object: governance.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ml", Name: "llm-server",
				Source: governance.Source{File: "manifests/llm.yaml", Line: 7, Document: 1, Item: -1}},
			Path:        "spec.template.spec.containers[0].image",
			Message:     `image "vllm/vllm-openai" has no tag or digest`,
			Remediation: "pin the image by digest or a version tag",
		},
		{
			Check: "privileged-container", Severity: governance.SeverityCritical, Action: governance.ActionDeny,
			Object: governance.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ml", Name: "llm-server",
				Source: governance.Source{File: "manifests/llm.yaml", Line: 7, Document: 1, Item: -1}},
			Path:    "spec.template.spec.containers[0].securityContext.privileged",
			Message: `container "server" runs privileged`,
		},
	}
}

// Write picks the encoder by the -o value.
func ExampleWrite() {
	format, err := report.ParseFormat("text")
	if err != nil {
		panic(err)
	}
	r := report.Report{Findings: findings(), Objects: 12}
	if err := report.Write(os.Stdout, format, r); err != nil {
		panic(err)
	}
	// Output:
	// CRITICAL (1)
	//   manifests/llm.yaml:7  Deployment/ml/llm-server  privileged-container
	//     spec.template.spec.containers[0].securityContext.privileged: container "server" runs privileged
	//
	// MEDIUM (1)
	//   manifests/llm.yaml:7  Deployment/ml/llm-server  latest-tag
	//     spec.template.spec.containers[0].image: image "vllm/vllm-openai" has no tag or digest
	//     remediation: pin the image by digest or a version tag
	//
	// 2 findings: 1 critical, 0 high, 1 medium, 0 low, 0 info (0 known); 12 objects loaded
}

// The JSON document is what other programs and baselines read.
func ExampleWriteJSON() {
	r := report.Report{Findings: findings()[:1], Objects: 12}
	if err := report.WriteJSON(os.Stdout, r); err != nil {
		panic(err)
	}
	// Output:
	// {
	//   "schemaVersion": 1,
	//   "objects": 12,
	//   "findings": [
	//     {
	//       "check": "latest-tag",
	//       "object": "Deployment/llm-server",
	//       "apiVersion": "apps/v1",
	//       "namespace": "ml",
	//       "path": "spec.template.spec.containers[0].image",
	//       "severity": "medium",
	//       "action": "Deny",
	//       "message": "image \"vllm/vllm-openai\" has no tag or digest",
	//       "remediation": "pin the image by digest or a version tag",
	//       "file": "manifests/llm.yaml",
	//       "line": 7,
	//       "document": 1,
	//       "known": false
	//     }
	//   ]
	// }
}

// Adopt now, pay down later: findings of an earlier run are known and do not
// fail the run; a new one does.
func ExampleBaseline() {
	// The earlier run found the latest tag only; its JSON output is the
	// baseline (report.LoadBaseline reads it from a file).
	var earlier bytes.Buffer
	if err := report.WriteJSON(&earlier, report.Report{Findings: findings()[:1]}); err != nil {
		panic(err)
	}
	baseline, err := report.ReadBaseline(&earlier, "baseline.json")
	if err != nil {
		panic(err)
	}

	current := findings()
	fmt.Println("known:", baseline.Mark(current))
	fmt.Println("fail at medium:", report.FailOn(current, governance.SeverityMedium))

	current = current[:1] // the privileged container was fixed
	fmt.Println("fail at medium after the fix:", report.FailOn(current, governance.SeverityMedium))
	// Output:
	// known: 1
	// fail at medium: true
	// fail at medium after the fix: false
}

// SARIF for code-scanning UIs: one rule per check, results with levels and
// baseline states.
func ExampleWriteSARIF() {
	fs := findings()
	fs[0].Known = true
	var out bytes.Buffer
	if err := report.WriteSARIF(&out, report.Report{Findings: fs, ToolVersion: "v1.0.0"}); err != nil {
		panic(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID        string `json:"ruleId"`
				Level         string `json:"level"`
				BaselineState string `json:"baselineState"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		panic(err)
	}
	for _, r := range log.Runs[0].Results {
		fmt.Println(r.RuleID, r.Level, r.BaselineState)
	}
	// Output:
	// privileged-container error new
	// latest-tag warning unchanged
}

// PolicyReports builds one PolicyReport per namespace and a
// ClusterPolicyReport; WritePolicyReports writes them as YAML for
// kubectl apply.
func ExamplePolicyReports() {
	r := report.Report{Findings: findings(), Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	reports, cluster := report.PolicyReports(r)
	for _, pr := range reports {
		fmt.Printf("%s/%s fail=%d warn=%d\n", pr.Namespace, pr.Name, pr.Summary.Fail, pr.Summary.Warn)
		for _, res := range pr.Results {
			fmt.Println(" ", res.Policy, res.Severity, res.Result, res.Subjects[0].Kind+"/"+res.Subjects[0].Name)
		}
	}
	fmt.Println(cluster.Name, len(cluster.Results))
	// Output:
	// ml/aigov-ml fail=2 warn=0
	//   privileged-container critical fail Deployment/llm-server
	//   latest-tag medium fail Deployment/llm-server
	// aigov-cluster 0
}
