package netpol

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Decision is the outcome of one direction (the source's egress or the
// destination's ingress) and why.
type Decision struct {
	Allowed bool `json:"allowed"`
	// Tier is the tier that decided: Admin, NetworkPolicy, Baseline or
	// Default (no policy applied).
	Tier Tier `json:"tier"`
	// Rules are the deciding rules: the first matching admin or baseline
	// rule, or every NetworkPolicy rule that allows the traffic.
	Rules []RuleRef `json:"rules,omitempty"`
	// Isolating are the NetworkPolicies that select the pod for this
	// direction when the NetworkPolicy tier decided. The slice is shared
	// between verdicts: do not modify its elements (appending copies).
	Isolating []RuleRef `json:"isolating,omitempty"`
	// Passed are admin rules whose Pass action handed the decision on.
	Passed []RuleRef `json:"passed,omitempty"`
}

// Verdict answers whether From may open a connection to To on
// Port/Protocol: both the egress of the source and the ingress of the
// destination must allow it.
type Verdict struct {
	From     string          `json:"from"`
	To       string          `json:"to"`
	Port     int32           `json:"port"`
	Protocol corev1.Protocol `json:"protocol"`
	Allowed  bool            `json:"allowed"`
	Egress   Decision        `json:"egress"`
	Ingress  Decision        `json:"ingress"`
	Notes    []string        `json:"notes,omitempty"`
}

// Allowed evaluates one connection and explains it.
func (g *Graph) Allowed(src, dst *Endpoint, port int32, proto corev1.Protocol) Verdict {
	v := Verdict{From: src.Name, To: dst.Name, Port: port, Protocol: proto}
	sc, dc := g.class[src.id], g.class[dst.id]
	v.Allowed = g.Reachable(src, dst, port, proto) // the table; explain walks the rules
	v.Egress = g.explain(1, sc, dc, port, proto)
	v.Ingress = g.explain(0, dc, sc, port, proto)
	if src.Kind == HostNetworkEndpoint || dst.Kind == HostNetworkEndpoint {
		v.Notes = append(v.Notes, HostNetworkAssumption)
	}
	if src == dst && src.Replicas <= 1 {
		v.Notes = append(v.Notes, "a pod connecting to itself (loopback) is not defined by NetworkPolicy; judged like any pair")
	}
	return v
}

// explain walks the rules of direction d for subject class s and the
// other class o, for one port.
func (g *Graph) explain(d, s, o int, port int32, proto corev1.Protocol) Decision {
	pi := g.profileOf[d][s]
	p := g.profiles[d][pi]
	dst := o
	if directions[d] == Ingress {
		dst = s
	}
	hit := func(r int) bool {
		return g.rulePeers[r].has(o) && g.rulePortsRO(r, dst).Contains(proto, port)
	}
	var dec Decision
	for _, r := range p.admin {
		if !hit(r) {
			continue
		}
		ref := g.comp.rules[r].ref
		if ref.Action == Pass {
			dec.Passed = append(dec.Passed, ref)
			break
		}
		return Decision{Allowed: ref.Action == Allow, Tier: AdminTier, Rules: []RuleRef{ref}}
	}
	if len(p.npPolicies) > 0 {
		dec.Tier = NetworkPolicyTier
		iso := g.isolating[d][pi]
		dec.Isolating = iso[:len(iso):len(iso)] // shared: an append copies
		if !g.sets.sets[g.rows[d][pi].at(o)].Contains(proto, port) {
			// Not in the direction's allowed set and not decided by an
			// admin rule: no NetworkPolicy rule matches; skip the scan.
			return dec
		}
		var buf [8]int
		hits := buf[:0]
		for _, r := range p.np {
			if hit(r) {
				hits = append(hits, r)
			}
		}
		if len(hits) > 0 {
			dec.Rules = make([]RuleRef, len(hits))
			for i, r := range hits {
				dec.Rules[i] = g.comp.rules[r].ref
			}
		}
		dec.Allowed = len(dec.Rules) > 0
		return dec
	}
	for _, r := range p.baseline {
		if hit(r) {
			ref := g.comp.rules[r].ref
			if ref.Action == Pass {
				dec.Passed = append(dec.Passed, ref)
				break
			}
			dec.Allowed, dec.Tier, dec.Rules = ref.Action == Allow, BaselineTier, []RuleRef{ref}
			return dec
		}
	}
	dec.Allowed, dec.Tier = true, DefaultTier
	return dec
}

// Explain renders the verdict as indented lines.
func (v Verdict) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s %s/%d: %s\n", LabelRanges(v.From), LabelRanges(v.To), v.Protocol, v.Port, yesNo(v.Allowed))
	writeDecision(&b, "egress of "+v.From, v.Egress)
	writeDecision(&b, "ingress of "+v.To, v.Ingress)
	for _, n := range v.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	return b.String()
}

func writeDecision(b *strings.Builder, what string, d Decision) {
	fmt.Fprintf(b, "  %s: %s (%s)\n", what, map[bool]string{true: "allowed", false: "denied"}[d.Allowed], tierText(d))
	for _, r := range d.Passed {
		fmt.Fprintf(b, "    passed by %s\n", r)
	}
	for _, r := range d.Isolating {
		fmt.Fprintf(b, "    isolated by %s\n", r)
	}
	for _, r := range d.Rules {
		fmt.Fprintf(b, "    %s by %s\n", map[Action]string{Allow: "allowed", Deny: "denied", Pass: "passed"}[r.Action], r)
	}
}

func tierText(d Decision) string {
	switch {
	case d.Tier == DefaultTier:
		return "no policy applies: default allow"
	case d.Tier == NetworkPolicyTier && !d.Allowed:
		return "NetworkPolicy: isolated, no rule matches"
	}
	return string(d.Tier)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
