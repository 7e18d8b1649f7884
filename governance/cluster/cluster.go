package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
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
	// Extra adds resources to list, e.g. KServe InferenceServices.
	Extra []schema.GroupVersionResource
}

// DefaultResources are what Load lists: every kind an aigov analyzer reads.
// Resources the server does not serve (an optional API) are skipped.
func DefaultResources() []schema.GroupVersionResource {
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

// Load lists every resource and returns the inventory. Objects the cluster
// returns that do not decode are input errors as with files; a forbidden
// list is a warning in Inventory.Warnings.
func Load(ctx context.Context, opts Options) (*governance.Inventory, error) {
	cfg := opts.Config
	if cfg == nil {
		var err error
		if cfg, err = RESTConfig(opts.Kubeconfig, opts.Context); err != nil {
			return nil, err
		}
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		return nil, err
	}
	var objs []*governance.Object
	var errs governance.ErrorList
	var warnings []string
	for _, gvr := range append(DefaultResources(), opts.Extra...) {
		o, e, warning, err := listResource(ctx, client, loader.Decoder(), cfg.Host, gvr, opts.Namespace)
		if err != nil {
			return nil, err
		}
		objs, errs = append(objs, o...), append(errs, e...)
		if warning != "" {
			warnings = append(warnings, warning)
		}
	}
	inv, err := loader.Build(objs, errs)
	if inv != nil {
		sort.Strings(warnings)
		inv.Warnings = append(inv.Warnings, warnings...)
	}
	return inv, err
}

// listResource lists one resource. A resource the server does not serve
// yields nothing; a forbidden one a warning; any other failure an error.
func listResource(ctx context.Context, client dynamic.Interface, dec *governance.Decoder, host string,
	gvr schema.GroupVersionResource, namespace string) ([]*governance.Object, governance.ErrorList, string, error) {
	list, err := client.Resource(gvr).Namespace(namespace).List(ctx, metav1.ListOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil, "", nil
	case apierrors.IsForbidden(err):
		return nil, nil, fmt.Sprintf("cannot list %s: forbidden; the inventory has none of them", resourceName(gvr)), nil
	case err != nil:
		return nil, nil, "", fmt.Errorf("listing %s: %w", resourceName(gvr), err)
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
	if gvr.Group == "" {
		return gvr.Resource
	}
	return gvr.Resource + "." + gvr.Group
}
