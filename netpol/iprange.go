package netpol

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// ipRange is an inclusive range of addresses of one family.
type ipRange struct{ lo, hi netip.Addr }

func (r ipRange) contains(a netip.Addr) bool {
	return a.BitLen() == r.lo.BitLen() && r.lo.Compare(a) <= 0 && a.Compare(r.hi) <= 0
}

// String is the CIDR when the range is one, else "lo-hi".
func (r ipRange) String() string {
	for bits := 0; bits <= r.lo.BitLen(); bits++ {
		p := netip.PrefixFrom(r.lo, bits)
		if p.Masked().Addr() == r.lo && lastAddr(p) == r.hi {
			return p.String()
		}
	}
	return r.lo.String() + "-" + r.hi.String()
}

func lastAddr(p netip.Prefix) netip.Addr {
	p = p.Masked()
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func familyRange(v6 bool) ipRange {
	if v6 {
		return ipRange{netip.IPv6Unspecified(), lastAddr(netip.MustParsePrefix("::/0"))}
	}
	return ipRange{netip.IPv4Unspecified(), lastAddr(netip.MustParsePrefix("0.0.0.0/0"))}
}

// parseCIDR accepts what the API accepts in ipBlock.cidr and except:
// a CIDR (host bits allowed) or, leniently, a bare address as a /32 or /128.
func parseCIDR(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(strings.TrimSpace(s)); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR %q", s)
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// cutRanges splits each address family into the disjoint ranges delimited
// by the prefixes: every range is either inside or outside each prefix.
// IPv6 is cut only when withV6 is true.
func cutRanges(prefixes []netip.Prefix, withV6 bool) []ipRange {
	var out []ipRange
	for _, v6 := range []bool{false, true} {
		if v6 && !withV6 {
			continue
		}
		fam := familyRange(v6)
		cuts := map[netip.Addr]bool{fam.lo: true}
		for _, p := range prefixes {
			if p.Addr().Is6() != v6 {
				continue
			}
			cuts[p.Masked().Addr()] = true
			if next := lastAddr(p).Next(); next.IsValid() {
				cuts[next] = true
			}
		}
		starts := make([]netip.Addr, 0, len(cuts))
		for a := range cuts {
			starts = append(starts, a)
		}
		sort.Slice(starts, func(i, j int) bool { return starts[i].Less(starts[j]) })
		for i, s := range starts {
			hi := fam.hi
			if i+1 < len(starts) {
				hi = starts[i+1].Prev()
			}
			out = append(out, ipRange{s, hi})
		}
	}
	return out
}
