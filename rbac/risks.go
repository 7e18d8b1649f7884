package rbac

import (
	"fmt"
	"slices"
	"sort"
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
		return kindOrder[a.Kind] < kindOrder[b.Kind]
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
	var out []Risk
	for _, sb := range g.bySubject() {
		out = append(out, subjectRisks(sb, classes)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		if a.Subject != b.Subject {
			return subjectLess(a.Subject, b.Subject)
		}
		return a.Namespace < b.Namespace
	})
	return out
}

// subjectRisks evaluates every class for one subject. Where the subject
// holds WILDCARD_ADMIN (and WILDCARD_ADMIN is asked for), the classes it
// implies are not repeated in that scope.
func subjectRisks(sb *subjectBindings, classes []RiskClass) []Risk {
	admin := map[string]bool{}
	var out []Risk
	for _, c := range classes {
		if c.ID == "WILDCARD_ADMIN" {
			for _, r := range classRisks(sb, c) {
				admin[r.Namespace] = true
				out = append(out, r)
			}
		}
	}
	for _, c := range classes {
		if c.ID == "WILDCARD_ADMIN" {
			continue
		}
		for _, r := range classRisks(sb, c) {
			implied := len(c.allOf) > 0 && (admin[""] || admin[r.Namespace])
			if !implied {
				out = append(out, r)
			}
		}
	}
	return out
}

func classRisks(sb *subjectBindings, c RiskClass) []Risk {
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
	if r, ok := classRisk(sb.subject, c, "", sb.crbs); ok {
		out = append(out, r)
		if !r.NameRestricted {
			return out
		}
	}
	for _, ns := range sortedKeys(sb.rbs) {
		bs := append(slices.Clone(sb.crbs), sb.rbs[ns]...)
		r, ok := classRisk(sb.subject, c, ns, bs)
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
func classRisk(s rbacv1.Subject, c RiskClass, ns string, bs []*binding) (Risk, bool) {
	r := Risk{Class: c.ID, Severity: c.Severity, Subject: s, Namespace: ns}
	for _, req := range c.allOf {
		gr, restricted, ok := findGrant(s, req, ns, bs)
		if !ok {
			return Risk{}, false
		}
		r.Grants = append(r.Grants, gr)
		r.NameRestricted = r.NameRestricted || restricted
	}
	if r.NameRestricted && r.Severity > governance.SeverityInfo {
		r.Severity--
	}
	r.Message = riskMessage(r, c)
	return r, true
}

func findGrant(s rbacv1.Subject, req []probe, ns string, bs []*binding) (Grant, bool, bool) {
	var fallback *Grant
	for _, b := range bs {
		if b.role == nil {
			continue
		}
		for _, pr := range req {
			if b.ref.Namespace != "" && (pr.Cluster || (pr.Namespace != "" && pr.Namespace != b.ref.Namespace)) {
				continue // a RoleBinding cannot grant it
			}
			if b.ref.Namespace == "" && ns != "" && pr.Namespace != "" && pr.Namespace != ns {
				continue
			}
			for i := range b.role.rules {
				ok, restricted := ruleCovers(&b.role.rules[i], pr)
				if !ok {
					continue
				}
				gr := *b.grant(subjectIndex(b, s), i)
				if !restricted {
					return gr, false, true
				}
				if fallback == nil {
					fallback = &gr
				}
			}
		}
	}
	if fallback != nil {
		return *fallback, true, true
	}
	return Grant{}, false, false
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
	var chain []string
	for _, g := range r.Grants {
		chain = append(chain, fmt.Sprintf("%s → %s rule %d", g.Binding, g.Role, g.RuleIndex))
	}
	msg := fmt.Sprintf("%s can %s (%s) %s via %s", subjectString(r.Subject), c.Description, c.ID, scope, strings.Join(chain, " + "))
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
