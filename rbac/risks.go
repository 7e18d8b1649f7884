package rbac

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// Risk is one subject holding one dangerous permission class in one scope.
type Risk struct {
	Class    string              `json:"class"`
	Severity governance.Severity `json:"severity"`
	Subject  rbacv1.Subject      `json:"subject"`
	// Namespace is where the subject holds the class; "" is cluster-wide
	// (through ClusterRoleBindings).
	Namespace string `json:"namespace,omitempty"`
	// NameRestricted is set when every grant found is limited by
	// resourceNames (the severity is then one step lower).
	NameRestricted bool `json:"nameRestricted,omitempty"`
	// Grants is the chain: one grant per requirement of the class.
	Grants  []Grant `json:"grants,omitempty"`
	Message string  `json:"message"`
}

// RiskCheckID is the Finding.Check of risk findings.
const RiskCheckID = "rbac-risk"

// Finding renders the risk as a finding on the binding of its first grant.
func (r Risk) Finding() governance.Finding {
	f := governance.Finding{Check: RiskCheckID, Name: r.Class, Severity: r.Severity, Message: r.Message,
		Remediation: "remove the grant or narrow it (verbs, resources, resourceNames), or bind it in fewer namespaces"}
	if len(r.Grants) > 0 {
		b := r.Grants[0].Binding
		f.Object = governance.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: b.Kind, Namespace: b.Namespace, Name: b.Name}
		f.Path = "roleRef"
	}
	return f
}

// subjectBindings are the bindings naming one subject.
type subjectBindings struct {
	subject rbacv1.Subject
	crbs    []*binding
	rbs     map[string][]*binding
}

func (g *Graph) bySubject() []*subjectBindings {
	idx := map[rbacv1.Subject]*subjectBindings{}
	add := func(b *binding) {
		for _, s := range b.subjects {
			key, ok := normalizeSubject(s, b.ref.Namespace)
			if !ok {
				continue
			}
			sb := idx[key]
			if sb == nil {
				sb = &subjectBindings{subject: key, rbs: map[string][]*binding{}}
				idx[key] = sb
			}
			if b.ref.Namespace == "" {
				if !slices.Contains(sb.crbs, b) {
					sb.crbs = append(sb.crbs, b)
				}
			} else if !slices.Contains(sb.rbs[b.ref.Namespace], b) {
				sb.rbs[b.ref.Namespace] = append(sb.rbs[b.ref.Namespace], b)
			}
		}
	}
	for _, b := range g.crbs.all {
		add(b)
	}
	for _, ns := range sortedKeys(g.rbs) {
		for _, b := range g.rbs[ns].all {
			add(b)
		}
	}
	out := make([]*subjectBindings, 0, len(idx))
	for _, sb := range idx {
		out = append(out, sb)
	}
	sort.Slice(out, func(i, j int) bool { return subjectLess(out[i].subject, out[j].subject) })
	return out
}

func subjectLess(a, b rbacv1.Subject) bool {
	if a.Kind != b.Kind {
		return kindOrder(a.Kind) < kindOrder(b.Kind)
	}
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	return a.Name < b.Name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Risks reports every subject named by a binding that holds one of the
// classes (RiskClasses() when nil): cluster-wide through its
// ClusterRoleBindings, and per namespace where its RoleBindings add the
// class. Grants of a subject's groups are reported on the group, not
// repeated on every member. Sorted by severity (highest first), class,
// subject and namespace.
func (g *Graph) Risks(classes []RiskClass) []Risk {
	if classes == nil {
		classes = RiskClasses()
	}
	pq := g.probeQueries(classes)
	var out []Risk
	for _, sb := range g.bySubject() {
		out = append(out, subjectRisks(sb, classes, pq)...)
	}
	slices.SortStableFunc(out, func(a, b Risk) int {
		if a.Severity != b.Severity {
			return cmp.Compare(b.Severity, a.Severity)
		}
		if a.Class != b.Class {
			return strings.Compare(a.Class, b.Class)
		}
		if a.Subject != b.Subject {
			if subjectLess(a.Subject, b.Subject) {
				return -1
			}
			if subjectLess(b.Subject, a.Subject) {
				return 1
			}
			return 0
		}
		return strings.Compare(a.Namespace, b.Namespace)
	})
	return out
}

// subjectRisks evaluates every class for one subject. Where the subject
// holds WILDCARD_ADMIN (and WILDCARD_ADMIN is asked for), the classes it
// implies are not repeated in that scope.
func subjectRisks(sb *subjectBindings, classes []RiskClass, pq probeQueries) []Risk {
	admin := map[string]bool{}
	var out []Risk
	for _, c := range classes {
		if c.ID == "WILDCARD_ADMIN" {
			for _, r := range classRisks(sb, c, pq) {
				admin[r.Namespace] = true
				out = append(out, r)
			}
		}
	}
	for _, c := range classes {
		if c.ID == "WILDCARD_ADMIN" {
			continue
		}
		for _, r := range classRisks(sb, c, pq) {
			implied := len(c.allOf) > 0 && (admin[""] || admin[r.Namespace])
			if !implied {
				if r.Message == "" {
					r.Message = riskMessage(r, c) // only for the risks kept
				}
				out = append(out, r)
			}
		}
	}
	return out
}

func classRisks(sb *subjectBindings, c RiskClass, pq probeQueries) []Risk {
	switch c.ID {
	case "WILDCARD_ADMIN":
		return wildcardRisks(sb, c)
	case "BROAD_SUBJECT_BINDING":
		return broadRisks(sb, c)
	case "SYSTEM_MASTERS":
		if sb.subject.Kind == rbacv1.GroupKind && sb.subject.Name == GroupMasters {
			return bindingRisks(sb, c, "is bound although its members bypass RBAC")
		}
		return nil
	}
	if len(c.allOf) == 0 {
		return nil
	}
	var out []Risk
	if r, ok := classRisk(sb.subject, c, "", sb.crbs, pq); ok {
		out = append(out, r)
		if !r.NameRestricted {
			return out
		}
	}
	var bs []*binding
	for _, ns := range sortedKeys(sb.rbs) {
		bs = append(append(bs[:0], sb.crbs...), sb.rbs[ns]...)
		r, ok := classRisk(sb.subject, c, ns, bs, pq)
		if !ok || (len(out) > 0 && r.NameRestricted) {
			continue
		}
		if !slices.ContainsFunc(r.Grants, func(gr Grant) bool { return gr.Binding.Namespace == ns }) {
			continue // the cluster-wide finding covers it
		}
		out = append(out, r)
	}
	return out
}

// classRisk decides whether the bindings give the class in namespace ns
// ("" = cluster-wide).
func classRisk(s rbacv1.Subject, c RiskClass, ns string, bs []*binding, pq probeQueries) (Risk, bool) {
	r := Risk{Class: c.ID, Severity: c.Severity, Subject: s, Namespace: ns}
	for _, req := range c.allOf {
		gr, restricted, ok := findGrant(s, req, ns, bs, pq)
		if !ok {
			return Risk{}, false
		}
		r.Grants = append(r.Grants, gr)
		r.NameRestricted = r.NameRestricted || restricted
	}
	if r.NameRestricted && r.Severity > governance.SeverityInfo {
		r.Severity--
	}
	return r, true
}

func findGrant(s rbacv1.Subject, req []probe, ns string, bs []*binding, pq probeQueries) (Grant, bool, bool) {
	fallback, fallbackRule := (*binding)(nil), 0
	for _, b := range bs {
		if b.role == nil {
			continue
		}
		for k := range req {
			pr := &req[k]
			if b.ref.Namespace != "" && (pr.Cluster || (pr.Namespace != "" && pr.Namespace != b.ref.Namespace)) {
				continue // a RoleBinding cannot grant it
			}
			if b.ref.Namespace == "" && ns != "" && pr.Namespace != "" && pr.Namespace != ns {
				continue
			}
			found, foundRule := false, 0
			visit := func(i int, restricted bool) bool {
				if !restricted {
					found, foundRule = true, i
					return false
				}
				if fallback == nil {
					fallback, fallbackRule = b, i
				}
				return true
			}
			if q := pq[pr]; q != nil {
				// The index finds the rules matching verbs, group and
				// resource, in rule order; ruleCovers decides the rest.
				b.role.index.each(q, func(i int, named bool) bool {
					if pr.Name != "" {
						if !named || nameMatches(b.role.rules[i].ResourceNames, pr.Name) {
							return visit(i, false)
						}
						return true
					}
					return visit(i, named)
				})
			} else {
				for i := range b.role.rules {
					if ok, restricted := ruleCovers(&b.role.rules[i], *pr); ok && !visit(i, restricted) {
						break
					}
				}
			}
			if found {
				return *b.grant(subjectIndex(b, s), foundRule), false, true
			}
		}
	}
	if fallback != nil {
		return *fallback.grant(subjectIndex(fallback, s), fallbackRule), true, true
	}
	return Grant{}, false, false
}

// probeQueries are the index queries of the probes a Risks call asks
// about (nil for probes the index cannot answer: any subresource).
type probeQueries map[*probe]*ruleQuery

func (g *Graph) probeQueries(classes []RiskClass) probeQueries {
	pq := probeQueries{}
	for ci := range classes {
		for _, req := range classes[ci].allOf {
			for k := range req {
				pr := &req[k]
				if pr.AnySubresource {
					continue
				}
				q := g.ids.query(&Attributes{APIGroup: pr.Group, Resource: pr.Resource, Subresource: pr.Subresource})
				q.verbs = nil
				for _, v := range pr.Verbs {
					if id := lookup(g.ids.verbs, v); id > 0 {
						q.verbs = append(q.verbs, id)
					}
				}
				pq[pr] = &q
			}
		}
	}
	return pq
}

func subjectIndex(b *binding, s rbacv1.Subject) int {
	for i, bs := range b.subjects {
		if n, ok := normalizeSubject(bs, b.ref.Namespace); ok && n == s {
			return i
		}
	}
	return 0
}

// ruleCovers reports whether the rule allows some request of the probe,
// and whether only some names.
func ruleCovers(rule *rbacv1.PolicyRule, pr probe) (ok, restricted bool) {
	if len(rule.NonResourceURLs) > 0 && len(rule.Resources) == 0 {
		return false, false
	}
	if !groupMatches(rule.APIGroups, pr.Group) || !slices.ContainsFunc(pr.Verbs, func(v string) bool { return verbMatches(rule.Verbs, v) }) {
		return false, false
	}
	if pr.AnySubresource {
		if !slices.ContainsFunc(rule.Resources, func(r string) bool {
			return r == "*" || strings.HasPrefix(r, pr.Resource+"/") || strings.HasPrefix(r, "*/")
		}) {
			return false, false
		}
	} else if !resourceMatches(rule.Resources, pr.Resource, pr.Subresource) {
		return false, false
	}
	if pr.Name != "" {
		return nameMatches(rule.ResourceNames, pr.Name), false
	}
	return true, len(rule.ResourceNames) > 0
}

func riskMessage(r Risk, c RiskClass) string {
	scope := "cluster-wide"
	if r.Namespace != "" {
		scope = "in namespace " + r.Namespace
	}
	var b strings.Builder
	b.WriteString(subjectString(r.Subject) + " can " + c.Description + " (" + c.ID + ") " + scope + " via ")
	for i, g := range r.Grants {
		if i > 0 {
			b.WriteString(" + ")
		}
		b.WriteString(g.Binding.String() + " → " + g.Role.String() + " rule " + strconv.Itoa(g.RuleIndex))
	}
	msg := b.String()
	if r.NameRestricted {
		msg += " (limited to named objects)"
	}
	return msg
}

func subjectString(s rbacv1.Subject) string {
	if s.Namespace != "" {
		return s.Kind + " " + s.Namespace + "/" + s.Name
	}
	return s.Kind + " " + s.Name
}

func isWildcardRule(r *rbacv1.PolicyRule) bool {
	return slices.Contains(r.Verbs, "*") && slices.Contains(r.APIGroups, "*") && slices.Contains(r.Resources, "*")
}

func wildcardRisks(sb *subjectBindings, c RiskClass) []Risk {
	var out []Risk
	scan := func(ns string, bs []*binding) bool {
		for _, b := range bs {
			if b.role == nil {
				continue
			}
			for i := range b.role.rules {
				if isWildcardRule(&b.role.rules[i]) {
					r := Risk{Class: c.ID, Severity: c.Severity, Subject: sb.subject, Namespace: ns, Grants: []Grant{*b.grant(subjectIndex(b, sb.subject), i)}}
					if ns != "" {
						r.Severity = governance.SeverityHigh // admin of one namespace
					}
					r.Message = riskMessage(r, c)
					out = append(out, r)
					return true
				}
			}
		}
		return false
	}
	if scan("", sb.crbs) {
		return out
	}
	for _, ns := range sortedKeys(sb.rbs) {
		scan(ns, sb.rbs[ns])
	}
	return out
}

// broadSubject reports whether the subject stands for everyone, every
// authenticated user or every service account (of a namespace).
func broadSubject(s rbacv1.Subject) bool {
	switch {
	case s.Kind == rbacv1.UserKind && s.Name == UserAnonymous:
		return true
	case s.Kind != rbacv1.GroupKind:
		return false
	}
	return s.Name == GroupAuthenticated || s.Name == GroupUnauthenticated || s.Name == GroupServiceAccounts ||
		strings.HasPrefix(s.Name, serviceAccountNSPrefix)
}

func broadRisks(sb *subjectBindings, c RiskClass) []Risk {
	if !broadSubject(sb.subject) {
		return nil
	}
	return bindingRisks(sb, c, "is a subject of the binding, so everyone it stands for holds the role")
}

// bindingRisks reports every binding of the subject (one risk per binding).
func bindingRisks(sb *subjectBindings, c RiskClass, why string) []Risk {
	var out []Risk
	emit := func(b *binding) {
		r := Risk{Class: c.ID, Severity: c.Severity, Subject: sb.subject, Namespace: b.ref.Namespace}
		if b.role != nil && len(b.role.rules) > 0 {
			r.Grants = []Grant{*b.grant(subjectIndex(b, sb.subject), 0)}
		} else {
			r.Grants = []Grant{{Binding: b.ref, Subject: b.subjects[subjectIndex(b, sb.subject)], Role: b.roleRef}}
		}
		r.Message = fmt.Sprintf("%s %s (%s): %s → %s", subjectString(sb.subject), why, c.ID, b.ref, b.roleRef)
		out = append(out, r)
	}
	for _, b := range sb.crbs {
		emit(b)
	}
	for _, ns := range sortedKeys(sb.rbs) {
		for _, b := range sb.rbs[ns] {
			emit(b)
		}
	}
	return out
}
