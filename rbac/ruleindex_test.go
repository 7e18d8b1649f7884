package rbac

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
)

// TestRuleIndexMatchesRuleAllows: the per-role index finds exactly the
// rules RuleAllows accepts, in rule order, for random roles (more than 64
// rules, so several bitmap words) and requests, odd spellings included.
func TestRuleIndexMatchesRuleAllows(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	verbs := []string{"get", "list", "create", "*", "impersonate:user-info", "", "GET"}
	groups := []string{"", "apps", "*", "batch", "x/y"}
	resources := []string{"pods", "pods/log", "pods/", "*/log", "*/scale", "*", "*/*", "pods/*", "deployments/scale", "a/b/c", "a", "/", "", "*/"}
	names := []string{"", "n1", "n2"}
	pick := func(l []string, n int) []string {
		out := make([]string, r.IntN(n+1))
		for i := range out {
			out[i] = l[r.IntN(len(l))]
		}
		return out
	}
	for round := range 200 {
		in := newInterner()
		rules := make([]rbacv1.PolicyRule, 1+r.IntN(150))
		for i := range rules {
			rules[i] = rbacv1.PolicyRule{Verbs: pick(verbs, 3), APIGroups: pick(groups, 2), Resources: pick(resources, 3)}
			if r.IntN(4) == 0 {
				rules[i].ResourceNames = pick(names[1:], 2)
			}
			if r.IntN(10) == 0 {
				rules[i].NonResourceURLs = []string{"/x"}
			}
		}
		ro := newRole(in, Ref{Kind: "ClusterRole", Name: "r"}, rules, nil)
		for range 300 {
			a := Attributes{Verb: verbs[r.IntN(len(verbs))], APIGroup: groups[r.IntN(len(groups))], Name: names[r.IntN(len(names))]}
			a.Resource = []string{"pods", "deployments", "a", "a/b", "*", "pods/log"}[r.IntN(6)]
			a.Subresource = []string{"", "", "log", "scale", "b/c", "*", ""}[r.IntN(7)]
			var want, got []int
			for i := range rules {
				if RuleAllows(&rules[i], &a) {
					want = append(want, i)
				}
			}
			q := in.query(&a)
			ro.eachAllowing(&q, &a, func(i int) bool { got = append(got, i); return true })
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: %+v: index %v, RuleAllows %v", round, a, got, want)
			}
		}
	}
}

// TestRisksIndexMatchesScan: Risks with the probe index finds the same
// grants as the plain scan of every rule (ruleCovers), on random roles
// with wildcards, subresources and resourceNames.
func TestRisksIndexMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	verbs := []string{"get", "list", "create", "update", "patch", "bind", "escalate", "impersonate", "approve", "sign", "*", "associated-node:update"}
	groups := []string{"", "apps", "*", "rbac.authorization.k8s.io", "certificates.k8s.io", "resource.k8s.io", "authentication.k8s.io"}
	resources := []string{"pods", "pods/exec", "*/status", "*", "secrets", "nodes/proxy", "clusterroles", "roles", "signers", "certificatesigningrequests/approval",
		"resourceclaims/driver", "userextras/scopes", "configmaps", "serviceaccounts/token", "deployments", "nodes/status"}
	pick := func(l []string, n int) []string {
		out := make([]string, 1+r.IntN(n))
		for i := range out {
			out[i] = l[r.IntN(len(l))]
		}
		return out
	}
	for round := range 20 {
		var objs []*governance.Object
		for i := range 30 {
			rules := make([]rbacv1.PolicyRule, 1+r.IntN(80))
			for k := range rules {
				rules[k] = rbacv1.PolicyRule{Verbs: pick(verbs, 3), APIGroups: pick(groups, 2), Resources: pick(resources, 3)}
				if r.IntN(4) == 0 {
					rules[k].ResourceNames = []string{"aws-auth", "x"}[:1+r.IntN(2)]
				}
			}
			name := fmt.Sprintf("r%d", i)
			subj := []rbacv1.Subject{{Kind: "Group", Name: fmt.Sprintf("g%d", r.IntN(5))}, {Kind: "ServiceAccount", Name: "sa", Namespace: "kube-system"}}
			if i%2 == 0 {
				objs = append(objs, &governance.Object{Obj: &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, GVK: rbacv1.SchemeGroupVersion.WithKind("ClusterRole")},
					&governance.Object{Obj: &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: name}, Subjects: subj}, GVK: rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding")})
				continue
			}
			ns := []string{"kube-system", "a", "b"}[r.IntN(3)]
			objs = append(objs, &governance.Object{Obj: &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: rules}, GVK: rbacv1.SchemeGroupVersion.WithKind("Role")},
				&governance.Object{Obj: &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, RoleRef: rbacv1.RoleRef{Kind: "Role", Name: name}, Subjects: subj}, GVK: rbacv1.SchemeGroupVersion.WithKind("RoleBinding")})
		}
		inv, err := governance.NewInventory(objs)
		if err != nil {
			t.Fatal(err)
		}
		g := New(inv)
		classes := RiskClasses()
		pq := g.probeQueries(classes)
		for _, sb := range g.bySubject() {
			got, want := subjectRisks(sb, classes, pq), subjectRisks(sb, classes, probeQueries{})
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, %v: index risks\n%v\nscan risks\n%v", round, sb.subject, got, want)
			}
		}
	}
}
