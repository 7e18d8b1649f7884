package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestRuleAllows(t *testing.T) {
	res := func(verb, group, resource, sub, name string) Attributes {
		return Attributes{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: name, Namespace: "ns"}
	}
	url := func(verb, path string) Attributes { return Attributes{Verb: verb, Path: path} }
	rule := func(verbs, groups, resources, names []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
	}
	s := func(v ...string) []string { return v }
	cases := []struct {
		name string
		rule rbacv1.PolicyRule
		a    Attributes
		want bool
	}{
		{"exact", rule(s("get"), s(""), s("pods"), nil), res("get", "", "pods", "", ""), true},
		{"verb differs", rule(s("get"), s(""), s("pods"), nil), res("list", "", "pods", "", ""), false},
		{"verb star covers custom verbs", rule(s("*"), s(""), s("pods"), nil), res("escalate", "", "pods", "", ""), true},
		{"group exact", rule(s("get"), s("apps"), s("deployments"), nil), res("get", "", "deployments", "", ""), false},
		{"core is not a group name", rule(s("get"), s("core"), s("pods"), nil), res("get", "", "pods", "", ""), false},
		{"group star", rule(s("get"), s("*"), s("deployments"), nil), res("get", "apps", "deployments", "", ""), true},
		{"parent does not cover subresource", rule(s("get"), s(""), s("pods"), nil), res("get", "", "pods", "log", ""), false},
		{"subresource exact", rule(s("get"), s(""), s("pods/log"), nil), res("get", "", "pods", "log", ""), true},
		{"subresource does not cover parent", rule(s("get"), s(""), s("pods/log"), nil), res("get", "", "pods", "", ""), false},
		{"star/sub", rule(s("update"), s("*"), s("*/scale"), nil), res("update", "apps", "deployments", "scale", ""), true},
		{"star/sub other sub", rule(s("update"), s("*"), s("*/scale"), nil), res("update", "apps", "deployments", "status", ""), false},
		{"star/sub not parent", rule(s("update"), s("*"), s("*/scale"), nil), res("update", "apps", "deployments", "", ""), false},
		{"resource/star is literal", rule(s("create"), s(""), s("pods/*"), nil), res("create", "", "pods", "exec", ""), false},
		{"resource/star matches literal star sub", rule(s("create"), s(""), s("pods/*"), nil), res("create", "", "pods", "*", ""), true},
		{"star/star is literal", rule(s("create"), s(""), s("*/*"), nil), res("create", "", "pods", "exec", ""), false},
		{"star covers subresources", rule(s("get"), s(""), s("*"), nil), res("get", "", "nodes", "proxy", ""), true},
		{"suffix trick", rule(s("get"), s(""), s("*/xlog"), nil), res("get", "", "pods", "log", ""), false},
		{"prefix trick", rule(s("get"), s(""), s("podsx/log"), nil), res("get", "", "pods", "log", ""), false},
		{"names empty any", rule(s("get"), s(""), s("secrets"), nil), res("get", "", "secrets", "", "a"), true},
		{"names listed", rule(s("get"), s(""), s("secrets"), s("a")), res("get", "", "secrets", "", "a"), true},
		{"names other", rule(s("get"), s(""), s("secrets"), s("a")), res("get", "", "secrets", "", "b"), false},
		{"names no name", rule(s("list"), s(""), s("secrets"), s("a")), res("list", "", "secrets", "", ""), false},
		{"names star literal", rule(s("get"), s(""), s("secrets"), s("*")), res("get", "", "secrets", "", "a"), false},
		{"url exact", rbacv1.PolicyRule{Verbs: s("get"), NonResourceURLs: s("/healthz")}, url("get", "/healthz"), true},
		{"url prefix", rbacv1.PolicyRule{Verbs: s("get"), NonResourceURLs: s("/logs*")}, url("get", "/logsarchive"), true},
		{"url slash star needs slash", rbacv1.PolicyRule{Verbs: s("get"), NonResourceURLs: s("/metrics/*")}, url("get", "/metrics"), false},
		{"url star", rbacv1.PolicyRule{Verbs: s("post"), NonResourceURLs: s("*")}, url("post", "/anything"), true},
		{"url verb is http method", rbacv1.PolicyRule{Verbs: s("create"), NonResourceURLs: s("*")}, url("post", "/x"), false},
		{"resource rule ignores urls", rule(s("*"), s("*"), s("*"), nil), url("get", "/healthz"), false},
		{"url rule ignores resources", rbacv1.PolicyRule{Verbs: s("*"), NonResourceURLs: s("*")}, res("get", "", "pods", "", ""), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := RuleAllows(&c.rule, &c.a); got != c.want {
				t.Errorf("RuleAllows(%s, %s) = %v, want %v", RuleString(c.rule), c.a, got, c.want)
			}
		})
	}
}

func TestImpersonate(t *testing.T) {
	cases := []struct {
		user   string
		groups []string
		want   []string
	}{
		{"alice", nil, []string{GroupAuthenticated}},
		{"alice", []string{"ml"}, []string{"ml", GroupAuthenticated}},
		{"alice", []string{GroupUnauthenticated}, []string{GroupUnauthenticated}},
		{"alice", []string{GroupAuthenticated, "ml"}, []string{GroupAuthenticated, "ml"}},
		{UserAnonymous, nil, []string{GroupUnauthenticated}},
		{UserAnonymous, []string{GroupAuthenticated}, []string{GroupAuthenticated, GroupUnauthenticated}},
		{"system:serviceaccount:llm:inference", nil, []string{GroupServiceAccounts, "system:serviceaccounts:llm", GroupAuthenticated}},
		{"system:serviceaccount:llm:inference", []string{"x"}, []string{"x", GroupAuthenticated}},
		{"system:serviceaccount:llm:a:b", nil, []string{GroupAuthenticated}},
		{"system:serviceaccount:LLM:inference", nil, []string{GroupAuthenticated}},
	}
	for _, c := range cases {
		got := Impersonate(c.user, c.groups...)
		if got.User != c.user || !equalStrings(got.Groups, c.want) {
			t.Errorf("Impersonate(%q, %q) = %q, want groups %q", c.user, c.groups, got.Groups, c.want)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
