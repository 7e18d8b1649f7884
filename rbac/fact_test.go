package rbac_test

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// TestGraphFact: the fact is rbac.New of the pass's inventory, computed
// once per pass.
func TestGraphFact(t *testing.T) {
	inv, err := governance.NewInventory([]*governance.Object{
		obj(&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: "ml", Name: "reader"},
			Rules: []rbacv1.PolicyRule{rule("get", "", "secrets")}}, "Role"),
		obj(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "ml", Name: "rb"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "team-ml"}},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "reader"}}, "RoleBinding"),
	})
	if err != nil {
		t.Fatal(err)
	}
	pass := governance.NewPass(inv)
	g := rbac.GraphFact.Of(pass)
	if !pass.Computed(rbac.GraphFact) || rbac.GraphFact.Of(pass) != g {
		t.Error("not computed once for the pass")
	}
	if rbac.GraphFact.Of(governance.NewPass(inv)) == g {
		t.Error("another pass shares the graph")
	}
	a := rbac.Attributes{Verb: "get", Namespace: "ml", Resource: "secrets", Name: "hf"}
	got, want := g.WhoCan(a), rbac.New(inv).WhoCan(a)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("WhoCan %v:\n got %+v\nwant %+v", a, got, want)
	}
	found := false
	for _, s := range got {
		found = found || s.Subject.Name == "team-ml"
	}
	if !found {
		t.Errorf("team-ml cannot read ml secrets: %+v", got)
	}
}
