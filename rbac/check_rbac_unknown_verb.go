package rbac

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// knownVerbs are the verbs the kube-apiserver and its built-in authorization
// checks ask for on resources: the request-info verbs, the legacy proxy
// verb, and the custom verbs of escalation prevention, impersonation,
// certificate signers and pod security.
func knownVerbs() []string {
	return []string{
		"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "proxy",
		"bind", "escalate", "impersonate", "approve", "sign", "attest", "use",
		"impersonate:user-info", "impersonate:serviceaccount", "impersonate:arbitrary-node", "impersonate:associated-node",
	}
}

// knownVerb reports whether a resource rule's verb can be asked for by the
// apiserver: a known verb, a constrained-impersonation "impersonate-on:MODE:VERB",
// or a DRA "associated-node:VERB"/"arbitrary-node:VERB".
func knownVerb(v string) bool {
	if v == rbacv1.VerbAll || slices.Contains(knownVerbs(), v) {
		return true
	}
	for _, prefix := range []string{"impersonate-on:", "associated-node:", "arbitrary-node:"} {
		if rest, ok := strings.CutPrefix(v, prefix); ok && rest != "" {
			return true
		}
	}
	return false
}

// httpVerb returns the resource verb an HTTP method stands for.
func httpVerb(v string) (string, bool) {
	switch v {
	case "post":
		return "create", true
	case "put":
		return "update", true
	case "head", "options":
		return "get", true
	}
	return "", false
}

// checkUnknownVerb (rbac-unknown-verb) finds verbs no request carries. It
// reads rules[*].verbs, apiGroups and resources of Roles and ClusterRoles
// (not aggregated ones) and denies, in a resource rule naming a built-in
// group or "*", a verb the apiserver never asks for: a misspelling, an
// upper-case "Get" (verbs are case-sensitive), or an HTTP method ("post" is
// a non-resource verb; resource requests say "create"). Custom verbs of
// rules that only name extension API groups are left alone (webhooks may
// check them) unless they are HTTP methods or not lower case.
func checkUnknownVerb() lintCheck {
	return lintCheck{
		id:          "rbac-unknown-verb",
		severity:    governance.SeverityLow,
		description: "a resource rule has a verb the apiserver never asks for",
		remediation: "use the request verbs (get, list, watch, create, update, patch, delete, deletecollection) or a documented custom verb",
		kinds:       rolesKinds,
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
			var out []governance.Finding
			ctx.eachRule(func(r *lintRole, i int, rule *rbacv1.PolicyRule) {
				if len(rule.Resources) == 0 {
					return
				}
				builtin := slices.Contains(rule.APIGroups, rbacv1.APIGroupAll)
				for _, g := range rule.APIGroups {
					if _, ok := ctx.api[g]; ok {
						builtin = true
					}
				}
				for j, v := range rule.Verbs {
					if knownVerb(v) {
						continue
					}
					_, isHTTP := httpVerb(v)
					if !builtin && !isHTTP && v == strings.ToLower(v) {
						continue
					}
					out = append(out, lc.finding(r.obj, fmt.Sprintf("rules[%d].verbs[%d]", i, j), "%s rule %d: verb %q %s", r.ref, i, v, verbHint(v)))
				}
			})
			return out
		},
	}
}

func verbHint(v string) string {
	if alt, ok := httpVerb(v); ok {
		return fmt.Sprintf("is an HTTP method; resource requests carry %q", alt)
	}
	if l := strings.ToLower(v); l != v && knownVerb(l) {
		return fmt.Sprintf("never matches: verbs are case-sensitive; did you mean %q?", l)
	}
	return "is never asked for" + suggest(v, knownVerbs())
}
