package rbac_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aigov/aigov/rbac"
)

const cutAdmin = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-creator}
rules:
- {apiGroups: [""], resources: [pods], verbs: [create]}
- {apiGroups: [apps], resources: [deployments], verbs: [create]}
`

func crb(name, role, subject string) string {
	return fmt.Sprintf(`---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: %s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}
subjects: [%s]
`, name, role, subject)
}

func rb(ns, name, role, subject string) string {
	return fmt.Sprintf(`---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: %s, namespace: %s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}
subjects: [%s]
`, name, ns, role, subject)
}

func user(n string) string { return "{kind: User, name: " + n + "}" }

func sa(ns, n string) string {
	return "{kind: ServiceAccount, name: " + n + ", namespace: " + ns + "}"
}

// cutStrings renders the cut grants as binding#rule.
func cutStrings(c rbac.Cut) string {
	var out []string
	for _, g := range c.Grants {
		out = append(out, g.Binding.String()+"#"+fmt.Sprint(g.RuleIndex))
	}
	return strings.Join(out, " ")
}

func TestEscalationCut(t *testing.T) {
	manyUsers := cutAdmin + crb("prod-admin", "cluster-admin", sa("prod", "runner"))
	for i := range 21 {
		manyUsers += rb("prod", fmt.Sprintf("dev%02d", i), "pod-creator", user(fmt.Sprintf("dev%02d", i)))
	}
	cases := []struct {
		name     string
		doc      string
		want     string // cut grants
		subjects int
		exact    bool
	}{
		{name: "no paths: only an admin and a reader", doc: cutAdmin + crb("ops", "cluster-admin", user("ops")) + rb("ci", "dev", "view", user("dev")),
			want: "", subjects: 0, exact: true},
		{name: "one grant shared by two users' paths", doc: cutAdmin + crb("runner-admin", "cluster-admin", sa("ci", "runner")) +
			rb("ci", "devs", "pod-creator", user("alice")+", "+user("bob")),
			// rule 0 (pods) and rule 1 (deployments) each enable the hop: both go.
			want: "RoleBinding/ci/devs#0 RoleBinding/ci/devs#1", subjects: 2, exact: true},
		{name: "two namespaces: two grants needed", doc: cutAdmin + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: run, namespace: a}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: run, namespace: b}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: run}
subjects: [{kind: User, name: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev, namespace: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: run}
subjects: [{kind: User, name: dev}]
` + crb("a-admin", "cluster-admin", sa("a", "default")) + crb("b-admin", "cluster-admin", sa("b", "default")),
			want: "RoleBinding/a/dev#0 RoleBinding/b/dev#0", subjects: 1, exact: true},
		{name: "shared bottleneck beats per-user grants", doc: cutAdmin + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: binder}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}
` + crb("deployer", "binder", sa("ci", "deployer")) + rb("ci", "u1", "pod-creator", user("u1")) +
			rb("ci", "u2", "pod-creator", user("u2")) + rb("ci", "u3", "pod-creator", user("u3")),
			// deployer itself escalates (bind + create ClusterRoleBindings):
			// one of its two grants cuts all four paths.
			want: "ClusterRoleBinding/deployer#0", subjects: 4, exact: true},
		{name: "impersonation and token minting", doc: cutAdmin + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: act-as}
rules:
- {apiGroups: [""], resources: [serviceaccounts], resourceNames: [runner], verbs: [impersonate]}
- {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [runner], verbs: [create]}
` + crb("runner-admin", "cluster-admin", sa("ci", "runner")) + rb("ci", "helpdesk", "act-as", user("helpdesk")),
			want: "RoleBinding/ci/helpdesk#0 RoleBinding/ci/helpdesk#1", subjects: 1, exact: true},
		{name: "impersonating system:masters is a terminal", doc: cutAdmin + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: masters}
rules: [{apiGroups: [""], resources: [groups], verbs: [impersonate]}]
` + crb("sudo", "masters", user("sudo")),
			want: "ClusterRoleBinding/sudo#0", subjects: 1, exact: true},
		{name: "more than 20 grants: greedy", doc: manyUsers, want: "", subjects: 21, exact: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := loadYAML(t, tc.doc)
			c := g.EscalationCut()
			if !c.Verified {
				t.Errorf("cut not verified: %+v", c)
			}
			if c.Exact != tc.exact || len(c.Subjects) != tc.subjects {
				t.Errorf("exact %v subjects %v, want %v %d", c.Exact, c.Subjects, tc.exact, tc.subjects)
			}
			if tc.exact && cutStrings(c) != tc.want {
				t.Errorf("cut %q, want %q", cutStrings(c), tc.want)
			}
			if !tc.exact && len(c.Grants) != tc.subjects*2 {
				// each user's binding grants pods and deployments: 2 per user
				t.Errorf("greedy cut has %d grants, want %d: %s", len(c.Grants), tc.subjects*2, cutStrings(c))
			}
			// Independent check: without the cut, EscalationPaths finds only
			// the admins' own paths.
			keys := make([]rbac.GrantKey, len(c.Grants))
			for i, gr := range c.Grants {
				keys[i] = gr.Key()
			}
			for _, p := range g.WithoutGrants(keys).EscalationPaths() {
				if a := p.Steps[len(p.Steps)-1].Action; len(p.Steps) > 1 || (a != "wildcard-admin" && a != "system-masters") {
					t.Errorf("path remains for %s: %s", p.Subject.Name, p.Steps[0].Message)
				}
			}
			// Removing any one grant of an exact cut leaves a path.
			for i := range keys {
				rest := append(append([]rbac.GrantKey{}, keys[:i]...), keys[i+1:]...)
				if len(g.WithoutGrants(rest).EscalationCut().Subjects) == 0 {
					t.Errorf("cut not minimal: %v is not needed", keys[i])
				}
			}
		})
	}
}

// TestEscalationCutTestdata: the paths of testdata/escalation.yaml all go
// through ServiceAccount ci/deployer's bind grant.
func TestEscalationCutTestdata(t *testing.T) {
	g := rbac.New(load(t, "testdata/escalation.yaml"))
	c := g.EscalationCut()
	if got := cutStrings(c); got != "ClusterRoleBinding/deployer#0" || !c.Exact || !c.Verified || len(c.Subjects) != 3 {
		t.Errorf("cut %q %+v", got, c)
	}
	eg := g.EscalationGraph()
	for _, p := range g.EscalationPaths() {
		if len(p.Steps) == 1 && p.Steps[0].Action == "wildcard-admin" {
			continue
		}
		found := false
		for _, n := range eg.Nodes {
			found = found || (n.Subject == p.Subject && n.Start)
		}
		if !found {
			t.Errorf("%s has a path but is no start of the graph", p.Subject.Name)
		}
	}
	for _, e := range eg.Edges {
		for _, r := range e.Requires {
			if len(r) == 0 {
				t.Errorf("%s: requirement without grants", e.Message)
			}
		}
	}
}
