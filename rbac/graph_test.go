package rbac_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/golden"
	"github.com/aigov/aigov/rbac"
)

func load(t testing.TB, files ...string) *governance.Inventory {
	t.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.Load(files...)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func loadYAML(t testing.TB, doc string) *rbac.Graph {
	t.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.LoadBytes("test.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return rbac.New(inv)
}

func TestCanPlatform(t *testing.T) {
	g := rbac.New(load(t, "testdata/platform.yaml"))
	inference := rbac.ServiceAccount("llm", "inference")
	alice := rbac.Impersonate("alice", "ml-team")
	dcgm := rbac.ServiceAccount("monitoring", "dcgm-exporter")
	cases := []struct {
		name  string
		id    rbac.Identity
		a     rbac.Attributes
		allow bool
		via   string
	}{
		{"named secret", inference, rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "secrets", Name: "openai-key"}, true, `RoleBinding/llm/inference of Role/llm/inference to ServiceAccount/llm/inference`},
		{"other secret", inference, rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "secrets", Name: "other"}, false, ""},
		{"list secrets with names", inference, rbac.Attributes{Verb: "list", Namespace: "llm", Resource: "secrets"}, false, ""},
		{"other namespace", inference, rbac.Attributes{Verb: "get", Namespace: "rag", Resource: "configmaps"}, false, ""},
		{"aggregated view through system:authenticated", inference, rbac.Attributes{Verb: "list", Namespace: "llm", APIGroup: "serving.kserve.io", Resource: "inferenceservices"}, true, `RoleBinding/llm/viewers of ClusterRole/view to Group/system:authenticated`},
		{"pods/* is not a wildcard", alice, rbac.Attributes{Verb: "create", Namespace: "llm", Resource: "pods", Subresource: "exec"}, false, ""},
		{"*/scale is", alice, rbac.Attributes{Verb: "patch", Namespace: "llm", APIGroup: "apps", Resource: "deployments", Subresource: "scale"}, true, `RoleBinding/llm/ml-team of Role/llm/ml-team to Group/ml-team`},
		{"*/scale not in batch", alice, rbac.Attributes{Verb: "patch", Namespace: "llm", APIGroup: "batch", Resource: "jobs", Subresource: "scale"}, false, ""},
		{"nodes/proxy get cluster-wide", dcgm, rbac.Attributes{Verb: "get", Resource: "nodes", Subresource: "proxy", Name: "gpu-1"}, true, `ClusterRoleBinding/gpu-monitor of ClusterRole/gpu-monitor to ServiceAccount/monitoring/dcgm-exporter`},
		{"url prefix", dcgm, rbac.Attributes{Verb: "get", Path: "/metrics/gpu"}, true, `ClusterRoleBinding/gpu-monitor of ClusterRole/gpu-monitor to ServiceAccount/monitoring/dcgm-exporter`},
		{"url needs prefix", dcgm, rbac.Attributes{Verb: "get", Path: "/metricsx"}, false, ""},
		{"url verb", dcgm, rbac.Attributes{Verb: "post", Path: "/metrics"}, false, ""},
		{"masters", rbac.Impersonate("root", rbac.GroupMasters), rbac.Attributes{Verb: "delete", Resource: "nodes"}, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := g.Can(c.id, c.a)
			if d.Allowed != c.allow {
				t.Fatalf("Can(%v, %s) = %+v, want allowed=%v", c.id, c.a, d, c.allow)
			}
			if c.via != "" && (d.Grant == nil || d.Grant.String() != c.via || d.Reason != "RBAC: allowed by "+c.via) {
				t.Errorf("grant = %v, reason %q; want %q", d.Grant, d.Reason, c.via)
			}
			if d.Grant != nil && !rbac.RuleAllows(&d.Grant.Rule, &c.a) {
				t.Errorf("the cited rule %s does not allow %s", rbac.RuleString(d.Grant.Rule), c.a)
			}
		})
	}
}

func TestCanMissingRoleReason(t *testing.T) {
	g := rbac.New(load(t, "testdata/platform.yaml"))
	d := g.Can(rbac.Impersonate("bob"), rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "pods"})
	want := "RBAC: RoleBinding/llm/dangling refers to Role/llm/does-not-exist, which does not exist; "
	if d.Allowed || !strings.HasPrefix(d.Reason, want) {
		t.Errorf("Can = %+v, want denied with the apiserver's reason %q first", d, want)
	}
}

// TestDenialReasons: a denial says why — no binding applies, or which
// rules of the applying bindings came closest, and where else the request
// would be allowed.
func TestDenialReasons(t *testing.T) {
	g := rbac.New(load(t, "testdata/platform.yaml"))
	alice := rbac.Impersonate("alice", "ml-team")
	for _, tc := range []struct {
		name string
		id   rbac.Identity
		a    rbac.Attributes
		want []string
	}{
		{"nothing applies", rbac.Identity{User: "nobody-at-all"}, rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "pods"},
			[]string{`no binding in the request's scope applies to the identity`}},
		{"subresource", alice, rbac.Attributes{Verb: "create", Namespace: "llm", Resource: "pods", Subresource: "exec"},
			[]string{"bindings in the request's scope apply to the identity", "no rule of their roles allows the request"}},
		{"cluster-wide", rbac.Identity{User: "nobody-at-all"}, rbac.Attributes{Verb: "get", Resource: "nodes"},
			[]string{"no binding in the request's scope applies"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := g.Can(tc.id, tc.a)
			if d.Allowed {
				t.Fatalf("allowed: %+v", d)
			}
			if !strings.HasPrefix(d.Reason, "RBAC: ") {
				t.Errorf("reason %q does not start with RBAC:", d.Reason)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Reason, w) {
					t.Errorf("reason %q lacks %q", d.Reason, w)
				}
			}
		})
	}
}

// TestDenialNearMisses builds rules that each fail on one point and
// checks that ExplainDenial names that point, and the namespace where a
// RoleBinding would allow the request.
func TestDenialNearMisses(t *testing.T) {
	g := loadYAML(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
- {apiGroups: [apps], resources: [deployments], verbs: [create]}
- {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [token]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: other}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: other}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: User, name: u}]
`)
	u := rbac.Impersonate("u")
	if why := g.ExplainDenial(u, rbac.Attributes{Verb: "get", Namespace: "a", Resource: "pods"}); why != "" {
		t.Errorf("ExplainDenial of an allowed request = %q, want \"\"", why)
	}
	for _, tc := range []struct {
		a    rbac.Attributes
		want string
	}{
		{rbac.Attributes{Verb: "create", Namespace: "a", Resource: "pods"}, `RoleBinding/a/b rule 0 allows verbs [get list] on it, not "create"`},
		{rbac.Attributes{Verb: "create", Namespace: "a", Resource: "pods"}, `RoleBindings would allow it in namespace(s) "other"`},
		{rbac.Attributes{Verb: "create", Namespace: "a", Resource: "deployments"}, `RoleBinding/a/b rule 1 names API groups [apps], not ""`},
		{rbac.Attributes{Verb: "create", Namespace: "a", APIGroup: "apps", Resource: "statefulsets"}, `rule 1 names resources [deployments], not "statefulsets"`},
		{rbac.Attributes{Verb: "get", Namespace: "a", Resource: "secrets"}, `rule 2 is limited to resourceNames [token], which never match a request without a name`},
		{rbac.Attributes{Verb: "get", Namespace: "a", Resource: "secrets", Name: "db"}, `rule 2 is limited to resourceNames [token], not "db"`},
	} {
		why := g.ExplainDenial(u, tc.a)
		if !strings.Contains(why, tc.want) || !strings.HasPrefix(why, g.Can(u, tc.a).Reason) {
			t.Errorf("ExplainDenial(%s): %q, want the denial's Reason, then %q", tc.a, why, tc.want)
		}
	}
}

func TestAggregateNested(t *testing.T) {
	g := loadYAML(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: top}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {level: mid}}]
rules: [{apiGroups: [""], resources: [inline], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mid, labels: {level: mid}}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {level: leaf}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: leaf, labels: {level: leaf}}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: top}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: top}
subjects: [{kind: User, name: u}]
`)
	u := rbac.Impersonate("u")
	if !g.Can(u, rbac.Attributes{Verb: "get", Namespace: "x", Resource: "pods"}).Allowed {
		t.Error("nested aggregation: top should hold leaf's rules")
	}
	if g.Can(u, rbac.Attributes{Verb: "get", Namespace: "x", Resource: "inline"}).Allowed {
		t.Error("the inline rules of an aggregated role are overwritten by the controller")
	}
}

func TestWhoCanPlatform(t *testing.T) {
	g := rbac.New(load(t, "testdata/platform.yaml"))
	got := g.WhoCan(rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "configmaps"})
	var names []string
	for _, s := range got {
		names = append(names, s.Subject.Kind+":"+s.Subject.Namespace+"/"+s.Subject.Name)
	}
	want := []string{"ServiceAccount:llm/inference", "Group:/" + rbac.GroupMasters}
	if len(names) != len(want) || names[0] != want[0] || names[1] != want[1] || !got[1].Superuser {
		t.Fatalf("WhoCan = %v, want %v", names, want)
	}
	if got[0].Grants[0].Subject.Namespace != "" || got[0].Grants[0].Binding.Name != "inference" {
		t.Errorf("grant should cite the binding's own subject (namespace defaulted): %+v", got[0].Grants[0])
	}
}

func TestEffectivePlatform(t *testing.T) {
	g := rbac.New(load(t, "testdata/platform.yaml"))
	got := g.Effective(rbac.ServiceAccount("monitoring", "dcgm-exporter"), "llm")
	js, _ := json.Marshal(got)
	want := `[{"apiGroup":"serving.kserve.io","resource":"inferenceservices","verbs":["get","list","watch"]},{"resource":"nodes/proxy","verbs":["get"]},{"nonResourceURL":"/metrics","verbs":["get"]},{"nonResourceURL":"/metrics/*","verbs":["get"]}]`
	if string(js) != want {
		t.Errorf("Effective =\n%s\nwant\n%s", js, want)
	}
}

func TestRisksGolden(t *testing.T) {
	g := rbac.New(load(t, "testdata/platform.yaml", "testdata/risky.yaml"))
	got, err := json.MarshalIndent(g.Risks(nil), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "risks.golden.json"), append(got, '\n'))
}

// TestRiskClasses grants each class's typical permission to its own
// service account (true positives) and a near miss to another (true
// negatives), and checks that exactly the expected classes are reported.
func TestRiskClasses(t *testing.T) {
	cases := []struct {
		class string
		hit   rbacv1.PolicyRule
		miss  rbacv1.PolicyRule
		scope string // "cluster" or "namespace"
	}{
		{"WILDCARD_ADMIN", rule("*", "*", "*"), rule("*", "", "*"), "cluster"},
		{"RBAC_BIND", rule("bind", "rbac.authorization.k8s.io", "clusterroles"), rule("bind", "", "clusterroles"), "cluster"},
		{"RBAC_ESCALATE", rule("escalate", "rbac.authorization.k8s.io", "roles"), rule("get", "rbac.authorization.k8s.io", "roles"), "namespace"},
		{"IMPERSONATE", rule("impersonate", "", "serviceaccounts"), rule("impersonate", "", "pods"), "namespace"},
		{"SECRETS_READ", rule("list", "", "secrets"), rule("list", "", "configmaps"), "namespace"},
		{"SA_TOKEN_MINT", rule("create", "", "serviceaccounts/token"), rule("create", "", "serviceaccounts"), "namespace"},
		{"POD_CREATE", rule("create", "", "pods"), rule("create", "apps", "pods"), "namespace"},
		{"POD_EXEC_ATTACH", rule("create", "", "*/exec"), rule("create", "", "pods/*"), "namespace"},
		{"NODES_PROXY", rule("get", "", "nodes/proxy"), rule("get", "", "nodes"), "cluster"},
		{"DRA_DRIVER_WRITE", rule("associated-node:update", "resource.k8s.io", "resourceclaims/driver"), rule("update", "resource.k8s.io", "resourceclaims"), "namespace"},
		{"PRIORITYCLASS_WRITE", rule("create", "scheduling.k8s.io", "priorityclasses"), rule("get", "scheduling.k8s.io", "priorityclasses"), "cluster"},
	}
	for _, c := range cases {
		t.Run(c.class, func(t *testing.T) {
			var objs []*governance.Object
			bind := func(name string, r rbacv1.PolicyRule) {
				cr := &rbacv1.ClusterRole{ObjectMeta: metaName(name), Rules: []rbacv1.PolicyRule{r}}
				objs = append(objs, obj(cr, "ClusterRole"))
				subj := []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: "team"}}
				ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}
				if c.scope == "cluster" {
					objs = append(objs, obj(&rbacv1.ClusterRoleBinding{ObjectMeta: metaName(name), RoleRef: ref, Subjects: subj}, "ClusterRoleBinding"))
				} else {
					m := metaName(name)
					m.Namespace = "team"
					objs = append(objs, obj(&rbacv1.RoleBinding{ObjectMeta: m, RoleRef: ref, Subjects: subj}, "RoleBinding"))
				}
			}
			bind("hit", c.hit)
			bind("miss", c.miss)
			inv, err := governance.NewInventory(objs)
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]bool{}
			for _, r := range rbac.New(inv).Risks(nil) {
				if r.Class == c.class {
					found[r.Subject.Name] = true
				}
			}
			if !found["hit"] || found["miss"] {
				t.Errorf("%s: reported for %v, want hit only", c.class, found)
			}
		})
	}
}

// TestAggregateEmptySelectionKeepsRules: an aggregated role whose
// selectors match no rules keeps its manifest rules, as the controller's
// server-side apply of an empty list leaves them (found by the
// differential test).
func TestAggregateEmptySelectionKeepsRules(t *testing.T) {
	g := loadYAML(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: lonely}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {nobody: has-this}}]
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: lonely}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: lonely}
subjects: [{kind: User, name: u}]
`)
	if !g.Can(rbac.Impersonate("u"), rbac.Attributes{Verb: "get", Namespace: "x", Resource: "pods"}).Allowed {
		t.Error("the manifest rules of an aggregated role that selects nothing stay")
	}
}
