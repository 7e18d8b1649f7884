package rbac_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
	"github.com/aigov/aigov/rbac"
)

// The vocabulary random worlds and queries draw from. Rules and queries
// share it, so that wildcards, subresources, names and prefixes collide.
var (
	vocabVerbs     = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "bind", "escalate", "impersonate", "impersonate:user-info", "post", "*"}
	vocabGroups    = []string{"", "apps", "batch", "rbac.authorization.k8s.io", "x.example.com", "*"}
	vocabResources = []string{"pods", "pods/log", "pods/exec", "pods/*", "*/scale", "*/log", "*/*", "deployments", "deployments/scale", "secrets", "configmaps", "nodes", "nodes/proxy", "namespaces", "widgets", "*"}
	vocabNames     = []string{"a", "b", "*"}
	vocabURLs      = []string{"/healthz", "/metrics", "/metrics/*", "/logs*", "/api/*", "/custom/x", "*"}
	queryPaths     = []string{"/healthz", "/healthz/x", "/metrics", "/metrics/", "/metrics/cpu", "/logs", "/logsarchive", "/api", "/api/v1", "/custom/x", "/custom", "/version", "/other"}
	queryRes       = [][2]string{{"pods", ""}, {"pods", "log"}, {"pods", "exec"}, {"pods", "*"}, {"deployments", ""}, {"deployments", "scale"}, {"replicasets", "scale"}, {"secrets", ""}, {"configmaps", ""}, {"nodes", ""}, {"nodes", "proxy"}, {"namespaces", ""}, {"widgets", ""}, {"widgets", "log"}, {"roles", ""}, {"clusterroles", ""}, {"users", ""}}
	queryNames     = []string{"", "", "a", "b", "c", "*"}
)

// world is one random RBAC world: objects to create on the server and the
// manifests (pre-aggregation) the analyzer reads instead of the server's
// materialized aggregated roles.
type world struct {
	suffix      string
	namespaces  []string
	users       []string
	groups      []string
	sas         [][2]string
	roles       []*rbacv1.Role
	clusterRole []*rbacv1.ClusterRole
	rbs         []*rbacv1.RoleBinding
	crbs        []*rbacv1.ClusterRoleBinding
	aggregated  []string
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func pickN[T any](r *rand.Rand, xs []T, max int) []T {
	n := 1 + r.IntN(max)
	out := make([]T, 0, n)
	for range n {
		out = append(out, pick(r, xs))
	}
	return out
}

func randomResourceRule(r *rand.Rand) rbacv1.PolicyRule {
	rule := rbacv1.PolicyRule{Verbs: pickN(r, vocabVerbs, 3), APIGroups: pickN(r, vocabGroups, 2), Resources: pickN(r, vocabResources, 3)}
	if r.IntN(4) == 0 {
		rule.ResourceNames = pickN(r, vocabNames, 2)
	}
	return rule
}

func randomRules(r *rand.Rand, clusterScoped bool) []rbacv1.PolicyRule {
	var rules []rbacv1.PolicyRule
	for range 1 + r.IntN(3) {
		if clusterScoped && r.IntN(4) == 0 {
			rules = append(rules, rbacv1.PolicyRule{Verbs: pickN(r, []string{"get", "post", "put", "*"}, 2), NonResourceURLs: pickN(r, vocabURLs, 2)})
			continue
		}
		rules = append(rules, randomResourceRule(r))
	}
	return rules
}

func (w *world) randomSubjects(r *rand.Rand, bindingNS string) []rbacv1.Subject {
	var out []rbacv1.Subject
	for range 1 + r.IntN(3) {
		switch r.IntN(6) {
		case 0:
			out = append(out, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: pick(r, w.users)})
		case 1:
			out = append(out, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: pick(r, w.groups)})
		case 2:
			// The SA groups of our own namespaces only: the server is shared.
			out = append(out, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:serviceaccounts:" + pick(r, w.namespaces)})
		case 3:
			// A User spelled as a service account's user name is that SA.
			sa := pick(r, w.sas)
			out = append(out, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: rbac.ServiceAccountUser(sa[0], sa[1])})
		default:
			sa := pick(r, w.sas)
			s := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: sa[1], Namespace: sa[0]}
			if bindingNS != "" && r.IntN(2) == 0 {
				s.Namespace = "" // defaulted to the binding's namespace
			}
			out = append(out, s)
		}
	}
	if bindingNS != "" && r.IntN(8) == 0 {
		// Broad groups only through RoleBindings of our own namespaces.
		out = append(out, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: pick(r, []string{rbac.GroupAuthenticated, rbac.GroupServiceAccounts, rbac.GroupUnauthenticated})})
	}
	return out
}

func newWorld(r *rand.Rand, namespaces []string, suffix string) *world {
	w := &world{suffix: suffix, namespaces: namespaces}
	for i := range 4 {
		w.users = append(w.users, fmt.Sprintf("u%d-%s", i, suffix))
	}
	for i := range 3 {
		w.groups = append(w.groups, fmt.Sprintf("g%d-%s", i, suffix))
	}
	for _, ns := range namespaces {
		w.sas = append(w.sas, [2]string{ns, "sa0"}, [2]string{ns, "sa1"})
	}
	aggLabel := "aigov.dev/agg-" + suffix
	var crNames []string
	for i := range 6 {
		cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cr%d-%s", i, suffix)}, Rules: randomRules(r, true)}
		if r.IntN(2) == 0 {
			cr.Labels = map[string]string{aggLabel: fmt.Sprint(r.IntN(2))}
		}
		w.clusterRole = append(w.clusterRole, cr)
		crNames = append(crNames, cr.Name)
	}
	// Aggregated roles: one selecting label value 0, one selecting value 1
	// and itself labelled 0 (nested), each with inline rules the controller
	// overwrites.
	for i := range 2 {
		cr := &rbacv1.ClusterRole{
			ObjectMeta:      metav1.ObjectMeta{Name: fmt.Sprintf("agg%d-%s", i, suffix)},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{aggLabel: fmt.Sprint(i)}}}},
			Rules:           []rbacv1.PolicyRule{randomResourceRule(r)},
		}
		if i == 1 {
			cr.Labels = map[string]string{aggLabel: "0"}
		}
		w.clusterRole = append(w.clusterRole, cr)
		w.aggregated = append(w.aggregated, cr.Name)
		crNames = append(crNames, cr.Name)
	}
	crNames = append(crNames, "missing-"+suffix)
	for _, ns := range namespaces {
		var roleNames []string
		for i := range 3 {
			role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("role%d", i), Namespace: ns}, Rules: randomRules(r, false)}
			w.roles = append(w.roles, role)
			roleNames = append(roleNames, role.Name)
		}
		roleNames = append(roleNames, "missing")
		for i := range 5 {
			ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: pick(r, roleNames)}
			if r.IntN(2) == 0 {
				ref = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: pick(r, crNames)}
			}
			w.rbs = append(w.rbs, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("rb%d", i), Namespace: ns}, RoleRef: ref, Subjects: w.randomSubjects(r, ns)})
		}
	}
	for i := range 5 {
		w.crbs = append(w.crbs, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("crb%d-%s", i, suffix)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: pick(r, crNames)},
			Subjects:   w.randomSubjects(r, ""),
		})
	}
	return w
}

func (w *world) create(ctx context.Context, t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	rb := cs.RbacV1()
	for _, o := range w.clusterRole {
		if _, err := rb.ClusterRoles().Create(ctx, o, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create ClusterRole %s: %v", o.Name, err)
		}
		t.Cleanup(func() { _ = rb.ClusterRoles().Delete(context.Background(), o.Name, metav1.DeleteOptions{}) })
	}
	for _, o := range w.crbs {
		if _, err := rb.ClusterRoleBindings().Create(ctx, o, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create ClusterRoleBinding %s: %v", o.Name, err)
		}
		t.Cleanup(func() { _ = rb.ClusterRoleBindings().Delete(context.Background(), o.Name, metav1.DeleteOptions{}) })
	}
	for _, o := range w.roles {
		if _, err := rb.Roles(o.Namespace).Create(ctx, o, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create Role %s/%s: %v", o.Namespace, o.Name, err)
		}
	}
	for _, o := range w.rbs {
		if _, err := rb.RoleBindings(o.Namespace).Create(ctx, o, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create RoleBinding %s/%s: %v", o.Namespace, o.Name, err)
		}
	}
}

// serverInventory lists every RBAC object of the server (bootstrap policy
// included) into an inventory, replacing the world's aggregated roles by
// their manifests so that the analyzer must aggregate them itself.
func serverInventory(ctx context.Context, t *testing.T, cs kubernetes.Interface, w *world) *governance.Inventory {
	t.Helper()
	var objs []*governance.Object
	add := func(o runtime.Object, kind string) {
		objs = append(objs, &governance.Object{Obj: o, GVK: rbacv1.SchemeGroupVersion.WithKind(kind)})
	}
	crs, err := cs.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	manifest := map[string]*rbacv1.ClusterRole{}
	for _, cr := range w.clusterRole {
		manifest[cr.Name] = cr
	}
	for i := range crs.Items {
		cr := &crs.Items[i]
		if m, ok := manifest[cr.Name]; ok && m.AggregationRule != nil {
			cr = m.DeepCopy()
		}
		add(cr, "ClusterRole")
	}
	crbs, err := cs.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range crbs.Items {
		add(&crbs.Items[i], "ClusterRoleBinding")
	}
	roles, err := cs.RbacV1().Roles("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range roles.Items {
		add(&roles.Items[i], "Role")
	}
	rbs, err := cs.RbacV1().RoleBindings("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rbs.Items {
		add(&rbs.Items[i], "RoleBinding")
	}
	inv, err := governance.NewInventory(objs)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// waitForAggregation waits until the controller has materialized every
// aggregated ClusterRole of the world as Aggregate computes it.
func waitForAggregation(ctx context.Context, t *testing.T, env *testenv.Env, cs kubernetes.Interface, w *world) {
	t.Helper()
	list, err := cs.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var all []*rbacv1.ClusterRole
	for i := range list.Items {
		all = append(all, &list.Items[i])
	}
	want := map[string][]rbacv1.PolicyRule{}
	for _, cr := range rbac.Aggregate(all) {
		want[cr.Name] = cr.Rules
	}
	for _, name := range w.aggregated {
		_, err := env.WaitForAggregatedClusterRole(ctx, name, func(cr *rbacv1.ClusterRole) bool {
			return equality.Semantic.DeepEqual(cr.Rules, want[name])
		})
		if err != nil {
			t.Fatalf("aggregation of %s never reached %v: %v", name, want[name], err)
		}
	}
}

type query struct {
	id rbac.Identity
	a  rbac.Attributes
}

func (w *world) randomQuery(r *rand.Rand) query {
	if r.IntN(5) < 2 {
		return w.bindingQuery(r)
	}
	var id rbac.Identity
	switch r.IntN(5) {
	case 0, 1:
		var groups []string
		for range r.IntN(3) {
			groups = append(groups, pick(r, append(slices.Clone(w.groups), "system:serviceaccounts:"+pick(r, w.namespaces), rbac.GroupAuthenticated)))
		}
		id = rbac.Impersonate(pick(r, w.users), groups...)
	case 2, 3:
		sa := pick(r, w.sas)
		id = rbac.ServiceAccount(sa[0], sa[1])
	default:
		id = rbac.Impersonate(rbac.UserAnonymous)
	}
	if r.IntN(5) == 0 {
		return query{id: id, a: rbac.Attributes{Verb: pick(r, []string{"get", "post", "put", "delete"}), Path: pick(r, queryPaths)}}
	}
	res := pick(r, queryRes)
	a := rbac.Attributes{
		Verb:        pick(r, vocabVerbs[:len(vocabVerbs)-1]),
		APIGroup:    pick(r, vocabGroups[:len(vocabGroups)-1]),
		Resource:    res[0],
		Subresource: res[1],
		Name:        pick(r, queryNames),
	}
	switch r.IntN(6) {
	case 0:
		a.Namespace = ""
	case 1:
		a.Namespace = "default"
	default:
		a.Namespace = pick(r, w.namespaces)
	}
	return query{id: id, a: a}
}

// bindingQuery aims at a grant of the world: a subject of a random binding
// asks for something close to a rule of a role of the world, so that a good
// share of queries is allowed and the near misses are interesting.
func (w *world) bindingQuery(r *rand.Rand) query {
	var subjects []rbacv1.Subject
	ns := ""
	if r.IntN(2) == 0 {
		b := pick(r, w.rbs)
		subjects, ns = b.Subjects, b.Namespace
	} else {
		subjects = pick(r, w.crbs).Subjects
		ns = pick(r, append(slices.Clone(w.namespaces), ""))
	}
	s := pick(r, subjects)
	var id rbac.Identity
	switch s.Kind {
	case rbacv1.GroupKind:
		id = rbac.Impersonate(pick(r, w.users), s.Name)
	case rbacv1.ServiceAccountKind:
		sns := s.Namespace
		if sns == "" {
			sns = ns
		}
		id = rbac.ServiceAccount(sns, s.Name)
	default:
		id = rbac.Impersonate(s.Name)
	}
	var rules []rbacv1.PolicyRule
	for _, cr := range w.clusterRole {
		rules = append(rules, cr.Rules...)
	}
	for _, ro := range w.roles {
		rules = append(rules, ro.Rules...)
	}
	rule := pick(r, rules)
	if len(rule.NonResourceURLs) > 0 {
		return query{id: id, a: rbac.Attributes{Verb: orRandom(r, pick(r, rule.Verbs), []string{"get", "post"}), Path: pick(r, queryPaths)}}
	}
	res := pick(r, queryRes)
	a := rbac.Attributes{
		Namespace: ns,
		Verb:      orRandom(r, pick(r, rule.Verbs), vocabVerbs[:len(vocabVerbs)-1]),
		APIGroup:  orRandom(r, pick(r, rule.APIGroups), vocabGroups[:len(vocabGroups)-1]),
		Resource:  res[0], Subresource: res[1],
		Name: pick(r, queryNames),
	}
	if rr := pick(r, rule.Resources); rr != "*" {
		a.Resource, a.Subresource, _ = strings.Cut(rr, "/")
		if a.Resource == "*" {
			a.Resource = res[0]
		}
	}
	if len(rule.ResourceNames) > 0 && r.IntN(2) == 0 {
		a.Name = pick(r, rule.ResourceNames)
	}
	return query{id: id, a: a}
}

func orRandom(r *rand.Rand, v string, alt []string) string {
	if v == "*" {
		return pick(r, alt)
	}
	return v
}

func sar(q query) *authorizationv1.SubjectAccessReview {
	spec := authorizationv1.SubjectAccessReviewSpec{User: q.id.User, Groups: q.id.Groups}
	if q.a.IsResourceRequest() {
		spec.ResourceAttributes = &authorizationv1.ResourceAttributes{
			Namespace: q.a.Namespace, Verb: q.a.Verb, Group: q.a.APIGroup,
			Resource: q.a.Resource, Subresource: q.a.Subresource, Name: q.a.Name,
		}
	} else {
		spec.NonResourceAttributes = &authorizationv1.NonResourceAttributes{Path: q.a.Path, Verb: q.a.Verb}
	}
	return &authorizationv1.SubjectAccessReview{Spec: spec}
}

// ask answers every query with a SubjectAccessReview, a few at a time.
func ask(ctx context.Context, t *testing.T, cs kubernetes.Interface, qs []query) []bool {
	t.Helper()
	out := make([]bool, len(qs))
	errs := make([]error, len(qs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range qs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar(qs[i]), metav1.CreateOptions{})
			if err != nil {
				errs[i] = err
				return
			}
			out[i] = res.Status.Allowed
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("SubjectAccessReview %d (%+v): %v", i, qs[i], err)
		}
	}
	return out
}

// TestDifferentialCan compares Can with the real apiserver's
// SubjectAccessReview on random worlds: every answer must be equal.
func TestDifferentialCan(t *testing.T) {
	env := testenv.Shared(t)
	cs := fastClient(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const worlds, perWorld = 4, 1300
	total, allowed := 0, 0
	for wi := range worlds {
		seed := uint64(time.Now().UnixNano())
		r := rand.New(rand.NewPCG(seed, uint64(wi)))
		t.Logf("world %d: seed %d", wi, seed)
		var nss []string
		for range 3 {
			nss = append(nss, env.CreateNamespace(t, "rbacdiff"))
		}
		w := newWorld(r, nss, fmt.Sprintf("%x", r.Uint32()))
		w.create(ctx, t, cs)
		waitForAggregation(ctx, t, env, cs, w)
		g := rbac.New(serverInventory(ctx, t, cs, w))
		qs := make([]query, perWorld)
		for i := range qs {
			qs[i] = w.randomQuery(r)
		}
		want := ask(ctx, t, cs, qs)
		mismatches := 0
		for i, q := range qs {
			d := g.Can(q.id, q.a)
			total++
			if want[i] {
				allowed++
			}
			if d.Allowed != want[i] {
				mismatches++
				if mismatches <= 10 {
					t.Errorf("seed %d: Can(%+v, %s) = %v (%s), apiserver says %v", seed, q.id, q.a, d.Allowed, d.Reason, want[i])
				}
			}
		}
	}
	t.Logf("%d queries, %d allowed by the apiserver", total, allowed)
	if allowed < total/20 || allowed > total-total/20 {
		t.Errorf("queries are not discriminating: %d of %d allowed", allowed, total)
	}
}

// TestDifferentialWhoCan checks WhoCan against per-subject
// SubjectAccessReviews: every subject it lists is allowed, and every
// subject of the world it leaves out is denied.
func TestDifferentialWhoCan(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)
	var nss []string
	for range 2 {
		nss = append(nss, env.CreateNamespace(t, "rbacwho"))
	}
	w := newWorld(r, nss, fmt.Sprintf("%x", r.Uint32()))
	w.create(ctx, t, cs)
	waitForAggregation(ctx, t, env, cs, w)
	g := rbac.New(serverInventory(ctx, t, cs, w))
	var candidates []rbacv1.Subject
	for _, u := range w.users {
		candidates = append(candidates, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: u})
	}
	for _, gr := range w.groups {
		candidates = append(candidates, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: gr})
	}
	for _, sa := range w.sas {
		candidates = append(candidates, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: sa[0], Name: sa[1]})
	}
	checked := 0
	for range 60 {
		a := w.randomQuery(r).a
		listed := map[rbacv1.Subject]bool{}
		for _, s := range g.WhoCan(a) {
			listed[s.Subject] = true
		}
		var qs []query
		for _, c := range candidates {
			// A subject listed directly must be allowed as itself. (A
			// subject not listed may still be allowed through a group it
			// belongs to, so only direct grants are compared the other way.)
			qs = append(qs, query{id: directIdentity(c), a: a})
		}
		got := ask(ctx, t, cs, qs)
		for i, c := range candidates {
			checked++
			if listed[c] != got[i] {
				t.Errorf("WhoCan(%s): listed %v for %s %s/%s, apiserver says %v", a, listed[c], c.Kind, c.Namespace, c.Name, got[i])
			}
		}
	}
	t.Logf("%d subject checks", checked)
}

// fastClient is an admin client without client-side throttling of the
// thousands of SubjectAccessReviews.
func fastClient(t *testing.T, env *testenv.Env) kubernetes.Interface {
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS, cfg.Burst = 500, 1000
	return testenv.ClientFor(t, cfg)
}

// directIdentity is an identity that only the subject's own bindings can
// match: a User without groups, a group with a synthetic member, a
// service account without its implicit groups.
func directIdentity(s rbacv1.Subject) rbac.Identity {
	switch s.Kind {
	case rbacv1.GroupKind:
		return rbac.Identity{User: "member-of-" + strings.ReplaceAll(s.Name, ":", "-"), Groups: []string{s.Name}}
	case rbacv1.ServiceAccountKind:
		return rbac.Identity{User: rbac.ServiceAccountUser(s.Namespace, s.Name)}
	}
	return rbac.Identity{User: s.Name}
}
