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
