package netpol

import (
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// FuzzParsePortSet: ParsePortSet never panics, and what it accepts is a
// canonical set (sorted, disjoint, non-adjacent ranges within 1..65535)
// that survives the Strings and JSON round trips and obeys the set laws.
// Seeds: testdata/fuzz/FuzzParsePortSet.
//
//	go test -run='^$' -fuzz=FuzzParsePortSet -fuzztime=60s -fuzzminimizetime=5s ./netpol/
func FuzzParsePortSet(f *testing.F) {
	for _, seed := range []string{"", "TCP/80", "tcp/80,UDP/53", "TCP/8000-8100,TCP/8101", "SCTP/*", "TCP/1-65535,UDP/*,SCTP/*",
		"TCP/0", "TCP/65536", "TCP/90-80", "ICMP/1", "/80", "TCP/", "TCP/-", "TCP/+80", "TCP/80-+81", "TCP/2147483648", "TCP/1,TCP/3,TCP/2"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParsePortSet(strings.Split(in, ","))
		if err != nil {
			if !s.IsEmpty() {
				t.Fatalf("error %v with a non-empty set %v", err, s)
			}
			return
		}
		for i, rs := range s.r {
			for k, r := range rs {
				if r.Lo < 1 || r.Hi > MaxPort || r.Lo > r.Hi || k > 0 && rs[k-1].Hi+1 >= r.Lo {
					t.Fatalf("%q: protocol %d not canonical: %v", in, i, rs)
				}
				for _, p := range []int32{r.Lo, r.Hi} {
					if !s.Contains(protocols[i], p) {
						t.Fatalf("%q: %s/%d in a range but not contained", in, protocols[i], p)
					}
				}
				if r.Lo > 1 && s.Contains(protocols[i], r.Lo-1) || r.Hi < MaxPort && s.Contains(protocols[i], r.Hi+1) {
					t.Fatalf("%q: %v contains a port next to range %v", in, s, r)
				}
			}
		}
		back, err := ParsePortSet(s.Strings())
		if err != nil || !back.Equal(s) {
			t.Fatalf("%q: Strings round trip %v -> %v (%v)", in, s.Strings(), back, err)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON PortSet
		if err := json.Unmarshal(b, &fromJSON); err != nil || !fromJSON.Equal(s) {
			t.Fatalf("%q: JSON round trip %s -> %v (%v)", in, b, fromJSON, err)
		}
		all := AllPorts()
		switch {
		case !s.Union(s).Equal(s), !s.Intersect(s).Equal(s), !s.Subtract(s).IsEmpty(),
			!s.Intersect(all).Equal(s), !s.Union(all).IsAll(), !all.Subtract(all.Subtract(s)).Equal(s):
			t.Fatalf("%q: set laws fail for %v", in, s)
		}
		if s.IsEmpty() != (s.String() == "none") || s.IsAll() != (s.String() == "all") {
			t.Fatalf("%q: String %q for %v", in, s.String(), s.Strings())
		}
	})
}

// fuzzChoices turns the fuzzer's bytes into the choices of the random
// world generator: one byte per choice, 0 once they run out.
type fuzzChoices struct{ b []byte }

func (c *fuzzChoices) IntN(n int) int {
	if n <= 1 || len(c.b) == 0 {
		return 0
	}
	v := int(c.b[0])
	c.b = c.b[1:]
	return v % n
}

// FuzzBuildAllowed reads the bytes two ways. First as the choices of a
// small random world (namespaces, pods with named ports and IPs,
// NetworkPolicies, AdminNetworkPolicies, a BaselineAdminNetworkPolicy,
// ClusterNetworkPolicies v1beta1 and v1alpha2) written as YAML and loaded
// with governance.Loader.LoadBytes: the graph must agree with the
// brute-force evaluator, and Allowed with Reachable and Connections, on
// every pod pair. Then as YAML itself: whatever loads must build without
// panicking, and Allowed must agree with Reachable on every pair.
// Seeds: testdata/fuzz/FuzzBuildAllowed (YAML worlds and choice strings).
//
//	go test -run='^$' -fuzz=FuzzBuildAllowed -fuzztime=60s -fuzzminimizetime=5s ./netpol/
func FuzzBuildAllowed(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 3, 1, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte(strings.Repeat("\x02\x01\x03\x00\x01\x02", 40)))
	l, err := governance.NewLoader()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w := newRandomWorld(&fuzzChoices{b: data})
		addRandomAdmin(&fuzzChoices{b: data[min(len(data), 64):]}, &w)
		world := toYAML(t, w.objects()...)
		inv, err := l.LoadBytes("world.yaml", world)
		if err != nil {
			t.Fatalf("a generated world does not load: %v\n%s", err, world)
		}
		g, err := Build(inv, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Warnings()) > 0 {
			t.Fatalf("warnings on a valid world: %v\n%s", g.Warnings(), world)
		}
		compareWorld(t, "generated world", w, g)

		if len(data) > 1<<16 {
			return
		}
		inv, err = l.LoadBytes("fuzz.yaml", data)
		if err != nil {
			return
		}
		g, err = Build(inv, Options{})
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		eps := g.Endpoints()
		if len(eps) > 40 {
			eps = eps[:40]
		}
		for _, src := range eps {
			for _, dst := range eps {
				conns := g.Connections(src, dst)
				for _, proto := range protocols {
					for _, port := range []int32{1, 53, 80, 81, 443, 8080, MaxPort} {
						v := g.Allowed(src, dst, port, proto)
						if v.Allowed != g.Reachable(src, dst, port, proto) || v.Allowed != conns.Contains(proto, port) ||
							v.Allowed != (v.Egress.Allowed && v.Ingress.Allowed) {
							t.Fatalf("%s -> %s %s/%d: Allowed %v, Reachable %v, Connections %v\n%s",
								src.Name, dst.Name, proto, port, v.Allowed, g.Reachable(src, dst, port, proto), conns, v.Explain())
						}
					}
				}
			}
		}
		_ = g.Matrix()
		_ = g.Exposure()
		_ = g.DefaultDenyCoverage()
		_ = g.DeadPolicies()
		if len(eps) > 0 {
			_ = g.WhoCanReach(eps[0], 80, corev1.ProtocolTCP)
			_ = g.ReachableFrom(eps[0])
		}
	})
}
