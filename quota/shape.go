package quota

import (
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// maxShapes bounds a Ledger's shape cache: past it, new shapes are
// computed every time instead of remembered, so a caller admitting
// endless distinct pods cannot grow the Ledger without limit.
const maxShapes = 4096

// maxShapeKeys bounds the keys of one resource list a shape key sorts
// on the stack; pods with longer lists are simply not cached.
const maxShapeKeys = 16

// shape is what Admit derives from a charged pod's resources alone, for
// every pod with the same resources (the pods of one template, the same
// pod admitted again).
type shape struct {
	// pristine are the lists as computed; they are never handed out.
	pristine lists
	// shared are the lists Results carry, shared by every Result of this
	// shape; a copy replaces them when a caller modified them.
	shared atomic.Pointer[lists]
	// valid is podResourcesValid.
	valid bool
	// usageStr and usageCmp are the usage's values in String() form (for
	// "exceeded quota" messages) and in cmpForm (for the comparison with a
	// quota's remaining amount).
	usageStr map[corev1.ResourceName]string
	usageCmp corev1.ResourceList
}

// lists are a pod's effective resources and its quota usage.
type lists struct {
	eff   Effective
	usage corev1.ResourceList
}

// shapeCache remembers shapes by shapeKey. It is the only state a Ledger
// changes after NewLedger, hence the lock.
type shapeCache struct {
	mu     sync.RWMutex
	shapes map[string]*shape
}

func newShapeCache() *shapeCache { return &shapeCache{shapes: map[string]*shape{}} }

func (c *shapeCache) get(key []byte) *shape {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.shapes[string(key)]
}

func (c *shapeCache) put(key []byte, s *shape) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.shapes) < maxShapes {
		c.shapes[string(key)] = s
	}
}

// podShape is the shape of p (after admission's mutations), from the
// cache when a pod with the same resources was seen, else computed (and
// remembered when p's shape has a key). The caller must not modify it.
func (l *Ledger) podShape(p *corev1.Pod) *shape {
	var buf [512]byte
	key, ok := shapeKey(buf[:0], p)
	if ok {
		if s := l.shapes.get(key); s != nil {
			return s
		}
	}
	s := l.computeShape(p)
	if ok {
		l.shapes.put(key, s)
	}
	return s
}

// computeShape is the uncached shape of a charged pod.
func (l *Ledger) computeShape(p *corev1.Pod) *shape {
	eff := effectiveResources(p)
	s := &shape{pristine: lists{eff: eff, usage: usageFrom(eff, l.classifyName)}, valid: l.podResourcesValid(p)}
	usage := s.pristine.usage
	s.usageStr = make(map[corev1.ResourceName]string, len(usage))
	s.usageCmp = make(corev1.ResourceList, len(usage))
	for k, v := range usage {
		s.usageStr[k] = v.String()
		s.usageCmp[k] = cmpForm(v)
	}
	s.shared.Store(s.pristine.deepCopy())
	return s
}

// lists are the shape's lists for a Result: the shared ones, unless a
// caller modified them (against the contract of Result), in which case a
// fresh copy of the pristine ones replaces them. Checking costs a few
// map reads; copying on every call would cost an allocation per list,
// which on a large Ledger is mostly garbage-collector time.
func (s *shape) lists() *lists {
	if cur := s.shared.Load(); cur.equal(&s.pristine) {
		return cur
	}
	fresh := s.pristine.deepCopy()
	s.shared.Store(fresh)
	return fresh
}

// charge is the shape's usage with its precomputed forms.
func (s *shape) charge(usage corev1.ResourceList) charge {
	return charge{usage: usage, str: s.usageStr, cmp: s.usageCmp}
}

func (a *lists) deepCopy() *lists {
	return &lists{eff: Effective{Requests: a.eff.Requests.DeepCopy(), Limits: a.eff.Limits.DeepCopy()}, usage: a.usage.DeepCopy()}
}

// equal says whether a and b hold the same keys with the same values and
// formats (so the same String() forms).
func (a *lists) equal(b *lists) bool {
	return identicalList(a.eff.Requests, b.eff.Requests) && identicalList(a.eff.Limits, b.eff.Limits) &&
		identicalList(a.usage, b.usage)
}

func identicalList(a, b corev1.ResourceList) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || v.Format != w.Format || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

// shapeKey appends to buf an exact key of everything the shape reads:
// the resources and restart policy of every init container and the
// resources of every container, in order (a sum takes its format from
// its first term), the pod-level resources (with the pod's OS, which
// their validation reads) and the overhead. Quantities
// are keyed by format and exact value (see appendQuantity); equal keys
// may differ in how a Quantity holds the value, never in the value, its
// format or its String(). ok is false for pods whose status carries resources
// (resized pods: their effective resources read it, by container name;
// statuses without resources read as the spec) and for very long lists.
func shapeKey(buf []byte, p *corev1.Pod) ([]byte, bool) {
	if statusHasResources(&p.Status) {
		return buf, false
	}
	ok := true
	for i := range p.Spec.InitContainers {
		c := &p.Spec.InitContainers[i]
		policy := ""
		if c.RestartPolicy != nil {
			policy = string(*c.RestartPolicy)
		}
		buf = appendString(append(buf, 'i'), policy)
		buf, ok = appendRequirements(buf, &c.Resources, ok)
	}
	for i := range p.Spec.Containers {
		buf, ok = appendRequirements(append(buf, 'c'), &p.Spec.Containers[i].Resources, ok)
	}
	if r := p.Spec.Resources; r != nil {
		buf, ok = appendRequirements(append(buf, 'p'), r, ok)
		if p.Spec.OS != nil {
			// Pod-level resources are refused on Windows pods.
			buf = appendString(append(buf, 'w'), string(p.Spec.OS.Name))
		}
	}
	buf, ok = appendList(append(buf, 'o'), p.Spec.Overhead, ok)
	return buf, ok
}

// statusHasResources says whether PodRequests/PodLimits (status-aware,
// as quota calls them) could read anything of the status instead of the
// spec: container resources allocated or actuated, pod-level ones, a
// pending resize, DRA node-allocatable claims.
func statusHasResources(st *corev1.PodStatus) bool {
	if st.Resources != nil || st.AllocatedResources != nil || len(st.NodeAllocatableResourceClaimStatuses) > 0 {
		return true
	}
	for _, list := range [][]corev1.ContainerStatus{st.ContainerStatuses, st.InitContainerStatuses} {
		for i := range list {
			if list[i].Resources != nil || list[i].AllocatedResources != nil {
				return true
			}
		}
	}
	for i := range st.Conditions {
		if st.Conditions[i].Type == corev1.PodResizePending {
			return true
		}
	}
	return false
}

func appendRequirements(buf []byte, r *corev1.ResourceRequirements, ok bool) ([]byte, bool) {
	buf, ok = appendList(append(buf, 'r'), r.Requests, ok)
	return appendList(append(buf, 'l'), r.Limits, ok)
}

// appendList appends the list's entries sorted by name, each as its
// length-prefixed name and appendQuantity, so that no two lists share a
// key.
func appendList(buf []byte, l corev1.ResourceList, ok bool) ([]byte, bool) {
	if len(l) > maxShapeKeys {
		return buf, false
	}
	var arr [maxShapeKeys]corev1.ResourceName
	names := arr[:0]
	for k := range l {
		names = append(names, k)
	}
	slices.Sort(names)
	buf = binary.AppendUvarint(buf, uint64(len(names)))
	for _, k := range names {
		buf = appendQuantity(appendString(buf, string(k)), l[k])
	}
	return buf, ok
}

// appendQuantity keys a quantity by its format and exact value: the
// integer when it is one in int64 form (no allocation), else String()
// (canonical form loses no precision).
func appendQuantity(buf []byte, v resource.Quantity) []byte {
	buf = appendString(buf, string(v.Format))
	if n, ok := v.AsInt64(); ok {
		return binary.AppendVarint(append(buf, 'i'), n)
	}
	return appendString(append(buf, 's'), v.String())
}

func appendString(buf []byte, s string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(s))), s...)
}
