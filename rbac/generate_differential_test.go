package rbac_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/aigov/aigov/internal/testenv"
	"github.com/aigov/aigov/rbac"
)

// TestDifferentialGenerate applies generated least-privilege RBAC to the
// real kube-apiserver: every observed request must be allowed by its
// SubjectAccessReview, and on the observed requests and their near misses
// the apiserver and the analyzer (rbac.New on the generated objects) must
// agree everywhere.
func TestDifferentialGenerate(t *testing.T) {
	env := testenv.Shared(t)
	cs := fastClient(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 11))
	t.Logf("seed %d", seed)
	nss := []string{env.CreateNamespace(t, "rbacgen"), env.CreateNamespace(t, "rbacgen")}
	for round := range 3 {
		user := fmt.Sprintf("gen-%d-%x", round, r.Uint32())
		id := rbac.Identity{User: user}
		var reqs []rbac.Observed
		for range 10 + r.IntN(20) {
			reqs = append(reqs, rbac.Observed{Identity: id, Attributes: randomObserved(r, nss), Count: 1})
		}
		lp, err := rbac.Generate(&rbac.AuditLog{Requests: reqs}, rbacv1.Subject{Kind: rbacv1.UserKind, Name: user}, "")
		if err != nil {
			t.Fatal(err)
		}
		applyGenerated(ctx, t, cs, lp)
		g := generatedGraph(t, lp)
		var qs []query
		for _, o := range reqs {
			qs = append(qs, query{id: id, a: o.Attributes})
			for _, m := range nearMisses(o.Attributes) {
				qs = append(qs, query{id: id, a: m})
			}
		}
		// The authorizer's informers see the new objects shortly after
		// the writes: wait until the first observed request is allowed.
		deadline := time.Now().Add(20 * time.Second)
		for !ask(ctx, t, cs, qs[:1])[0] {
			if time.Now().After(deadline) {
				t.Fatalf("generated RBAC never took effect for %s", qs[0].a)
			}
			time.Sleep(100 * time.Millisecond)
		}
		want := ask(ctx, t, cs, qs)
		observed := map[rbac.Attributes]bool{}
		for _, o := range reqs {
			observed[o.Attributes] = true
		}
		for i, q := range qs {
			if observed[q.a] && !want[i] {
				t.Errorf("seed %d: the apiserver denies observed %s under the generated RBAC", seed, q.a)
			}
			if got := g.Can(q.id, q.a).Allowed; got != want[i] {
				t.Errorf("seed %d: analyzer says %v for %s, apiserver %v", seed, got, q.a, want[i])
			}
		}
		t.Logf("round %d: %d requests, %d queries", round, len(reqs), len(qs))
	}
}

func randomObserved(r *rand.Rand, nss []string) rbac.Attributes {
	if r.IntN(6) == 0 {
		return rbac.Attributes{Verb: pick(r, []string{"get", "post"}), Path: pick(r, []string{"/healthz", "/metrics", "/version", "/apis/apps/v1"})}
	}
	res := pick(r, [][3]string{{"", "pods", ""}, {"", "pods", "log"}, {"", "pods", "exec"}, {"apps", "deployments", ""}, {"apps", "deployments", "scale"},
		{"", "secrets", ""}, {"", "configmaps", ""}, {"", "serviceaccounts", "token"}, {"batch", "jobs", ""}, {"serving.kserve.io", "inferenceservices", ""}})
	a := rbac.Attributes{Verb: pick(r, []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}),
		APIGroup: res[0], Resource: res[1], Subresource: res[2], Namespace: pick(r, nss)}
	if r.IntN(5) == 0 {
		a.Namespace = "" // all namespaces
	}
	if r.IntN(8) == 0 {
		a = rbac.Attributes{Verb: pick(r, []string{"get", "list", "patch"}), Resource: "nodes", Subresource: pick(r, []string{"", "proxy", "status"})}
	}
	switch a.Verb {
	case "get", "update", "patch", "delete":
		a.Name = pick(r, []string{"a", "b", "c"})
	case "create":
		if a.Subresource != "" {
			a.Name = pick(r, []string{"a", "b"})
		}
	case "list", "watch":
		if r.IntN(3) == 0 {
			a.Name = "a" // a metadata.name field selector
		}
	}
	return a
}

func applyGenerated(ctx context.Context, t *testing.T, cs kubernetes.Interface, lp *rbac.LeastPrivilege) {
	t.Helper()
	rb := cs.RbacV1()
	if lp.ClusterRole != nil {
		if _, err := rb.ClusterRoles().Create(ctx, lp.ClusterRole, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create generated ClusterRole: %v", err)
		}
		if _, err := rb.ClusterRoleBindings().Create(ctx, lp.ClusterRoleBinding, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create generated ClusterRoleBinding: %v", err)
		}
		name := lp.ClusterRole.Name
		t.Cleanup(func() {
			_ = rb.ClusterRoleBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
			_ = rb.ClusterRoles().Delete(context.Background(), name, metav1.DeleteOptions{})
		})
	}
	for i, role := range lp.Roles {
		if _, err := rb.Roles(role.Namespace).Create(ctx, role, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create generated Role %s/%s: %v", role.Namespace, role.Name, err)
		}
		if _, err := rb.RoleBindings(role.Namespace).Create(ctx, lp.RoleBindings[i], metav1.CreateOptions{}); err != nil {
			t.Fatalf("create generated RoleBinding: %v", err)
		}
	}
}
