package netpol

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
)

// TestClassEdgesExpandToMatrix: the class edges, expanded by Pairs, are
// exactly Matrix's pairs with the same ports, on the project's network
// fixtures: the pitfalls world, the upstream e2e model, the multitenant
// example (replicated workloads, ipBlocks), pods without any policy, and
// random worlds with and without admin tiers.
func TestClassEdgesExpandToMatrix(t *testing.T) {
	pitfalls, _ := readPitfalls(t)
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	example, err := loader.Load(filepath.Join("..", "examples", "multitenant"))
	require.NoError(t, err)
	cases := []struct {
		name  string
		graph func(t *testing.T) *Graph
	}{
		{"pitfalls world", func(t *testing.T) *Graph { return rawInventory(t, pitfalls) }},
		{"e2e model", func(t *testing.T) *Graph { return build(t, typed(t, modelWorld(nil, nil)...)) }},
		{"examples/multitenant", func(t *testing.T) *Graph { return build(t, example) }},
		{"no policy, replicas and an external range", func(t *testing.T) *Graph {
			return build(t, load(t, openWorld))
		}},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200; i++ {
		w := newRandomWorld(r)
		if i%2 == 1 {
			addRandomAdmin(r, &w)
		}
		cases = append(cases, struct {
			name  string
			graph func(t *testing.T) *Graph
		}{fmt.Sprintf("random world %d", i), func(t *testing.T) *Graph { return build(t, typed(t, w.objects()...)) }})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.graph(t)
			var got []Edge
			prev := [2]int{-1, -1}
			for ce := range g.ClassEdges() {
				at := [2]int{ce.FromClass, ce.ToClass}
				require.Less(t, prev[0]*g.Classes()+prev[1], at[0]*g.Classes()+at[1], "class edges out of order")
				prev = at
				require.False(t, ce.Ports.IsEmpty(), "class edge %v with no port", at)
				n := 0
				for src, dst := range ce.Pairs() {
					require.Equal(t, ce.Ports.String(), g.Connections(src, dst).String(), "%s -> %s", src.Name, dst.Name)
					got = append(got, Edge{From: src.Name, To: dst.Name, Ports: ce.Ports})
					n++
				}
				require.Positive(t, n, "class edge %v lists no pair", at)
			}
			// Matrix orders pairs by source, then destination, endpoint.
			ids := map[string]int{}
			for _, e := range g.Endpoints() {
				ids[e.Name] = e.ID()
			}
			slices.SortFunc(got, func(a, b Edge) int {
				if c := ids[a.From] - ids[b.From]; c != 0 {
					return c
				}
				return ids[a.To] - ids[b.To]
			})
			want := g.Matrix().Edges
			require.Equal(t, len(want), len(got), "pairs")
			for i := range want {
				require.Equal(t, want[i].From+" -> "+want[i].To+" "+want[i].Ports.String(),
					got[i].From+" -> "+got[i].To+" "+got[i].Ports.String())
			}
		})
	}
}

// openWorld is two namespaces without NetworkPolicy (one class of every
// pod and the internet), a Deployment of 3 replicas (paired with itself)
// and a lone Pod (not paired with itself).
const openWorld = `
apiVersion: v1
kind: Pod
metadata: {name: lone, namespace: a}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: b}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
`

func build(t *testing.T, inv *governance.Inventory) *Graph {
	t.Helper()
	g, err := Build(inv, Options{})
	require.NoError(t, err)
	return g
}

// BenchmarkClassEdgesOpen walks the class edges of 2,000 pods in one
// namespace without NetworkPolicy: one class, one edge, where Matrix
// has 4 million pairs.
func BenchmarkClassEdgesOpen(b *testing.B) {
	var docs []string
	for i := 0; i < 2000; i++ {
		docs = append(docs, fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n", i))
	}
	inv := load(b, docs...)
	b.ReportAllocs()
	edges := 0
	for b.Loop() {
		g, err := Build(inv, Options{})
		if err != nil {
			b.Fatal(err)
		}
		edges = 0
		for range g.ClassEdges() {
			edges++
		}
	}
	b.ReportMetric(float64(edges), "class-edges")
}
