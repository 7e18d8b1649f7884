package rbac

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// RuleAllows reports whether one PolicyRule allows the request, with the
// RBAC authorizer's exact semantics: verbs and apiGroups match exactly or by
// "*"; resources by "*", exactly ("pods", "pods/log") or by "*/SUB" when the
// request has exactly subresource SUB ("pods/*" is not a wildcard); a
// non-empty resourceNames list must contain the request's name (a request
// without a name never matches it); nonResourceURLs match by "*", exactly,
// or by raw prefix when the entry ends in "*".
func RuleAllows(rule *rbacv1.PolicyRule, a *Attributes) bool {
	if !verbMatches(rule.Verbs, a.Verb) {
		return false
	}
	if !a.IsResourceRequest() {
		return urlMatches(rule.NonResourceURLs, a.Path)
	}
	return groupMatches(rule.APIGroups, a.APIGroup) &&
		resourceMatches(rule.Resources, a.Resource, a.Subresource) &&
		nameMatches(rule.ResourceNames, a.Name)
}

func verbMatches(verbs []string, verb string) bool {
	for _, v := range verbs {
		if v == rbacv1.VerbAll || v == verb {
			return true
		}
	}
	return false
}

func groupMatches(groups []string, group string) bool {
	for _, g := range groups {
		if g == rbacv1.APIGroupAll || g == group {
			return true
		}
	}
	return false
}

func resourceMatches(resources []string, resource, sub string) bool {
	for _, r := range resources {
		if r == rbacv1.ResourceAll {
			return true
		}
		if sub == "" {
			if r == resource {
				return true
			}
			continue
		}
		// "resource/sub" exactly, or "*/sub".
		if len(r) == len(resource)+1+len(sub) && strings.HasPrefix(r, resource) && r[len(resource)] == '/' && strings.HasSuffix(r, sub) {
			return true
		}
		if len(r) == len(sub)+2 && strings.HasPrefix(r, "*/") && strings.HasSuffix(r, sub) {
			return true
		}
	}
	return false
}

func nameMatches(names []string, name string) bool {
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func urlMatches(urls []string, path string) bool {
	for _, u := range urls {
		if u == rbacv1.NonResourceAll || u == path {
			return true
		}
		if strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimRight(u, "*")) {
			return true
		}
	}
	return false
}

// RuleString renders a rule on one line, omitting empty fields:
// `verbs=[get list] apiGroups=[""] resources=[pods] resourceNames=[a]`.
func RuleString(r rbacv1.PolicyRule) string {
	var parts []string
	add := func(name string, v []string) {
		if len(v) == 0 {
			return
		}
		q := make([]string, len(v))
		for i, s := range v {
			if s == "" {
				s = `""`
			}
			q[i] = s
		}
		parts = append(parts, name+"=["+strings.Join(q, " ")+"]")
	}
	add("verbs", r.Verbs)
	add("apiGroups", r.APIGroups)
	add("resources", r.Resources)
	add("resourceNames", r.ResourceNames)
	add("nonResourceURLs", r.NonResourceURLs)
	return strings.Join(parts, " ")
}
