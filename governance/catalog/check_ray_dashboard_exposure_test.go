package catalog

import (
	"fmt"
	"strings"
	"testing"
)

// rayHeadDeployment stands for the head pods KubeRay creates: the labels
// ray.io/node-type=head and ray.io/cluster.
func rayHeadDeployment(ports string) string {
	return deployIn("ml", "rc-head", "ray.io/node-type: head, ray.io/cluster: rc",
		"{containers: [{name: ray-head, image: rayproject/ray:2.9.0, ports: "+ports+"}]}")
}

// rayIngress is a NetworkPolicy of namespace ml selecting the head pods
// with one ingress rule (a YAML flow mapping).
func rayIngress(rule string) string {
	return fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ray-head, namespace: ml}
spec:
  podSelector: {matchLabels: {ray.io/node-type: head}}
  policyTypes: [Ingress]
  ingress: [%s]
`, rule)
}

func TestRayDashboardExposure(t *testing.T) {
	c := mustNew(t, NewRayDashboardExposure, "")
	defaultPorts := "[{name: gcs, containerPort: 6379}, {name: dashboard, containerPort: 8265}, {name: client, containerPort: 10001}]"
	platform := join(nsManifest("ml", "{team: ml}"), nsManifest("ml-dev", "{team: ml}"), nsManifest("cv", "{team: cv}"), nsManifest("platform", "{}"),
		deployIn("ml-dev", "nb", "", "{containers: [{name: c, image: jupyter/base-notebook}]}"),
		deployIn("cv", "nb", "", "{containers: [{name: c, image: jupyter/base-notebook}]}"),
		deployIn("cv", "trainer", "", "{containers: [{name: c, image: pytorch/pytorch}]}"),
		deployIn("platform", "proxy", "", "{containers: [{name: p, image: nginx}]}"))
	runCases(t, c, []checkCase{
		{name: "pass: ingress from the team's namespaces only", manifest: join(platform, rayHeadDeployment(defaultPorts),
			rayIngress("{from: [{namespaceSelector: {matchLabels: {team: ml}}}]}"))},
		{name: "pass: other namespaces reach the serve port only", manifest: join(platform, rayHeadDeployment(defaultPorts),
			rayIngress("{from: [{namespaceSelector: {}}], ports: [{port: 8000}]}"))},
		{name: "pass: not a Ray head", manifest: join(platform, deployIn("ml", "rc-worker", "ray.io/node-type: worker, ray.io/cluster: rc",
			"{containers: [{name: w, image: rayproject/ray:2.9.0}]}"))},
		{name: "pass: the dashboard moved to a port the policy does not open", manifest: join(platform,
			rayHeadDeployment("[{name: dashboard, containerPort: 8266}, {name: client, containerPort: 10002}]"),
			rayIngress("{from: [{namespaceSelector: {}}], ports: [{port: 8265}, {port: 10001}]}"))},
		{name: "fail: no NetworkPolicy: one finding for the cluster, sources counted by team", manifest: join(platform, rayHeadDeployment(defaultPorts)), want: []string{
			`Deployment/rc-head : the head of Ray cluster "rc" (Deployment/ml/rc-head) of team ml serves its dashboard/job API and client (TCP/8265,TCP/10001; unauthenticated code execution) to 3 workloads and 1 external range outside the team: namespace platform (platform: 1 workload); team cv (cv: 2 workloads); external 0.0.0.0/0; no NetworkPolicy restricts ingress to the head`,
		}},
		{name: "fail: every namespace on the dashboard port", manifest: join(platform, rayHeadDeployment(defaultPorts),
			rayIngress("{from: [{namespaceSelector: {}}], ports: [{port: 8265}]}")), want: []string{
			`Deployment/rc-head : the head of Ray cluster "rc" (Deployment/ml/rc-head) of team ml serves its dashboard/job API and client (TCP/8265; unauthenticated code execution) to 3 workloads outside the team: namespace platform (platform: 1 workload); team cv (cv: 2 workloads); ingress allowed by NetworkPolicy ml/ray-head ingress[0]`,
		}},
		{name: "fail: a moved client port, open to an external range", manifest: join(platform,
			rayHeadDeployment("[{name: dashboard, containerPort: 8266}, {name: client, containerPort: 10002}]"),
			rayIngress("{from: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 10002}]}")), want: []string{
			`Deployment/rc-head : the head of Ray cluster "rc" (Deployment/ml/rc-head) of team ml serves its dashboard/job API and client (TCP/10002; unauthenticated code execution) to 0 workloads and 1 external range outside the team: external 203.0.113.0/24; ingress allowed by NetworkPolicy ml/ray-head ingress[0]`,
		}},
	})
	runParamCases(t, NewRayDashboardExposure, noParamCases)
	// A head in a namespace without a team: every other namespace is outside.
	got := runCheck(t, c, join(nsManifest("cv", "{team: cv}"), rayHeadDeployment(defaultPorts),
		deployIn("cv", "nb", "", "{containers: [{name: c, image: jupyter/base-notebook}]}")))
	if len(got) != 1 || !strings.Contains(got[0], "of namespace ml serves") || !strings.Contains(got[0], "team cv (cv: 1 workload)") {
		t.Errorf("findings of a head without a team: %v", got)
	}
}

// TestRayDashboardExposureByClass: the sources and rules of a head whose
// pods fall into two classes, reached from sources of two classes and an
// external range.
func TestRayDashboardExposureByClass(t *testing.T) {
	c := mustNew(t, NewRayDashboardExposure, "")
	spec := "{containers: [{name: c, image: nginx}]}"
	headIngress := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: head-in, namespace: b-ns}
spec:
  podSelector: {matchLabels: {ray.io/node-type: head}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: a}}}]
    ports: [{port: 8265}]
  - from: [{ipBlock: {cidr: 203.0.113.0/24}}]
`
	runContainsCases(t, c, []containsCase{
		{name: "fail: a head over two classes", manifest: join(
			nsManifest("a-ns", "{team: a}"), nsManifest("b-ns", "{team: b}"), clientEgress, headIngress,
			splitDeployment("b-ns", "rc-head", ", ray.io/node-type: head, ray.io/cluster: rc",
				"{name: ray-head, image: rayproject/ray:2.9.0, ports: [{containerPort: 8265, name: dashboard}]}", "10.0.2.1", "10.0.2.2"),
			deployIn("a-ns", "client", "", spec), deployIn("a-ns", "worker", "", spec)), want: []string{
			"Deployment/rc-head : the head of Ray cluster \"rc\" (Deployment/b-ns/rc-head) of team b serves its dashboard/job API and client (TCP/8265,TCP/10001; unauthenticated code execution) to 2 workloads and 1 external range outside the team: team a (a-ns: 2 workloads); external 203.0.113.0/24; ingress allowed by NetworkPolicy b-ns/head-in ingress[0], NetworkPolicy b-ns/head-in ingress[1]",
		}},
	})
}
