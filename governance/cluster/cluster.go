package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aigov/aigov/governance"
)

// Options says which cluster to read and what.
type Options struct {
	// Kubeconfig is the kubeconfig file; "" uses the usual rules
	// ($KUBECONFIG, ~/.kube/config, in-cluster).
	Kubeconfig string
	// Context selects a kubeconfig context; "" uses the current one.
	Context string
	// Config, when set, is used instead of Kubeconfig and Context.
	Config *rest.Config
	// Namespace limits namespaced kinds to one namespace; "" lists all.
	Namespace string
	// Extra adds resources to list besides DefaultResources, e.g. the
	// custom resources of another operator.
	Extra []schema.GroupVersionResource
	// Timeout bounds each request (it becomes rest.Config.Timeout); 0 keeps
	// the configuration's own, which is no bound unless the kubeconfig sets
	// one.
	Timeout time.Duration
	// Deadline bounds the whole read, discovery included, on top of ctx's
	// own deadline; 0 adds none.
	Deadline time.Duration
	// Required are the resources the caller cannot do without. When the
	// server serves some of them but none could be read (all forbidden, or
	// not found although discovery lists them), Load fails with a
	// *NothingReadError instead of returning an inventory without them.
	// Empty means every resource Load lists.
	Required []schema.GroupResource
}

// DefaultResources are what Load lists: every kind an aigov analyzer reads,
// the built-in ones and then those of CustomResourceKinds. Resources the
// server's discovery does not list (an optional API, a CRD that is not
// installed) are skipped. A resource may appear in several versions: Load
// reads the first one the server serves.
func DefaultResources() []schema.GroupVersionResource {
	out := builtinResources()
	for _, gvk := range CustomResourceKinds() {
		out = append(out, customResource(gvk))
	}
	return out
}

// CustomResourceKinds are the custom resource kinds Load reads when the
// server serves them: every supported version of the AI operators' kinds
// whose pods aigov derives (governance.OperatorVersionKinds), and the
// Gateway API kinds the catalog follows from a listener to the model
// servers (Gateway, HTTPRoute, ReferenceGrant, InferencePool). Of a kind
// listed in several versions, the first one the server serves is read.
func CustomResourceKinds() []schema.GroupVersionKind {
	const gateway, inference = "gateway.networking.k8s.io", "inference.networking.k8s.io"
	return append(governance.OperatorVersionKinds(),
		schema.GroupVersionKind{Group: gateway, Version: "v1", Kind: "Gateway"},
		schema.GroupVersionKind{Group: gateway, Version: "v1", Kind: "HTTPRoute"},
		// ReferenceGrant v1 is served since Gateway API v1.5; v1beta1
		// (still the storage version) is read from older installs.
		schema.GroupVersionKind{Group: gateway, Version: "v1", Kind: "ReferenceGrant"},
		schema.GroupVersionKind{Group: gateway, Version: "v1beta1", Kind: "ReferenceGrant"},
		schema.GroupVersionKind{Group: inference, Version: "v1", Kind: "InferencePool"},
	)
}

// customResource is the resource of a kind of CustomResourceKinds: the
// lower-cased kind plus "s", which is the plural every one of their CRDs
// declares (a test checks it against internal/testenv/crds).
func customResource(gvk schema.GroupVersionKind) schema.GroupVersionResource {
	return gvk.GroupVersion().WithResource(strings.ToLower(gvk.Kind) + "s")
}

// builtinResources are the Kubernetes kinds aigov reads.
func builtinResources() []schema.GroupVersionResource {
	return []schema.GroupVersionResource{
		{Version: "v1", Resource: "namespaces"},
		{Version: "v1", Resource: "pods"},
		{Version: "v1", Resource: "services"},
		{Version: "v1", Resource: "serviceaccounts"},
		{Version: "v1", Resource: "secrets"},
		{Version: "v1", Resource: "configmaps"},
		{Version: "v1", Resource: "resourcequotas"},
		{Version: "v1", Resource: "limitranges"},
		{Version: "v1", Resource: "persistentvolumeclaims"},
		{Version: "v1", Resource: "replicationcontrollers"},
		{Group: "apps", Version: "v1", Resource: "deployments"},
		{Group: "apps", Version: "v1", Resource: "replicasets"},
		{Group: "apps", Version: "v1", Resource: "statefulsets"},
		{Group: "apps", Version: "v1", Resource: "daemonsets"},
		{Group: "batch", Version: "v1", Resource: "jobs"},
		{Group: "batch", Version: "v1", Resource: "cronjobs"},
		{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"},
		{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"},
		{Group: "scheduling.k8s.io", Version: "v1", Resource: "priorityclasses"},
		{Group: "node.k8s.io", Version: "v1", Resource: "runtimeclasses"},
		{Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses"},
		{Group: "resource.k8s.io", Version: "v1", Resource: "resourceclaims"},
		{Group: "resource.k8s.io", Version: "v1", Resource: "deviceclasses"},
		{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicies"},
		{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicybindings"},
		{Group: "policy.networking.k8s.io", Version: "v1alpha1", Resource: "adminnetworkpolicies"},
		{Group: "policy.networking.k8s.io", Version: "v1alpha1", Resource: "baselineadminnetworkpolicies"},
		{Group: "policy.networking.k8s.io", Version: "v1beta1", Resource: "clusternetworkpolicies"},
	}
}

// RESTConfig builds the client configuration the way kubectl does.
func RESTConfig(kubeconfig, context string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return cfg, nil
}

// NothingReadError is Load's error when the server serves resources the
// caller requires but none of them could be read.
type NothingReadError struct {
	// Host is the server's URL.
	Host string
	// Degraded are the required resources and why each could not be read.
	Degraded []governance.Degradation
}

func (e *NothingReadError) Error() string {
	names := make([]string, len(e.Degraded))
	reasons := map[string]bool{}
	for i, d := range e.Degraded {
		names[i] = d.Resource
		reasons[d.Reason] = true
	}
	if len(reasons) == 1 {
		return fmt.Sprintf("could not read any of %s from %s: %s", strings.Join(names, ", "), e.Host, e.Degraded[0].Reason)
	}
	for i, d := range e.Degraded {
		names[i] = d.Resource + " (" + d.Reason + ")"
	}
	return fmt.Sprintf("could not read any of %s from %s", strings.Join(names, ", "), e.Host)
}

// Load asks the server's discovery which resources it serves, lists every
// one of DefaultResources and Extra that it serves, and returns the
// inventory.
//
//   - Discovery that fails, times out, or lists no core API is an error.
//   - A resource discovery does not list is not served: skipped silently.
//     So is a custom resource whose CRD is not installed.
//   - A resource listed in several versions is read once, in the first
//     version the server serves.
//   - A resource the server serves but that could not be read (403, a 404
//     although discovery lists it, its group's discovery failed) is a
//     degradation: Inventory.Degraded and a line in Inventory.Warnings.
//   - Any other failure of a list (a timeout, a 5xx) is an error, and so is
//     a read in which none of Options.Required could be read.
//
// Objects the cluster returns that do not decode are input errors as with
// files. Cluster-scoped resources are listed whole even when
// Options.Namespace limits the namespaced ones.
func Load(ctx context.Context, opts Options) (*governance.Inventory, error) {
	cfg := opts.Config
	if cfg == nil {
		var err error
		if cfg, err = RESTConfig(opts.Kubeconfig, opts.Context); err != nil {
			return nil, err
		}
	}
	cfg = rest.CopyConfig(cfg)
	if opts.Timeout > 0 {
		cfg.Timeout = opts.Timeout
	}
	if cfg.QPS == 0 && cfg.Burst == 0 {
		// client-go's default of 5 per second would make the ~30 lists
		// of a read wait on the client's own rate limiter.
		cfg.QPS, cfg.Burst = 50, 100
	}
	if opts.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Deadline)
		defer cancel()
	}
	served, err := discover(ctx, cfg)
	if err != nil {
		return nil, err
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		return nil, err
	}
	var (
		objs     []*governance.Object
		errs     governance.ErrorList
		read     []schema.GroupResource
		degraded []governance.Degradation
		// done holds the resources listed (or refused) in some version:
		// a later version of the same resource is the same objects.
		done = map[schema.GroupResource]bool{}
		// undiscovered holds why a resource's group version could not be
		// discovered; it is a degradation unless another version is read.
		undiscovered = map[schema.GroupResource]governance.Degradation{}
	)
	for _, gvr := range append(DefaultResources(), opts.Extra...) {
		if done[gvr.GroupResource()] {
			continue
		}
		res, ok := served.lookup(gvr)
		if !ok {
			continue
		}
		if res.failed != nil {
			if _, ok := undiscovered[gvr.GroupResource()]; !ok {
				undiscovered[gvr.GroupResource()] = governance.Degradation{Resource: resourceName(gvr),
					Reason: "discovery of " + gvr.GroupVersion().String() + " failed: " + res.failed.Error()}
			}
			continue
		}
		done[gvr.GroupResource()] = true
		ns := opts.Namespace
		if !res.namespaced {
			ns = ""
		}
		o, e, reason, err := listResource(ctx, client, loader.Decoder(), cfg.Host, gvr, ns)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			degraded = append(degraded, governance.Degradation{Resource: resourceName(gvr), Reason: reason})
			continue
		}
		read = append(read, gvr.GroupResource())
		objs, errs = append(objs, o...), append(errs, e...)
	}
	for gr, d := range undiscovered {
		if !done[gr] {
			degraded = append(degraded, d)
		}
	}
	if err := requireSome(cfg.Host, opts.Required, read, degraded); err != nil {
		return nil, err
	}
	inv, err := loader.Build(objs, errs)
	if inv != nil {
		sort.Slice(degraded, func(i, j int) bool { return degraded[i].Resource < degraded[j].Resource })
		inv.Degraded = append(inv.Degraded, degraded...)
		for _, d := range degraded {
			inv.Warnings = append(inv.Warnings,
				fmt.Sprintf("cannot list %s: %s; the inventory has none of them", d.Resource, d.Reason))
		}
	}
	return inv, err
}

// requireSome fails when none of the required resources (all, when none are
// named) was read and some of them were degraded.
func requireSome(host string, required, read []schema.GroupResource, degraded []governance.Degradation) error {
	want := func(name string) bool {
		if len(required) == 0 {
			return true
		}
		for _, r := range required {
			if r.String() == name {
				return true
			}
		}
		return false
	}
	for _, r := range read {
		if want(r.String()) {
			return nil
		}
	}
	var missing []governance.Degradation
	for _, d := range degraded {
		if want(d.Resource) {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].Resource < missing[j].Resource })
	return &NothingReadError{Host: host, Degraded: missing}
}

// servedResource is what discovery says about one resource.
type servedResource struct {
	namespaced bool
	// failed is the discovery error of the resource's group version.
	failed error
}

// servedResources maps group versions to their resources, and holds the
// group versions whose discovery failed.
type servedResources struct {
	resources map[schema.GroupVersion]map[string]bool
	failed    map[schema.GroupVersion]error
}

// lookup reports whether the server serves gvr, and how.
func (s servedResources) lookup(gvr schema.GroupVersionResource) (servedResource, bool) {
	gv := gvr.GroupVersion()
	if err, ok := s.failed[gv]; ok {
		return servedResource{failed: err}, true
	}
	namespaced, ok := s.resources[gv][gvr.Resource]
	return servedResource{namespaced: namespaced}, ok
}

// discover asks the server which resources it serves. A group version whose
// discovery failed (an aggregated API that is down) is recorded, not an
// error; a discovery that fails as a whole, or that lists no core API (a
// server that answers 404 or 403 to /api, which client-go tolerates), is.
func discover(ctx context.Context, cfg *rest.Config) (servedResources, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return servedResources{}, fmt.Errorf("discovery client: %w", err)
	}
	_, lists, err := dc.ServerGroupsAndResourcesWithContext(ctx)
	s := servedResources{resources: map[schema.GroupVersion]map[string]bool{}, failed: map[schema.GroupVersion]error{}}
	var partial *discovery.ErrGroupDiscoveryFailed
	switch {
	case errors.As(err, &partial):
		for gv, e := range partial.Groups {
			s.failed[gv] = e
		}
	case err != nil:
		return servedResources{}, fmt.Errorf("discovery at %s: %w", cfg.Host, err)
	}
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		m := s.resources[gv]
		if m == nil {
			m = map[string]bool{}
			s.resources[gv] = m
		}
		for _, r := range list.APIResources {
			if !strings.Contains(r.Name, "/") {
				m[r.Name] = r.Namespaced
			}
		}
	}
	if _, ok := s.resources[schema.GroupVersion{Version: "v1"}]["namespaces"]; !ok {
		return servedResources{}, fmt.Errorf("discovery at %s lists no core API (v1 namespaces): not a Kubernetes API server, or the URL is wrong", cfg.Host)
	}
	return s, nil
}

// listResource lists one resource the server serves. A 403, or a 404
// although discovery lists the resource, yields the reason it could not be
// read; any other failure is an error.
func listResource(ctx context.Context, client dynamic.Interface, dec *governance.Decoder, host string,
	gvr schema.GroupVersionResource, namespace string) ([]*governance.Object, governance.ErrorList, string, error) {
	list, err := client.Resource(gvr).Namespace(namespace).List(ctx, metav1.ListOptions{})
	switch {
	case apierrors.IsForbidden(err):
		return nil, nil, "forbidden", nil
	case apierrors.IsNotFound(err):
		return nil, nil, "not found although discovery lists it", nil
	case err != nil:
		return nil, nil, "", fmt.Errorf("listing %s at %s: %w", resourceName(gvr), host, err)
	}
	var objs []*governance.Object
	var errs governance.ErrorList
	for i := range list.Items {
		item := &list.Items[i]
		item.SetManagedFields(nil)
		src := governance.Source{File: host + "/" + resourceName(gvr), Document: i + 1, Item: -1}
		js, err := json.Marshal(item.Object)
		if err != nil {
			errs = append(errs, &governance.InputError{Source: src, Err: err})
			continue
		}
		o, e := dec.DecodeJSON(js, src)
		objs, errs = append(objs, o...), append(errs, e...)
	}
	return objs, errs, "", nil
}

func resourceName(gvr schema.GroupVersionResource) string {
	return gvr.GroupResource().String()
}
