package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// DefaultWaitTimeout bounds the Wait helpers when their ctx has no deadline.
const DefaultWaitTimeout = 60 * time.Second

// FieldManager is the server-side apply field manager of the Apply helpers.
const FieldManager = "aigov-testenv"

// ImpersonatedConfig returns a copy of the admin config that impersonates
// user with groups, exactly as `kubectl --as USER --as-group G` does: the
// apiserver adds system:authenticated (except for system:anonymous), and a
// system:serviceaccount:NS:NAME user without groups gets the service-account
// groups.
func (e *Env) ImpersonatedConfig(user string, groups ...string) *rest.Config {
	cfg := rest.CopyConfig(e.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: append([]string(nil), groups...)}
	return cfg
}

// ServiceAccountConfig returns a config that acts as ServiceAccount ns/name
// (impersonating system:serviceaccount:NS:NAME with the groups the apiserver
// gives a service account: system:serviceaccounts and
// system:serviceaccounts:NS, plus system:authenticated).
func (e *Env) ServiceAccountConfig(ns, name string) *rest.Config {
	return e.ImpersonatedConfig("system:serviceaccount:" + ns + ":" + name)
}

// Client returns the admin clientset; it fails t if it cannot be made.
func (e *Env) Client(t testing.TB) kubernetes.Interface {
	t.Helper()
	if err := e.initClients(); err != nil {
		t.Fatalf("testenv: client: %v", err)
	}
	return e.clientset
}

// Dynamic returns the admin dynamic client; it fails t if it cannot be made.
func (e *Env) Dynamic(t testing.TB) dynamic.Interface {
	t.Helper()
	if err := e.initClients(); err != nil {
		t.Fatalf("testenv: dynamic client: %v", err)
	}
	return e.dynClient
}

// ClientFor returns a clientset for cfg (e.g. an ImpersonatedConfig); it
// fails t if it cannot be made.
func ClientFor(t testing.TB, cfg *rest.Config) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("testenv: client: %v", err)
	}
	return cs
}

// CreateNamespace creates a namespace with a unique name that starts with
// prefix and a dash, and deletes it when the test ends. labels, if given,
// are set on it (e.g. pod-security.kubernetes.io/enforce).
func (e *Env) CreateNamespace(t testing.TB, prefix string, labels ...map[string]string) string {
	t.Helper()
	cs := e.Client(t)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: strings.TrimSuffix(prefix, "-") + "-"}}
	for _, l := range labels {
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		for k, v := range l {
			ns.Labels[k] = v
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	created, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("testenv: creating namespace %q: %v", prefix, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		bg := metav1.DeletePropagationBackground
		err := cs.CoreV1().Namespaces().Delete(ctx, created.Name, metav1.DeleteOptions{PropagationPolicy: &bg})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("testenv: deleting namespace %s: %v", created.Name, err)
		}
	})
	return created.Name
}

// ApplyOption changes how manifests are applied.
type ApplyOption func(*applyOptions)

type applyOptions struct {
	namespace string
}

// WithNamespace sets the namespace of namespaced objects that name none
// (the default is "default").
func WithNamespace(ns string) ApplyOption {
	return func(o *applyOptions) { o.namespace = ns }
}

// ApplyDir applies every .yaml, .yml and .json file directly in dir (in name
// order; sub-directories are not read), as ApplyYAML does.
func (e *Env) ApplyDir(ctx context.Context, dir string, opts ...ApplyOption) ([]*unstructured.Unstructured, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, ent := range entries {
		switch strings.ToLower(filepath.Ext(ent.Name())) {
		case ".yaml", ".yml", ".json":
			if !ent.IsDir() {
				names = append(names, ent.Name())
			}
		}
	}
	sort.Strings(names)
	var objs []*unstructured.Unstructured
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		docs, err := DecodeManifests(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
		}
		objs = append(objs, docs...)
	}
	return e.applyUnstructured(ctx, objs, opts)
}

// ApplyYAML applies the objects of a YAML (multi-document) or JSON manifest
// with server-side apply, forcing conflicts, and returns them as stored.
// Kinds ending in "List" are expanded into their items. Objects are applied
// in order; a kind whose CRD was applied earlier is waited for.
func (e *Env) ApplyYAML(ctx context.Context, data []byte, opts ...ApplyOption) ([]*unstructured.Unstructured, error) {
	objs, err := DecodeManifests(data)
	if err != nil {
		return nil, err
	}
	return e.applyUnstructured(ctx, objs, opts)
}

// ApplyObjects applies typed (client-go scheme) or unstructured objects with
// server-side apply, in order, and returns them as stored. A namespaced
// object without a namespace goes to "default".
func (e *Env) ApplyObjects(ctx context.Context, objs ...runtime.Object) ([]*unstructured.Unstructured, error) {
	us := make([]*unstructured.Unstructured, 0, len(objs))
	for i, obj := range objs {
		u, err := toUnstructured(obj)
		if err != nil {
			return nil, fmt.Errorf("object %d: %w", i, err)
		}
		us = append(us, u)
	}
	return e.applyUnstructured(ctx, us, nil)
}

func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.DeepCopy(), nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: m}
	if u.GetKind() == "" {
		gvks, _, err := scheme.Scheme.ObjectKinds(obj)
		if err != nil || len(gvks) == 0 {
			return nil, fmt.Errorf("%T: no kind set and not in the client-go scheme", obj)
		}
		u.SetGroupVersionKind(gvks[0])
	}
	return u, nil
}

// DecodeManifests splits a YAML (multi-document) or JSON manifest into
// objects, skipping empty documents and expanding kinds ending in "List".
func DecodeManifests(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for i := 0; ; i++ {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, fmt.Errorf("document %d: apiVersion and kind are required", i)
		}
		if strings.HasSuffix(u.GetKind(), "List") && u.Object["items"] != nil {
			list, err := u.ToList()
			if err != nil {
				return nil, fmt.Errorf("document %d: %w", i, err)
			}
			for j := range list.Items {
				out = append(out, &list.Items[j])
			}
			continue
		}
		out = append(out, u)
	}
}

func (e *Env) applyUnstructured(ctx context.Context, objs []*unstructured.Unstructured, opts []ApplyOption) ([]*unstructured.Unstructured, error) {
	o := applyOptions{namespace: metav1.NamespaceDefault}
	for _, opt := range opts {
		opt(&o)
	}
	if err := e.initClients(); err != nil {
		return nil, err
	}
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, obj := range objs {
		got, err := e.applyOne(ctx, obj.DeepCopy(), o)
		if err != nil {
			return out, fmt.Errorf("applying %s %s: %w", obj.GetKind(), objectName(obj), err)
		}
		out = append(out, got)
	}
	return out, nil
}

func objectName(u *unstructured.Unstructured) string {
	if u.GetNamespace() != "" {
		return u.GetNamespace() + "/" + u.GetName()
	}
	return u.GetName()
}

func (e *Env) applyOne(ctx context.Context, obj *unstructured.Unstructured, o applyOptions) (*unstructured.Unstructured, error) {
	gvk := obj.GroupVersionKind()
	var mapping *meta.RESTMapping
	// A kind served by a CRD applied just before may take a moment to appear
	// in discovery.
	err := poll(ctx, DefaultWaitTimeout, func(ctx context.Context) (bool, error) {
		var err error
		mapping, err = e.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err == nil {
			return true, nil
		}
		if meta.IsNoMatchError(err) || discovery.IsGroupDiscoveryFailedError(err) {
			e.mapper.Reset()
			return false, err
		}
		return false, err
	})
	if err != nil {
		return nil, err
	}
	var ri dynamic.ResourceInterface = e.dynClient.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		if obj.GetNamespace() == "" {
			obj.SetNamespace(o.namespace)
		}
		ri = e.dynClient.Resource(mapping.Resource).Namespace(obj.GetNamespace())
	} else {
		obj.SetNamespace("")
	}
	if obj.GetName() == "" {
		return nil, errors.New("server-side apply needs metadata.name")
	}
	// Fields the server owns must not be sent with apply.
	obj.SetResourceVersion("")
	obj.SetUID("")
	obj.SetManagedFields(nil)
	obj.SetCreationTimestamp(metav1.Time{})
	obj.SetGeneration(0)
	unstructured.RemoveNestedField(obj.Object, "metadata", "selfLink")
	data, err := obj.MarshalJSON()
	if err != nil {
		return nil, err
	}
	force := true
	return ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
}

// WaitForServiceAccount waits until ServiceAccount ns/name exists (the
// serviceaccount controller creates "default" in every namespace).
func (e *Env) WaitForServiceAccount(ctx context.Context, ns, name string) (*corev1.ServiceAccount, error) {
	if err := e.initClients(); err != nil {
		return nil, err
	}
	var sa *corev1.ServiceAccount
	err := poll(ctx, DefaultWaitTimeout, func(ctx context.Context) (bool, error) {
		var err error
		sa, err = e.clientset.CoreV1().ServiceAccounts(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, err
		}
		return err == nil, err
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for ServiceAccount %s/%s: %w", ns, name, err)
	}
	return sa, nil
}

// WaitForQuotaStatus waits until the resourcequota controller has computed
// ResourceQuota ns/name: status.hard equals spec.hard and status.used has
// every key of status.hard. It returns the quota as last read.
func (e *Env) WaitForQuotaStatus(ctx context.Context, ns, name string) (*corev1.ResourceQuota, error) {
	if err := e.initClients(); err != nil {
		return nil, err
	}
	var q *corev1.ResourceQuota
	err := poll(ctx, DefaultWaitTimeout, func(ctx context.Context) (bool, error) {
		var err error
		q, err = e.clientset.CoreV1().ResourceQuotas(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		if len(q.Status.Hard) == 0 || !equality.Semantic.DeepEqual(q.Spec.Hard, q.Status.Hard) {
			return false, fmt.Errorf("status.hard %v does not match spec.hard %v yet", q.Status.Hard, q.Spec.Hard)
		}
		for k := range q.Status.Hard {
			if _, ok := q.Status.Used[k]; !ok {
				return false, fmt.Errorf("status.used %v lacks %s yet", q.Status.Used, k)
			}
		}
		return true, nil
	})
	if err != nil {
		return q, fmt.Errorf("waiting for the status of ResourceQuota %s/%s: %w", ns, name, err)
	}
	return q, nil
}

// WaitForAggregatedClusterRole waits until ClusterRole name satisfies
// predicate (e.g. the aggregation controller has copied a labelled role's
// rules into it) and returns it.
func (e *Env) WaitForAggregatedClusterRole(ctx context.Context, name string, predicate func(*rbacv1.ClusterRole) bool) (*rbacv1.ClusterRole, error) {
	if err := e.initClients(); err != nil {
		return nil, err
	}
	var cr *rbacv1.ClusterRole
	err := poll(ctx, DefaultWaitTimeout, func(ctx context.Context) (bool, error) {
		var err error
		cr, err = e.clientset.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		if !predicate(cr) {
			return false, fmt.Errorf("predicate not met; rules: %v", cr.Rules)
		}
		return true, nil
	})
	if err != nil {
		return cr, fmt.Errorf("waiting for ClusterRole %s: %w", name, err)
	}
	return cr, nil
}

// poll calls cond every 200ms until it returns true, returns an error that
// is not worth retrying, or ctx (bounded by timeout when it has no deadline)
// ends. cond's last error is included in the timeout error.
func poll(ctx context.Context, timeout time.Duration, cond func(context.Context) (bool, error)) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		done, err := cond(ctx)
		if done {
			return nil
		}
		if err != nil && !retriable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// retriable tells errors that may clear by waiting from those that will not.
func retriable(err error) bool {
	switch {
	case apierrors.IsForbidden(err), apierrors.IsUnauthorized(err), apierrors.IsBadRequest(err), apierrors.IsInvalid(err):
		return false
	}
	return true
}

func newMemCache(cs kubernetes.Interface) discovery.CachedDiscoveryInterface {
	return memory.NewMemCacheClient(cs.Discovery())
}
