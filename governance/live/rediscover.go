package live

import (
	"context"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/tools/cache"

	"github.com/aigov/aigov/governance"
)

// What the server watches follows the cluster after the start. Two things
// change it without a restart:
//
//   - a resource that could not be kept (the service account may not list
//     or watch it, or its group's discovery failed) is tried again with
//     exponential backoff (ReprobeMin doubling up to ReprobeMax); once
//     readable, its informer starts, and when that has synced the
//     resource joins the inventory and its degradation clears;
//   - every Rediscover, discovery is asked which of the wanted resources
//     the server serves now; one it did not serve before (an operator's
//     CRD installed later) is probed and watched alike, or becomes a
//     degradation when it cannot be read;
//   - a watched resource discovery no longer lists (its CRD deleted) is
//     no longer watched: its informer stops and its objects leave the
//     inventory, as a one-shot read skips what discovery does not list
//     (neither a degradation nor objects). A resource whose group's
//     discovery failed is kept: that says nothing about whether it is
//     served.
//
// Discovery (not a CustomResourceDefinition informer) finds the new
// kinds: it needs no permission beyond what every authenticated user has,
// and it sees aggregated APIs too. Either change is a change of the
// inventory: it triggers an evaluation like a watch event.

// informerSyncTimeout bounds the first sync of an informer started after
// the start; one that does not sync in time (its permission went again)
// is stopped and tried again with backoff.
const informerSyncTimeout = time.Minute

// backoff is when a degraded resource is tried next.
type backoff struct {
	delay time.Duration
	next  time.Time
}

// rediscover re-probes and re-discovers until ctx ends.
func (s *Server) rediscover(ctx context.Context) {
	dc, err := discovery.NewDiscoveryClientForConfig(s.discoveryConfig())
	if err != nil {
		s.log.Error("no discovery client; resources are not re-probed", "err", err)
		return
	}
	nextDiscovery := time.Now().Add(s.opts.Rediscover)
	for {
		wake := nextDiscovery
		if s.opts.Rediscover < 0 {
			wake = time.Now().Add(s.opts.ReprobeMax)
		}
		s.resMu.Lock()
		for _, b := range s.retry {
			if b.next.Before(wake) {
				wake = b.next
			}
		}
		s.resMu.Unlock()
		t := time.NewTimer(time.Until(wake))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		now := time.Now()
		full := s.opts.Rediscover > 0 && !now.Before(nextDiscovery)
		if full {
			nextDiscovery = now.Add(s.opts.Rediscover)
		}
		s.reconcile(ctx, dc, now, full)
	}
}

// reconcile asks discovery what the server serves, probes the degraded
// resources that are due (and with full, the wanted ones it serves now but
// the server neither watches nor lists as degraded), starts informers for
// the readable ones and updates the degradations.
func (s *Server) reconcile(ctx context.Context, dc discovery.DiscoveryInterface, now time.Time, full bool) {
	served, failed, err := servedResources(ctx, dc, s.host, s.wanted)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("discovery failed; trying again later", "err", err)
			s.postpone(now, nil)
		}
		return
	}
	// next are the degradations after this round.
	next := map[string]string{}
	s.resMu.Lock()
	gone := s.unwatchUnserved(served, failed)
	known := map[string]bool{}
	for _, w := range s.watched {
		known[w.name()] = true
	}
	previous := map[string]string{}
	for _, d := range s.degraded {
		previous[d.Resource] = d.Reason
	}
	for name := range s.starting {
		known[name] = true
		if reason, ok := previous[name]; ok {
			next[name] = reason // degraded until its informer has synced
		}
	}
	due := func(name string) bool {
		b, ok := s.retry[name]
		return ok && !b.next.After(now)
	}
	var toProbe []resource
	for _, r := range served {
		if known[r.name()] {
			continue
		}
		reason, degraded := previous[r.name()]
		switch {
		case degraded && due(r.name()), !degraded && (full || gone[r.name()]):
			// gone: the resource is served in another version than the
			// one no longer served.
			toProbe = append(toProbe, r)
		case degraded:
			next[r.name()] = reason // not due yet
		}
	}
	s.resMu.Unlock()

	// A resource whose discovery fails stays degraded with the new
	// reason; it counts as re-probed when it was due.
	var tried []string
	for _, d := range failed {
		if known[d.Resource] {
			continue
		}
		next[d.Resource] = d.Reason
		s.resMu.Lock()
		isDue := due(d.Resource)
		s.resMu.Unlock()
		if isDue {
			s.metrics.reprobed("degraded")
			tried = append(tried, d.Resource)
		}
	}
	var readable []resource
	for _, r := range toProbe {
		reason, err := probe(ctx, s.dynamic, s.host, r)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			// Not an answer about permissions (a timeout, a 5xx): the
			// resource keeps its previous state and is tried again.
			s.metrics.reprobed("error")
			s.log.Warn("probing a resource failed; trying again later", "resource", r.name(), "err", err)
			if old, ok := previous[r.name()]; ok {
				next[r.name()] = old
				tried = append(tried, r.name())
			}
		case reason != "":
			s.metrics.reprobed("degraded")
			if _, ok := previous[r.name()]; !ok {
				s.log.Warn("cannot keep a resource; the inventory has none of its objects", "resource", r.name(), "reason", reason)
			}
			next[r.name()] = reason
			tried = append(tried, r.name())
		default:
			s.metrics.reprobed("readable")
			readable = append(readable, r)
			if old, ok := previous[r.name()]; ok {
				// Degraded until its informer has synced.
				next[r.name()] = old
				tried = append(tried, r.name())
			}
		}
	}
	s.postpone(now, tried)

	// Degradations of resources the server no longer serves at all go,
	// as a one-shot read skips what discovery does not list; those whose
	// informer synced meanwhile go too.
	s.resMu.Lock()
	for _, w := range s.watched {
		delete(next, w.name())
	}
	var degraded []governance.Degradation
	for name, reason := range next {
		degraded = append(degraded, governance.Degradation{Resource: name, Reason: reason})
	}
	sortDegraded(degraded)
	changed := !slices.Equal(degraded, s.degraded)
	s.degraded = degraded
	for name := range s.retry {
		if _, ok := next[name]; !ok {
			delete(s.retry, name)
		}
	}
	for name := range next {
		if s.retry[name] == nil {
			s.retry[name] = &backoff{delay: s.opts.ReprobeMin, next: now.Add(s.opts.ReprobeMin)}
		}
	}
	s.resMu.Unlock()
	for _, r := range readable {
		s.startLate(ctx, r)
	}
	if changed {
		s.changes.add(change{}, now)
	}
	for name := range gone {
		s.log.Info("resource no longer served; not watching it", "resource", name)
		s.changes.add(change{gvr: name}, now)
	}
}

// unwatchUnserved stops the informers of the watched resources that
// discovery no longer lists (neither served nor in a group whose
// discovery failed) and drops them from s.watched, so that the next
// evaluation has none of their objects. It returns their names. The
// caller holds resMu.
func (s *Server) unwatchUnserved(served []resource, failed []governance.Degradation) map[string]bool {
	listed := map[schema.GroupVersionResource]bool{}
	for _, r := range served {
		listed[r.gvr] = true
	}
	undiscovered := map[string]bool{}
	for _, d := range failed {
		undiscovered[d.Resource] = true
	}
	gone := map[string]bool{}
	s.watched = slices.DeleteFunc(s.watched, func(w *watched) bool {
		if listed[w.gvr] || undiscovered[w.name()] {
			return false
		}
		if w.stop != nil {
			w.stop()
		}
		gone[w.name()] = true
		return true
	})
	return gone
}

// postpone doubles the backoff of the named resources (nil: of every
// degraded resource that is due) and schedules them.
func (s *Server) postpone(now time.Time, names []string) {
	s.resMu.Lock()
	defer s.resMu.Unlock()
	if names == nil {
		for name, b := range s.retry {
			if !b.next.After(now) {
				names = append(names, name)
			}
		}
	}
	for _, name := range names {
		b := s.retry[name]
		if b == nil {
			continue
		}
		b.delay = min(max(2*b.delay, s.opts.ReprobeMin), s.opts.ReprobeMax)
		b.next = now.Add(b.delay)
	}
}

// startLate starts the informer of a resource found readable after the
// start. Once it has synced, the resource joins the inventory (its
// degradation, if any, clears) and an evaluation follows; one that does
// not sync within informerSyncTimeout is stopped and tried again.
func (s *Server) startLate(ctx context.Context, r resource) {
	w := &watched{resource: r}
	if err := newInformer(s.dynamic, w, s.notify, s.forbidden); err != nil {
		s.log.Error("cannot start an informer", "resource", r.name(), "err", err)
		return
	}
	s.resMu.Lock()
	s.starting[r.name()] = true
	s.resMu.Unlock()
	ictx, stop := context.WithCancel(ctx)
	w.stop = stop
	go w.informer.RunWithContext(ictx)
	go func() {
		sctx, cancel := context.WithTimeout(ictx, informerSyncTimeout)
		defer cancel()
		synced := cache.WaitForCacheSync(sctx.Done(), w.informer.HasSynced)
		s.resMu.Lock()
		delete(s.starting, r.name())
		if synced {
			s.watched = append(s.watched, w)
			s.degraded = slices.DeleteFunc(s.degraded, func(d governance.Degradation) bool { return d.Resource == r.name() })
			delete(s.retry, r.name())
		} else if b := s.retry[r.name()]; b != nil {
			b.delay = min(max(2*b.delay, s.opts.ReprobeMin), s.opts.ReprobeMax)
			b.next = time.Now().Add(b.delay)
		}
		s.resMu.Unlock()
		if !synced {
			stop()
			if ctx.Err() == nil {
				s.log.Warn("an informer started after the start did not sync; trying again later", "resource", r.name())
			}
			return
		}
		s.log.Info("watching a resource", "resource", r.name())
		s.changes.add(change{gvr: r.name()}, time.Now())
	}()
}

func sortDegraded(ds []governance.Degradation) {
	slices.SortFunc(ds, func(a, b governance.Degradation) int { return strings.Compare(a.Resource, b.Resource) })
}
