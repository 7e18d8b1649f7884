package rbac

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// LeastPrivilege is the generated least-privilege RBAC of one subject:
// a Role and RoleBinding per namespace for its namespaced requests, and a
// ClusterRole and ClusterRoleBinding for its cluster-scoped, all-namespace
// and non-resource requests (nil when there are none).
type LeastPrivilege struct {
	Roles              []*rbacv1.Role
	RoleBindings       []*rbacv1.RoleBinding
	ClusterRole        *rbacv1.ClusterRole
	ClusterRoleBinding *rbacv1.ClusterRoleBinding
}

// Objects lists the generated objects in apply order: the cluster role and
// its binding, then each namespace's role and binding.
func (lp *LeastPrivilege) Objects() []runtime.Object {
	var out []runtime.Object
	if lp.ClusterRole != nil {
		out = append(out, lp.ClusterRole, lp.ClusterRoleBinding)
	}
	for i := range lp.Roles {
		out = append(out, lp.Roles[i], lp.RoleBindings[i])
	}
	return out
}

// Generate builds the least-privilege RBAC that allows exactly the
// requests the subject (a User, or a ServiceAccount with its namespace)
// made in the log — denied ones included, so that a workload failing for
// want of a permission gets it — and nothing that the compaction does not
// imply: verbs, groups and resources are merged only where every
// combination was observed, and a rule is limited by resourceNames when
// every request of its (group, resource, verb) named an object. name is
// the name of the generated roles and bindings ("" = derived from the
// subject). It is an error when the log holds no request of the subject.
func Generate(log *AuditLog, subject rbacv1.Subject, name string) (*LeastPrivilege, error) {
	user, err := subjectUser(subject)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = "aigov:least-privilege:" + strings.NewReplacer("/", "-", "%", "-").Replace(strings.TrimPrefix(user, serviceAccountPrefix))
	}
	scopes := map[string][]Attributes{}
	for _, o := range log.Requests {
		if o.Identity.User == user {
			scopes[o.Attributes.Namespace] = append(scopes[o.Attributes.Namespace], o.Attributes)
		}
	}
	if len(scopes) == 0 {
		return nil, fmt.Errorf("the audit log has no request of %s", user)
	}
	bindSubject := subject
	if subject.Kind != rbacv1.ServiceAccountKind {
		bindSubject = rbacv1.Subject{Kind: subject.Kind, APIGroup: rbacv1.GroupName, Name: subject.Name}
	}
	lp := &LeastPrivilege{}
	for _, ns := range sortedKeys(scopes) {
		rules := compactRules(scopes[ns])
		if ns == "" {
			lp.ClusterRole = &rbacv1.ClusterRole{TypeMeta: typeMeta("ClusterRole"), ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
			lp.ClusterRoleBinding = &rbacv1.ClusterRoleBinding{TypeMeta: typeMeta("ClusterRoleBinding"), ObjectMeta: metav1.ObjectMeta{Name: name},
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}, Subjects: []rbacv1.Subject{bindSubject}}
			continue
		}
		meta := metav1.ObjectMeta{Name: name, Namespace: ns}
		lp.Roles = append(lp.Roles, &rbacv1.Role{TypeMeta: typeMeta("Role"), ObjectMeta: meta, Rules: rules})
		lp.RoleBindings = append(lp.RoleBindings, &rbacv1.RoleBinding{TypeMeta: typeMeta("RoleBinding"), ObjectMeta: meta,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}, Subjects: []rbacv1.Subject{bindSubject}})
	}
	return lp, nil
}

func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: kind}
}

// subjectUser is the user name a User or ServiceAccount subject
// authenticates as.
func subjectUser(s rbacv1.Subject) (string, error) {
	switch s.Kind {
	case rbacv1.UserKind:
		if s.Name == "" {
			return "", fmt.Errorf("user subject without a name")
		}
		return s.Name, nil
	case rbacv1.ServiceAccountKind:
		if s.Namespace == "" || s.Name == "" {
			return "", fmt.Errorf("service account subject needs a namespace and a name")
		}
		return ServiceAccountUser(s.Namespace, s.Name), nil
	}
	return "", fmt.Errorf("cannot generate roles for a %s subject (want User or ServiceAccount)", s.Kind)
}

// compactRules turns requests into rules that allow exactly them (and
// their cross product only where it was observed in full).
func compactRules(reqs []Attributes) []rbacv1.PolicyRule {
	type grKey struct{ group, resource string }
	type verbNames struct {
		names   []string
		unnamed bool
	}
	res := map[grKey]map[string]*verbNames{}
	urls := map[string][]string{}
	for _, a := range reqs {
		if !a.IsResourceRequest() {
			if !slices.Contains(urls[a.Path], a.Verb) {
				urls[a.Path] = append(urls[a.Path], a.Verb)
			}
			continue
		}
		r := a.Resource
		if a.Subresource != "" {
			r += "/" + a.Subresource
		}
		k := grKey{a.APIGroup, r}
		if res[k] == nil {
			res[k] = map[string]*verbNames{}
		}
		vn := res[k][a.Verb]
		if vn == nil {
			vn = &verbNames{}
			res[k][a.Verb] = vn
		}
		if a.Name == "" {
			vn.unnamed = true
		} else if !slices.Contains(vn.names, a.Name) {
			vn.names = append(vn.names, a.Name)
		}
	}
	// (group, resource, names) → verbs.
	type rowKey struct{ group, resource, names string }
	rows := map[rowKey][]string{}
	for k, verbs := range res {
		for v, vn := range verbs {
			names := ""
			if !vn.unnamed {
				slices.Sort(vn.names)
				names = strings.Join(vn.names, "\x00")
			}
			rk := rowKey{k.group, k.resource, names}
			rows[rk] = append(rows[rk], v)
		}
	}
	// (group, names, verbs) → resources; then (resources, names, verbs) → groups.
	type byVerbs struct{ group, names, verbs string }
	merged := map[byVerbs][]string{}
	for rk, verbs := range rows {
		slices.Sort(verbs)
		k := byVerbs{rk.group, rk.names, strings.Join(verbs, "\x00")}
		merged[k] = append(merged[k], rk.resource)
	}
	type byResources struct{ resources, names, verbs string }
	groups := map[byResources][]string{}
	for k, resources := range merged {
		slices.Sort(resources)
		rk := byResources{strings.Join(resources, "\x00"), k.names, k.verbs}
		groups[rk] = append(groups[rk], k.group)
	}
	var out []rbacv1.PolicyRule
	for k, gs := range groups {
		slices.Sort(gs)
		r := rbacv1.PolicyRule{Verbs: split0(k.verbs), APIGroups: gs, Resources: split0(k.resources), ResourceNames: split0(k.names)}
		out = append(out, r)
	}
	paths := map[string][]string{}
	for p, verbs := range urls {
		slices.Sort(verbs)
		k := strings.Join(verbs, "\x00")
		paths[k] = append(paths[k], p)
	}
	for k, ps := range paths {
		slices.Sort(ps)
		out = append(out, rbacv1.PolicyRule{Verbs: split0(k), NonResourceURLs: ps})
	}
	sort.Slice(out, func(i, j int) bool { return RuleString(out[i]) < RuleString(out[j]) })
	return out
}

func split0(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}
