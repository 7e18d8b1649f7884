package cel

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/version"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/common"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/apiserver/pkg/cel/library"
	"k8s.io/apiserver/pkg/cel/mutation"
)

// maxKindsToEstimate bounds the kinds a policy is estimated against, as
// the apiserver's type checker bounds the kinds it checks.
const maxKindsToEstimate = 10

// ExpressionCost is the estimated worst-case cost of one expression of a
// policy, in CEL cost units (the unit of PerCallLimit).
type ExpressionCost struct {
	// Field names the expression: "validations[0].expression".
	Field string `json:"field"`
	// Kind is the matched kind ("apps/v1, Kind=Deployment") whose schema
	// gives the highest estimate; "" when no kind's schema is known.
	Kind string `json:"kind,omitempty"`
	// Max is the worst-case estimate (variables it uses included);
	// math.MaxUint64 when unbounded.
	Max uint64 `json:"max"`
}

// Unbounded reports whether no bound could be estimated.
func (e ExpressionCost) Unbounded() bool { return e.Max == math.MaxUint64 }

// CostReport is the compile-time cost estimate of a policy.
type CostReport struct {
	// Expressions lists variables, validations and their message
	// expressions in the order of the spec.
	Expressions []ExpressionCost `json:"expressions"`
	// Total bounds one evaluation of the policy: every variable once plus
	// every validation (the runtime budget RuntimeCostBudget applies to it).
	Total uint64 `json:"total"`
	// Warnings name the expressions whose estimate exceeds PerCallLimit and
	// a Total above RuntimeCostBudget.
	Warnings []string `json:"warnings,omitempty"`
}

// EstimateCost estimates the worst-case cost of every expression of a
// policy spec, as the apiserver estimates CRD validation rules: the
// expressions are compiled in the target version's NewExpressions
// environment, the variables they use inlined (each counted once, as
// evaluation memoizes them), and list, map and string sizes are taken from
// the OpenAPI schema of each kind matchConstraints matches (maxItems,
// maxLength, or the most a 3 MiB request can hold), of namespaceObject and
// of request. Values whose size is unknown (computed by functions,
// optional chains) are bounded by the request size too. The apiserver does
// not enforce estimated costs on ValidatingAdmissionPolicies: the report
// warns about policies that may exceed the runtime limits on large
// objects. Expressions that do not compile are left out.
func (c *Compiler) EstimateCost(spec *admissionregistrationv1.ValidatingAdmissionPolicySpec) CostReport {
	vars, rest := specExpressions(spec)
	return c.estimateSpec(spec.MatchConstraints, spec.ParamKind != nil, false, vars, rest)
}

// EstimateMutatingCost estimates a MutatingAdmissionPolicy spec as
// EstimateCost does a validating one: its variables, match conditions and
// mutations (JSONPatch and ApplyConfiguration expressions), the mutations
// compiled in the environment the apiserver compiles them in (the
// validating policy's variables plus the patch types: Object{...} apply
// configurations, JSONPatch{...} and jsonpatch.escapeKey). The apiserver
// evaluates each mutation under its own runtime budget (the variables it
// reads charged to it), so Total is the highest estimate of one mutation,
// its variables inlined, and a warning names each mutation above
// RuntimeCostBudget.
func (c *Compiler) EstimateMutatingCost(spec *admissionregistrationv1.MutatingAdmissionPolicySpec) CostReport {
	vars, rest := mutatingSpecExpressions(spec)
	return c.estimateSpec(spec.MatchConstraints, spec.ParamKind != nil, true, vars, rest)
}

// mutatingSpecExpressions lists a mutating policy's variables, then its
// match conditions and mutations (their fields start with "mutations").
func mutatingSpecExpressions(spec *admissionregistrationv1.MutatingAdmissionPolicySpec) (vars, rest []expression) {
	for i, v := range spec.Variables {
		vars = append(vars, expression{field: fmt.Sprintf("variables[%d] (%s)", i, v.Name), name: v.Name, text: v.Expression})
	}
	for i, m := range spec.MatchConditions {
		rest = append(rest, expression{field: fmt.Sprintf("matchConditions[%d] (%s)", i, m.Name), text: m.Expression})
	}
	for i, m := range spec.Mutations {
		switch {
		case m.JSONPatch != nil:
			rest = append(rest, expression{field: fmt.Sprintf("mutations[%d].jsonPatch.expression", i), text: m.JSONPatch.Expression})
		case m.ApplyConfiguration != nil:
			rest = append(rest, expression{field: fmt.Sprintf("mutations[%d].applyConfiguration.expression", i), text: m.ApplyConfiguration.Expression})
		}
	}
	return vars, rest
}

// estimateSpec estimates the expressions of a policy spec (see
// EstimateCost). For a validating policy (mutating false) Total is every
// variable once plus every validation; for a mutating one, the highest
// mutation with the variables it reads inlined.
func (c *Compiler) estimateSpec(match *admissionregistrationv1.MatchResources, hasParams, mutating bool, vars, rest []expression) CostReport {
	env, err := c.estimationEnv(hasParams, mutating)
	if err != nil {
		return CostReport{Warnings: []string{"cost estimation: " + err.Error()}}
	}
	roots := map[string]*apiservercel.DeclType{
		plugincel.RequestVarName:   plugincel.BuildRequestType(),
		plugincel.NamespaceVarName: plugincel.BuildNamespaceType(),
	}
	kinds := c.matchedKinds(match)
	objectTypes := make([]*apiservercel.DeclType, len(kinds))
	for i, gvk := range kinds {
		objectTypes[i], _ = c.schemas.declType(gvk)
	}
	if len(kinds) == 0 {
		kinds, objectTypes = []schema.GroupVersionKind{{}}, []*apiservercel.DeclType{nil}
	}
	estimate := func(a *cel.Ast) (uint64, string) {
		var best uint64
		var kind string
		for i, gvk := range kinds {
			roots[plugincel.ObjectVarName], roots[plugincel.OldObjectVarName] = objectTypes[i], objectTypes[i]
			est, err := env.EstimateCost(a, &library.CostEstimator{SizeEstimator: schemaSizes(roots)})
			if err != nil {
				return math.MaxUint64, gvk.String()
			}
			if est.Max >= best {
				best = est.Max
				if !gvk.Empty() {
					kind = gvk.String()
				}
			}
		}
		return best, kind
	}

	var report CostReport
	var inline []*cel.InlineVariable
	addTotal := func(n uint64) {
		if report.Total+n < report.Total {
			report.Total = math.MaxUint64
		} else {
			report.Total += n
		}
	}
	record := func(field string, max uint64, kind string, total bool) {
		report.Expressions = append(report.Expressions, ExpressionCost{Field: field, Kind: kind, Max: max})
		if total {
			addTotal(max)
		}
		if max > PerCallLimit {
			report.Warnings = append(report.Warnings, fmt.Sprintf("%s: estimated cost %s exceeds the per-call limit %d", field, costString(max), PerCallLimit))
		}
	}

	// unbounded holds the variables whose estimate, with the variables
	// they read inlined, is unbounded, and the kind it was for. An
	// expression that reads one is unbounded as well (the estimate adds a
	// variable's cost where it is evaluated), so it is recorded as such
	// without inlining and type-checking it again: the checker's time
	// grows with the square of an expression's size, and for the policies
	// over the AI operators' resources, whose derived-pod variables are
	// unbounded (no schema), that re-check was most of the estimate.
	unbounded := map[string]string{}
	// inlinedCost estimates the compiled expression a with the variables
	// it reads inlined, and returns it so inlined (nil when it reads an
	// unbounded variable); ok is false when the inlining fails.
	inlinedCost := func(a *cel.Ast) (max uint64, kind string, withVars *cel.Ast, ok bool) {
		for _, name := range variablesRead(a) {
			if kind, found := unbounded[name]; found {
				return math.MaxUint64, kind, nil, true
			}
		}
		if len(inline) > 0 {
			opt, err := cel.NewStaticOptimizer(cel.NewInliningOptimizer(inline...))
			if err != nil {
				return 0, "", nil, false
			}
			var iss *cel.Issues
			if a, iss = opt.Optimize(env, a); iss.Err() != nil {
				return 0, "", nil, false
			}
		}
		max, kind = estimate(a)
		return max, kind, a, true
	}

	for _, v := range vars {
		own, iss := env.Compile(v.text)
		if iss.Err() != nil {
			continue
		}
		// The variable alone is charged once per evaluation.
		if !mutating {
			max, _ := estimate(own)
			addTotal(max)
		}
		cost, kind, withVars, ok := inlinedCost(own)
		if !ok {
			continue
		}
		record(v.field, cost, kind, false)
		if cost == math.MaxUint64 {
			unbounded[v.name] = kind
		} else {
			inline = append(inline, cel.NewInlineVariableWithAlias("variables."+v.name, "@var_"+v.name, withVars))
		}
	}
	for _, e := range rest {
		a, iss := env.Compile(e.text)
		if iss.Err() != nil {
			continue
		}
		cost, kind, _, ok := inlinedCost(a)
		if !ok {
			continue
		}
		if !strings.HasPrefix(e.field, "mutations") {
			record(e.field, cost, kind, strings.HasPrefix(e.field, "validations") && !e.message)
			continue
		}
		record(e.field, cost, kind, false)
		report.Total = max(report.Total, cost)
		if cost > RuntimeCostBudget {
			report.Warnings = append(report.Warnings, fmt.Sprintf("%s: estimated cost %s exceeds the runtime budget %d of one mutation", e.field, costString(cost), RuntimeCostBudget))
		}
	}
	if !mutating && report.Total > RuntimeCostBudget {
		report.Warnings = append(report.Warnings, fmt.Sprintf("estimated cost of one evaluation %s exceeds the runtime budget %d", costString(report.Total), RuntimeCostBudget))
	}
	return report
}

// estimateRule estimates the cost of one rule expression: object and
// oldObject of no known kind (their sizes bounded by the request size),
// typed request and namespaceObject.
func (c *Compiler) estimateRule(text string) (checker.CostEstimate, error) {
	env, err := c.estimationEnv(false, false)
	if err != nil {
		return checker.CostEstimate{}, err
	}
	a, iss := env.Compile(text)
	if iss.Err() != nil {
		return checker.CostEstimate{}, iss.Err()
	}
	roots := schemaSizes{
		plugincel.RequestVarName:   plugincel.BuildRequestType(),
		plugincel.NamespaceVarName: plugincel.BuildNamespaceType(),
	}
	return env.EstimateCost(a, &library.CostEstimator{SizeEstimator: roots})
}

func costString(n uint64) string {
	if n == math.MaxUint64 {
		return "unbounded"
	}
	return fmt.Sprint(n)
}

// estimationEnv is the NewExpressions environment of version v with the
// variables of a validating admission policy declared as the apiserver
// declares them (object and oldObject dyn, typed request and
// namespaceObject, authorizer) and variables as a map of dyn values
// (every use is inlined before estimating); patchTypes adds what the
// apiserver declares for mutations.
func (c *Compiler) estimationEnv(hasParams, patchTypes bool) (*cel.Env, error) {
	i := 0
	if hasParams {
		i++
	}
	if patchTypes {
		i += 2
	}
	e := &c.estimation[i]
	e.once.Do(func() { e.env, e.err = buildEstimationEnv(c.target, hasParams, patchTypes) })
	return e.env, e.err
}

// lazyEnv is an environment built on first use.
type lazyEnv struct {
	once sync.Once
	env  *cel.Env
	err  error
}

func buildEstimationEnv(v *version.Version, hasParams, patchTypes bool) (*cel.Env, error) {
	opts := []cel.EnvOption{
		cel.Variable(plugincel.ObjectVarName, cel.DynType),
		cel.Variable(plugincel.OldObjectVarName, cel.DynType),
		cel.Variable(plugincel.NamespaceVarName, plugincel.BuildNamespaceType().CelType()),
		cel.Variable(plugincel.RequestVarName, plugincel.BuildRequestType().CelType()),
		cel.Variable("authorizer", library.AuthorizerType),
		cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)),
	}
	if hasParams {
		opts = append(opts, cel.Variable(plugincel.ParamsVarName, cel.DynType))
	}
	set, err := environment.MustBaseEnvSet(v).Extend(environment.VersionedOptions{
		IntroducedVersion: version.MajorMinor(1, 0),
		EnvOptions:        opts,
		DeclTypes:         []*apiservercel.DeclType{plugincel.BuildNamespaceType(), plugincel.BuildRequestType()},
	})
	if err != nil {
		return nil, err
	}
	if patchTypes {
		// As k8s.io/apiserver's admission/plugin/cel createEnvForOpts
		// declares them (HasPatchTypes) for mutation expressions.
		set, err = set.Extend(environment.VersionedOptions{
			IntroducedVersion: version.MajorMinor(1, 0),
			EnvOptions: []cel.EnvOption{
				common.ResolverEnvOption(&mutation.DynamicTypeResolver{}),
				environment.UnversionedLib(library.JSONPatch),
			},
		})
		if err != nil {
			return nil, err
		}
	}
	return set.Env(environment.NewExpressions)
}

// schemaSizes estimates sizes by walking a node's path (object.spec.
// containers.@items.image) through the CEL type of its root variable, as
// the apiextensions apiserver does for CRD rules; anything else is bounded
// by the request size.
type schemaSizes map[string]*apiservercel.DeclType

func (s schemaSizes) EstimateSize(element checker.AstNode) *checker.SizeEstimate {
	path := element.Path()
	if len(path) > 0 {
		if node := s[path[0]]; node != nil {
			for _, name := range path[1:] {
				switch name {
				case "@items", "@values":
					node = node.ElemType
				case "@keys":
					node = node.KeyType
				default:
					f, ok := node.Fields[name]
					if !ok {
						node = nil
					} else {
						node = f.Type
					}
				}
				if node == nil {
					break
				}
			}
			if node != nil {
				return &checker.SizeEstimate{Min: 0, Max: uint64(node.MaxElements)}
			}
		}
	}
	return requestBound(element.Type())
}

func (schemaSizes) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// requestBound is the most elements of a value of type t a request can
// carry: one byte per character, two per list item or map entry ("0,").
func requestBound(t *types.Type) *checker.SizeEstimate {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case types.StringKind, types.BytesKind:
		return &checker.SizeEstimate{Max: uint64(celconfig.MaxRequestSizeBytes)}
	case types.ListKind, types.MapKind, types.DynKind:
		return &checker.SizeEstimate{Max: uint64(celconfig.MaxRequestSizeBytes / 2)}
	}
	return nil
}

// matchedKinds resolves the kinds matchConstraints matches, as the
// apiserver's type checker does: rules with a wildcard group or version
// are skipped, as are wildcard resources and subresources; at most
// maxKindsToEstimate kinds, sorted.
func (c *Compiler) matchedKinds(match *admissionregistrationv1.MatchResources) []schema.GroupVersionKind {
	if match == nil {
		return nil
	}
	var out []schema.GroupVersionKind
	known := c.scheme.AllKnownTypes()
	for _, r := range match.ResourceRules {
		if slices.ContainsFunc(r.APIGroups, hasWildcard) || slices.ContainsFunc(r.APIVersions, hasWildcard) {
			continue
		}
		for _, g := range r.APIGroups {
			for _, v := range r.APIVersions {
				for _, res := range r.Resources {
					if strings.ContainsAny(res, "*/") {
						continue
					}
					for gvk := range known {
						if gvk.Group == g && gvk.Version == v && guessResource(gvk).Resource == res && !slices.Contains(out, gvk) {
							out = append(out, gvk)
						}
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b schema.GroupVersionKind) int { return strings.Compare(a.String(), b.String()) })
	if len(out) > maxKindsToEstimate {
		out = out[:maxKindsToEstimate]
	}
	return out
}

func hasWildcard(s string) bool { return strings.Contains(s, "*") }

// variablesRead lists the variables a compiled expression reads
// (variables.name and variables.?name).
func variablesRead(a *cel.Ast) []string {
	var out []string
	isVariables := func(e ast.Expr) bool {
		return e.Kind() == ast.IdentKind && e.AsIdent() == "variables"
	}
	ast.PreOrderVisit(ast.NavigateAST(a.NativeRep()), ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.SelectKind:
			if sel := e.AsSelect(); isVariables(sel.Operand()) {
				out = append(out, sel.FieldName())
			}
		case ast.CallKind:
			call := e.AsCall()
			if args := call.Args(); call.FunctionName() == operators.OptSelect && len(args) == 2 && isVariables(args[0]) && args[1].Kind() == ast.LiteralKind {
				if name, ok := args[1].AsLiteral().Value().(string); ok {
					out = append(out, name)
				}
			}
		}
	}))
	return out
}
