package rbac

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
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

// verbPrefixes are the prefixes of the parameterised verbs: constrained
// impersonation ("impersonate-on:MODE:VERB") and DRA's node verbs.
var verbPrefixes = []string{"impersonate-on:", "associated-node:", "arbitrary-node:"}

// httpMethods are the HTTP methods a resource rule may hold by mistake.
var httpMethods = []string{"post", "put", "head", "options"}

// knownVerb reports whether a resource rule's verb can be asked for by the
// apiserver: a known verb, a constrained-impersonation "impersonate-on:MODE:VERB",
// or a DRA "associated-node:VERB"/"arbitrary-node:VERB".
func knownVerb(v string) bool {
	if v == rbacv1.VerbAll || slices.Contains(knownVerbs(), v) {
		return true
	}
	for _, prefix := range verbPrefixes {
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
// check them) unless they are HTTP methods or hold an upper-case ASCII
// letter. Its ValidatingAdmissionPolicy decides the same on Roles and
// ClusterRoles, the built-in groups inlined, within the size guard
// unknownVerbAdmission states; the apiserver stores any verb, so the
// policy is what refuses them in a cluster.
func checkUnknownVerb() lintCheck {
	return lintCheck{
		id:          "rbac-unknown-verb",
		severity:    governance.SeverityLow,
		description: "a resource rule has a verb the apiserver never asks for",
		remediation: "use the request verbs (get, list, watch, create, update, patch, delete, deletecollection) or a documented custom verb",
		kinds:       rolesKinds,
		admissionNote: "VAP leaves to the scan: roles of more than " + strconv.Itoa(unknownVerbMaxRules) +
			" rules, and rules of more than " + strconv.Itoa(unknownVerbMaxVerbs) + " verbs or " +
			strconv.Itoa(unknownVerbMaxGroups) + " apiGroups (the size guard of its cost)",
		admission: unknownVerbAdmission,
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
					if !builtin && !isHTTP && !hasUpperASCII(v) {
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

// hasUpperASCII reports whether v holds an ASCII upper-case letter: what
// the policy's v.matches("[A-Z]") finds (request verbs are ASCII).
func hasUpperASCII(v string) bool {
	return strings.ContainsFunc(v, func(r rune) bool { return 'A' <= r && r <= 'Z' })
}

// The size guard of the policy: a role with more rules, or a rule with
// more verbs or apiGroups, is admitted and left to the scan.
const (
	unknownVerbMaxRules  = 64
	unknownVerbMaxVerbs  = 32
	unknownVerbMaxGroups = 16
)

// unknownVerbAdmission denies a Role or ClusterRole (not aggregated) with
// a resource rule holding a verb checkUnknownVerb reports: not known, and
// the rule names a built-in group or "*", or the verb is an HTTP method
// or holds an upper-case letter.
func unknownVerbAdmission() *governance.Admission {
	groups := make([]string, 0, 64)
	for g := range builtinAPI() {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	known := `v == "*" || v in variables.verbs`
	for _, p := range verbPrefixes {
		q := governance.CELString(p)
		known += ` || (v.startsWith(` + q + `) && v != ` + q + `)`
	}
	verbs := celIndexed(celListField("w", "verbs"), unknownVerbMaxVerbs, "v", "string(v)")
	builtin := celIndexed(celListField("w", "apiGroups"), unknownVerbMaxGroups, "g", "string(g)") +
		`.exists(g, g == "*" || g in variables.groups)`
	perRule := `size(` + celListField("w", "resources") + `) == 0 ? "" : [` + builtin + `].map(builtin, [` + verbs +
		`.filter(v, !(` + known + `) && (builtin || v in ` + governance.CELStringList(httpMethods) + ` || v.matches("[A-Z]")))]` +
		`.map(bad, size(bad) == 0 ? "" : "rule " + string(i) + ": verbs " + bad.map(v, "\"" + v + "\"").join(", "))[0])[0]`
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{
			governance.AdmissionRule([]string{rbacv1.GroupName}, []string{"v1"}, []string{"roles", "clusterroles"}),
		},
		Variables: []admissionregistrationv1.Variable{
			{Name: "verbs", Expression: governance.CELStringList(knownVerbs())},
			{Name: "groups", Expression: governance.CELStringList(groups)},
			// The rules as written: an aggregated ClusterRole's are the
			// controller's, not judged.
			{Name: "written", Expression: `has(object.aggregationRule) ? [] : ` + celListField("object", "rules")},
			{Name: "guarded", Expression: `size(variables.written) <= ` + strconv.Itoa(unknownVerbMaxRules) +
				` && variables.written.all(r, size(` + celListField("r", "verbs") + `) <= ` + strconv.Itoa(unknownVerbMaxVerbs) +
				` && size(` + celListField("r", "apiGroups") + `) <= ` + strconv.Itoa(unknownVerbMaxGroups) + `)`},
			{Name: "unknown", Expression: `variables.guarded ? ` + celEachRule("variables.written", unknownVerbMaxRules, perRule) + ` : []`},
		},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `size(variables.unknown) == 0`,
			Message:    "resource rules must use verbs the apiserver asks for (get, list, watch, create, update, patch, delete, deletecollection or a documented custom verb)",
			MessageExpression: `object.kind + " \"" + object.metadata.name + "\" has verbs no request carries (verbs are lower case and case-sensitive; resource requests say create, not post): " +
				variables.unknown.join("; ")`,
		}},
	}
}
