package netpol

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	anp "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnp "sigs.k8s.io/network-policy-api/apis/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
)

// rawInventory decodes YAML straight into API types, without the
// apiserver defaults the project's loader applies (policyTypes, protocol):
// what aigov sees when the loader's defaulting is bypassed, so the graph's
// own normalisation is what is tested.
func rawInventory(t testing.TB, docs ...string) *Graph {
	t.Helper()
	var objs []runtime.Object
	for _, doc := range strings.Split(strings.Join(docs, "\n---\n"), "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var tm metav1.TypeMeta
		require.NoError(t, yaml.Unmarshal([]byte(doc), &tm))
		var o runtime.Object
		switch tm.Kind {
		case "Namespace":
			o = &corev1.Namespace{}
		case "Pod":
			o = &corev1.Pod{}
		case "NetworkPolicy":
			o = &networkingv1.NetworkPolicy{}
		case "AdminNetworkPolicy":
			o = &anp.AdminNetworkPolicy{}
		case "BaselineAdminNetworkPolicy":
			o = &anp.BaselineAdminNetworkPolicy{}
		case "ClusterNetworkPolicy":
			o = &cnp.ClusterNetworkPolicy{}
		default:
			t.Fatalf("rawInventory: kind %q", tm.Kind)
		}
		require.NoError(t, yaml.UnmarshalStrict([]byte(doc), o))
		objs = append(objs, o)
	}
	g, err := Build(typed(t, objs...), Options{})
	require.NoError(t, err)
	return g
}

// probe is one connection and the expected answer.
type probe struct {
	from, to string
	port     int32
	proto    corev1.Protocol // "" = TCP
	want     bool
}

func (p probe) String() string {
	proto := p.proto
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	return fmt.Sprintf("%s->%s %s/%d", p.from, p.to, proto, p.port)
}

// pitfallCase is one case of testdata/pitfalls/cases.yaml: objects added
// to testdata/pitfalls/world.yaml and the verdicts expected on them.
type pitfallCase struct {
	Name string `json:"name"`
	// Docs are YAML documents separated by "---" lines.
	Docs string `json:"docs"`
	// LoadOnly cases do not run on the raw decoding.
	LoadOnly               bool           `json:"loadOnly"`
	IgnorePodIPsInIPBlocks bool           `json:"ignorePodIPsInIPBlocks"`
	Probes                 []pitfallProbe `json:"probes"`
}

// pitfallProbe is a probe as cases.yaml writes it.
type pitfallProbe struct {
	From  string          `json:"from"`
	To    string          `json:"to"`
	Port  int32           `json:"port"`
	Proto corev1.Protocol `json:"proto"`
	Want  bool            `json:"want"`
}

// readPitfalls reads the world and the cases of TestPitfalls.
func readPitfalls(t *testing.T) (world string, cases []pitfallCase) {
	t.Helper()
	w, err := os.ReadFile(filepath.Join("testdata", "pitfalls", "world.yaml"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join("testdata", "pitfalls", "cases.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.UnmarshalStrict(b, &cases))
	return string(w), cases
}

// pitfallChecks inspect the graph of the case of that name beyond its
// probes.
var pitfallChecks = map[string]func(t *testing.T, g *Graph){
	"4 both ends: egress allow-all does not bypass ingress deny": func(t *testing.T, g *Graph) {
		v := g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q"), 80, corev1.ProtocolTCP)
		assert.True(t, v.Egress.Allowed, v.Explain())
		assert.False(t, v.Ingress.Allowed, v.Explain())
	},
	"5 named ports: with ipBlock, no abort, noted, pods resolve": func(t *testing.T, g *Graph) {
		assert.Empty(t, g.Warnings(), "the policy is valid")
		var note string
		for _, n := range g.Notes() {
			if strings.HasPrefix(n, "NetworkPolicy a/named-ipblock egress[0]") {
				note = n
			}
		}
		assert.Contains(t, note, "named port http with ipBlock 0.0.0.0/0")
	},
	"9 endPort: without port or with a named port is invalid": func(t *testing.T, g *Graph) {
		requireWarning(t, g, "NetworkPolicy b/bad-range ingress[0]: ports[0]", "endPort 8100 without port")
		requireWarning(t, g, "NetworkPolicy b/bad-range ingress[0]: ports[1]", "named port \"http\"")
	},
	"10 loopback: not listed, noted when asked": func(t *testing.T, g *Graph) {
		p := mustLookup(t, g, "a/p")
		v := g.Allowed(p, p, 8080, corev1.ProtocolTCP)
		require.Len(t, v.Notes, 1, v.Explain())
		assert.Contains(t, v.Notes[0], "loopback")
		for _, e := range g.Matrix().Edges {
			assert.False(t, e.From == e.To, "self pair listed: %s", e.From)
		}
		assert.Empty(t, g.WhoCanReach(p, 8080, corev1.ProtocolTCP))
	},
	"11 node traffic: hostNetwork pods are node IPs": func(t *testing.T, g *Graph) {
		assert.Contains(t, g.Notes(), HostNetworkAssumption)
		v := g.Allowed(mustLookup(t, g, "a/h"), mustLookup(t, g, "b/s"), 80, corev1.ProtocolTCP)
		assert.Contains(t, v.Notes, HostNetworkAssumption)
		assert.Equal(t, DefaultTier, v.Egress.Tier, v.Explain())
	},
	"12 selectors matching nothing fail closed": func(t *testing.T, g *Graph) {
		requireWarning(t, g, "NetworkPolicy b/invalid ingress[0]", "Bogus")
		var dead []string
		for _, r := range g.DeadPolicies() {
			dead = append(dead, r.String())
		}
		assert.Equal(t, []string{"NetworkPolicy c/dead"}, dead)
	},
	"13 admin tiers: egress-only NP does not skip BANP for ingress": func(t *testing.T, g *Graph) {
		v := g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q"), 80, corev1.ProtocolTCP)
		assert.Equal(t, BaselineTier, v.Ingress.Tier, v.Explain())
	},
	"13 admin tiers: Pass goes to NP, else to BANP": func(t *testing.T, g *Graph) {
		v := g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/s"), 80, corev1.ProtocolTCP)
		assert.Equal(t, BaselineTier, v.Ingress.Tier, v.Explain())
		require.Len(t, v.Ingress.Passed, 1, v.Explain())
		assert.Equal(t, "pass-all", v.Ingress.Passed[0].RuleName)
		v = g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q"), 80, corev1.ProtocolTCP)
		assert.Equal(t, NetworkPolicyTier, v.Ingress.Tier, v.Explain())
	},
	"15 workload granularity: replica-to-replica traffic": func(t *testing.T, g *Graph) {
		d := mustLookup(t, g, "a/d")
		assert.EqualValues(t, 3, d.Replicas)
		self := map[string]bool{}
		for _, e := range g.Matrix().Edges {
			if e.From == e.To {
				self[e.From] = true
			}
		}
		assert.Equal(t, map[string]bool{"a/d": true}, self)
		assert.Empty(t, g.Allowed(d, d, 80, corev1.ProtocolTCP).Notes, "replica-to-replica is not loopback")
	},
}

// TestPitfalls has one case per semantic pitfall of
// ../shared/reference/netpol.md §7 (numbered as there), read from
// testdata/pitfalls/cases.yaml. Each case runs on the inventory as the
// loader builds it (apiserver defaults applied) and, unless loadOnly, on
// the same YAML decoded raw (no defaults), so that aigov's own
// normalisation is exercised as well.
func TestPitfalls(t *testing.T) {
	world, cases := readPitfalls(t)
	require.NotEmpty(t, cases)
	names := map[string]bool{}
	for _, tc := range cases {
		require.False(t, names[tc.Name], "case %q twice", tc.Name)
		names[tc.Name] = true
	}
	for name := range pitfallChecks {
		require.True(t, names[name], "pitfallChecks names %q, which is not a case of cases.yaml", name)
	}
	for _, tc := range cases {
		modes := []string{"loaded", "raw"}
		if tc.LoadOnly {
			modes = modes[:1]
		}
		opts := Options{IgnorePodIPsInIPBlocks: tc.IgnorePodIPsInIPBlocks}
		docs := []string{world}
		if strings.TrimSpace(tc.Docs) != "" {
			docs = append(docs, strings.TrimSuffix(tc.Docs, "\n"))
		}
		for _, mode := range modes {
			t.Run(tc.Name+"/"+mode, func(t *testing.T) {
				var g *Graph
				if mode == "raw" {
					if opts != (Options{}) {
						t.Skip("raw mode uses default options")
					}
					g = rawInventory(t, docs...)
				} else {
					var err error
					g, err = Build(load(t, docs...), opts)
					require.NoError(t, err)
				}
				for _, tp := range tc.Probes {
					p := probe{from: tp.From, to: tp.To, port: tp.Port, proto: tp.Proto, want: tp.Want}
					proto := p.proto
					if proto == "" {
						proto = corev1.ProtocolTCP
					}
					src, dst := mustLookup(t, g, p.from), mustLookup(t, g, p.to)
					v := g.Allowed(src, dst, p.port, proto)
					assert.Equal(t, p.want, v.Allowed, "%s\n%s", p, v.Explain())
					assert.Equal(t, p.want, g.Reachable(src, dst, p.port, proto), "Reachable %s", p)
					assert.Equal(t, p.want, v.Egress.Allowed && v.Ingress.Allowed, "explanation disagrees: %s\n%s", p, v.Explain())
				}
				if check := pitfallChecks[tc.Name]; check != nil {
					check(t, g)
				}
			})
		}
	}
}

// requireWarning asserts that a warning starts with where and contains what.
func requireWarning(t *testing.T, g *Graph, where, what string) {
	t.Helper()
	var all []string
	for _, w := range g.Warnings() {
		all = append(all, w.Error())
		if strings.HasPrefix(w.Error(), where) && strings.Contains(w.Error(), what) {
			return
		}
	}
	t.Errorf("no warning %q ... %q in:\n%s", where, what, strings.Join(all, "\n"))
}

// TestPitfallYAMLUnquotedY is pitfall 14 of the reference (YAML 1.1
// booleans): unquoted `y` and `n` decode as booleans through
// sigs.k8s.io/yaml. The project's loader rejects such a manifest with an
// error naming the document and the field (np-guard's error names
// neither), so the user knows to quote 'y'; aigov never silently turns
// the namespace into "true".
func TestPitfallYAMLUnquotedY(t *testing.T) {
	l, err := governance.NewLoader()
	require.NoError(t, err)
	_, err = l.LoadBytes("model.yaml", []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: y\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: n\n  namespace: y\nspec:\n  containers: [{name: c, image: i}]\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "model.yaml:4", "the line of the field")
	assert.Contains(t, err.Error(), "metadata.name")
	assert.Contains(t, err.Error(), "boolean")
}
