package live

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"

	"github.com/aigov/aigov/governance"
)

// resource is one kind the server serves and aigov reads.
type resource struct {
	gvr        schema.GroupVersionResource
	namespaced bool
}

// name is the resource as kubectl spells it ("deployments.apps"), the form
// of governance.Degradation.Resource.
func (r resource) name() string { return resourceName(r.gvr) }

func resourceName(gvr schema.GroupVersionResource) string { return gvr.GroupResource().String() }

// Degradation reasons. readForbidden is cluster.Load's word for a 403 on a
// list, so that a one-shot read and the server report the same gap alike.
const (
	readForbidden  = "forbidden"
	watchForbidden = "watch forbidden"
	notFound       = "not found although discovery lists it"
)

// servedResources asks discovery which of wanted the server serves. Wanted
// resources of a group version whose discovery failed are degradations; a
// discovery that fails as a whole, or lists no core API, is an error, as in
// cluster.Load.
func servedResources(ctx context.Context, dc discovery.DiscoveryInterface, host string,
	wanted []schema.GroupVersionResource) ([]resource, []governance.Degradation, error) {
	_, lists, err := dc.ServerGroupsAndResources()
	failed := map[schema.GroupVersion]error{}
	var partial *discovery.ErrGroupDiscoveryFailed
	switch {
	case errors.As(err, &partial):
		for gv, e := range partial.Groups {
			failed[gv] = e
		}
	case err != nil:
		return nil, nil, fmt.Errorf("discovery at %s: %w", host, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	namespaced := map[schema.GroupVersionResource]bool{}
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			if !strings.Contains(r.Name, "/") {
				namespaced[gv.WithResource(r.Name)] = r.Namespaced
			}
		}
	}
	if _, ok := namespaced[schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}]; !ok {
		return nil, nil, fmt.Errorf("discovery at %s lists no core API (v1 namespaces): not a Kubernetes API server, or the URL is wrong", host)
	}
	// A resource wanted in several versions (ReferenceGrant v1 and
	// v1beta1) is the same objects in each: it is kept in the first version
	// served, as cluster.Load reads it; a version whose discovery failed is
	// a degradation only when no other version is served.
	var (
		served       []resource
		degraded     []governance.Degradation
		kept         = map[schema.GroupResource]bool{}
		undiscovered = map[schema.GroupResource]bool{}
	)
	for _, gvr := range wanted {
		if e, ok := failed[gvr.GroupVersion()]; ok && !undiscovered[gvr.GroupResource()] {
			undiscovered[gvr.GroupResource()] = true
			degraded = append(degraded, governance.Degradation{Resource: resourceName(gvr),
				Reason: "discovery of " + gvr.GroupVersion().String() + " failed: " + e.Error()})
			continue
		}
		if ns, ok := namespaced[gvr]; ok && !kept[gvr.GroupResource()] {
			kept[gvr.GroupResource()] = true
			served = append(served, resource{gvr: gvr, namespaced: ns})
		}
	}
	out := degraded[:0]
	for _, d := range degraded {
		if !kept[schema.ParseGroupResource(d.Resource)] {
			out = append(out, d)
		}
	}
	return served, out, nil
}

// probe finds out whether the caller may list and watch r across all
// namespaces: an informer on a resource it may not list would never sync,
// and one it may not watch would relist forever. It returns the reason the
// resource cannot be kept (a degradation) or "" when it can; other failures
// (timeouts, 5xx) are errors.
func probe(ctx context.Context, client dynamic.Interface, host string, r resource) (string, error) {
	ri := client.Resource(r.gvr)
	list, err := ri.List(ctx, metav1.ListOptions{Limit: 1})
	switch {
	case apierrors.IsForbidden(err):
		return readForbidden, nil
	case apierrors.IsNotFound(err):
		return notFound, nil
	case err != nil:
		return "", fmt.Errorf("listing %s at %s: %w", r.name(), host, err)
	}
	// A watch from the list's resourceVersion that ends at once: the
	// authorizer answers before the server streams anything.
	timeout := int64(1)
	w, err := ri.Watch(ctx, metav1.ListOptions{ResourceVersion: list.GetResourceVersion(), TimeoutSeconds: &timeout})
	switch {
	case apierrors.IsForbidden(err):
		return watchForbidden, nil
	case err != nil:
		return "", fmt.Errorf("watching %s at %s: %w", r.name(), host, err)
	}
	w.Stop()
	return "", nil
}
