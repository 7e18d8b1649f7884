package rbac

import (
	"fmt"
	"slices"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/validation"
)

// RulesFor returns every rule the identity holds in the namespace, as the
// apiserver's rule resolver lists them for escalation checks: the rules of
// every ClusterRoleBinding that applies to it and, when namespace is not
// "", of the RoleBindings of that namespace. Missing roles contribute
// nothing. A member of system:masters gets the two "*" rules.
func (g *Graph) RulesFor(id Identity, namespace string) []rbacv1.PolicyRule {
	if slices.Contains(id.Groups, GroupMasters) {
		return []rbacv1.PolicyRule{
			{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}},
			{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}},
		}
	}
	var out []rbacv1.PolicyRule
	collect := func(bs []*binding) {
		for _, b := range bs {
			if b.role == nil {
				continue
			}
			if _, ok := b.appliesTo(&id); ok {
				out = append(out, b.role.rules...)
			}
		}
	}
	collect(g.crbs.all)
	if namespace != "" {
		if x := g.rbs[namespace]; x != nil {
			collect(x.all)
		}
	}
	return out
}

// EscalationCheck is the apiserver's escalation-prevention verdict on one
// RBAC write (a binding, or a role's rules), beyond the RBAC authorization
// of the write itself (Write).
type EscalationCheck struct {
	// Allowed: the escalation check passes, by Via.
	Allowed bool `json:"allowed"`
	// Via is "system:masters", "bind" or "escalate" (the explicit verb on
	// the role), or "covers" (the writer already holds every rule).
	Via string `json:"via,omitempty"`
	// Grant is the grant of the bind or escalate verb.
	Grant *Grant `json:"grant,omitempty"`
	// Covered: the writer's own rules in the namespace cover the role's
	// rules (component-helpers validation.Covers), so no bind/escalate is
	// needed.
	Covered bool `json:"covered"`
	// Missing are the rules (broken down to one verb, group, resource and
	// name each) the writer does not hold.
	Missing []rbacv1.PolicyRule `json:"missing,omitempty"`
	// Write is the RBAC decision on the write request itself (create
	// rolebindings/clusterrolebindings, or update roles/clusterroles).
	Write Decision `json:"write"`
	// Reason explains a refusal (the role does not exist, the rules not held).
	Reason string `json:"reason,omitempty"`
}

// CanBind answers whether the identity may create a binding of roleRef in
// bindingNamespace ("" for a ClusterRoleBinding), as the rolebinding and
// clusterrolebinding storage decides: system:masters; or the "bind" verb on
// roles/clusterroles named by the roleRef, asked in the binding's
// namespace; or the identity's rules in that namespace cover the role's
// rules. A missing role is refused unless bind or system:masters allows it.
// Write is the RBAC decision on creating the binding.
func (g *Graph) CanBind(id Identity, bindingNamespace string, roleRef rbacv1.RoleRef) EscalationCheck {
	res := "rolebindings"
	if bindingNamespace == "" {
		res = "clusterrolebindings"
	}
	c := EscalationCheck{Write: g.Can(id, Attributes{Verb: "create", Namespace: bindingNamespace, APIGroup: rbacv1.GroupName, Resource: res})}
	if slices.Contains(id.Groups, GroupMasters) {
		c.Allowed, c.Via, c.Covered = true, GroupMasters, true
		return c
	}
	roleRes := "clusterroles"
	var r *role
	switch roleRef.Kind {
	case "ClusterRole":
		r = g.clusterRoles[roleRef.Name]
	case "Role":
		roleRes = "roles"
		if bindingNamespace != "" {
			r = g.roles[Ref{Kind: "Role", Namespace: bindingNamespace, Name: roleRef.Name}]
		}
	}
	if d := g.Can(id, Attributes{Verb: "bind", Namespace: bindingNamespace, APIGroup: roleRef.APIGroup, Resource: roleRes, Name: roleRef.Name}); d.Allowed {
		c.Allowed, c.Via, c.Grant = true, "bind", d.Grant
	}
	if r == nil {
		c.Reason = fmt.Sprintf("%s %q does not exist", roleRef.Kind, roleRef.Name)
		return c
	}
	g.cover(&c, id, bindingNamespace, r.rules)
	return c
}

// CanWriteRole answers whether the identity may write the rules into the
// Role namespace/name (a ClusterRole when namespace is ""), as the role
// storage decides: system:masters; or "escalate" on that role; or the
// identity's rules in the namespace cover the new rules. (Setting an
// aggregationRule needs "*" on "*", which is not modelled here.) Write is
// the RBAC decision on updating the role.
func (g *Graph) CanWriteRole(id Identity, namespace, name string, rules []rbacv1.PolicyRule) EscalationCheck {
	res := "roles"
	if namespace == "" {
		res = "clusterroles"
	}
	c := EscalationCheck{Write: g.Can(id, Attributes{Verb: "update", Namespace: namespace, APIGroup: rbacv1.GroupName, Resource: res, Name: name})}
	if slices.Contains(id.Groups, GroupMasters) {
		c.Allowed, c.Via, c.Covered = true, GroupMasters, true
		return c
	}
	if d := g.Can(id, Attributes{Verb: "escalate", Namespace: namespace, APIGroup: rbacv1.GroupName, Resource: res, Name: name}); d.Allowed {
		c.Allowed, c.Via, c.Grant = true, "escalate", d.Grant
	}
	g.cover(&c, id, namespace, rules)
	return c
}

func (g *Graph) cover(c *EscalationCheck, id Identity, namespace string, rules []rbacv1.PolicyRule) {
	ok, missing := validation.Covers(g.RulesFor(id, namespace), rules)
	c.Covered = ok
	if ok {
		if !c.Allowed {
			c.Allowed, c.Via = true, "covers"
		}
		return
	}
	c.Missing = missing
	if !c.Allowed {
		c.Reason = fmt.Sprintf("the writer does not hold %d of the rules and has neither bind nor escalate", len(missing))
	}
}

// EscalationStep is one hop of an escalation path: From uses a grant to
// act as To (create a pod running as a service account, mint its token,
// impersonate it), or — in the last step — reaches cluster-admin-equivalent
// power (To is nil).
type EscalationStep struct {
	// Action is create-pod, create-workload, mint-token or impersonate for
	// a hop; system-masters, wildcard-admin, impersonate-masters,
	// bind-admin-role or escalate-bound-role for the final step.
	Action    string          `json:"action"`
	From      rbacv1.Subject  `json:"from"`
	To        *rbacv1.Subject `json:"to,omitempty"`
	Namespace string          `json:"namespace,omitempty"`
	// Grants are the provenance of the step (binding → role → rule).
	Grants  []Grant `json:"grants,omitempty"`
	Message string  `json:"message"`
}

// EscalationPath is a shortest chain from Subject to cluster-admin-equivalent
// power.
type EscalationPath struct {
	Subject rbacv1.Subject   `json:"subject"`
	Steps   []EscalationStep `json:"steps"`
}

// escalationNode is one subject in the escalation search, with the
// identity it authenticates as.
type escalationNode struct {
	subject rbacv1.Subject
	id      Identity
}

// EscalationPaths returns, for every subject named by a binding that can
// reach cluster-admin-equivalent power, one shortest path to it, shortest
// first (then by subject). Hops: creating pods or pod controllers in a
// namespace runs as any of its service accounts; create
// serviceaccounts/token mints one's token; legacy impersonate on users,
// groups and serviceaccounts acts as the target. Sinks: membership of
// system:masters; "*" on "*" in "*" cluster-wide; impersonating the group
// system:masters; bind on an admin-equivalent ClusterRole (cluster-admin,
// or one with a "*" rule) plus creating ClusterRoleBindings; escalate plus
// update on a ClusterRole bound to the subject cluster-wide. Every step
// carries the grants behind it. A group stands for a synthetic member;
// service accounts carry their implicit groups.
func (g *Graph) EscalationPaths() []EscalationPath {
	nodes, index := g.escalationNodes()
	type edge struct {
		to   int
		step EscalationStep
	}
	adj := make([][]edge, len(nodes))
	sinks := make([]*EscalationStep, len(nodes))
	nsTargets := g.namespaceTargets(nodes)
	for i, n := range nodes {
		sinks[i] = g.sinkStep(n)
		if sinks[i] != nil {
			continue
		}
		hops := g.hopsOf(&n.id)
		for _, ns := range sortedKeys(nsTargets) {
			if !hops.podsAll && !hops.podsIn[ns] {
				continue
			}
			action, grant := g.canRunPods(n.id, ns)
			if grant == nil {
				continue
			}
			for _, t := range nsTargets[ns] {
				to := nodes[t].subject
				adj[i] = append(adj[i], edge{t, EscalationStep{Action: action, From: n.subject, To: &to, Namespace: ns, Grants: []Grant{*grant},
					Message: fmt.Sprintf("%s can %s in namespace %s and run it as %s", subjectString(n.subject), actionText(action), ns, subjectString(to))}})
			}
		}
		for t, m := range nodes {
			if t == i || !hops.actAs {
				continue
			}
			to := m.subject
			for _, a := range hopAttributes(m.subject) {
				if d := g.Can(n.id, a.attrs); d.Allowed && d.Grant != nil {
					adj[i] = append(adj[i], edge{t, EscalationStep{Action: a.action, From: n.subject, To: &to, Namespace: a.attrs.Namespace, Grants: []Grant{*d.Grant},
						Message: fmt.Sprintf("%s can %s %s", subjectString(n.subject), a.action, subjectString(to))}})
					break
				}
			}
		}
	}
	var out []EscalationPath
	for _, start := range index {
		if p, ok := shortestPath(start, len(nodes), func(i int) []edge { return adj[i] }, func(e edge) (int, EscalationStep) { return e.to, e.step }, sinks); ok {
			out = append(out, EscalationPath{Subject: nodes[start].subject, Steps: p})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if len(out[i].Steps) != len(out[j].Steps) {
			return len(out[i].Steps) < len(out[j].Steps)
		}
		return subjectLess(out[i].Subject, out[j].Subject)
	})
	return out
}

// shortestPath is a breadth-first search from start to the nearest node
// with a sink step; it returns the hops plus the sink step.
func shortestPath[E any](start, n int, edges func(int) []E, hop func(E) (int, EscalationStep), sinks []*EscalationStep) ([]EscalationStep, bool) {
	prev := make([]int, n)
	via := make([]EscalationStep, n)
	for i := range prev {
		prev[i] = -2
	}
	prev[start] = -1
	queue := []int{start}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if sinks[cur] != nil {
			steps := []EscalationStep{*sinks[cur]}
			for at := cur; prev[at] >= 0; at = prev[at] {
				steps = append(steps, via[at])
			}
			slices.Reverse(steps)
			return steps, true
		}
		for _, e := range edges(cur) {
			to, step := hop(e)
			if prev[to] != -2 {
				continue
			}
			prev[to], via[to] = cur, step
			queue = append(queue, to)
		}
	}
	return nil, false
}

// escalationNodes are the subjects of every binding plus the "default"
// service account of every namespace that has service accounts or
// bindings; index lists the binding subjects (the starts).
func (g *Graph) escalationNodes() ([]escalationNode, []int) {
	var nodes []escalationNode
	seen := map[rbacv1.Subject]int{}
	add := func(s rbacv1.Subject) int {
		if i, ok := seen[s]; ok {
			return i
		}
		seen[s] = len(nodes)
		nodes = append(nodes, escalationNode{subject: s, id: SubjectIdentity(s)})
		return len(nodes) - 1
	}
	var starts []int
	for _, sb := range g.bySubject() {
		starts = append(starts, add(sb.subject))
	}
	var sas []rbacv1.Subject
	for ref := range g.serviceAccounts {
		sas = append(sas, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ref.Namespace, Name: ref.Name})
	}
	for ns := range g.rbs {
		sas = append(sas, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: "default"})
	}
	sort.Slice(sas, func(i, j int) bool { return subjectLess(sas[i], sas[j]) })
	for _, s := range sas {
		add(s)
	}
	return nodes, starts
}

// namespaceTargets lists, per namespace, the service-account nodes a pod
// of that namespace can run as.
func (g *Graph) namespaceTargets(nodes []escalationNode) map[string][]int {
	out := map[string][]int{}
	for i, n := range nodes {
		if n.subject.Kind == rbacv1.ServiceAccountKind {
			out[n.subject.Namespace] = append(out[n.subject.Namespace], i)
		}
	}
	return out
}

// canRunPods reports whether id can create pods (or, failing that, a pod
// controller) in ns, with the grant.
func (g *Graph) canRunPods(id Identity, ns string) (string, *Grant) {
	if d := g.Can(id, Attributes{Verb: "create", Namespace: ns, Resource: "pods"}); d.Grant != nil {
		return "create-pod", d.Grant
	}
	for _, gr := range [][2]string{{"apps", "deployments"}, {"apps", "daemonsets"}, {"apps", "statefulsets"}, {"apps", "replicasets"},
		{"batch", "jobs"}, {"batch", "cronjobs"}, {"", "replicationcontrollers"}} {
		if d := g.Can(id, Attributes{Verb: "create", Namespace: ns, APIGroup: gr[0], Resource: gr[1]}); d.Grant != nil {
			return "create-workload", d.Grant
		}
	}
	return "", nil
}

func actionText(action string) string {
	if action == "create-pod" {
		return "create a pod"
	}
	return "create a pod controller"
}

type hopAttr struct {
	action string
	attrs  Attributes
}

// hopAttributes are the requests that let a subject act as target.
func hopAttributes(target rbacv1.Subject) []hopAttr {
	switch target.Kind {
	case rbacv1.ServiceAccountKind:
		return []hopAttr{
			{"mint-token", Attributes{Verb: "create", Namespace: target.Namespace, Resource: "serviceaccounts", Subresource: "token", Name: target.Name}},
			{"impersonate", Attributes{Verb: "impersonate", Namespace: target.Namespace, Resource: "serviceaccounts", Name: target.Name}},
		}
	case rbacv1.GroupKind:
		return []hopAttr{{"impersonate", Attributes{Verb: "impersonate", Resource: "groups", Name: target.Name}}}
	}
	return []hopAttr{{"impersonate", Attributes{Verb: "impersonate", Resource: "users", Name: target.Name}}}
}

// sinkStep returns the final step when the node itself holds
// cluster-admin-equivalent power.
func (g *Graph) sinkStep(n escalationNode) *EscalationStep {
	s := n.subject
	step := func(action, msg string, grants ...Grant) *EscalationStep {
		return &EscalationStep{Action: action, From: s, Grants: grants, Message: subjectString(s) + " " + msg}
	}
	if slices.Contains(n.id.Groups, GroupMasters) {
		return step("system-masters", "is in system:masters, which the apiserver authorizes before RBAC")
	}
	if d := g.Can(n.id, Attributes{Verb: "*", APIGroup: "*", Resource: "*"}); d.Grant != nil {
		return step("wildcard-admin", "holds every verb on every resource cluster-wide", *d.Grant)
	}
	if d := g.Can(n.id, Attributes{Verb: "impersonate", Resource: "groups", Name: GroupMasters}); d.Grant != nil {
		return step("impersonate-masters", "can impersonate the group system:masters", *d.Grant)
	}
	if crb := g.Can(n.id, Attributes{Verb: "create", APIGroup: rbacv1.GroupName, Resource: "clusterrolebindings"}); crb.Grant != nil {
		for _, name := range g.adminRoles() {
			if d := g.Can(n.id, Attributes{Verb: "bind", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: name}); d.Grant != nil {
				return step("bind-admin-role", fmt.Sprintf("can create ClusterRoleBindings and bind ClusterRole %q to itself", name), *crb.Grant, *d.Grant)
			}
		}
	}
	for _, b := range g.crbs.all {
		if b.role == nil || b.roleRef.Kind != "ClusterRole" {
			continue
		}
		if _, ok := b.appliesTo(&n.id); !ok {
			continue
		}
		esc := g.Can(n.id, Attributes{Verb: "escalate", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: b.roleRef.Name})
		upd := g.Can(n.id, Attributes{Verb: "update", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: b.roleRef.Name})
		if upd.Grant == nil {
			upd = g.Can(n.id, Attributes{Verb: "patch", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: b.roleRef.Name})
		}
		if esc.Grant != nil && upd.Grant != nil {
			return step("escalate-bound-role", fmt.Sprintf("can escalate and update ClusterRole %q, which %s binds to it cluster-wide", b.roleRef.Name, b.ref), *esc.Grant, *upd.Grant)
		}
	}
	return nil
}

// adminRoles are "cluster-admin" and every ClusterRole with a "*" on "*"
// in "*" rule, in name order.
func (g *Graph) adminRoles() []string {
	out := []string{"cluster-admin"}
	for _, name := range sortedKeys(g.clusterRoles) {
		if name == "cluster-admin" {
			continue
		}
		if slices.ContainsFunc(g.clusterRoles[name].rules, func(r rbacv1.PolicyRule) bool { return isWildcardRule(&r) }) {
			out = append(out, name)
		}
	}
	return out
}

// hopSet says which hops a node may have, from the rules of the bindings
// that apply to it, so that the search asks Can only where a hop is
// possible: podsAll/podsIn when some rule could allow creating pods or pod
// controllers (cluster-wide, or in those namespaces), actAs when some rule
// could allow impersonation or minting tokens.
type hopSet struct {
	podsAll bool
	podsIn  map[string]bool
	actAs   bool
}

func (g *Graph) hopsOf(id *Identity) hopSet {
	h := hopSet{podsIn: map[string]bool{}}
	scan := func(x *bindingIndex, ns string) {
		lists := [][]*binding{x.byUser[id.User]}
		for _, grp := range id.Groups {
			lists = append(lists, x.byGroup[grp])
		}
		for _, bs := range lists {
			for _, b := range bs {
				if b.role == nil {
					continue
				}
				for i := range b.role.rules {
					r := &b.role.rules[i]
					if len(r.Resources) == 0 {
						continue
					}
					if verbMatches(r.Verbs, "create") {
						if ns == "" {
							h.podsAll = true
						} else {
							h.podsIn[ns] = true
						}
					}
					if slices.ContainsFunc(r.Verbs, func(v string) bool { return v == "*" || v == "impersonate" || v == "create" }) {
						h.actAs = true
					}
				}
			}
		}
	}
	scan(g.crbs, "")
	for ns, x := range g.rbs {
		scan(x, ns)
	}
	return h
}
