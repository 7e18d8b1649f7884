package rbac_test

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// rule is verb on resource ("pods" or "pods/exec") in group.
func rule(verb, group, resource string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: strings.Split(verb, ","), APIGroups: []string{group}, Resources: []string{resource}}
}

func metaName(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }

func obj(o runtime.Object, kind string) *governance.Object {
	return &governance.Object{Obj: o, GVK: rbacv1.SchemeGroupVersion.WithKind(kind)}
}

func graphOf(t testing.TB, objs ...*governance.Object) *rbac.Graph {
	t.Helper()
	inv, err := governance.NewInventory(objs)
	if err != nil {
		t.Fatal(err)
	}
	return rbac.New(inv)
}
