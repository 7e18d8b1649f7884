package netpol

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// MaxPort is the highest TCP, UDP or SCTP port.
const MaxPort = 65535

// protocols in the order PortSet strings list them.
var protocols = [3]corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}

func protoIndex(p corev1.Protocol) int {
	switch corev1.Protocol(strings.ToUpper(string(p))) {
	case corev1.ProtocolTCP, "":
		return 0
	case corev1.ProtocolUDP:
		return 1
	case corev1.ProtocolSCTP:
		return 2
	}
	return -1
}

// PortRange is an inclusive range of ports.
type PortRange struct{ Lo, Hi int32 }

// PortSet is a set of (protocol, port) pairs: for each of TCP, UDP and SCTP
// a sorted list of disjoint, non-adjacent port ranges within 1..65535. The
// zero value is the empty set.
type PortSet struct {
	r [3][]PortRange
}

// AllPorts is every port of every protocol.
func AllPorts() PortSet {
	var s PortSet
	for i := range s.r {
		s.r[i] = []PortRange{{1, MaxPort}}
	}
	return s
}

// PortsOf is the set of ports lo..hi of one protocol (clamped to 1..65535).
func PortsOf(proto corev1.Protocol, lo, hi int32) PortSet {
	var s PortSet
	i := protoIndex(proto)
	lo, hi = max(lo, 1), min(hi, MaxPort)
	if i >= 0 && lo <= hi {
		s.r[i] = []PortRange{{lo, hi}}
	}
	return s
}

// IsEmpty reports whether the set holds no port.
func (s PortSet) IsEmpty() bool { return len(s.r[0])+len(s.r[1])+len(s.r[2]) == 0 }

// IsAll reports whether the set holds every port of every protocol.
func (s PortSet) IsAll() bool {
	for _, rs := range s.r {
		if len(rs) != 1 || rs[0] != (PortRange{1, MaxPort}) {
			return false
		}
	}
	return true
}

// Contains reports whether the set holds port of protocol.
func (s PortSet) Contains(proto corev1.Protocol, port int32) bool {
	i := protoIndex(proto)
	if i < 0 {
		return false
	}
	rs := s.r[i]
	k := sort.Search(len(rs), func(k int) bool { return rs[k].Hi >= port })
	return k < len(rs) && rs[k].Lo <= port
}

// Ranges returns the ranges of one protocol (do not modify).
func (s PortSet) Ranges(proto corev1.Protocol) []PortRange {
	if i := protoIndex(proto); i >= 0 {
		return s.r[i]
	}
	return nil
}

// Union returns s ∪ o.
func (s PortSet) Union(o PortSet) PortSet {
	var out PortSet
	for i := range s.r {
		out.r[i] = unionRanges(s.r[i], o.r[i])
	}
	return out
}

// Intersect returns s ∩ o.
func (s PortSet) Intersect(o PortSet) PortSet {
	var out PortSet
	for i := range s.r {
		out.r[i] = intersectRanges(s.r[i], o.r[i])
	}
	return out
}

// Subtract returns s \ o.
func (s PortSet) Subtract(o PortSet) PortSet {
	var out PortSet
	for i := range s.r {
		out.r[i] = intersectRanges(s.r[i], complementRanges(o.r[i]))
	}
	return out
}

// Equal reports whether both sets hold the same ports.
func (s PortSet) Equal(o PortSet) bool { return s.key() == o.key() }

// Strings renders the set as "TCP/80", "TCP/8000-8100", "SCTP/*" (every
// port of the protocol), sorted by protocol (TCP, UDP, SCTP) then port.
func (s PortSet) Strings() []string {
	out := []string{}
	for i, rs := range s.r {
		p := string(protocols[i])
		for _, r := range rs {
			switch {
			case r.Lo == 1 && r.Hi == MaxPort:
				out = append(out, p+"/*")
			case r.Lo == r.Hi:
				out = append(out, p+"/"+strconv.Itoa(int(r.Lo)))
			default:
				out = append(out, fmt.Sprintf("%s/%d-%d", p, r.Lo, r.Hi))
			}
		}
	}
	return out
}

// String joins Strings with commas; "none" for the empty set, "all" for
// every port.
func (s PortSet) String() string {
	switch {
	case s.IsEmpty():
		return "none"
	case s.IsAll():
		return "all"
	}
	return strings.Join(s.Strings(), ",")
}

// ParsePortSet reads the Strings form back ("TCP/80", "UDP/1-1024", "SCTP/*").
func ParsePortSet(items []string) (PortSet, error) {
	var s PortSet
	for _, it := range items {
		proto, ports, ok := strings.Cut(it, "/")
		if !ok || protoIndex(corev1.Protocol(proto)) < 0 || proto == "" {
			return PortSet{}, fmt.Errorf("port set item %q: want PROTOCOL/PORT[-END] or PROTOCOL/*", it)
		}
		lo, hi := int64(1), int64(MaxPort)
		if ports != "*" {
			a, b, rng := strings.Cut(ports, "-")
			var err1, err2 error
			lo, err1 = strconv.ParseInt(a, 10, 32)
			hi = lo
			if rng {
				hi, err2 = strconv.ParseInt(b, 10, 32)
			}
			if err1 != nil || err2 != nil || lo < 1 || hi > MaxPort || lo > hi {
				return PortSet{}, fmt.Errorf("port set item %q: bad port range", it)
			}
		}
		s = s.Union(PortsOf(corev1.Protocol(strings.ToUpper(proto)), int32(lo), int32(hi)))
	}
	return s, nil
}

// key is a compact canonical encoding used for interning.
func (s PortSet) key() string {
	var b []byte
	for i, rs := range s.r {
		b = append(b, byte(i), byte(len(rs)>>8), byte(len(rs)))
		for _, r := range rs {
			b = append(b, byte(r.Lo>>8), byte(r.Lo), byte(r.Hi>>8), byte(r.Hi))
		}
	}
	return string(b)
}

func unionRanges(a, b []PortRange) []PortRange {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	all := make([]PortRange, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var next PortRange
		if j >= len(b) || i < len(a) && a[i].Lo <= b[j].Lo {
			next, i = a[i], i+1
		} else {
			next, j = b[j], j+1
		}
		if n := len(all); n > 0 && next.Lo <= all[n-1].Hi+1 {
			all[n-1].Hi = max(all[n-1].Hi, next.Hi)
			continue
		}
		all = append(all, next)
	}
	return all
}

func intersectRanges(a, b []PortRange) []PortRange {
	var out []PortRange
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := max(a[i].Lo, b[j].Lo), min(a[i].Hi, b[j].Hi)
		if lo <= hi {
			out = append(out, PortRange{lo, hi})
		}
		if a[i].Hi < b[j].Hi {
			i++
		} else {
			j++
		}
	}
	return out
}

func complementRanges(a []PortRange) []PortRange {
	var out []PortRange
	next := int32(1)
	for _, r := range a {
		if r.Lo > next {
			out = append(out, PortRange{next, r.Lo - 1})
		}
		next = r.Hi + 1
	}
	if next <= MaxPort {
		out = append(out, PortRange{next, MaxPort})
	}
	return out
}

// setID names an interned PortSet inside a Graph. 0 is empty, 1 is all.
type setID uint32

const (
	emptySet setID = 0
	fullSet  setID = 1
)

// setTable interns port sets and memoizes operations on them.
type setTable struct {
	sets  []PortSet
	ids   map[string]setID
	inter map[[2]setID]setID
	union map[[2]setID]setID
	sub   map[[2]setID]setID
}

func newSetTable() *setTable {
	t := &setTable{ids: map[string]setID{}, inter: map[[2]setID]setID{}, union: map[[2]setID]setID{}, sub: map[[2]setID]setID{}}
	t.id(PortSet{})
	t.id(AllPorts())
	return t
}

func (t *setTable) id(s PortSet) setID {
	k := s.key()
	if id, ok := t.ids[k]; ok {
		return id
	}
	id := setID(len(t.sets))
	t.sets = append(t.sets, s)
	t.ids[k] = id
	return id
}

func (t *setTable) get(id setID) PortSet { return t.sets[id] }

// trivialIntersect answers a∩b without looking at the sets when one side
// is empty or full or both are the same set.
func trivialIntersect(a, b setID) (setID, bool) {
	switch {
	case a == emptySet || b == emptySet:
		return emptySet, true
	case a == fullSet || a == b:
		return b, true
	case b == fullSet:
		return a, true
	}
	return 0, false
}

func (t *setTable) intersect(a, b setID) setID {
	if id, ok := trivialIntersect(a, b); ok {
		return id
	}
	return t.memo(t.inter, a, b, PortSet.Intersect)
}

// intersectRO is intersect without interning, for queries after Build.
func (t *setTable) intersectRO(a, b setID) PortSet {
	if id, ok := trivialIntersect(a, b); ok {
		return t.sets[id]
	}
	if id, ok := t.inter[[2]setID{a, b}]; ok {
		return t.sets[id]
	}
	return t.sets[a].Intersect(t.sets[b])
}

func (t *setTable) unite(a, b setID) setID {
	switch {
	case a == fullSet || b == fullSet:
		return fullSet
	case a == emptySet || a == b:
		return b
	case b == emptySet:
		return a
	}
	return t.memo(t.union, a, b, PortSet.Union)
}

func (t *setTable) subtract(a, b setID) setID {
	switch {
	case a == emptySet || b == fullSet || a == b:
		return emptySet
	case b == emptySet:
		return a
	}
	return t.memo(t.sub, a, b, PortSet.Subtract)
}

func (t *setTable) memo(m map[[2]setID]setID, a, b setID, op func(PortSet, PortSet) PortSet) setID {
	k := [2]setID{a, b}
	if id, ok := m[k]; ok {
		return id
	}
	id := t.id(op(t.sets[a], t.sets[b]))
	m[k] = id
	return id
}
