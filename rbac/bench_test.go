package rbac_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// synthetic is the benchmark cluster: nss namespaces with
// roles/nss Roles and rbs/nss RoleBindings each, crs ClusterRoles (every
// tenth aggregated by label) with one ClusterRoleBinding each, and 5000
// service accounts as subjects.
func synthetic(tb testing.TB, nss, roles, rbs, crs int) *governance.Inventory {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	verbs := []string{"get", "list", "watch", "create", "update", "patch", "delete", "*"}
	resources := []string{"pods", "pods/log", "pods/exec", "secrets", "configmaps", "services", "deployments", "*/scale", "jobs", "inferenceservices", "*"}
	groups := []string{"", "apps", "batch", "serving.kserve.io", "*"}
	randRule := func() rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: pickN(r, verbs, 3), APIGroups: pickN(r, groups, 2), Resources: pickN(r, resources, 3)}
	}
	var objs []*governance.Object
	for i := range crs {
		cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cr-%d", i), Labels: map[string]string{"agg": fmt.Sprint(i % 10)}}}
		if i%10 == 0 {
			cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"agg": fmt.Sprint(1 + i%9)}}}}
		} else {
			cr.Rules = []rbacv1.PolicyRule{randRule(), randRule()}
		}
		objs = append(objs, obj(cr, "ClusterRole"))
		objs = append(objs, obj(&rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("crb-%d", i)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: cr.Name},
			Subjects:   []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("group-%d", i%200)}},
		}, "ClusterRoleBinding"))
	}
	for i := range roles {
		ns := fmt.Sprintf("ns-%d", i%nss)
		objs = append(objs, obj(&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("role-%d", i), Namespace: ns}, Rules: []rbacv1.PolicyRule{randRule(), randRule(), randRule()}}, "Role"))
	}
	for i := range rbs {
		ns := i % nss
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: fmt.Sprintf("role-%d", ns+nss*r.IntN(max(1, roles/nss)))}
		if i%3 == 0 {
			ref = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: fmt.Sprintf("cr-%d", r.IntN(crs))}
		}
		objs = append(objs, obj(&rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("rb-%d", i), Namespace: fmt.Sprintf("ns-%d", ns)},
			RoleRef:    ref,
			Subjects: []rbacv1.Subject{
				{Kind: "ServiceAccount", Name: fmt.Sprintf("sa-%d", i%5000)},
				{Kind: "User", APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("user-%d", i%1000)},
			},
		}, "RoleBinding"))
	}
	inv, err := governance.NewInventory(objs)
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

type scale struct{ nss, roles, rbs, crs int }

var scales = []scale{{100, 500, 5000, 200}, {5000, 5000, 50000, 1000}}

func (s scale) String() string { return fmt.Sprintf("rb=%d/roles=%d/cr=%d", s.rbs, s.roles, s.crs) }

func BenchmarkNew(b *testing.B) {
	for _, s := range scales {
		inv := synthetic(b, s.nss, s.roles, s.rbs, s.crs)
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rbac.New(inv)
			}
		})
	}
}

func benchQueries(s scale) []query {
	r := rand.New(rand.NewPCG(3, 4))
	qs := make([]query, 1024)
	for i := range qs {
		ns := fmt.Sprintf("ns-%d", r.IntN(s.nss))
		id := rbac.Impersonate(fmt.Sprintf("user-%d", r.IntN(1000)), fmt.Sprintf("group-%d", r.IntN(200)))
		if i%2 == 0 {
			id = rbac.ServiceAccount(ns, fmt.Sprintf("sa-%d", r.IntN(5000)))
		}
		qs[i] = query{id: id, a: rbac.Attributes{Verb: pick(r, []string{"get", "list", "create", "delete"}), Namespace: ns,
			APIGroup: pick(r, []string{"", "apps"}), Resource: pick(r, []string{"pods", "secrets", "deployments"}), Subresource: pick(r, []string{"", "", "exec", "scale"})}}
	}
	return qs
}

func BenchmarkCan(b *testing.B) {
	for _, s := range scales {
		g := rbac.New(synthetic(b, s.nss, s.roles, s.rbs, s.crs))
		qs := benchQueries(s)
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := qs[i%len(qs)]
				g.Can(q.id, q.a)
				i++
			}
		})
	}
}

func BenchmarkWhoCan(b *testing.B) {
	for _, s := range scales {
		g := rbac.New(synthetic(b, s.nss, s.roles, s.rbs, s.crs))
		qs := benchQueries(s)
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				g.WhoCan(qs[i%len(qs)].a)
				i++
			}
		})
	}
}

func BenchmarkRisks(b *testing.B) {
	for _, s := range scales {
		g := rbac.New(synthetic(b, s.nss, s.roles, s.rbs, s.crs))
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Risks(nil)
			}
		})
	}
}
