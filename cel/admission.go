package cel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/warning"
	listersv1 "k8s.io/client-go/listers/core/v1"

	"github.com/aigov/aigov/governance"
)

// Operations of an admission request.
const (
	OperationCreate = string(admission.Create)
	OperationUpdate = string(admission.Update)
	OperationDelete = string(admission.Delete)
)

// Request is one admission request for in-process evaluation.
type Request struct {
	// Operation is CREATE (default), UPDATE or DELETE.
	Operation string
	// Object is the new object (nil for DELETE): a typed k8s.io/api struct
	// or an *unstructured.Unstructured. Its apiVersion and kind are taken
	// from its TypeMeta, or for typed objects from the scheme.
	Object runtime.Object
	// OldObject is the stored object for UPDATE and DELETE.
	OldObject runtime.Object
	// Subresource is e.g. "ephemeralcontainers" (UPDATE of pods/ephemeralcontainers).
	Subresource string
	// Resource overrides the resource the kind is guessed to be served as
	// (lower-case plural of the kind).
	Resource string
	// Namespaces are Namespace objects the request's namespace may be one
	// of; a namespace not listed is a bare Namespace carrying only the
	// kubernetes.io/metadata.name label.
	Namespaces []*corev1.Namespace
	// User is the requesting user; nil is "aigov".
	User user.Info
}

// Response is the outcome of admission.
type Response struct {
	Allowed bool `json:"allowed"`
	// Message is the apiserver's denial text, "ValidatingAdmissionPolicy
	// 'p' with binding 'b' denied request: ...".
	Message string              `json:"message,omitempty"`
	Reason  metav1.StatusReason `json:"reason,omitempty"`
	Code    int32               `json:"code,omitempty"`
	// Warnings are those of Warn bindings.
	Warnings []string `json:"warnings,omitempty"`
	// AuditAnnotations are the audit annotations the policies published,
	// including validation.policy.admission.k8s.io/validation_failure for
	// Audit bindings.
	AuditAnnotations map[string]string `json:"auditAnnotations,omitempty"`
}

// Admission evaluates ValidatingAdmissionPolicies and their bindings in
// process, with the apiserver's validating admission dispatcher, matcher and
// validator. It is immutable after construction and safe for concurrent use.
type Admission struct {
	hooks  []validating.PolicyHook
	scheme *runtime.Scheme
	oi     admission.ObjectInterfaces
	authz  authorizer.UnconditionalAuthorizer
	// dispatchers holds *admitter values: a dispatcher, its matcher and
	// the namespace lister they read, built once and reused by one request
	// at a time.
	dispatchers sync.Pool
}

// admitter is a dispatcher whose namespace lister serves the namespaces of
// the request it is lent to.
type admitter struct {
	namespaces *requestNamespaces
	dispatcher generic.Dispatcher[validating.PolicyHook]
}

// requestNamespaces is the NamespaceLister of one request: the request's
// Namespace objects, and for any other name a bare Namespace.
type requestNamespaces struct {
	list []*corev1.Namespace
}

var _ listersv1.NamespaceLister = (*requestNamespaces)(nil)

func (r *requestNamespaces) List(selector labels.Selector) ([]*corev1.Namespace, error) {
	var out []*corev1.Namespace
	for _, ns := range r.list {
		if ns != nil && selector.Matches(labels.Set(ns.Labels)) {
			out = append(out, ns)
		}
	}
	return out, nil
}

func (r *requestNamespaces) Get(name string) (*corev1.Namespace, error) {
	for _, ns := range r.list {
		if ns != nil && ns.Name == name {
			return ns, nil
		}
	}
	if name == "" {
		return nil, apierrors.NewNotFound(corev1.Resource("namespaces"), name)
	}
	return BareNamespace(name), nil
}

// NewAdmission compiles the policies and attaches the bindings (by
// spec.policyName). API defaults are applied to copies (see
// SetPolicyDefaults). Policies with params (paramKind) are refused: params
// are always inlined by aigov. A binding naming no given policy is an
// error.
func NewAdmission(policies []*admissionregistrationv1.ValidatingAdmissionPolicy, bindings []*admissionregistrationv1.ValidatingAdmissionPolicyBinding) (*Admission, error) {
	scheme, err := governance.NewScheme()
	if err != nil {
		return nil, err
	}
	a := &Admission{scheme: scheme, oi: admission.NewObjectInterfacesFromScheme(scheme), authz: denyAllAuthorizer{}}
	a.dispatchers.New = func() any {
		ns := &requestNamespaces{}
		return &admitter{namespaces: ns, dispatcher: validating.NewDispatcher(a.authz, generic.NewPolicyMatcher(matching.NewMatcher(ns, nil)))}
	}
	envs := newEnvCache()
	index := map[string]int{}
	for _, p := range policies {
		p = p.DeepCopy()
		SetPolicyDefaults(p)
		if p.Spec.ParamKind != nil {
			return nil, fmt.Errorf("ValidatingAdmissionPolicy %s: paramKind is not supported in-process (aigov inlines params)", p.Name)
		}
		if _, dup := index[p.Name]; dup {
			return nil, fmt.Errorf("ValidatingAdmissionPolicy %s is given twice", p.Name)
		}
		index[p.Name] = len(a.hooks)
		a.hooks = append(a.hooks, validating.PolicyHook{Policy: p, Evaluator: compileValidator(envs, p)})
	}
	for _, b := range bindings {
		b = b.DeepCopy()
		SetBindingDefaults(b)
		i, ok := index[b.Spec.PolicyName]
		if !ok {
			return nil, fmt.Errorf("ValidatingAdmissionPolicyBinding %s: policy %q is not given", b.Name, b.Spec.PolicyName)
		}
		a.hooks[i].Bindings = append(a.hooks[i].Bindings, b)
	}
	return a, nil
}

// denyAllAuthorizer answers no opinion to every check: in-process
// evaluation knows no RBAC. authorizer.* expressions see "not allowed".
type denyAllAuthorizer struct{}

func (denyAllAuthorizer) Authorize(context.Context, authorizer.Attributes) (authorizer.Decision, string, error) {
	return authorizer.DecisionNoOpinion, "aigov evaluates admission in-process without an authorizer", nil
}

// GVKOf returns the apiVersion and kind of an object: its TypeMeta, or for
// a typed object without one the governance scheme's kind.
func GVKOf(scheme *runtime.Scheme, obj runtime.Object) (schema.GroupVersionKind, error) {
	if gvk := obj.GetObjectKind().GroupVersionKind(); !gvk.Empty() {
		return gvk, nil
	}
	gvks, _, err := scheme.ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return schema.GroupVersionKind{}, fmt.Errorf("object of type %T has no apiVersion and kind", obj)
	}
	return gvks[0], nil
}

// withKind returns obj with its TypeMeta set, copying when it must change:
// the apiserver hands CEL an object converted to the matched version, whose
// apiVersion and kind are always set.
func withKind(obj runtime.Object, gvk schema.GroupVersionKind) runtime.Object {
	if obj == nil || obj.GetObjectKind().GroupVersionKind() == gvk {
		return obj
	}
	obj = obj.DeepCopyObject()
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	return obj
}

// Admit evaluates the request as the kube-apiserver's
// ValidatingAdmissionPolicy admission plugin would.
func (a *Admission) Admit(ctx context.Context, req Request) (Response, error) {
	attrs, err := a.attributes(req)
	if err != nil {
		return Response{}, err
	}
	rec := &warningRecorder{}
	ctx = warning.WithWarningRecorder(ctx, rec)
	ad := a.dispatchers.Get().(*admitter)
	ad.namespaces.list = req.Namespaces
	err = ad.dispatcher.Dispatch(ctx, attrs, a.oi, a.hooks)
	ad.namespaces.list = nil
	a.dispatchers.Put(ad)
	resp := Response{Allowed: err == nil, Warnings: rec.warnings, AuditAnnotations: attrs.annotations()}
	if err != nil {
		var status *apierrors.StatusError
		if !errors.As(err, &status) {
			return Response{}, err
		}
		resp.Message = status.ErrStatus.Message
		resp.Reason = status.ErrStatus.Reason
		resp.Code = status.ErrStatus.Code
	}
	return resp, nil
}

func (a *Admission) attributes(req Request) (*recordingAttributes, error) {
	op := admission.Operation(req.Operation)
	if op == "" {
		op = admission.Create
	}
	ref := req.Object
	switch op {
	case admission.Create, admission.Update:
		if req.Object == nil {
			return nil, fmt.Errorf("%s needs an object", op)
		}
	case admission.Delete:
		if req.OldObject == nil {
			return nil, errors.New("DELETE needs the old object")
		}
		ref = req.OldObject
	default:
		return nil, fmt.Errorf("unsupported operation %q (want CREATE, UPDATE or DELETE)", op)
	}
	gvk, err := GVKOf(a.scheme, ref)
	if err != nil {
		return nil, err
	}
	obj, old := withKind(req.Object, gvk), withKind(req.OldObject, gvk)
	if op == admission.Create {
		old = nil
	}
	m, err := meta.Accessor(ref)
	if err != nil {
		return nil, err
	}
	resource := req.Resource
	if resource == "" {
		plural, _ := meta.UnsafeGuessKindToResource(gvk)
		resource = plural.Resource
	}
	namespace := m.GetNamespace()
	if gvk.Group == "" && gvk.Kind == "Namespace" {
		namespace = ""
	}
	var opts runtime.Object
	switch op {
	case admission.Create:
		opts = &metav1.CreateOptions{}
	case admission.Update:
		opts = &metav1.UpdateOptions{}
	default:
		opts = &metav1.DeleteOptions{}
	}
	u := req.User
	if u == nil {
		u = &user.DefaultInfo{Name: "aigov"}
	}
	attrs := &recordingAttributes{Attributes: admission.NewAttributesRecord(obj, old, gvk, namespace, m.GetName(),
		gvk.GroupVersion().WithResource(resource), req.Subresource, op, opts, false, u)}

	return attrs, nil
}

// BareNamespace is a Namespace as the apiserver stores one created without
// labels: only kubernetes.io/metadata.name.
func BareNamespace(name string) *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelMetadataName: name}},
	}
}

// recordingAttributes keeps the audit annotations the dispatcher adds.
type recordingAttributes struct {
	admission.Attributes
	mu  sync.Mutex
	ann map[string]string
}

func (r *recordingAttributes) AddAnnotation(key, value string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ann == nil {
		r.ann = map[string]string{}
	}
	r.ann[key] = value
	return r.Attributes.AddAnnotation(key, value)
}

func (r *recordingAttributes) annotations() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ann) == 0 {
		return nil
	}
	out := make(map[string]string, len(r.ann))
	for k, v := range r.ann {
		out[k] = v
	}
	return out
}

type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (w *warningRecorder) AddWarning(_, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.Contains(w.warnings, text) {
		w.warnings = append(w.warnings, text)
	}
}

// SetPolicyDefaults fills in the API defaults the apiserver stores with a
// ValidatingAdmissionPolicy (k8s.io/kubernetes
// pkg/apis/admissionregistration/v1 defaulting): failurePolicy Fail,
// matchConstraints.namespaceSelector and objectSelector {}, matchPolicy
// Equivalent, rule scope "*".
func SetPolicyDefaults(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
	if p.Spec.FailurePolicy == nil {
		f := admissionregistrationv1.Fail
		p.Spec.FailurePolicy = &f
	}
	if p.Spec.MatchConstraints != nil {
		setMatchResourcesDefaults(p.Spec.MatchConstraints)
	}
}

// SetBindingDefaults fills in the API defaults of a binding's
// matchResources, as SetPolicyDefaults does for a policy.
func SetBindingDefaults(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	if b.Spec.MatchResources != nil {
		setMatchResourcesDefaults(b.Spec.MatchResources)
	}
}

func setMatchResourcesDefaults(m *admissionregistrationv1.MatchResources) {
	if m.NamespaceSelector == nil {
		m.NamespaceSelector = &metav1.LabelSelector{}
	}
	if m.ObjectSelector == nil {
		m.ObjectSelector = &metav1.LabelSelector{}
	}
	if m.MatchPolicy == nil {
		e := admissionregistrationv1.Equivalent
		m.MatchPolicy = &e
	}
	for _, rules := range [][]admissionregistrationv1.NamedRuleWithOperations{m.ResourceRules, m.ExcludeResourceRules} {
		for i := range rules {
			if rules[i].Scope == nil {
				s := admissionregistrationv1.AllScopes
				rules[i].Scope = &s
			}
		}
	}
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func metaOf(obj runtime.Object) (metav1.Object, error) { return meta.Accessor(obj) }

// guessResource is the resource a kind is served as: its lower-case
// plural, as the apiserver's built-in kinds and most CRDs are named.
func guessResource(gvk schema.GroupVersionKind) schema.GroupVersionResource {
	plural, _ := meta.UnsafeGuessKindToResource(gvk)
	return plural
}
