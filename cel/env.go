package cel

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/cel/environment"

	"github.com/aigov/aigov/governance"
)

// Cost limits of the kube-apiserver, applied to every evaluation.
const (
	// PerCallLimit is the cost limit of one expression evaluation.
	PerCallLimit = celconfig.PerCallLimit
	// RuntimeCostBudget is the cost budget of one policy evaluation
	// (variables, validations and then messageExpressions).
	RuntimeCostBudget = celconfig.RuntimeCELCostBudget
	// MaxMessageExpressionBytes is the longest messageExpression result kept.
	MaxMessageExpressionBytes = celconfig.MaxEvaluatedMessageExpressionSizeBytes
)

// MinimumKubernetesVersion is the oldest target: the version
// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy went GA.
const MinimumKubernetesVersion = "1.30"

// Compiler checks CEL for one target Kubernetes version and compiles it for
// evaluation. It is immutable and safe for concurrent use.
type Compiler struct {
	target *version.Version
	// latest is the newest version whose libraries this build knows; a rule
	// that needs a newer one is reported against it.
	latest *version.Version
	// envs caches the CEL environments (per version, mode and variables):
	// building one costs milliseconds, compiling an expression microseconds.
	envs *envCache
	// scheme and oi serve every Program of the compiler (read-only).
	scheme *runtime.Scheme
	oi     admission.ObjectInterfaces
	// schemas resolves the OpenAPI schema of built-in kinds for cost
	// estimation.
	schemas *typeSchemaResolver
	// estimation holds the cost estimation environments, without and
	// with params, for validations and for mutations.
	estimation *[4]lazyEnv
}

// NewCompiler returns a compiler for the oldest Kubernetes version
// ("1.30", "v1.33.2") the compiled rules must run on; "" means
// governance.DefaultKubernetesVersion. Versions older than
// MinimumKubernetesVersion are refused.
func NewCompiler(kubernetesVersion string) (*Compiler, error) {
	if kubernetesVersion == "" {
		kubernetesVersion = governance.DefaultKubernetesVersion
	}
	v, err := version.ParseGeneric(kubernetesVersion)
	if err != nil {
		return nil, fmt.Errorf("kubernetes version %q: %w", kubernetesVersion, err)
	}
	v = version.MajorMinor(v.Major(), v.Minor())
	if v.LessThan(version.MustParseGeneric(MinimumKubernetesVersion)) {
		return nil, fmt.Errorf("kubernetes version %s: ValidatingAdmissionPolicy v1 needs %s or newer", v, MinimumKubernetesVersion)
	}
	def := environment.DefaultCompatibilityVersion()
	latest := version.MajorMinor(def.Major(), def.Minor()+1)
	scheme, err := governance.NewScheme()
	if err != nil {
		return nil, err
	}
	return &Compiler{target: v, latest: latest, envs: newEnvCache(), scheme: scheme,
		oi: admission.NewObjectInterfacesFromScheme(scheme), schemas: newTypeSchemaResolver(scheme), estimation: &[4]lazyEnv{}}, nil
}

// Version is the target version, "1.30".
func (c *Compiler) Version() string { return fmt.Sprintf("%d.%d", c.target.Major(), c.target.Minor()) }

// ExpressionError is an expression that does not compile for the target
// version. Needs is the first newer version it compiles on, "" when none
// does (a plain error: syntax, unknown field, wrong type).
type ExpressionError struct {
	// Field names the expression: "validations[0].expression",
	// "variables[1] (name)".
	Field  string
	Target string
	Needs  string
	Err    string
}

func (e *ExpressionError) Error() string {
	if e.Needs != "" {
		return fmt.Sprintf("%s needs Kubernetes %s or newer (target %s): %s", e.Field, e.Needs, e.Target, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Err)
}

// expression is one CEL expression of a policy spec, for checking.
type expression struct {
	field string
	// name is set for variables.
	name string
	text string
	// message is true for messageExpressions: they see no authorizer and
	// must return a string.
	message bool
}

func (e expression) GetExpression() string { return e.text }
func (e expression) GetName() string       { return e.name }

// specExpressions lists the expressions of a policy spec in the order the
// apiserver compiles them.
func specExpressions(spec *admissionregistrationv1.ValidatingAdmissionPolicySpec) (vars, rest []expression) {
	for i, v := range spec.Variables {
		vars = append(vars, expression{field: fmt.Sprintf("variables[%d] (%s)", i, v.Name), name: v.Name, text: v.Expression})
	}
	for i, m := range spec.MatchConditions {
		rest = append(rest, expression{field: fmt.Sprintf("matchConditions[%d] (%s)", i, m.Name), text: m.Expression})
	}
	for i, v := range spec.Validations {
		rest = append(rest, expression{field: fmt.Sprintf("validations[%d].expression", i), text: v.Expression})
		if v.MessageExpression != "" {
			rest = append(rest, expression{field: fmt.Sprintf("validations[%d].messageExpression", i), text: v.MessageExpression, message: true})
		}
	}
	for i, a := range spec.AuditAnnotations {
		rest = append(rest, expression{field: fmt.Sprintf("auditAnnotations[%d] (%s)", i, a.Key), text: a.ValueExpression})
	}
	return vars, rest
}

// CheckSpec compiles every expression of a policy spec in the
// NewExpressions environment of the target version, with the variables the
// apiserver declares (object, oldObject, request, params when the spec has
// a paramKind, namespaceObject, authorizer, variables). It returns every
// failure as an *ExpressionError, joined.
func (c *Compiler) CheckSpec(spec *admissionregistrationv1.ValidatingAdmissionPolicySpec) error {
	errs := c.checkAt(c.target, spec)
	if len(errs) == 0 {
		return nil
	}
	// Find, per failing expression, the first newer version it compiles on.
	for v := version.MajorMinor(c.target.Major(), c.target.Minor()+1); !v.GreaterThan(c.latest); v = version.MajorMinor(v.Major(), v.Minor()+1) {
		later := c.checkAt(v, spec)
		pending := false
		for field, e := range errs {
			if e.Needs != "" {
				continue
			}
			if _, still := later[field]; !still {
				e.Needs = fmt.Sprintf("%d.%d", v.Major(), v.Minor())
			} else {
				pending = true
			}
		}
		if !pending {
			break
		}
	}
	out := make([]error, 0, len(errs))
	vars, rest := specExpressions(spec)
	for _, e := range append(vars, rest...) {
		if err, ok := errs[e.field]; ok {
			out = append(out, err)
		}
	}
	return errors.Join(out...)
}

// checkAt compiles a spec's expressions at version v, NewExpressions mode.
// Variables compile in order, each seeing the ones before it.
func (c *Compiler) checkAt(v *version.Version, spec *admissionregistrationv1.ValidatingAdmissionPolicySpec) map[string]*ExpressionError {
	errs := map[string]*ExpressionError{}
	vars, rest := specExpressions(spec)
	cc := c.envs.get(envKey{version: v.String(), mode: environment.NewExpressions, hasParams: spec.ParamKind != nil, vars: variablesKey(spec.Variables)},
		func() *environment.EnvSet { return environment.MustBaseEnvSet(v) }, spec.Variables)
	if cc.err != nil {
		errs["environment"] = &ExpressionError{Field: "environment", Target: c.Version(), Err: cc.err.Error()}
		return errs
	}
	withAuthz := plugincel.OptionalVariableDeclarations{HasParams: spec.ParamKind != nil, HasAuthorizer: true}
	noAuthz := plugincel.OptionalVariableDeclarations{HasParams: spec.ParamKind != nil, HasAuthorizer: false}
	add := func(e expression, r plugincel.CompilationResult) {
		if r.Error != nil {
			errs[e.field] = &ExpressionError{Field: e.field, Target: c.Version(), Err: r.Error.Detail}
		}
	}
	for i, e := range vars {
		add(e, cc.varResults[i])
	}
	for _, e := range rest {
		var acc plugincel.ExpressionAccessor = &validating.ValidationCondition{Expression: e.text}
		opts := withAuthz
		switch {
		case e.message:
			acc, opts = &validating.MessageExpressionCondition{MessageExpression: e.text}, noAuthz
		case strings.HasPrefix(e.field, "matchConditions"):
			acc = &matchconditions.MatchCondition{Expression: e.text}
		case strings.HasPrefix(e.field, "auditAnnotations"):
			acc = &validating.AuditAnnotationCondition{ValueExpression: e.text}
		}
		add(e, cc.comp.CompileCELExpression(acc, opts, environment.NewExpressions))
	}
	return errs
}

// envKey identifies a composited compiler: the environment's version and
// mode, whether params are declared, and the variables stored in it.
type envKey struct {
	version   string
	mode      environment.Type
	hasParams bool
	vars      string
}

// variablesKey identifies a list of variables (names and expressions).
func variablesKey(vs []admissionregistrationv1.Variable) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%d:%s%d:%s", len(v.Name), v.Name, len(v.Expression), v.Expression)
	}
	return b.String()
}

// compiledEnv is a composited compiler with the variables of its key
// stored. Once built it is only read: compiling an expression does not
// change it, so it is shared by every spec with the same variables.
type compiledEnv struct {
	once       sync.Once
	comp       *plugincel.CompositedCompiler
	varResults []plugincel.CompilationResult
	err        error
}

// maxCachedEnvs bounds an envCache; when full it starts over.
const maxCachedEnvs = 128

// envCache holds the composited compilers of one Compiler or Admission.
type envCache struct {
	mu    sync.Mutex
	byKey map[envKey]*compiledEnv
}

func newEnvCache() *envCache { return &envCache{byKey: map[envKey]*compiledEnv{}} }

// get returns the compiler of key, building it on first use from base with
// the variables stored (all declared with authorizer, as the plugin does).
func (e *envCache) get(key envKey, base func() *environment.EnvSet, vars []admissionregistrationv1.Variable) *compiledEnv {
	e.mu.Lock()
	cc, ok := e.byKey[key]
	if !ok {
		if len(e.byKey) >= maxCachedEnvs {
			e.byKey = map[envKey]*compiledEnv{}
		}
		cc = &compiledEnv{}
		e.byKey[key] = cc
	}
	e.mu.Unlock()
	cc.once.Do(func() {
		comp, err := plugincel.NewCompositedCompiler(base())
		if err != nil {
			cc.err = err
			return
		}
		opts := plugincel.OptionalVariableDeclarations{HasParams: key.hasParams, HasAuthorizer: true}
		for _, v := range vars {
			cc.varResults = append(cc.varResults, comp.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, opts, key.mode))
		}
		cc.comp = comp
	})
	return cc
}

// compileValidator builds the evaluator of a policy exactly as the
// admission plugin does: a composited compiler over the StoredExpressions
// environment of the default compatibility version (strict cost), the
// variables stored first, then match conditions, validations, audit
// annotations and message expressions (the last without authorizer).
//
// Policies with the same variables share one compiler of envs: the
// variables are compiled once and evaluated per request (memoized per
// evaluation by the composition context, as in the apiserver).
func compileValidator(envs *envCache, policy *admissionregistrationv1.ValidatingAdmissionPolicy) validating.Validator {
	spec := &policy.Spec
	hasParams := spec.ParamKind != nil
	optionalVars := plugincel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: true}
	messageVars := plugincel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: false}
	cc := envs.get(envKey{version: "stored", mode: environment.StoredExpressions, hasParams: hasParams, vars: variablesKey(spec.Variables)},
		func() *environment.EnvSet {
			return environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
		}, spec.Variables)
	if cc.err != nil {
		return validating.NewValidator(nil, nil, nil, nil, spec.FailurePolicy, cc.err)
	}
	comp := cc.comp

	var matcher matchconditions.Matcher
	if len(spec.MatchConditions) > 0 {
		acc := make([]plugincel.ExpressionAccessor, len(spec.MatchConditions))
		for i := range spec.MatchConditions {
			acc[i] = (*matchconditions.MatchCondition)(&spec.MatchConditions[i])
		}
		matcher = matchconditions.NewMatcher(comp.CompileCondition(acc, optionalVars, environment.StoredExpressions),
			spec.FailurePolicy, "policy", "validate", policy.Name)
	}
	validations := make([]plugincel.ExpressionAccessor, len(spec.Validations))
	messages := make([]plugincel.ExpressionAccessor, len(spec.Validations))
	for i, v := range spec.Validations {
		validations[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		if v.MessageExpression != "" {
			messages[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
		}
	}
	audits := make([]plugincel.ExpressionAccessor, len(spec.AuditAnnotations))
	for i, a := range spec.AuditAnnotations {
		audits[i] = &validating.AuditAnnotationCondition{Key: a.Key, ValueExpression: a.ValueExpression}
	}
	return validating.NewValidator(
		comp.CompileCondition(validations, optionalVars, environment.StoredExpressions),
		matcher,
		comp.CompileCondition(audits, optionalVars, environment.StoredExpressions),
		comp.CompileCondition(messages, messageVars, environment.StoredExpressions),
		spec.FailurePolicy,
		nil,
	)
}
