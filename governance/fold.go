package governance

import (
	"slices"
	"strconv"
	"strings"
)

// Folding: one cause, one finding. An object check runs on every object
// it applies to, so a Deployment, its ReplicaSet and each of its Pods read
// from a cluster would report the same cause once each. Objects whose pods
// are another inventory object's (ownerInInventory: a ReplicaSet or Pod of
// a Deployment, a Job or Pod of a CronJob, the Pods and children of an AI
// operator's custom resource) fold into their owner's finding:
//
//   - a child's finding folds into the finding of the topmost owner (its
//     workload) of the same rule on the same field relative to the pod
//     template ("spec.containers[0].image" of a Pod is
//     "spec.template.spec.containers[0].image" of its Deployment) with the
//     same message once the object's own "Kind "name"" and template path
//     are set aside; the owner's finding counts the child in Affected when
//     the child is a Pod, and names one folded object in Example;
//   - a container the operator injects into the pods of a template
//     (KubeRay's wait-gcs-ready) is in the template (PodTemplate.InjectedAt),
//     so the owner's finding on it is found by the rule above; the
//     owner's finding on a field the injected container copies from a
//     written one folds into the written one's finding of the same rule
//     at the same field (one cause), and a finding kept on an injected
//     container, or naming one, says that the operator injects it;
//   - a child's finding that no owner has (drift: the child's spec differs
//     from the owner's template, a sidecar was injected) is kept, but the
//     children of one workload with the same such finding fold into one
//     of them, the object nearest the workload, then first by name;
//   - a child's finding that its own exemption annotation or the rule's
//     scope drops is dropped before it folds (it is not counted); an
//     owner's finding folds its children before exemptions and scope are
//     applied to it, so exempting the workload exempts its pods.

// maxOwnerDepth bounds the owner chains walked: the deepest real chain is
// a Pod of a StatefulSet of a LeaderWorkerSet of a custom resource, and an
// owner reference cycle must not loop.
const maxOwnerDepth = 8

// folder folds the findings of one object check (see above).
type folder struct {
	inv      *Inventory
	findings []Finding
	// chains caches each object's owners, nearest first.
	chains map[*Object][]*Object
	// byObject indexes the findings by object.
	byObject map[*Object][]int
	// ownerPods caches the workloads of each owner, to place a child in
	// one of several pod templates.
	ownerPods map[*Object][]Workload
}

// foldOwned folds the findings fs of one object check, fs[i] about
// objs[i], and returns those that remain. keep reports whether the rule
// keeps a finding (its object's exemptions and the rule's scope).
func foldOwned(inv *Inventory, fs []Finding, objs []*Object, keep func(Finding) bool) []Finding {
	fd := &folder{inv: inv, findings: fs, chains: map[*Object][]*Object{}, byObject: map[*Object][]int{}}
	for i, o := range objs {
		fd.byObject[o] = append(fd.byObject[o], i)
	}
	target := make([]int, len(fs)) // the finding fs[i] folds into, -1 for none
	dropped := make([]bool, len(fs))
	type group struct {
		root     *Object
		template string
		key      string
	}
	groups := map[group][]int{}
	var groupOrder []group
	for i, o := range objs {
		target[i] = -1
		// A finding on an injected container's copy of a written field
		// is the written field's finding.
		if j := fd.copyOf(o, fs[i]); j >= 0 {
			target[i] = j
			continue
		}
		chain := fd.chain(o)
		if len(chain) == 0 {
			continue
		}
		if !keep(fs[i]) {
			dropped[i] = true
			continue
		}
		for j := len(chain) - 1; j >= 0 && target[i] < 0; j-- {
			target[i] = fd.match(chain[j], o, fs[i])
		}
		if target[i] >= 0 {
			continue
		}
		root := chain[len(chain)-1]
		t, ok := fd.ownerTemplate(root, o)
		if !ok {
			t = PodTemplate{Path: "\x00" + o.Kind()} // placed nowhere: group with its own kind only
		}
		g := group{root: root, template: t.Path, key: foldKey(o, fs[i])}
		if _, seen := groups[g]; !seen {
			groupOrder = append(groupOrder, g)
		}
		groups[g] = append(groups[g], i)
	}
	// Drifted children of one workload with the same finding fold into
	// the one nearest the workload, then first by name.
	for _, g := range groupOrder {
		members := groups[g]
		first := members[0]
		for _, i := range members[1:] {
			if fd.before(objs[i], objs[first]) {
				first = i
			}
		}
		for _, i := range members {
			if i != first {
				target[i] = first
			}
		}
	}
	// Fold each finding into the end of its chain of targets (a Pod into
	// its ReplicaSet into its Deployment), children before the findings
	// they fold into are read.
	final := func(i int) int {
		for n := 0; target[i] >= 0 && n <= len(fs); n++ {
			i = target[i]
		}
		return i
	}
	out := fs[:0:0]
	// A pod counts once in a finding, though several of its findings
	// fold into it (an injected container's and the written one it
	// copies).
	type podIn struct {
		into int
		pod  *Object
	}
	counted := map[podIn]bool{}
	for i := range fs {
		if dropped[i] || target[i] < 0 {
			continue
		}
		f := final(i)
		into := &fs[f]
		if objs[i] == objs[f] {
			continue // a copy in the object itself (copyOf)
		}
		if objs[i].isPod() {
			if counted[podIn{f, objs[i]}] {
				continue
			}
			counted[podIn{f, objs[i]}] = true
			into.Affected++
			into.Example = earlierExample(into.Example, fs[i].Object)
		} else if into.Example == (ObjectRef{}) {
			into.Example = fs[i].Object
		}
	}
	for i := range fs {
		if !dropped[i] && target[i] < 0 {
			f := fs[i]
			f.Message = noteInjected(objs[i], f)
			out = append(out, f)
		}
	}
	return out
}

// earlierExample returns the example a finding names: a Pod over any
// other kind, then the first by name.
func earlierExample(have, pod ObjectRef) ObjectRef {
	if have == (ObjectRef{}) || have.Kind != "Pod" || pod.Name < have.Name {
		return pod
	}
	return have
}

func (o *Object) isPod() bool { return o.GVK.Group == "" && o.GVK.Kind == "Pod" }

// before orders the children of one workload: nearer the workload first,
// then by name.
func (fd *folder) before(a, b *Object) bool {
	da, db := len(fd.chain(a)), len(fd.chain(b))
	if da != db {
		return da < db
	}
	return a.Name() < b.Name()
}

// chain returns o's owners in the inventory, nearest first.
func (fd *folder) chain(o *Object) []*Object {
	if c, ok := fd.chains[o]; ok {
		return c
	}
	var c []*Object
	for p := fd.inv.ownerInInventory(o); p != nil && len(c) < maxOwnerDepth && p != o; p = fd.inv.ownerInInventory(p) {
		c = append(c, p)
	}
	fd.chains[o] = c
	return c
}

// match returns the index of owner's finding that child's finding f is
// the same as, or -1.
func (fd *folder) match(owner, child *Object, f Finding) int {
	idx := fd.byObject[owner]
	if len(idx) == 0 {
		return -1
	}
	t, ok := fd.ownerTemplate(owner, child)
	if !ok {
		return -1
	}
	want := foldKey(child, f)
	for _, j := range idx {
		if foldKeyIn(owner, t, fd.findings[j]) == want {
			return j
		}
	}
	return -1
}

// copyOf returns the index of the finding of the same object that o's
// finding f on a container the operator injects is a copy of: f is on a
// field the injected container copies from a written one (KubeRay's
// wait-gcs-ready copies the Ray container's securityContext), and the
// object has a finding on that field of the written container. -1 when
// there is none.
func (fd *folder) copyOf(o *Object, f Finding) int {
	if len(o.templates) == 0 {
		return -1 // only an operator's resource has injected containers
	}
	t, ok := templateAt(o, f.Path)
	if !ok {
		return -1
	}
	in, ok := t.InjectedAt(f.Path)
	if !ok || in.From == "" {
		return -1
	}
	rest := f.Path[len(in.Path):]
	field, _, _ := strings.Cut(strings.TrimPrefix(rest, "."), ".")
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	if field == "" || !slices.Contains(in.Copies, field) {
		return -1
	}
	for _, j := range fd.byObject[o] {
		if fd.findings[j].Path == in.From+rest {
			return j
		}
	}
	return -1
}

// NoteInjected returns message with, when the finding of o at field path
// is on a container an operator injects into a template's pods or the
// message names one (Pod Security lists the containers that fail), a
// note that the operator injects it: it is in no list of the file. The
// engine notes the findings of object checks; a check over the
// inventory notes its own.
func NoteInjected(o *Object, path, message string) string {
	return noteInjected(o, Finding{Path: path, Message: message})
}

// noteInjected is NoteInjected of f.
func noteInjected(o *Object, f Finding) string {
	if len(o.templates) == 0 {
		return f.Message
	}
	t, ok := templateAt(o, f.Path)
	if !ok || len(t.injected) == 0 {
		return f.Message
	}
	var names []string
	if in, ok := t.InjectedAt(f.Path); ok {
		names = append(names, in.Name)
	}
	for _, in := range t.injected {
		if !slices.Contains(names, in.Name) && strings.Contains(f.Message, strconv.Quote(in.Name)) {
			names = append(names, in.Name)
		}
	}
	if len(names) == 0 {
		return f.Message
	}
	slices.Sort(names)
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	where := "the pods of this template"
	if t.Role != "" {
		where = "the pods of " + t.Role
	}
	return f.Message + " (the operator injects " + strings.Join(q, ", ") + " into " + where + ")"
}

// templateAt returns the template of o that field path p is under, the
// innermost; ok is false when p is under none.
func templateAt(o *Object, p string) (PodTemplate, bool) {
	ts := PodTemplatesOf(o)
	t := PodTemplate{}
	for _, c := range ts {
		if underPath(p, c.Path) && len(c.Path) > len(t.Path) {
			t = c
		}
	}
	return t, t.Path != ""
}

// ownerTemplate returns the pod template of owner that child's pods come
// from: the only one, the one of the child's role, or the one whose
// workload's pods (as the operator creates them) share the most labels
// with the child's pods and contradict none (a Ray worker pod carries
// ray.io/node-type=worker and its group's name).
func (fd *folder) ownerTemplate(owner, child *Object) (PodTemplate, bool) {
	ts := PodTemplatesOf(owner)
	switch len(ts) {
	case 0:
		return PodTemplate{}, false
	case 1:
		return ts[0], true
	}
	cts := PodTemplatesOf(child)
	if len(cts) != 1 {
		return PodTemplate{}, false
	}
	if cts[0].Role != "" {
		for _, t := range ts {
			if t.Role == cts[0].Role {
				return t, true
			}
		}
	}
	fd.loadOwnerPods()
	have := cts[0].Meta.GetLabels()
	best, bestLabels, bestContainers := "", -1, -1
	for _, w := range fd.ownerPods[owner] {
		if w.Pod == nil {
			continue
		}
		n, agree := 0, true
		for k, v := range w.Pod.Labels {
			got, ok := have[k]
			if ok && got != v && !perPodLabels[k] {
				agree = false
				break
			}
			if ok && got == v {
				n++
			}
		}
		// Between templates as like the child by labels, the one whose
		// containers the child runs (a LeaderWorkerSet's worker
		// StatefulSet carries the labels of its group, not of its role).
		c := sameContainers(cts[0].Spec, &w.Pod.Spec)
		switch {
		case !agree || n == 0:
		case n > bestLabels || n == bestLabels && c > bestContainers:
			best, bestLabels, bestContainers = w.SpecPath, n, c
		case n == bestLabels && c == bestContainers && w.SpecPath != best:
			best = "" // as like one template as another: placed nowhere
		}
	}
	for _, t := range ts {
		if best != "" && t.Path == best {
			return t, true
		}
	}
	return PodTemplate{}, false
}

// loadOwnerPods indexes the inventory's workloads by object, once.
func (fd *folder) loadOwnerPods() {
	if fd.ownerPods != nil {
		return
	}
	fd.ownerPods = map[*Object][]Workload{}
	for _, w := range fd.inv.Workloads() {
		fd.ownerPods[w.Object] = append(fd.ownerPods[w.Object], w)
	}
}

// perPodLabels are the operators' labels whose value differs between the
// pods of one template (an index the controller counts up, a hash of the
// pod's group): the pod an operator's resource derives holds the first
// pod's, so another value only fails to confirm the template, it does
// not contradict it.
var perPodLabels = map[string]bool{
	"training.kubeflow.org/replica-index":      true,
	"leaderworkerset.sigs.k8s.io/worker-index": true,
	"leaderworkerset.sigs.k8s.io/group-index":  true,
	"leaderworkerset.sigs.k8s.io/group-key":    true,
	"jobset.sigs.k8s.io/job-index":             true,
	"jobset.sigs.k8s.io/job-global-index":      true,
	"jobset.sigs.k8s.io/job-group-index":       true,
	"jobset.sigs.k8s.io/job-key":               true,
	"batch.kubernetes.io/job-completion-index": true,
	"batch.kubernetes.io/job-name":             true,
	"job-name":                                 true,
	"apps.kubernetes.io/pod-index":             true,
	"statefulset.kubernetes.io/pod-name":       true,
}

// sameContainers counts the containers of a that b runs under the same
// name and image.
func sameContainers(a, b *PodSpec) int {
	if a == nil || b == nil {
		return 0
	}
	n := 0
	for _, c := range a.Containers {
		for _, d := range b.Containers {
			if c.Name == d.Name && c.Image == d.Image {
				n++
				break
			}
		}
	}
	return n
}

// foldKey is foldKeyIn of the child's own template.
func foldKey(o *Object, f Finding) string {
	t, ok := templateAt(o, f.Path)
	if ts := PodTemplatesOf(o); !ok && len(ts) == 1 {
		t = ts[0]
	}
	return foldKeyIn(o, t, f)
}

// foldKeyIn is what makes a finding of object o the same as another
// object's: its field relative to the pod template t (the spec, or the
// template's metadata) or, outside the template, the field itself; and its
// message with the object's own "Kind "name"" and "Kind/name" and the
// template's path set aside.
func foldKeyIn(o *Object, t PodTemplate, f Finding) string {
	var rel string
	meta := strings.TrimSuffix(t.Path, "spec") + "metadata"
	inSpec, written := t.specField(f.Path)
	switch {
	case written:
		// A container written outside the template's lists (a KServe
		// model) is where its pods run it.
		rel = "S" + inSpec
	case t.Path != "" && underPath(f.Path, t.Path):
		rel = "S" + f.Path[len(t.Path):]
	case t.Path != "" && underPath(f.Path, meta):
		rel = "M" + f.Path[len(meta):]
	default:
		rel = "O" + f.Path
	}
	msg := f.Message
	kind, name := o.Kind(), o.Name()
	msg = strings.ReplaceAll(msg, kind+" "+strconv.Quote(name), "\x00self")
	msg = strings.ReplaceAll(msg, kind+"/"+name, "\x00self")
	if t.Path != "" {
		msg = strings.ReplaceAll(msg, t.Path+".", "\x00template.")
	}
	return rel + "\x00" + msg
}

// specField maps a field of a container written outside t's lists (see
// PodTemplate.FieldPath) to its place relative to t's spec
// (".containers[0].image" for "spec.predictor.model.image").
func (t PodTemplate) specField(p string) (string, bool) {
	for rel, at := range t.containerPaths {
		if underPath(p, at) {
			return "." + rel + p[len(at):], true
		}
	}
	return "", false
}

// underPath reports whether field path p is prefix or a field or item
// under it.
func underPath(p, prefix string) bool {
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	rest := p[len(prefix):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}
