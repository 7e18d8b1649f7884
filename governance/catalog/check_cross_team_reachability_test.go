package catalog

import (
	"fmt"
	"testing"
)

func TestCrossTeamReachability(t *testing.T) {
	nsA := nsManifest("a-ns", "{team: a}")
	nsB := nsManifest("b-ns", "{team: b}")
	nsP := nsManifest("plat", "{team: platform, isolation-level: shared}")
	srcA := deployIn("a-ns", "client", "", "{containers: [{name: c, image: curl}]}")
	dstB := deployIn("b-ns", "api", "", "{containers: [{name: a, image: nginx, ports: [{containerPort: 8080}]}]}")
	gw := deployIn("plat", "gateway", "", "{containers: [{name: g, image: litellm}]}")
	egressDeny := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-egress, namespace: b-ns}
spec: {podSelector: {}, policyTypes: [Egress]}
`
	isolated := join(denyAll("a-ns"), denyAll("b-ns"), denyAll("plat"))
	c := mustNew(t, NewCrossTeamReachability, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: isolated", manifest: join(nsA, nsB, srcA, dstB, isolated)},
		{name: "pass: shared namespace exempt", manifest: join(nsA, nsB, nsP, srcA, dstB, gw, denyAll("a-ns"))},
		{name: "fail: open", manifest: join(nsA, nsB, srcA, dstB, egressDeny), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from a-ns/client (Deployment) of team a on all; egress not restricted; ingress not restricted",
		}},
	})
	allowed := mustNew(t, NewCrossTeamReachability, `{"allowed": ["a->b"], "shared": ""}`)
	runContainsCases(t, allowed, []containsCase{
		{name: "pass: allowed pair", manifest: join(nsA, nsB, srcA, dstB, egressDeny)},
		{name: "fail: shared exemption off", manifest: join(nsA, nsP, srcA, gw), want: []string{
			"Deployment/client : a-ns/client of team a is reachable from plat/gateway (Deployment) of team platform",
			"Deployment/gateway : plat/gateway of team platform is reachable from a-ns/client (Deployment) of team a",
		}},
	})
	// Aggregated sources: team a has a-ns (client, worker) and a2-ns
	// (batch, idle, the latter cut off by its egress policy).
	nsA2 := nsManifest("a2-ns", "{team: a}")
	worker := deployIn("a-ns", "worker", "", "{containers: [{name: w, image: curl}]}")
	batch := deployIn("a2-ns", "batch", "", "{containers: [{name: b, image: curl}]}")
	idle := deployIn("a2-ns", "idle", "", "{containers: [{name: i, image: curl}]}")
	idleNoEgress := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: idle-no-egress, namespace: a2-ns}
spec: {podSelector: {matchLabels: {app: idle}}, policyTypes: [Egress]}
`
	onlyPort := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-8080, namespace: b-ns}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a-ns}}}]
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a2-ns}}}]
    ports: [{port: 8080}]
`
	runContainsCases(t, c, []containsCase{
		{name: "fail: a whole team is one source", manifest: join(nsA, nsB, srcA, worker, dstB, egressDeny), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from team a (all 2 workloads) on all; egress not restricted; ingress not restricted",
		}},
		{name: "fail: a whole namespace of a team is one source, the others are named", manifest: join(nsA, nsA2, nsB, srcA, worker, batch, idle, dstB, egressDeny, idleNoEgress), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from 3 workloads on all: namespace a-ns of team a (all 2 workloads), a2-ns/batch (Deployment) of team a; egress not restricted; ingress not restricted",
		}},
		{name: "fail: one finding per destination and ports, rules of every source", manifest: join(nsA, nsA2, nsB, srcA, worker, batch, dstB, egressDeny, onlyPort), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from a2-ns/batch (Deployment) of team a on TCP/8080; egress not restricted; ingress allowed by NetworkPolicy b-ns/api-8080 ingress[1]",
			"Deployment/api : b-ns/api of team b is reachable from namespace a-ns of team a (all 2 workloads) on all; egress not restricted; ingress allowed by NetworkPolicy b-ns/api-8080 ingress[0]",
		}},
	})
	runParamCases(t, NewCrossTeamReachability, []paramCase{
		{"", ""}, {`{"teamLabel": "owner", "allowed": ["x->y"]}`, ""},
		{`{"allowed": ["x"]}`, "is not SOURCE->DESTINATION"},
		{`{"teamLabel": "bad label!"}`, "teamLabel"},
		{`{"shared": "a in (("}`, "shared"},
	})
}

// splitDeployment is a Deployment whose running Pods (through a
// ReplicaSet the manifests do not hold) have the given IPs, as a cluster
// dump holds them: an ipBlock holding some of the IPs makes each pod an
// endpoint of its own, in the classes the ipBlock tells apart.
func splitDeployment(ns, name, labels, container string, ips ...string) string {
	docs := []string{fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  replicas: %[3]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s%[4]s}}
    spec: {containers: [%[5]s]}
`, name, ns, len(ips), labels, container)}
	for i, ip := range ips {
		docs = append(docs, fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: %[1]s-7d-%[3]d
  namespace: %[2]s
  labels: {app: %[1]s%[4]s}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: %[1]s-7d, uid: u-%[1]s-%[3]d, controller: true}]
spec: {containers: [%[5]s]}
status: {phase: Running, podIP: %[6]s}
`, name, ns, i, labels, container, ip))
	}
	return join(docs...)
}

// clientEgress lets a-ns/client reach 10.0.2.1 on every port and team b
// on TCP/6333, 8080 and 8265.
const clientEgress = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: a-ns}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.2.1/32}}]
  - to: [{namespaceSelector: {matchLabels: {team: b}}}]
    ports: [{port: 8080}, {port: 6333}, {port: 8265}]
`

// TestCrossTeamReachabilityByClass: the check reads the reachability
// graph by class (netpol.Graph.ClassEdges) and pairs endpoints only
// within the classes it judges; a finding may gather several class
// pairs, whose rules it lists in the order of the pairs they allow.
func TestCrossTeamReachabilityByClass(t *testing.T) {
	c := mustNew(t, NewCrossTeamReachability, "")
	spec := "{containers: [{name: c, image: nginx}]}"
	nss := join(nsManifest("a-ns", "{team: a}"), nsManifest("b-ns", "{team: b}"), nsManifest("c-ns", "{team: c}"))
	// The pods of b-ns/api fall into two classes: an ipBlock of the
	// client's egress holds the first one's IP only.
	api := splitDeployment("b-ns", "api", "", "{name: c, image: nginx}", "10.0.2.1", "10.0.2.2")
	runContainsCases(t, c, []containsCase{
		{name: "fail: no policy, one class of every pod", manifest: join(nss,
			deployIn("a-ns", "web", "", spec), deployIn("a-ns", "job", "", spec), deployIn("b-ns", "web", "", spec),
			deployIn("b-ns", "job", "", spec), deployIn("c-ns", "web", "", spec)), want: []string{
			"Deployment/job : a-ns/job of team a is reachable from 3 workloads on all: team b (all 2 workloads), c-ns/web (Deployment) of team c; egress not restricted; ingress not restricted",
			"Deployment/job : b-ns/job of team b is reachable from 3 workloads on all: team a (all 2 workloads), c-ns/web (Deployment) of team c; egress not restricted; ingress not restricted",
			"Deployment/web : a-ns/web of team a is reachable from 3 workloads on all: team b (all 2 workloads), c-ns/web (Deployment) of team c; egress not restricted; ingress not restricted",
			"Deployment/web : b-ns/web of team b is reachable from 3 workloads on all: team a (all 2 workloads), c-ns/web (Deployment) of team c; egress not restricted; ingress not restricted",
			"Deployment/web : c-ns/web of team c is reachable from 4 workloads on all: team a (all 2 workloads), team b (all 2 workloads); egress not restricted; ingress not restricted",
		}},
		{name: "fail: a destination over two classes, sources of two classes", manifest: join(nss, api, clientEgress,
			deployIn("a-ns", "client", "", spec), deployIn("a-ns", "worker", "", spec)), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from team a (all 2 workloads) on all; egress allowed by NetworkPolicy a-ns/client-egress egress[0] and not restricted for the other sources; ingress not restricted",
			"Deployment/api : b-ns/api-7d-1 of team b is reachable from a-ns/client (Deployment) of team a on TCP/6333,TCP/8080,TCP/8265; egress allowed by NetworkPolicy a-ns/client-egress egress[1]; ingress not restricted",
			"Deployment/client : a-ns/client of team a is reachable from b-ns/api (Deployment) of team b on all; egress not restricted; ingress not restricted",
			"Deployment/worker : a-ns/worker of team a is reachable from b-ns/api (Deployment) of team b on all; egress not restricted; ingress not restricted",
		}},
	})
}
