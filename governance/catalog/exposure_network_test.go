package catalog

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
	"github.com/aigov/aigov/netpol"
)

// networkByPairs is the exposure table's network column computed the
// direct way, every endpoint of the graph paired with every endpoint of
// eps (Connections): the reference exposureNetwork must agree with.
func networkByPairs(g *netpol.Graph, teamOf func(string) string, eps []*netpol.Endpoint) []string {
	ports := map[*netpol.Endpoint]netpol.PortSet{}
	var order []*netpol.Endpoint
	for _, dst := range eps {
		for _, src := range g.Endpoints() {
			if slices.Contains(eps, src) {
				continue
			}
			if ps := g.Connections(src, dst); !ps.IsEmpty() {
				if _, seen := ports[src]; !seen {
					order = append(order, src)
				}
				ports[src] = ports[src].Union(ps)
			}
		}
	}
	var names []string
	perWorkload := map[string]netpol.PortSet{}
	for _, src := range order {
		if src.Kind == netpol.ExternalEndpoint {
			names = append(names, fmt.Sprintf("%s %s", describeEndpoint(src), ports[src]))
			continue
		}
		perWorkload[sourceKey(src)] = perWorkload[sourceKey(src)].Union(ports[src])
	}
	byPorts := map[string]*sourceList{}
	for _, src := range order {
		if src.Kind == netpol.ExternalEndpoint {
			continue
		}
		ps := perWorkload[sourceKey(src)].String()
		if byPorts[ps] == nil {
			byPorts[ps] = newSourceList()
		}
		byPorts[ps].add(src)
	}
	idx := newSourceWorkloads(g, teamOf)
	for ps, l := range byPorts {
		for _, d := range l.describe(idx, nil) {
			names = append(names, d+" "+ps)
		}
	}
	sort.Strings(names)
	return names
}

// TestExposureNetworkMatchesPairs compares the class-level network
// column with the pairwise one on generated clusters (default-deny and
// per-workload policies, AI operators' custom resources), open clusters
// with and without teams and the example platform: for the endpoints of
// every workload, and of random sets of workloads (a model store's
// users).
func TestExposureNetworkMatchesPairs(t *testing.T) {
	invs := map[string]*governance.Inventory{
		"example":    loadExample(t, "."),
		"open":       openAssetPods(t, 250, 5),
		"open-teams": openPods(t, 160, 5, true),
		"split":      loadInventory(t, splitWorkload),
	}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 4; seed++ {
		opts := gen.Options{Seed: seed, Namespaces: 3 + int(seed), WorkloadsPerNamespace: 4 + int(seed), PodsPerWorkload: 1 + int(seed),
			GPUFraction: 0.3, CRFraction: 0.2 * float64(seed%3), ReplicaSets: seed%2 == 0}
		inv, err := loader.LoadBytes("platform.yaml", gen.Cluster(opts))
		if err != nil {
			t.Fatal(err)
		}
		invs[fmt.Sprintf("gen-%d", seed)] = inv
	}
	for name, inv := range invs {
		t.Run(name, func(t *testing.T) {
			pass := governance.NewPass(inv)
			g := netpol.GraphFact.Of(pass)
			byWorkload := workloadEndpointsFact.Of(pass)
			n := newExposureNetwork(g, netEdgesFact.Of(pass), byWorkload, inv.TeamOf)
			keys := make([]string, 0, len(byWorkload))
			for k := range byWorkload {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			sets := make([][]*netpol.Endpoint, 0, 2*len(keys))
			for _, k := range keys {
				sets = append(sets, byWorkload[k])
			}
			rnd := rand.New(rand.NewPCG(uint64(len(keys)), 7))
			for range len(keys) {
				var eps []*netpol.Endpoint
				for range 1 + rnd.IntN(4) {
					eps = append(eps, byWorkload[keys[rnd.IntN(len(keys))]]...)
				}
				sets = append(sets, eps)
			}
			if name == "split" && len(byWorkload["ml/Deployment/api"]) < 2 {
				t.Fatalf("the api pods are one endpoint: %v", byWorkload["ml/Deployment/api"])
			}
			nonEmpty := 0
			for _, eps := range sets {
				want := networkByPairs(g, inv.TeamOf, eps)
				if got := n.sources(eps); !slices.Equal(got, want) {
					t.Fatalf("sources of %v:\n%s\nwant:\n%s", eps, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if len(want) > 0 {
					nonEmpty++
				}
			}
			if nonEmpty == 0 {
				t.Errorf("no set of endpoints is reached: the comparison shows nothing")
			}
		})
	}
}

// splitWorkload has a Deployment whose pods netpol tells apart by IP (an
// ipBlock holds one of them): its endpoints fall into two classes that
// reach the vector database on different ports, one workload as a
// source.
const splitWorkload = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ml, uid: d1}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: registry.example.com/api:1}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: api-5d8f
  namespace: ml
  uid: r1
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, uid: d1, controller: true}]
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: registry.example.com/api:1}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: api-5d8f-a
  namespace: ml
  labels: {app: api}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-5d8f, uid: r1, controller: true}]
spec: {containers: [{name: c, image: registry.example.com/api:1}]}
status: {phase: Running, podIP: 10.0.0.5}
---
apiVersion: v1
kind: Pod
metadata:
  name: api-5d8f-b
  namespace: ml
  labels: {app: api}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-5d8f, uid: r1, controller: true}]
spec: {containers: [{name: c, image: registry.example.com/api:1}]}
status: {phase: Running, podIP: 10.1.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: qdrant, namespace: ml, labels: {app: qdrant}}
spec: {containers: [{name: q, image: qdrant/qdrant:v1.12.4, ports: [{containerPort: 6333}, {containerPort: 6334}]}]}
status: {phase: Running, podIP: 10.0.1.9}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ml, labels: {app: web}}
spec: {containers: [{name: c, image: registry.example.com/web:1}]}
status: {phase: Running, podIP: 10.2.0.7}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: qdrant, namespace: ml}
spec:
  podSelector: {matchLabels: {app: qdrant}}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/24}}]
    ports: [{port: 6333}]
  - from: [{podSelector: {}}]
    ports: [{port: 6334}]
`
