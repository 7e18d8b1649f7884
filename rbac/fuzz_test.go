package rbac_test

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/rbac"
)

// referenceAllows is an independent, literal transcription of the
// authorizer's rule semantics, used as the oracle for the matcher.
func referenceAllows(rule rbacv1.PolicyRule, a rbac.Attributes) bool {
	in := func(list []string, v string) bool {
		for _, x := range list {
			if x == "*" || x == v {
				return true
			}
		}
		return false
	}
	if !in(rule.Verbs, a.Verb) {
		return false
	}
	if a.Path != "" {
		for _, u := range rule.NonResourceURLs {
			if u == "*" || u == a.Path || (strings.HasSuffix(u, "*") && strings.HasPrefix(a.Path, strings.TrimRight(u, "*"))) {
				return true
			}
		}
		return false
	}
	if !in(rule.APIGroups, a.APIGroup) {
		return false
	}
	combined := a.Resource
	if a.Subresource != "" {
		combined += "/" + a.Subresource
	}
	resOK := false
	for _, r := range rule.Resources {
		if r == "*" || r == combined || (a.Subresource != "" && r == "*/"+a.Subresource) {
			resOK = true
		}
	}
	if !resOK {
		return false
	}
	if len(rule.ResourceNames) == 0 {
		return true
	}
	for _, n := range rule.ResourceNames {
		if n == a.Name {
			return true
		}
	}
	return false
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// FuzzRuleAllows checks RuleAllows, and Can on a one-rule graph (through
// the resource index), against the literal oracle.
func FuzzRuleAllows(f *testing.F) {
	f.Add("get", "", "pods/log", "", "", "get", "", "pods", "log", "", "")
	f.Add("create", "", "pods/*", "", "", "create", "", "pods", "exec", "", "")
	f.Add("update", "*", "*/scale", "", "", "update", "apps", "deployments", "scale", "", "")
	f.Add("get", "", "secrets", "a,b", "", "get", "", "secrets", "", "a", "")
	f.Add("get", "", "", "", "/logs*", "get", "", "", "", "", "/logsarchive")
	f.Add("*", "*", "*", "", "", "escalate", "rbac.authorization.k8s.io", "roles", "", "x", "")
	f.Fuzz(func(t *testing.T, verbs, groups, resources, names, urls, verb, group, resource, sub, name, path string) {
		rule := rbacv1.PolicyRule{Verbs: split(verbs), APIGroups: split(groups), Resources: split(resources), ResourceNames: split(names), NonResourceURLs: split(urls)}
		a := rbac.Attributes{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: name, Path: path, Namespace: "ns"}
		want := referenceAllows(rule, a)
		if got := rbac.RuleAllows(&rule, &a); got != want {
			t.Fatalf("RuleAllows(%s, %+v) = %v, oracle %v", rbac.RuleString(rule), a, got, want)
		}
		// The same rule through the graph's index (cluster-wide binding).
		cr := &rbacv1.ClusterRole{ObjectMeta: metaName("r"), Rules: []rbacv1.PolicyRule{rule}}
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metaName("b"), RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "r"},
			Subjects: []rbacv1.Subject{{Kind: "User", Name: "u"}}}
		g := graphOf(t, obj(cr, "ClusterRole"), obj(crb, "ClusterRoleBinding"))
		if got := g.Can(rbac.Identity{User: "u"}, a).Allowed; got != want {
			t.Fatalf("Can with rule %s, %+v = %v, oracle %v", rbac.RuleString(rule), a, got, want)
		}
	})
}
