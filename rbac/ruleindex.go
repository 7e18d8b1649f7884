package rbac

import (
	"math/bits"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// The rule index answers "which rules of this role allow verb V on
// resource R of group G" with a few map lookups and bitmap ANDs instead of
// a scan of every rule (aggregated ClusterRoles hold hundreds).
//
// Every verb, API group and resource spelling written in any rule is
// interned once per Graph to a small integer; the wildcard "*" of each
// dimension is id 0. A role keeps, per dimension and id, the bitmap of its
// rules that list that id. A rule allows a resource request exactly when
// its verbs contain the verb or "*", its groups the group or "*", and its
// resources "*", the request's resource[/subresource] or "*/subresource"
// (RuleAllows), so the candidates are the AND over the three dimensions of
// the OR within each; only resourceNames remain to be checked.

// resKey is a resource spelling split at its first "/": "pods" is
// {pods, "", false}, "pods/log" {pods, log, true}, "*/scale"
// {*, scale, true}, "pods/" {pods, "", true}. Two spellings are equal
// exactly when their keys are.
type resKey struct {
	res, sub string
	slash    bool
}

func splitResource(s string) resKey {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return resKey{s[:i], s[i+1:], true}
	}
	return resKey{res: s}
}

// requestResKey is splitResource of the request's resource[/subresource]
// without building the joined string in the common case.
func requestResKey(a *Attributes) resKey {
	if strings.IndexByte(a.Resource, '/') >= 0 {
		combined := a.Resource
		if a.Subresource != "" {
			combined += "/" + a.Subresource
		}
		return splitResource(combined)
	}
	return resKey{a.Resource, a.Subresource, a.Subresource != ""}
}

// interner holds the ids of the verbs, groups and resource spellings of a
// graph's rules.
type interner struct {
	verbs, groups map[string]int32
	resources     map[resKey]int32
}

func newInterner() *interner {
	return &interner{
		verbs:     map[string]int32{rbacv1.VerbAll: 0},
		groups:    map[string]int32{rbacv1.APIGroupAll: 0},
		resources: map[resKey]int32{{res: rbacv1.ResourceAll}: 0},
	}
}

func intern[K comparable](m map[K]int32, k K) int32 {
	id, ok := m[k]
	if !ok {
		id = int32(len(m))
		m[k] = id
	}
	return id
}

// lookup returns the id of k, or -1 when no rule names it.
func lookup[K comparable](m map[K]int32, k K) int32 {
	if id, ok := m[k]; ok {
		return id
	}
	return -1
}

const (
	dimVerb = iota
	dimGroup
	dimResource
)

func dimKey(dim int, id int32) uint64 { return uint64(dim)<<32 | uint64(uint32(id)) }

// ruleIndex is the per-role index: bitmaps (words uint64s each) by
// dimension and id. The wildcard bitmaps are kept out of the map.
type ruleIndex struct {
	words                          int
	bitmaps                        map[uint64][]uint64
	anyVerb, anyGroup, anyResource []uint64
	// named marks the rules with resourceNames.
	named []uint64
}

func newRuleIndex(in *interner, rules []rbacv1.PolicyRule) ruleIndex {
	words := (len(rules) + 63) / 64
	lists := map[uint64][]int32{}
	add := func(k uint64, i int) {
		if l := lists[k]; len(l) == 0 || l[len(l)-1] != int32(i) {
			lists[k] = append(l, int32(i))
		}
	}
	x := ruleIndex{words: words, named: make([]uint64, words)}
	for i := range rules {
		r := &rules[i]
		if len(r.Resources) == 0 {
			continue // matches no resource request
		}
		for _, v := range r.Verbs {
			add(dimKey(dimVerb, intern(in.verbs, v)), i)
		}
		for _, g := range r.APIGroups {
			add(dimKey(dimGroup, intern(in.groups, g)), i)
		}
		for _, res := range r.Resources {
			add(dimKey(dimResource, intern(in.resources, splitResource(res))), i)
		}
		if len(r.ResourceNames) > 0 {
			x.named[i/64] |= 1 << (i % 64)
		}
	}
	backing := make([]uint64, len(lists)*words)
	x.bitmaps = make(map[uint64][]uint64, len(lists))
	for k, l := range lists {
		bm := backing[:words:words]
		backing = backing[words:]
		for _, i := range l {
			bm[i/64] |= 1 << (i % 64)
		}
		switch k {
		case dimKey(dimVerb, 0):
			x.anyVerb = bm
		case dimKey(dimGroup, 0):
			x.anyGroup = bm
		case dimKey(dimResource, 0):
			x.anyResource = bm
		default:
			x.bitmaps[k] = bm
		}
	}
	return x
}

// ruleQuery is a resource request (or a set of verbs on one resource)
// resolved to interned ids; -1 is an id no rule names.
type ruleQuery struct {
	verbs           []int32
	verbBuf         [1]int32
	group, res, sub int32
}

func (in *interner) query(a *Attributes) ruleQuery {
	q := ruleQuery{group: lookup(in.groups, a.APIGroup), res: lookup(in.resources, requestResKey(a)), sub: -1}
	q.verbBuf[0] = lookup(in.verbs, a.Verb)
	q.verbs = q.verbBuf[:]
	if a.Subresource != "" {
		q.sub = lookup(in.resources, resKey{rbacv1.ResourceAll, a.Subresource, true})
	}
	return q
}

func word(bm []uint64, w int) uint64 {
	if w < len(bm) {
		return bm[w]
	}
	return 0
}

func (x *ruleIndex) get(dim int, id int32) []uint64 {
	if id <= 0 {
		return nil // absent, or the wildcard (kept apart)
	}
	return x.bitmaps[dimKey(dim, id)]
}

// each calls fn, in rule order, for every rule of the index that matches
// the query's verbs, group and resource (resourceNames unchecked; named
// tells whether the rule has them), until fn returns false.
func (x *ruleIndex) each(q *ruleQuery, fn func(i int, named bool) bool) bool {
	if x.words == 0 {
		return true
	}
	var vbuf [4][]uint64
	vs := vbuf[:0]
	for _, v := range q.verbs {
		if bm := x.get(dimVerb, v); bm != nil {
			vs = append(vs, bm)
		}
	}
	if len(vs) == 0 && x.anyVerb == nil {
		return true
	}
	g := x.get(dimGroup, q.group)
	if g == nil && x.anyGroup == nil {
		return true
	}
	r, s := x.get(dimResource, q.res), x.get(dimResource, q.sub)
	if r == nil && s == nil && x.anyResource == nil {
		return true
	}
	for w := range x.words {
		vw := word(x.anyVerb, w)
		for _, bm := range vs {
			vw |= bm[w]
		}
		c := vw & (word(x.anyGroup, w) | word(g, w)) & (word(x.anyResource, w) | word(r, w) | word(s, w))
		for c != 0 {
			b := bits.TrailingZeros64(c)
			c &= c - 1
			i := w*64 + b
			if !fn(i, x.named[w]&(1<<b) != 0) {
				return false
			}
		}
	}
	return true
}

// eachAllowing calls fn, in rule order, for every rule of r that allows
// the resource request a (RuleAllows), until fn returns false.
func (r *role) eachAllowing(q *ruleQuery, a *Attributes, fn func(i int) bool) bool {
	return r.index.each(q, func(i int, named bool) bool {
		if named && !nameMatches(r.rules[i].ResourceNames, a.Name) {
			return true
		}
		return fn(i)
	})
}
