package governance

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance/internal/manifest"
	"github.com/aigov/aigov/governance/internal/operator"
)

// Source is where an object was read: a file (or "-" for standard input, or
// a cluster URL), the 1-based index of the YAML document in it, the line the
// document starts on, and for items of a List the item's index.
type Source struct {
	File     string `json:"file,omitempty"`
	Document int    `json:"document,omitempty"`
	Line     int    `json:"line,omitempty"`
	// Item is the index inside a List document, or -1 when the object is the
	// document itself.
	Item int `json:"item,omitempty"`
}

// String renders the source as "file:line (document N[, item M])", the form
// every error and text report uses.
func (s Source) String() string {
	if s.File == "" {
		return "<unknown>"
	}
	out := s.File
	if s.Line > 0 {
		out = fmt.Sprintf("%s:%d", out, s.Line)
	}
	if s.Document > 0 {
		out = fmt.Sprintf("%s (document %d", out, s.Document)
		if s.Item >= 0 {
			out = fmt.Sprintf("%s, item %d", out, s.Item)
		}
		out += ")"
	}
	return out
}

// Object is one loaded Kubernetes object: the typed struct from k8s.io/api (or
// the network-policy-api and apiserver config types), or an
// *unstructured.Unstructured for kinds outside the scheme, plus where it came
// from and what the loader noticed about it.
type Object struct {
	// Obj is the decoded object with defaults applied (see ApplyDefaults).
	Obj runtime.Object
	// GVK is the apiVersion and kind the document declared.
	GVK    schema.GroupVersionKind
	Source Source
	// UnknownFields lists the JSON paths of fields the type does not know
	// (misspellings, fields of a newer API version), in document order.
	UnknownFields []string
	// InvalidBase64Keys lists the keys of a Secret's data whose value was not
	// valid base64; their raw text is kept in Data.
	InvalidBase64Keys []string
	// Typed is false for kinds the scheme does not know (CRDs); Obj is then
	// an *unstructured.Unstructured.
	Typed bool

	// templates are the decoded pod templates of a custom resource of an
	// AI operator (PodTemplatesOf); templatesDecoded is set once tried.
	templates        []operator.Template
	templatesDecoded bool

	// doc is the document the object was read from, shared by the objects
	// of one document and holding a slice of the file's bytes (no copy), so
	// that a finding's field can be placed on its line (fieldLine); nil for
	// objects read from a cluster or built by code.
	doc *manifest.Document
}

// Meta returns the object's metadata accessor. Every decoded object has one.
func (o *Object) Meta() metav1.Object {
	m, err := accessor(o.Obj)
	if err != nil {
		return &metav1.ObjectMeta{}
	}
	return m
}

// Kind is the object's kind, e.g. "Deployment".
func (o *Object) Kind() string { return o.GVK.Kind }

// Namespace is the object's namespace ("" for cluster-scoped objects).
func (o *Object) Namespace() string { return o.Meta().GetNamespace() }

// Name is the object's name.
func (o *Object) Name() string { return o.Meta().GetName() }

// Ref returns the reference findings carry. A configuration file's object
// without a name (an EncryptionConfiguration, which has no metadata, or an
// audit Policy without metadata.name) is named after its file: the base
// name without extension ("encryption" for encryption.yaml).
func (o *Object) Ref() ObjectRef {
	return ObjectRef{
		APIVersion: o.GVK.GroupVersion().String(),
		Kind:       o.GVK.Kind,
		Namespace:  o.Namespace(),
		Name:       o.refName(),
		Source:     o.Source,
	}
}

// configGroups are the API groups of the apiserver's configuration files,
// whose objects need no name.
var configGroups = map[string]bool{"apiserver.config.k8s.io": true, "audit.k8s.io": true}

// refName is the name reports give the object: its name, or for a
// configuration file's object without one (see Ref) its file's base name
// without extension ("stdin" for standard input).
func (o *Object) refName() string {
	name := o.Name()
	if name != "" || !configGroups[o.GVK.Group] || o.Source.File == "" {
		return name
	}
	if o.Source.File == "-" {
		return "stdin"
	}
	base := filepath.Base(o.Source.File)
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base
}

// Display renders the reference as every text output names an object:
// "Kind/namespace/name", or "Kind/name" for a cluster-scoped object (see
// DisplayName). JSON keeps "Kind/name" (String) and the namespace apart.
func (r ObjectRef) Display() string { return DisplayName(r.Kind, r.Namespace, r.Name) }

// DisplayName is the one text form of an object: "Kind/namespace/name",
// or "Kind/name" when namespace is empty (cluster-scoped objects, never
// with a leading or doubled slash).
func DisplayName(kind, namespace, name string) string {
	if namespace == "" {
		return kind + "/" + name
	}
	return kind + "/" + namespace + "/" + name
}

// Key identifies an object within an inventory: group, kind, namespace, name.
type Key struct {
	Group, Kind, Namespace, Name string
}

func (k Key) String() string {
	kind := k.Kind
	if k.Group != "" {
		kind += "." + k.Group
	}
	if k.Namespace == "" {
		return kind + "/" + k.Name
	}
	return kind + "/" + k.Namespace + "/" + k.Name
}

// Key returns the object's identity.
func (o *Object) Key() Key {
	return Key{Group: o.GVK.Group, Kind: o.GVK.Kind, Namespace: o.Namespace(), Name: o.Name()}
}

// Inventory is the set of objects a run governs, in a stable order (kind,
// namespace, name), with indexes built once.
type Inventory struct {
	objects []*Object
	byKind  map[schema.GroupKind][]*Object
	byKey   map[Key]*Object
	// keyChanges, when not nil, are the keys whose objects differ from
	// byKey's, a nil object for a key taken out: byKey is then the map of
	// the inventory this one was derived from, shared (WithChange).
	keyChanges map[Key]*Object
	// Warnings are non-fatal notes of the source, e.g. kinds a live cluster
	// did not let the caller list, in the form a person reads.
	Warnings []string
	// Degraded lists, sorted by resource, the kinds a source could not read:
	// the inventory holds none of their objects although the source serves
	// them (a live cluster answered 403, or 404 for a resource its discovery
	// lists). Each also has a line in Warnings.
	Degraded []Degradation

	workloadsOnce sync.Once
	workloads     []Workload
}

// Degradation is a kind a source serves but could not be read.
type Degradation struct {
	// Resource is the resource and group as kubectl spells them: "secrets",
	// "deployments.apps".
	Resource string `json:"resource"`
	// Reason says why, e.g. "forbidden".
	Reason string `json:"reason"`
}

// NewInventory indexes objects. Objects with the same key are an error
// naming both sources.
func NewInventory(objects []*Object) (*Inventory, error) {
	inv := &Inventory{byKind: map[schema.GroupKind][]*Object{}, byKey: make(map[Key]*Object, len(objects))}
	var errs ErrorList
	type keyed struct {
		key Key
		obj *Object
	}
	sorted := make([]keyed, 0, len(objects))
	for _, o := range objects {
		// Objects built by code rather than the Decoder decode their
		// operator pod templates here (unknown fields inside them are the
		// loader's business, not the inventory's).
		if _, err := decodeTemplates(o); err != nil {
			errs = append(errs, &InputError{Source: o.Source, Err: err})
			continue
		}
		k := o.Key()
		if prev, dup := inv.byKey[k]; dup && k.Name != "" {
			errs = append(errs, &InputError{Source: o.Source,
				Err: fmt.Errorf("duplicate object %s: already defined at %s", k, prev.Source)})
			continue
		}
		if k.Name != "" {
			inv.byKey[k] = o
		}
		sorted = append(sorted, keyed{k, o})
	}
	// Keys are computed once: Key reads the metadata through an accessor.
	sort.SliceStable(sorted, func(i, j int) bool { return lessKey(sorted[i].key, sorted[j].key) })
	inv.objects = make([]*Object, len(sorted))
	for i, s := range sorted {
		inv.objects[i] = s.obj
	}
	for _, o := range inv.objects {
		gk := o.GVK.GroupKind()
		inv.byKind[gk] = append(inv.byKind[gk], o)
	}
	if len(errs) > 0 {
		return inv, errs
	}
	return inv, nil
}

func lessKey(a, b Key) bool {
	if a.Group != b.Group {
		return a.Group < b.Group
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	return a.Name < b.Name
}

// Objects returns every object in stable order.
func (inv *Inventory) Objects() []*Object { return inv.objects }

// Len is the number of objects.
func (inv *Inventory) Len() int { return len(inv.objects) }

// OfKind returns the objects of one group and kind, e.g.
// schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "Role"}.
func (inv *Inventory) OfKind(gk schema.GroupKind) []*Object { return inv.byKind[gk] }

// Get returns the object with the given key, or nil.
func (inv *Inventory) Get(k Key) *Object {
	if o, changed := inv.keyChanges[k]; changed {
		return o
	}
	return inv.byKey[k]
}

// TeamLabel is the namespace label whose value names the team that owns
// the namespace: `team: nlp` makes every object of the namespace nlp's.
const TeamLabel = "team"

// TeamOf returns the team of namespace ns: the value of its TeamLabel
// label. It is "" — no team — when the inventory holds no Namespace named
// ns or the Namespace has no such label (or an empty value); a report that
// needs a name for such a namespace uses the namespace's own name.
func (inv *Inventory) TeamOf(ns string) string {
	if o := inv.Get(Key{Kind: "Namespace", Name: ns}); o != nil {
		return o.Meta().GetLabels()[TeamLabel]
	}
	return ""
}

// Typed returns the typed objects of type T in stable order, e.g.
// governance.Typed[*rbacv1.Role](inv).
func Typed[T runtime.Object](inv *Inventory) []T {
	var out []T
	for _, o := range inv.objects {
		if t, ok := o.Obj.(T); ok {
			out = append(out, t)
		}
	}
	return out
}
