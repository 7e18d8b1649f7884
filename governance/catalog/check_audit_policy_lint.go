// audit-policy-lint reviews kube-apiserver audit policy files
// (audit.k8s.io/v1 Policy), whose mistakes are silent: the apiserver drops
// fields it does not know, logs whatever the first matching rule says, and
// logs nothing for a request no rule matches. It reads the fields the
// loader found unknown (governance.Object.UnknownFields) and the rules in
// order, matching them as the apiserver's policy checker does (users,
// userGroups, verbs, namespaces, resources with "*", "res/*", "*/sub" and
// resourceNames; first match wins), and denies:
//   - every unknown field, such as rules[i].namespaceSelector or
//     rules[i].recordLimit: the apiserver ignores it, so the rule matches
//     more requests than its author meant;
//   - every rule that can log Secrets or ConfigMaps (core group) at level
//     Request or RequestResponse, unless an earlier rule already matches
//     every request to them: their values end up in the audit log;
//   - RBAC changes that are not audited: a create, update, patch or delete
//     of roles, rolebindings, clusterroles or clusterrolebindings by an
//     ordinary authenticated user whose first matching rule is level None,
//     or that no rule matches.

package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/aigov/aigov/governance"
)

// IDAuditPolicyLint is the catalog ID of the audit-policy-lint check.
const IDAuditPolicyLint = "audit-policy-lint"

func auditPolicyLintDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDAuditPolicyLint,
		Description: "Audit policies must not contain fields the apiserver ignores, must not log Secrets or ConfigMaps at Request or RequestResponse, and must audit RBAC changes.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{"Policy.audit.k8s.io"},
		New:         NewAuditPolicyLint,
		// An audit policy is a file (--audit-policy-file) the
		// kube-apiserver reads when it starts; audit.k8s.io is not an API
		// group it serves, so no request carries a Policy for admission
		// to see (TestAuditPolicyNotServed asks a kube-apiserver).
		AdmissionNote: "no VAP: an audit policy is a file the kube-apiserver reads at start (--audit-policy-file), " +
			"not an API object: audit.k8s.io is not a served API group, so no create or update of a Policy reaches admission",
	}
}

// auditRequest is the part of a request an audit policy rule matches on.
type auditRequest struct {
	user                          string
	groups                        []string
	verb, group, resource, subres string
	namespace, name               string
}

// auditRuleMatches is the apiserver's policy checker (k8s.io/apiserver
// pkg/audit/policy) for resource requests.
func auditRuleMatches(r *auditv1.PolicyRule, req auditRequest) bool {
	if len(r.Users) > 0 && !slices.Contains(r.Users, req.user) {
		return false
	}
	if len(r.UserGroups) > 0 && !slices.ContainsFunc(req.groups, func(g string) bool { return slices.Contains(r.UserGroups, g) }) {
		return false
	}
	if len(r.Verbs) > 0 && !slices.Contains(r.Verbs, req.verb) {
		return false
	}
	if len(r.Namespaces) == 0 && len(r.Resources) == 0 {
		return len(r.NonResourceURLs) == 0
	}
	if len(r.Namespaces) > 0 && !slices.Contains(r.Namespaces, req.namespace) {
		return false
	}
	if len(r.Resources) == 0 {
		return true
	}
	combined := req.resource
	if req.subres != "" {
		combined += "/" + req.subres
	}
	for _, gr := range r.Resources {
		if gr.Group != req.group {
			continue
		}
		if len(gr.Resources) == 0 {
			return true
		}
		for _, res := range gr.Resources {
			if len(gr.ResourceNames) > 0 && !slices.Contains(gr.ResourceNames, req.name) {
				continue
			}
			// The apiserver's own comparisons, TrimLeft and TrimRight with
			// their cutsets included: "secrets/*" also matches secrets.
			switch {
			case res == combined, res == "*":
				return true
			case req.subres != "" && strings.HasPrefix(res, "*/") && req.subres == strings.TrimLeft(res, "*/"):
				return true
			case strings.HasSuffix(res, "/*") && req.resource == strings.TrimRight(res, "/*"):
				return true
			}
		}
	}
	return false
}

// auditRuleCovers reports whether a rule matches every request to a core
// resource itself (no subresource): no user, group, verb or namespace
// restriction, and the resource without resourceNames.
func auditRuleCovers(r *auditv1.PolicyRule, resource string) bool {
	if len(r.Users)+len(r.UserGroups)+len(r.Verbs)+len(r.Namespaces)+len(r.NonResourceURLs) > 0 {
		return false
	}
	if len(r.Resources) == 0 {
		return true
	}
	for _, gr := range r.Resources {
		if gr.Group != "" || len(gr.ResourceNames) > 0 {
			continue
		}
		if len(gr.Resources) == 0 || namesCoreResource(gr.Resources, resource) {
			return true
		}
	}
	return false
}

// namesCoreResource reports whether a rule's resources match the resource
// itself: "res", "*" or "res/*".
func namesCoreResource(resources []string, resource string) bool {
	for _, r := range resources {
		if r == resource || r == "*" || (strings.HasSuffix(r, "/*") && strings.TrimRight(r, "/*") == resource) {
			return true
		}
	}
	return false
}

// auditRuleMayMatch reports whether a rule matches some request to a core
// resource itself, whoever sends it.
func auditRuleMayMatch(r *auditv1.PolicyRule, resource string) bool {
	if len(r.NonResourceURLs) > 0 && len(r.Resources) == 0 && len(r.Namespaces) == 0 {
		return false
	}
	if len(r.Resources) == 0 {
		return true
	}
	for _, gr := range r.Resources {
		if gr.Group == "" && (len(gr.Resources) == 0 || namesCoreResource(gr.Resources, resource)) {
			return true
		}
	}
	return false
}

var ruleIndexRE = regexp.MustCompile(`^rules\[(\d+)\]\.`)

// NewAuditPolicyLint builds the audit-policy-lint check. It takes no
// parameters.
func NewAuditPolicyLint(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return newCheck(auditPolicyLintDefinition(),
		"remove fields audit.k8s.io/v1 does not define (express the intent with namespaces, users, verbs or resources), log secrets, configmaps and tokenreviews at Metadata in an early rule, and add a rule auditing rbac.authorization.k8s.io writes at RequestResponse",
		[]schema.GroupKind{{Group: auditv1.GroupName, Kind: "Policy"}}, func(o *governance.Object) []governance.Violation {
			p, ok := o.Obj.(*auditv1.Policy)
			if !ok {
				return nil
			}
			var out []governance.Violation
			for _, f := range o.UnknownFields {
				msg := fmt.Sprintf("audit Policy field %s does not exist in audit.k8s.io/v1: the apiserver ignores it", f)
				if m := ruleIndexRE.FindStringSubmatch(f); m != nil {
					msg += ", so rule " + m[1] + " matches more requests than written"
				}
				out = append(out, governance.Violation{Path: f, Message: msg})
			}
			for _, res := range []string{"secrets", "configmaps"} {
				for i := range p.Rules {
					r := &p.Rules[i]
					if auditRuleMayMatch(r, res) && (r.Level == auditv1.LevelRequest || r.Level == auditv1.LevelRequestResponse) {
						out = append(out, governance.Violation{Path: "rules[" + strconv.Itoa(i) + "].level",
							Message: fmt.Sprintf("audit Policy rule %d logs %s at %s: their contents are written to the audit log", i, res, r.Level)})
					}
					if auditRuleCovers(r, res) {
						break
					}
				}
			}
			out = append(out, unauditedRBAC(p)...)
			return out
		}), nil
}

// unauditedRBAC reports RBAC writes by an ordinary authenticated user that
// the policy logs at None, one finding per cause (the rule at None, or no
// rule matching).
func unauditedRBAC(p *auditv1.Policy) []governance.Violation {
	type cause struct {
		path, text string
		writes     []string
	}
	var causes []*cause
	byPath := map[string]*cause{}
	for _, res := range []string{"roles", "rolebindings", "clusterroles", "clusterrolebindings"} {
		ns := "team-namespace"
		if strings.HasPrefix(res, "cluster") {
			ns = ""
		}
		for _, verb := range []string{"create", "update", "patch", "delete"} {
			req := auditRequest{user: "aigov:ordinary-user", groups: []string{"system:authenticated"}, verb: verb,
				group: "rbac.authorization.k8s.io", resource: res, namespace: ns, name: "x"}
			level, idx := auditv1.LevelNone, -1
			for i := range p.Rules {
				if auditRuleMatches(&p.Rules[i], req) {
					level, idx = p.Rules[i].Level, i
					break
				}
			}
			if level != auditv1.LevelNone {
				continue
			}
			path, text := "rules", "no rule matches them"
			if idx >= 0 {
				path, text = "rules["+strconv.Itoa(idx)+"].level", fmt.Sprintf("rule %d matches them at level None", idx)
			}
			c := byPath[path]
			if c == nil {
				c = &cause{path: path, text: text}
				byPath[path] = c
				causes = append(causes, c)
			}
			if n := len(c.writes); n > 0 && strings.HasSuffix(c.writes[n-1], " "+res) {
				c.writes[n-1] = strings.TrimSuffix(c.writes[n-1], " "+res) + "/" + verb + " " + res
			} else {
				c.writes = append(c.writes, verb+" "+res)
			}
		}
	}
	var out []governance.Violation
	for _, c := range causes {
		out = append(out, governance.Violation{Path: c.path,
			Message: fmt.Sprintf("audit Policy does not audit RBAC changes (%s in rbac.authorization.k8s.io): %s", strings.Join(c.writes, ", "), c.text)})
	}
	return out
}
