package rbac_test

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/rbac"
)

func TestEscalationPaths(t *testing.T) {
	g := rbac.New(load(t, "testdata/escalation.yaml"))
	var got []string
	for _, p := range g.EscalationPaths() {
		var steps []string
		for _, s := range p.Steps {
			st := s.Action
			if s.To != nil {
				st += "→" + s.To.Kind + "/" + s.To.Namespace + "/" + s.To.Name
			}
			if len(s.Grants) == 0 && s.Action != "system-masters" {
				t.Errorf("%s: step without provenance", s.Message)
			}
			steps = append(steps, st)
		}
		got = append(got, p.Subject.Kind+"/"+p.Subject.Name+": "+strings.Join(steps, ", "))
	}
	want := []string{
		"User/ops: wildcard-admin",
		"ServiceAccount/deployer: bind-admin-role",
		"User/dev: create-pod→ServiceAccount/ci/deployer, bind-admin-role",
		"User/helpdesk: impersonate→ServiceAccount/ci/deployer, bind-admin-role",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCanBindAndWriteRole(t *testing.T) {
	g := rbac.New(load(t, "testdata/escalation.yaml", "testdata/platform.yaml"))
	lead := rbac.Impersonate("lead")
	cr := func(name string) rbacv1.RoleRef {
		return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}
	}
	// lead holds get/list pods in team: binding pod-reader is covered.
	c := g.CanBind(lead, "team", cr("pod-reader"))
	if !c.Allowed || c.Via != "covers" || !c.Covered || !c.Write.Allowed {
		t.Errorf("pod-reader: %+v", c)
	}
	// cluster-admin is neither covered nor bindable.
	c = g.CanBind(lead, "team", cr("cluster-admin"))
	if c.Allowed || c.Covered || len(c.Missing) == 0 {
		t.Errorf("cluster-admin: %+v", c)
	}
	// edit (missing here) may be bound through the bind verb.
	c = g.CanBind(lead, "team", cr("edit"))
	if !c.Allowed || c.Via != "bind" || c.Grant == nil || c.Grant.Role.Name != "team-lead" {
		t.Errorf("edit: %+v", c)
	}
	// bind is checked in the binding's namespace: not in another one.
	if c = g.CanBind(lead, "other", cr("edit")); c.Allowed || c.Write.Allowed {
		t.Errorf("edit in other: %+v", c)
	}
	if c = g.CanBind(rbac.Impersonate("x", rbac.GroupMasters), "", cr("cluster-admin")); !c.Allowed || c.Via != rbac.GroupMasters {
		t.Errorf("masters: %+v", c)
	}
	// Writing a role: covered rules pass, others do not.
	if c = g.CanWriteRole(lead, "team", "r", []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}); !c.Allowed || c.Via != "covers" {
		t.Errorf("write covered role: %+v", c)
	}
	if c = g.CanWriteRole(lead, "team", "r", []rbacv1.PolicyRule{{Verbs: []string{"delete"}, APIGroups: []string{""}, Resources: []string{"pods"}}}); c.Allowed || len(c.Missing) != 1 {
		t.Errorf("write uncovered role: %+v", c)
	}
	if c = g.CanWriteRole(rbac.Impersonate("ops"), "", "anything", []rbacv1.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}); !c.Allowed {
		t.Errorf("ops: %+v", c)
	}
}

// TestCanGroupStar: a request whose group is literally "*" (possible in a
// SubjectAccessReview) matches rules with apiGroups "*" — the index once
// skipped it.
func TestCanGroupStar(t *testing.T) {
	g := rbac.New(load(t, "testdata/escalation.yaml"))
	if !g.Can(rbac.Impersonate("ops"), rbac.Attributes{Verb: "*", APIGroup: "*", Resource: "*"}).Allowed {
		t.Error(`"*" on "*" in "*" should be allowed by cluster-admin`)
	}
	if g.Can(rbac.Impersonate("dev"), rbac.Attributes{Verb: "create", Namespace: "ci", APIGroup: "*", Resource: "pods"}).Allowed {
		t.Error(`group "*" is not matched by apiGroups [""]`)
	}
}
