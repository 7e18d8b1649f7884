package rbac

import (
	"fmt"
	"slices"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// Checks returns the RBAC hygiene checks as governance definitions, in ID
// order (fresh values each call): missing roles and service accounts,
// typos, and rules that never match or that the apiserver rejects. They
// are inventory checks (a binding is judged against the roles and service
// accounts of the inventory), evaluated in Go only, and take no
// parameters. Rules are judged as written in the manifests: the rules of
// an aggregated ClusterRole, which the controller overwrites, are not,
// except where a check says it reads the effective rules.
func Checks() []governance.Definition {
	checks := []lintCheck{
		checkBindingMissingRole(),
		checkUnknownResource(),
		checkUnknownVerb(),
		checkResourceNamesVerb(),
		checkMissingServiceAccount(),
		checkEmptyRule(),
		checkInvalidNonResourceURLs(),
		checkWildcardTeamGrant(),
	}
	sort.Slice(checks, func(i, j int) bool { return checks[i].id < checks[j].id })
	defs := make([]governance.Definition, len(checks))
	for i, c := range checks {
		defs[i] = c.definition()
	}
	return defs
}

// Lint runs every check of Checks over inv, as `aigov rbac lint` does: no
// policy, so no action, and exemption annotations are not read. Findings
// are sorted as governance.SortFindings sorts them.
func Lint(inv *governance.Inventory) []governance.Finding {
	pass := governance.NewPass(inv)
	var out []governance.Finding
	for _, d := range Checks() {
		c, err := d.New(nil)
		if err != nil {
			continue // none of them takes parameters
		}
		out = append(out, c.Inventory(pass)...)
	}
	governance.SortFindings(out)
	return out
}

// lintCheck is what a check of this package declares; definition turns it
// into the governance.Definition.
type lintCheck struct {
	id, description, remediation string
	severity                     governance.Severity
	// kinds names, for people, what the check judges.
	kinds []string
	// aliases are IDs of checks merged into this one.
	aliases []string
	// admissionNote says why the check has no admission form, or what
	// its form leaves to the scan (Definition.AdmissionNote).
	admissionNote string
	// admission builds the check's admission form; nil for none.
	admission func() *governance.Admission
	run       func(ctx *lintContext, lc *lintCheck) []governance.Finding
}

func (lc lintCheck) definition() governance.Definition {
	return governance.Definition{
		ID: lc.id, Aliases: slices.Clone(lc.aliases), Description: lc.description, Severity: lc.severity,
		Kinds: slices.Clone(lc.kinds), Requires: []governance.FactRef{GraphFact}, New: lc.new,
		AdmissionNote: lc.admissionNote, VAP: lc.admission != nil,
	}
}

// new builds the check; it takes no parameters.
func (lc lintCheck) new(params any) (governance.Check, error) {
	if err := governance.NoParams(params); err != nil {
		return governance.Check{}, err
	}
	c := governance.Check{
		ID: lc.id, Aliases: slices.Clone(lc.aliases), Description: lc.description, Severity: lc.severity,
		Remediation: lc.remediation, Requires: []governance.FactRef{GraphFact},
		Inventory: func(p *governance.Pass) []governance.Finding { return lc.run(newLintContext(GraphFact.Of(p)), &lc) },
	}
	if lc.admission != nil {
		c.Admission = lc.admission()
	}
	return c, nil
}

// finding builds a finding of the check on object o.
func (lc *lintCheck) finding(o *governance.Object, path, format string, args ...any) governance.Finding {
	f := governance.Finding{Check: lc.id, Severity: lc.severity, Path: path,
		Message: fmt.Sprintf(format, args...), Remediation: lc.remediation}
	if o != nil {
		f.Object = o.Ref()
	}
	return f
}

// Kinds the checks judge, for people (lintCheck.definition copies them).
var (
	rolesKinds    = []string{"Roles", "ClusterRoles"}
	bindingsKinds = []string{"RoleBindings", "ClusterRoleBindings"}
)

// lintContext is what every check sees: the manifests of the roles and
// bindings of the graph in a stable order, and the served built-in API.
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
