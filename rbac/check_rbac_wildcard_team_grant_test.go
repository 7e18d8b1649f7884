package rbac_test

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

func TestLintWildcardTeamGrant(t *testing.T) {
	d, err := governance.Lookup(rbac.Checks(), "rbac-wildcard-team-grant")
	if err != nil {
		t.Fatal(err)
	}
	check, err := d.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	clusterRole := func(name string, rules ...rbacv1.PolicyRule) *governance.Object {
		return obj(&rbacv1.ClusterRole{ObjectMeta: metaName(name), Rules: rules}, "ClusterRole")
	}
	crb := func(role string, subjects ...rbacv1.Subject) *governance.Object {
		return obj(&rbacv1.ClusterRoleBinding{ObjectMeta: metaName("b"), RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: role}, Subjects: subjects}, "ClusterRoleBinding")
	}
	team := rbacv1.Subject{Kind: "Group", Name: "ml-team"}
	cases := []struct {
		name string
		objs []*governance.Object
		want []string // "path message-substring"
	}{
		{"wildcard verbs", []*governance.Object{clusterRole("r", rule("*", "", "pods")), crb("r", team)},
			[]string{`subjects[0] Group "ml-team" is bound by ClusterRoleBinding/b to ClusterRole/r, whose rule 0 grants "*" verbs`}},
		{"wildcard resources and groups, second subject", []*governance.Object{clusterRole("r", rule("get", "", "pods"), rule("get", "*", "*")),
			crb("r", rbacv1.Subject{Kind: "User", Name: "alice"}, team)},
			[]string{`subjects[1] Group "ml-team" is bound by ClusterRoleBinding/b to ClusterRole/r, whose rule 1 grants "*" resources, apiGroups`}},
		{"namespaced RoleBinding to a Role", []*governance.Object{
			obj(&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ml"}, Rules: []rbacv1.PolicyRule{rule("*", "*", "*")}}, "Role"),
			obj(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "ml"}, RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "r"}, Subjects: []rbacv1.Subject{team}}, "RoleBinding")},
			[]string{`subjects[0] Group "ml-team" is bound by RoleBinding/ml/b to Role/ml/r, whose rule 0 grants "*" verbs, resources, apiGroups`}},
		{"aggregated role", []*governance.Object{
			obj(&rbacv1.ClusterRole{ObjectMeta: metaName("agg"), AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"a": "1"}}}}}, "ClusterRole"),
			obj(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "part", Labels: map[string]string{"a": "1"}}, Rules: []rbacv1.PolicyRule{rule("*", "apps", "deployments")}}, "ClusterRole"),
			crb("agg", team)},
			[]string{`subjects[0] Group "ml-team" is bound by ClusterRoleBinding/b to ClusterRole/agg, whose rule 0 grants "*" verbs`}},
		// True negatives.
		{"no wildcard", []*governance.Object{clusterRole("r", rule("get,list", "", "pods"), rule("get", "apps", "deployments/scale")), crb("r", team)}, nil},
		{"subresource wildcard is not *", []*governance.Object{clusterRole("r", rule("get", "", "*/scale")), crb("r", team)}, nil},
		{"user and service account", []*governance.Object{clusterRole("r", rule("*", "*", "*")),
			crb("r", rbacv1.Subject{Kind: "User", Name: "alice"}, rbacv1.Subject{Kind: "ServiceAccount", Name: "sa", Namespace: "ml"})}, nil},
		{"system group", []*governance.Object{clusterRole("cluster-admin", rule("*", "*", "*")), crb("cluster-admin", rbacv1.Subject{Kind: "Group", Name: "system:masters"})}, nil},
		{"missing role", []*governance.Object{crb("nope", team)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, err := governance.NewInventory(c.objs)
			if err != nil {
				t.Fatal(err)
			}
			fs := check.Inventory(governance.NewPass(inv))
			if len(fs) != len(c.want) {
				t.Fatalf("findings %v, want %d", fs, len(c.want))
			}
			for i, f := range fs {
				path, msg, _ := strings.Cut(c.want[i], " ")
				if f.Path != path || !strings.Contains(f.Message, msg) || f.Check != "rbac-wildcard-team-grant" || f.Severity != governance.SeverityHigh {
					t.Errorf("finding %+v, want %s %q", f, path, msg)
				}
			}
		})
	}
}
