package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"

	"github.com/aigov/aigov/governance"
)

// watched is one resource kept by an informer.
type watched struct {
	resource
	informer cache.SharedIndexInformer
	// lost is the reason the resource stopped being readable after the
	// start (its watch became forbidden), or nil. While set, the resource
	// is a degradation and its cached objects are left out of the
	// inventory, as a one-shot read would have none of them.
	lost atomic.Pointer[string]
	// lastEvent is the Unix nanosecond time of the last event.
	lastEvent atomic.Int64
	// stop ends the informer (reconcile, when discovery no longer serves
	// the resource); set before the resource is watched.
	stop context.CancelFunc
}

// change is what one informer event touched: the object of key (the
// informer's namespace/name) of resource gvr. A change without a key (a
// resource watched, unwatched, lost or readable again) makes the next
// evaluation a full one (see evaluator).
type change struct {
	gvr       string
	namespace string
	key       string
}

// changes collects what happened since the last evaluation.
type changes struct {
	mu    sync.Mutex
	first time.Time // of the oldest unevaluated change; zero when none
	last  time.Time
	set   map[change]bool
	wake  chan struct{} // capacity 1: "something changed"
}

func newChanges() *changes {
	return &changes{set: map[change]bool{}, wake: make(chan struct{}, 1)}
}

func (c *changes) add(ch change, now time.Time) {
	c.mu.Lock()
	if c.first.IsZero() {
		c.first = now
	}
	c.last = now
	c.set[ch] = true
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// take returns and clears what changed.
func (c *changes) take() (first time.Time, set map[change]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first, set = c.first, c.set
	c.first, c.set = time.Time{}, map[change]bool{}
	return first, set
}

// times returns the first and last unevaluated change.
func (c *changes) times() (first, last time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.first, c.last
}

// newInformer makes the informer of one resource across all namespaces.
// Managed fields are dropped on arrival: no analyzer reads them, and they
// are a large share of every object's memory.
func newInformer(client dynamic.Interface, w *watched, notify func(w *watched, obj any), onForbidden func(w *watched, err error)) error {
	inf := dynamicinformer.NewFilteredDynamicInformer(client, w.gvr, "", 0, cache.Indexers{}, nil).Informer()
	if err := inf.SetTransform(func(obj any) (any, error) {
		if u, ok := obj.(*unstructured.Unstructured); ok {
			u.SetManagedFields(nil)
		}
		return obj, nil
	}); err != nil {
		return fmt.Errorf("informer of %s: %w", w.name(), err)
	}
	if err := inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		if apierrors.IsForbidden(err) {
			onForbidden(w, err)
		}
		cache.DefaultWatchErrorHandler(ctx, r, err)
	}); err != nil {
		return fmt.Errorf("informer of %s: %w", w.name(), err)
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { notify(w, obj) },
		UpdateFunc: func(_, obj any) { notify(w, obj) },
		DeleteFunc: func(obj any) { notify(w, obj) },
	}); err != nil {
		return fmt.Errorf("informer of %s: %w", w.name(), err)
	}
	w.informer = inf
	return nil
}

// namespaceOf returns the namespace of an informer event's object.
func namespaceOf(obj any) string {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.GetNamespace()
	}
	return ""
}

// decodedCache keeps every cached object decoded between evaluations:
// an object is decoded (and its defaults applied) once, when the informer
// hands over a new version of it, not at every evaluation. Entries are
// keyed by the informer's object pointer, which an update replaces, and
// those not seen in an evaluation are dropped. Only the evaluation
// goroutine uses it. Decoded objects are never modified afterwards: the
// inventories of evaluations and admission reviews share them.
type decodedCache struct {
	loader  *governance.Loader
	entries map[*unstructured.Unstructured]decodedEntry
}

type decodedEntry struct {
	objs []*governance.Object
	errs governance.ErrorList
	// warnings are the loader's notes on the object (Validation modes
	// other than strict).
	warnings []string
}

func newDecodedCache() (*decodedCache, error) {
	loader, err := governance.NewLoader()
	if err != nil {
		return nil, err
	}
	return &decodedCache{loader: loader, entries: map[*unstructured.Unstructured]decodedEntry{}}, nil
}

// decode returns the decoded form of one informer object, decoding it
// when it is new. A one-object Build finishes it exactly as cluster.Load's
// Build of all objects would (defaults; cluster objects carry their
// namespace) and sorts its problems into errors and warnings.
func (c *decodedCache) decode(host string, w *watched, u *unstructured.Unstructured) decodedEntry {
	if e, ok := c.entries[u]; ok {
		return e
	}
	src := governance.Source{File: host + "/" + w.name(), Item: -1}
	var e decodedEntry
	js, err := json.Marshal(u.Object)
	if err != nil {
		e.errs = governance.ErrorList{&governance.InputError{Source: src, Err: err}}
	} else {
		objs, errs := c.loader.Decoder().DecodeJSON(js, src)
		one, err := c.loader.Build(objs, errs)
		if one != nil {
			e.objs, e.warnings = one.Objects(), one.Warnings
		}
		var list governance.ErrorList
		if errors.As(err, &list) {
			e.errs = list
		} else if err != nil {
			e.errs = governance.ErrorList{&governance.InputError{Source: src, Err: err}}
		}
	}
	c.entries[u] = e
	return e
}

// buildInventory makes the inventory of the informers' caches as
// cluster.Load makes it of lists: each object through the governance
// Decoder with a source naming the server and resource, the loader's
// defaults, the degradations as Degraded and Warnings. Objects that do not
// decode are returned as errors next to the inventory of the others. It
// also returns the informer objects read, by resource and informer key,
// and whether two objects had the same key (one is left out, an error).
func buildInventory(host string, ws []*watched, degraded []governance.Degradation, cache *decodedCache) (
	_ *governance.Inventory, _ governance.ErrorList, items map[itemKey]*unstructured.Unstructured, dups bool, _ error) {
	var (
		objs     []*governance.Object
		errs     governance.ErrorList
		warnings []string
	)
	items = make(map[itemKey]*unstructured.Unstructured, len(cache.entries))
	seen := make(map[*unstructured.Unstructured]bool, len(cache.entries))
	degraded = append([]governance.Degradation(nil), degraded...)
	for _, w := range ws {
		if reason := w.lost.Load(); reason != nil {
			degraded = append(degraded, governance.Degradation{Resource: w.name(), Reason: *reason})
			continue
		}
		for _, item := range w.informer.GetStore().List() {
			u := item.(*unstructured.Unstructured)
			seen[u] = true
			items[itemKey{resource: w.name(), key: storeKey(u)}] = u
			e := cache.decode(host, w, u)
			objs, errs, warnings = append(objs, e.objs...), append(errs, e.errs...), append(warnings, e.warnings...)
		}
	}
	for u := range cache.entries {
		if !seen[u] {
			delete(cache.entries, u)
		}
	}
	inv, err := governance.NewInventory(objs)
	var dupErrs governance.ErrorList
	if errors.As(err, &dupErrs) {
		errs = append(errs, dupErrs...)
	} else if err != nil {
		return nil, nil, nil, false, err
	}
	inv.Warnings = append(inv.Warnings, warnings...)
	sortDegraded(degraded)
	inv.Degraded = append(inv.Degraded, degraded...)
	inv.Warnings = append(inv.Warnings, degradedWarnings(degraded)...)
	return inv, errs, items, len(dupErrs) > 0, nil
}
