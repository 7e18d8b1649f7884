package rbac

import (
	"fmt"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// LintRule is one RBAC hygiene rule: a stable kebab-case ID, a severity and
// a pure function over the graph's manifests. Rules return findings, never
// errors.
type LintRule struct {
	ID          string
	Severity    governance.Severity
	Description string
	Remediation string
	check       func(*lintContext, *LintRule) []governance.Finding
}

// LintRules returns every lint rule (fresh values; the caller may filter
// them), in ID order.
func LintRules() []LintRule {
	rules := []LintRule{
		lintBindingMissingRole(),
		lintUnknownResource(),
		lintUnknownVerb(),
		lintResourceNamesVerb(),
		lintMissingServiceAccount(),
		lintEmptyRule(),
		lintRoleNonResourceURLs(),
		lintWildcardTeamGrant(),
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules
}

// Lint runs the rules (LintRules() when nil) over the roles and bindings
// the graph was built from. Rules are checked as written in the manifests
// (the rules of an aggregated ClusterRole, which the controller overwrites,
// are not). Findings are sorted by object, path and rule.
func (g *Graph) Lint(rules []LintRule) []governance.Finding {
	if rules == nil {
		rules = LintRules()
	}
	ctx := newLintContext(g)
	var out []governance.Finding
	for i := range rules {
		if rules[i].check != nil {
			out = append(out, rules[i].check(ctx, &rules[i])...)
		}
	}
	governance.SortFindings(out)
	return out
}

// lintContext is what every lint rule sees: the manifests of the roles and
// bindings in a stable order, and the served built-in API.
type lintContext struct {
	g        *Graph
	roles    []lintRole
	bindings []*binding
	api      map[string]map[string]builtinResource
}

// lintRole is a role as written: its rules are the manifest's (nil for an
// aggregated ClusterRole, whose rules the controller overwrites).
type lintRole struct {
	ref        Ref
	obj        *governance.Object
	rules      []rbacv1.PolicyRule
	aggregated bool
}

func newLintContext(g *Graph) *lintContext {
	ctx := &lintContext{g: g, api: builtinAPI()}
	for _, name := range sortedKeys(g.clusterRoles) {
		r := g.clusterRoles[name]
		lr := lintRole{ref: r.ref, obj: r.obj}
		if cr, ok := r.obj.Obj.(*rbacv1.ClusterRole); ok {
			lr.rules, lr.aggregated = cr.Rules, cr.AggregationRule != nil
		}
		ctx.roles = append(ctx.roles, lr)
	}
	refs := make([]Ref, 0, len(g.roles))
	for ref := range g.roles {
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	for _, ref := range refs {
		r := g.roles[ref]
		lr := lintRole{ref: ref, obj: r.obj}
		if ro, ok := r.obj.Obj.(*rbacv1.Role); ok {
			lr.rules = ro.Rules
		}
		ctx.roles = append(ctx.roles, lr)
	}
	ctx.bindings = append(ctx.bindings, g.crbs.all...)
	for _, ns := range sortedKeys(g.rbs) {
		ctx.bindings = append(ctx.bindings, g.rbs[ns].all...)
	}
	return ctx
}

// finding builds a finding of rule lr on object o.
func (lr *LintRule) finding(o *governance.Object, path, format string, args ...any) governance.Finding {
	f := governance.Finding{Check: lr.ID, Severity: lr.Severity, Path: path,
		Message: fmt.Sprintf(format, args...), Remediation: lr.Remediation}
	if o != nil {
		f.Object = o.Ref()
	}
	return f
}

// eachRule calls fn for every manifest rule of every (not aggregated) role.
func (ctx *lintContext) eachRule(fn func(r *lintRole, i int, rule *rbacv1.PolicyRule)) {
	for ri := range ctx.roles {
		r := &ctx.roles[ri]
		if r.aggregated || r.obj == nil {
			continue
		}
		for i := range r.rules {
			fn(r, i, &r.rules[i])
		}
	}
}

// builtinGroups reports whether every API group of the rule is a built-in
// group (so that the built-in API decides which resources exist).
func (ctx *lintContext) builtinGroups(rule *rbacv1.PolicyRule) bool {
	if len(rule.APIGroups) == 0 {
		return false
	}
	for _, g := range rule.APIGroups {
		if _, ok := ctx.api[g]; !ok {
			return false
		}
	}
	return true
}
