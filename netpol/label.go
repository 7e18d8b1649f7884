package netpol

import (
	"net/netip"
	"strings"
)

// InternetLabel is how text outputs name the external endpoint that is
// the public internet (IsInternet); JSON outputs keep its exact ranges.
const InternetLabel = "the internet (0.0.0.0/0 except private and cluster ranges)"

// InternetLabel6 is InternetLabel for the IPv6 internet.
const InternetLabel6 = "the IPv6 internet (::/0 except private and cluster ranges)"

// nonPublicPrefixes are the ranges that are not the internet: "this
// network", private (RFC 1918, RFC 6598 shared, RFC 4193 unique local),
// loopback and link-local.
var nonPublicPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.168.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// IsInternet reports whether e is the external endpoint of the public
// internet: its ranges are of one address family and every address of
// that family they leave out lies in a private, loopback, link-local or
// "this network" prefix (where the pods' and nodes' addresses are too).
// An endpoint that leaves out a public address (an ipBlock naming a
// public range cuts it off) is not: it is only a part of the internet,
// named by its ranges.
func (e *Endpoint) IsInternet() bool {
	return e.Kind == ExternalEndpoint && internetFamily(e.ranges) != 0
}

// Label is the endpoint's name in text outputs: InternetLabel (or
// InternetLabel6) for the internet, else Name.
func (e *Endpoint) Label() string {
	switch internetFamily(e.ranges) {
	case 4:
		if e.Kind == ExternalEndpoint {
			return InternetLabel
		}
	case 6:
		if e.Kind == ExternalEndpoint {
			return InternetLabel6
		}
	}
	return e.Name
}

// Label is the text name of the endpoint an output calls name (Lookup):
// the endpoint's Label, or name itself when no endpoint has it.
func (g *Graph) Label(name string) string {
	if e, ok := g.byName[name]; ok {
		return e.Label()
	}
	return name
}

// internetFamily is 4 or 6 when the sorted, disjoint ranges cover every
// address of that family outside nonPublicPrefixes, else 0.
func internetFamily(rs []ipRange) int {
	if len(rs) == 0 {
		return 0
	}
	is6 := rs[0].lo.Is6()
	next := netip.IPv4Unspecified()
	if is6 {
		next = netip.IPv6Unspecified()
	}
	end := false
	for _, r := range rs {
		if r.lo.Is6() != is6 || end {
			return 0
		}
		if next.Less(r.lo) && !nonPublicGap(next, r.lo.Prev()) {
			return 0
		}
		next = r.hi.Next()
		end = !next.IsValid()
	}
	if !end {
		last := netip.AddrFrom4([4]byte{255, 255, 255, 255})
		if is6 {
			last = netip.AddrFrom16([16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		}
		if !nonPublicGap(next, last) {
			return 0
		}
	}
	if is6 {
		return 6
	}
	return 4
}

// nonPublicGap reports whether every address of [lo, hi] lies in
// nonPublicPrefixes.
func nonPublicGap(lo, hi netip.Addr) bool {
	for cur := lo; ; {
		var in *netip.Prefix
		for i := range nonPublicPrefixes {
			if nonPublicPrefixes[i].Contains(cur) {
				in = &nonPublicPrefixes[i]
				break
			}
		}
		if in == nil {
			return false
		}
		end := lastAddr(*in)
		if !end.Less(hi) {
			return true
		}
		cur = end.Next()
	}
}

// LabelRanges replaces, in a line of text, every comma-separated list of
// ranges (a word as external endpoints are named) that is the internet by
// InternetLabel or InternetLabel6, leaving other words alone. Text writers
// that hold only strings use it; JSON keeps the ranges.
func LabelRanges(line string) string {
	words := strings.Split(line, " ")
	for i, w := range words {
		core := strings.TrimRight(w, ",;:)")
		if !strings.ContainsAny(core, "./:") {
			continue
		}
		var rs []ipRange
		ok := true
		for _, part := range strings.Split(core, ",") {
			r, good := parseIPRange(part)
			if !good {
				ok = false
				break
			}
			rs = append(rs, r)
		}
		if !ok {
			continue
		}
		e := &Endpoint{Kind: ExternalEndpoint, ranges: rs}
		if e.IsInternet() {
			words[i] = e.Label() + w[len(core):]
		}
	}
	return strings.Join(words, " ")
}

// parseIPRange reads the range form of Endpoint.Ranges: a CIDR or "lo-hi".
func parseIPRange(s string) (ipRange, bool) {
	if a, b, found := strings.Cut(s, "-"); found {
		lo, err1 := netip.ParseAddr(a)
		hi, err2 := netip.ParseAddr(b)
		if err1 != nil || err2 != nil || lo.Is4() != hi.Is4() || hi.Less(lo) {
			return ipRange{}, false
		}
		return ipRange{lo, hi}, true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return ipRange{}, false
	}
	p = p.Masked()
	return ipRange{p.Addr(), lastAddr(p)}, true
}
