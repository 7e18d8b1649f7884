package rbac_test

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

func named(r rbacv1.PolicyRule, names ...string) rbacv1.PolicyRule {
	r.ResourceNames = names
	return r
}

// TestRiskClassesTable covers the classes the golden file alone covered:
// for each, the rules of the "hit" subject must raise the class and the
// near miss of the "miss" subject must not (true negatives).
func TestRiskClassesTable(t *testing.T) {
	cases := []struct {
		class     string
		hit, miss []rbacv1.PolicyRule
		scope     string // "cluster" or "namespace"
	}{
		{"RBAC_BINDING_WRITE", []rbacv1.PolicyRule{rule("create", rbacv1.GroupName, "rolebindings")}, []rbacv1.PolicyRule{rule("get,list", rbacv1.GroupName, "rolebindings")}, "namespace"},
		{"RBAC_ROLE_WRITE", []rbacv1.PolicyRule{rule("patch", rbacv1.GroupName, "clusterroles")}, []rbacv1.PolicyRule{rule("patch", "", "clusterroles")}, "cluster"},
		{"SECRET_TOKEN_MINT", []rbacv1.PolicyRule{rule("create", "", "secrets")}, []rbacv1.PolicyRule{rule("delete", "", "secrets")}, "namespace"},
		{"WORKLOAD_WRITE", []rbacv1.PolicyRule{rule("update", "batch", "cronjobs")}, []rbacv1.PolicyRule{rule("update", "apps", "cronjobs")}, "namespace"},
		{"POD_EPHEMERAL", []rbacv1.PolicyRule{rule("patch", "", "pods/ephemeralcontainers")}, []rbacv1.PolicyRule{rule("get", "", "pods/ephemeralcontainers")}, "namespace"},
		{"POD_UPDATE", []rbacv1.PolicyRule{rule("update", "", "pods")}, []rbacv1.PolicyRule{rule("update", "", "pods/status")}, "namespace"},
		{"CSR_APPROVE", []rbacv1.PolicyRule{rule("update", "certificates.k8s.io", "certificatesigningrequests/approval"), named(rule("approve", "certificates.k8s.io", "signers"), "kubernetes.io/kube-apiserver-client")},
			[]rbacv1.PolicyRule{rule("update", "certificates.k8s.io", "certificatesigningrequests/approval")}, "cluster"},
		{"CSR_SIGN", []rbacv1.PolicyRule{rule("update", "certificates.k8s.io", "certificatesigningrequests/status"), rule("sign", "certificates.k8s.io", "signers")},
			[]rbacv1.PolicyRule{rule("sign", "certificates.k8s.io", "signers")}, "cluster"},
		{"WEBHOOK_WRITE", []rbacv1.PolicyRule{rule("create", "admissionregistration.k8s.io", "validatingadmissionpolicybindings")}, []rbacv1.PolicyRule{rule("list", "admissionregistration.k8s.io", "*")}, "cluster"},
		{"NODE_WRITE", []rbacv1.PolicyRule{rule("delete", "", "nodes")}, []rbacv1.PolicyRule{rule("delete", "", "nodes")}, "namespace-miss"},
		{"PORTFORWARD", []rbacv1.PolicyRule{rule("create", "", "pods/portforward")}, []rbacv1.PolicyRule{rule("get", "", "pods/portforward")}, "namespace"},
		{"PV_CREATE", []rbacv1.PolicyRule{rule("create", "", "persistentvolumes")}, []rbacv1.PolicyRule{rule("create", "", "persistentvolumeclaims")}, "cluster"},
		{"EKS_AWS_AUTH", []rbacv1.PolicyRule{named(rule("patch", "", "configmaps"), "aws-auth")}, []rbacv1.PolicyRule{named(rule("patch", "", "configmaps"), "other")}, "cluster"},
		{"STATUS_SPOOF", []rbacv1.PolicyRule{rule("patch", "", "services/status")}, []rbacv1.PolicyRule{rule("patch", "", "services")}, "namespace"},
		{"NETWORK_WRITE", []rbacv1.PolicyRule{rule("create", "networking.k8s.io", "networkpolicies")}, []rbacv1.PolicyRule{rule("create", "", "networkpolicies")}, "namespace"},
		{"EXTENSION_WRITE", []rbacv1.PolicyRule{rule("update", "apiregistration.k8s.io", "apiservices")}, []rbacv1.PolicyRule{rule("update", "apiregistration.k8s.io", "apiservices/status")}, "cluster"},
		{"NODE_CAPACITY_SPOOF", []rbacv1.PolicyRule{rule("patch", "", "nodes/status")}, []rbacv1.PolicyRule{rule("patch", "", "*/scale")}, "cluster"},
		{"QUOTA_WRITE", []rbacv1.PolicyRule{rule("delete", "", "limitranges")}, []rbacv1.PolicyRule{rule("list", "", "resourcequotas")}, "namespace"},
		// A wildcard verb holds every class of the resource.
		{"SECRETS_READ", []rbacv1.PolicyRule{rule("*", "", "secrets")}, []rbacv1.PolicyRule{rule("*", "", "secrets/status")}, "namespace"},
		{"IMPERSONATE", []rbacv1.PolicyRule{rule("impersonate:serviceaccount", "authentication.k8s.io", "serviceaccounts")}, []rbacv1.PolicyRule{rule("impersonate:serviceaccount", "", "serviceaccounts")}, "namespace"},
	}
	for _, c := range cases {
		t.Run(c.class, func(t *testing.T) {
			var objs []*governance.Object
			bind := func(name string, rules []rbacv1.PolicyRule, scope string) {
				cr := &rbacv1.ClusterRole{ObjectMeta: metaName(name), Rules: rules}
				objs = append(objs, obj(cr, "ClusterRole"))
				subj := []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: "team"}}
				ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}
				if scope == "cluster" {
					objs = append(objs, obj(&rbacv1.ClusterRoleBinding{ObjectMeta: metaName(name), RoleRef: ref, Subjects: subj}, "ClusterRoleBinding"))
					return
				}
				m := metaName(name)
				m.Namespace = "team"
				objs = append(objs, obj(&rbacv1.RoleBinding{ObjectMeta: m, RoleRef: ref, Subjects: subj}, "RoleBinding"))
			}
			hitScope, missScope := c.scope, c.scope
			if c.scope == "namespace-miss" {
				// The same cluster-scoped grant through a RoleBinding is inert.
				hitScope, missScope = "cluster", "namespace"
			}
			bind("hit", c.hit, hitScope)
			bind("miss", c.miss, missScope)
			inv, err := governance.NewInventory(objs)
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]bool{}
			for _, r := range rbac.New(inv).Risks(nil) {
				if r.Class == c.class {
					found[r.Subject.Name] = true
					if r.Subject.Name == "hit" && (len(r.Grants) == 0 || r.Message == "") {
						t.Errorf("risk without chain: %+v", r)
					}
				}
			}
			if !found["hit"] || found["miss"] {
				t.Errorf("%s: reported for %v, want hit only", c.class, found)
			}
		})
	}
}

// TestRiskBindingClasses: BROAD_SUBJECT_BINDING and SYSTEM_MASTERS are
// about the subjects of bindings.
func TestRiskBindingClasses(t *testing.T) {
	cases := []struct {
		class   string
		subject rbacv1.Subject
		want    bool
	}{
		{"BROAD_SUBJECT_BINDING", rbacv1.Subject{Kind: "Group", Name: rbac.GroupAuthenticated}, true},
		{"BROAD_SUBJECT_BINDING", rbacv1.Subject{Kind: "Group", Name: "system:serviceaccounts:team"}, true},
		{"BROAD_SUBJECT_BINDING", rbacv1.Subject{Kind: "User", Name: rbac.UserAnonymous}, true},
		{"BROAD_SUBJECT_BINDING", rbacv1.Subject{Kind: "Group", Name: "ml-team"}, false},
		{"BROAD_SUBJECT_BINDING", rbacv1.Subject{Kind: "User", Name: "system:authenticated"}, false},
		{"SYSTEM_MASTERS", rbacv1.Subject{Kind: "Group", Name: rbac.GroupMasters}, true},
		{"SYSTEM_MASTERS", rbacv1.Subject{Kind: "User", Name: rbac.GroupMasters}, false},
	}
	for _, c := range cases {
		t.Run(c.class+" "+c.subject.Kind+" "+c.subject.Name, func(t *testing.T) {
			cr := &rbacv1.ClusterRole{ObjectMeta: metaName("r"), Rules: []rbacv1.PolicyRule{rule("get", "", "configmaps")}}
			b := &rbacv1.ClusterRoleBinding{ObjectMeta: metaName("b"), RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "r"}, Subjects: []rbacv1.Subject{c.subject}}
			inv, err := governance.NewInventory([]*governance.Object{obj(cr, "ClusterRole"), obj(b, "ClusterRoleBinding")})
			if err != nil {
				t.Fatal(err)
			}
			got := false
			for _, r := range rbac.New(inv).Risks(nil) {
				got = got || r.Class == c.class
			}
			if got != c.want {
				t.Errorf("reported %v, want %v", got, c.want)
			}
		})
	}
}
