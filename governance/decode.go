package governance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	yamlv3 "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"

	"github.com/aigov/aigov/governance/internal/manifest"
)

// Limits that keep hostile input bounded. They are part of the contract: an
// input over a limit is an input error, never a crash or a silent truncation.
const (
	// MaxDocumentBytes is the largest single YAML or JSON document accepted.
	MaxDocumentBytes = manifest.MaxDocumentBytes
	// MaxNestingDepth is the deepest nesting of maps and lists accepted.
	MaxNestingDepth = manifest.MaxNestingDepth
)

// Decoder turns bytes into Objects through a scheme that knows every built-in
// kind. It is safe for concurrent use.
//
// A YAML document is read the way kubectl reads it (go.yaml.in/yaml/v2,
// strict about duplicate keys, converted to JSON); a JSON document as the
// apiserver reads it. Typed kinds are then decoded from JSON strictly, so that
// unknown fields are recorded.
type Decoder struct {
	scheme *runtime.Scheme
	// jsonOnly turns off decoding block YAML trees straight into typed
	// objects (manifest.Writer.DecodeTyped): tests compare both paths.
	jsonOnly bool
}

// NewDecoder returns a decoder over NewScheme.
func NewDecoder() (*Decoder, error) {
	scheme, err := NewScheme()
	if err != nil {
		return nil, fmt.Errorf("building scheme: %w", err)
	}
	return &Decoder{scheme: scheme}, nil
}

// Scheme returns the scheme the decoder decodes with.
func (d *Decoder) Scheme() *runtime.Scheme { return d.scheme }

// DecodeFile decodes every document of one file. It returns the objects it
// could decode and an error for every document it could not; decoding goes
// on after an error so that all of them are reported together.
//
// Unknown fields of API objects and duplicate keys are reported as
// *FieldError input errors (one per field, at its line) next to the objects,
// which do load; a Loader turns them into errors, warnings or nothing by its
// Validation. An object whose name, namespace or labels the kube-apiserver
// would refuse is an input error and does not load.
func (d *Decoder) DecodeFile(name string, data []byte) ([]*Object, ErrorList) {
	if err := manifest.CheckText(data); err != nil {
		return nil, ErrorList{{Source: Source{File: name, Item: -1}, Err: err}}
	}
	// A byte order mark starts the file of some Windows editors: go-yaml
	// skips it, and so does the JSON splitter.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	docs, splitErr := manifest.Split(data)
	objs, errs := d.decodeDocuments(name, docs)
	if splitErr != nil {
		errs = append(errs, &InputError{Source: Source{File: name, Document: len(docs) + 1, Line: splitErr.Line, Item: -1}, Err: splitErr.Err})
	}
	return objs, errs
}

// decodeFileDocument decodes docs[i] of file name: its objects, and its
// errors placed on their lines. w and yp are the caller's scratch space.
func (d *Decoder) decodeFileDocument(w *manifest.Writer, yp *manifest.BlockParser, name string, docs []manifest.Document, i int) ([]*Object, ErrorList) {
	doc := docs[i]
	src := Source{File: name, Document: doc.Index, Line: doc.Line, Item: -1}
	o, err := d.decodeDocument(w, yp, doc, src)
	var root *yamlv3.Node // parsed on the first error placed on a field
	errs := placeDecodeErrors(err, doc, &root)
	objs := o[:0] // filtered in place: the refused objects are dropped
	for _, obj := range o {
		if where, err := validateNames(obj); err != nil {
			// The apiserver refuses the object: it is not loaded, so
			// that its name reaches no report.
			src := obj.Source
			src.Line = manifest.FieldLine(doc, obj.Source.Item, where, &root)
			errs = append(errs, &InputError{Source: src, Err: err})
			continue
		}
		obj.doc = &docs[i] // shared by the document's objects: no allocation
		objs = append(objs, obj)
		if len(obj.UnknownFields) > 0 {
			errs = append(errs, fieldErrors(obj, doc, &root)...)
		}
	}
	return objs, errs
}

// fieldDecodeError is an error decoding the field at path (relative to
// the object): DecodeFile puts it on the field's line.
type fieldDecodeError struct {
	path string
	err  error
}

func (e *fieldDecodeError) Error() string { return e.err.Error() }
func (e *fieldDecodeError) Unwrap() error { return e.err }

// placeDecodeErrors puts the decode errors of doc that name a field
// (fieldDecodeError) on the field's line, and those of a List's item on
// the item's line, rather than on the document's first line; root is the
// document's parsed YAML, made on first use.
func placeDecodeErrors(errs ErrorList, doc manifest.Document, root **yamlv3.Node) ErrorList {
	for _, e := range errs {
		var fe *fieldDecodeError
		hasPath := errors.As(e.Err, &fe)
		if e.Source.Line != doc.Line || !hasPath && e.Source.Item < 0 {
			continue // placed already, or about the whole document
		}
		path := ""
		if hasPath {
			path = fe.path
		}
		e.Source.Line = manifest.FieldLine(doc, e.Source.Item, path, root)
	}
	return errs
}

// DecodeJSON decodes one JSON object (or List) that did not come from a
// file, e.g. one read from a live cluster; src names it in errors.
func (d *Decoder) DecodeJSON(js []byte, src Source) ([]*Object, ErrorList) {
	return d.decodeDocument(&manifest.Writer{}, nil, manifest.Document{Data: js, Line: src.Line, Index: src.Document, JSON: true}, src)
}

// decodeDocument decodes one document; w and yp are scratch space shared by
// the documents of a file (yp is only used for YAML).
func (d *Decoder) decodeDocument(w *manifest.Writer, yp *manifest.BlockParser, doc manifest.Document, src Source) ([]*Object, ErrorList) {
	fail := func(err error) ([]*Object, ErrorList) { return nil, ErrorList{{Source: src, Err: err}} }
	if len(doc.Data) > MaxDocumentBytes {
		return fail(fmt.Errorf("document is %d bytes, over the limit of %d bytes (16 MiB)", len(doc.Data), MaxDocumentBytes))
	}
	if doc.JSON {
		if manifest.JSONDepth(doc.Data) > MaxNestingDepth {
			return fail(manifest.ErrTooDeep)
		}
		if o, ok := d.decodeTypedJSON(doc.Data); ok {
			o.Source = src
			return []*Object{o}, nil
		}
		return d.decodeJSONTree(w, doc.Data, src)
	}
	if manifest.IsBlank(doc.Data) {
		return nil, nil
	}
	tree, block, err := manifest.ParseYAMLBlock(yp, doc.Data)
	var duplicate error
	if err != nil && manifest.IsDuplicateKeyError(err) {
		// Duplicate keys are field errors (see FieldError): the document
		// is read as kubectl's lenient decoding reads it, the last value
		// winning, and the loader decides by its Validation.
		var lenient any
		if yamlv2.Unmarshal(doc.Data, &lenient) == nil {
			tree, duplicate, err = lenient, manifest.YAMLError(err, doc.Line), nil
		}
	}
	if err != nil {
		return fail(manifest.YAMLError(err, doc.Line))
	}
	if tree == nil { // an empty document, or "null"
		return nil, nil
	}
	if block {
		w.BeginBlock(len(doc.Data))
	} else {
		w.Begin(len(doc.Data))
	}
	objs, errs := d.decodeValue(w, tree, nil, 1, src, schema.GroupVersionKind{})
	if duplicate != nil {
		errs = append(errs, &InputError{Source: src, Err: &FieldError{GVK: documentKind(tree), Duplicate: true, msg: duplicate.Error()}})
	}
	return objs, errs
}

// documentKind reads the apiVersion and kind of a document's tree, as far
// as they can be read.
func documentKind(tree any) schema.GroupVersionKind {
	apiVersion, _ := manifest.TypeMetaField(tree, "apiVersion")
	kind, _ := manifest.TypeMetaField(tree, "kind")
	gv, _ := schema.ParseGroupVersion(apiVersion)
	return gv.WithKind(kind)
}

// decodeJSONTree is the general path of a JSON document js: its generic
// tree (numbers kept exact), a check for duplicate keys, then decodeValue,
// which decodes typed kinds from js itself.
func (d *Decoder) decodeJSONTree(w *manifest.Writer, js []byte, src Source) ([]*Object, ErrorList) {
	fail := func(err error) ([]*Object, ErrorList) { return nil, ErrorList{{Source: src, Err: err}} }
	var tree any
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return fail(fmt.Errorf("invalid JSON: %w", err))
	}
	duplicate := manifest.DuplicateFields(js)
	if tree == nil { // "null"
		return nil, nil
	}
	w.Begin(len(js))
	raw := js
	if duplicate != nil {
		raw = nil // the typed decode of js would see both values; the tree holds the last
	}
	objs, errs := d.decodeValue(w, tree, raw, 1, src, schema.GroupVersionKind{})
	if duplicate != nil {
		// A field error (see FieldError): the last value counts, as in
		// the tree and the typed decode.
		fe := &FieldError{GVK: documentKind(tree), Duplicate: true, msg: duplicate.Error()}
		dupSrc := src
		var kfe kjson.FieldError
		if errors.As(duplicate, &kfe) {
			fe.Path = kfe.FieldPath()
			if line := manifest.JSONFieldLine(js, fe.Path); line > 0 && src.Line > 0 {
				dupSrc.Line = src.Line + line - 1
			}
		}
		errs = append(errs, &InputError{Source: dupSrc, Err: fe})
	}
	return objs, errs
}

// decodeValue decodes one object (or the items of a List) from its JSON
// value: the map[string]any tree of a JSON document or the tree manifest.ParseYAML
// makes of a YAML one (yamlv2.MapSlice or map[any]any mappings). raw is its JSON text when the input was JSON
// (nil for YAML); depth is the nesting depth of v in its document.
// inherited is the element kind of a typed list (PodList items may omit
// apiVersion and kind).
func (d *Decoder) decodeValue(w *manifest.Writer, v any, raw []byte, depth int, src Source, inherited schema.GroupVersionKind) ([]*Object, ErrorList) {
	fail := func(err error) ([]*Object, ErrorList) { return nil, ErrorList{{Source: src, Err: err}} }
	if !manifest.IsObject(v) {
		what := "document"
		if src.Item >= 0 {
			what = "list item"
		}
		return fail(fmt.Errorf("%s is %s, not an object: expected a Kubernetes object with apiVersion and kind", what, manifest.DescribeValue(v)))
	}
	apiVersion, err := manifest.TypeMetaField(v, "apiVersion")
	if err != nil {
		return fail(err)
	}
	kind, err := manifest.TypeMetaField(v, "kind")
	if err != nil {
		return fail(err)
	}
	if kind == "" && inherited.Kind != "" {
		kind, apiVersion = inherited.Kind, inherited.GroupVersion().String()
		v = manifest.SetField(v, "kind", kind)
		v = manifest.SetField(v, "apiVersion", apiVersion)
		raw = nil
	}
	switch {
	case apiVersion == "":
		return fail(errors.New(`missing "apiVersion"`))
	case kind == "":
		return fail(errors.New(`missing "kind"`))
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err == nil && gv.Version == "" {
		err = errors.New("no version after the group") // "apps/" parses as group apps, version ""
	}
	if err != nil {
		return fail(fmt.Errorf("invalid apiVersion %q: %w", apiVersion, err))
	}
	gvk := gv.WithKind(kind)
	if _, hasItems := manifest.Field(v, "items"); kind == "List" || strings.HasSuffix(kind, "List") && hasItems {
		return d.decodeList(w, v, raw, depth, src, gvk)
	}
	obj, err := d.decodeObject(w, v, raw, depth, gvk)
	if err != nil {
		return fail(err)
	}
	obj.Source = src
	return []*Object{obj}, nil
}

// decodeTypedJSON decodes a JSON document of a kind of the scheme straight
// into its typed struct, without the generic tree decodeValue works on: it
// is the path of nearly every object read from a cluster or from kubectl's
// JSON. It takes only what decodes cleanly — a typed kind that is not a
// Secret (whose data needs the base64 check) nor a List, with no duplicate
// key and a name — and reports false for anything else, which then takes
// the general path, so results and error messages are the same either way.
func (d *Decoder) decodeTypedJSON(raw []byte) (*Object, bool) {
	var tm struct {
		APIVersion any `json:"apiVersion"`
		Kind       any `json:"kind"`
	}
	if kjson.UnmarshalCaseSensitivePreserveInts(raw, &tm) != nil {
		return nil, false
	}
	apiVersion, _ := tm.APIVersion.(string)
	kind, _ := tm.Kind.(string)
	if apiVersion == "" || kind == "" || strings.HasSuffix(kind, "List") {
		return nil, false
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	gvk := gv.WithKind(kind)
	isSecret := gvk.Group == "" && gvk.Version == "v1" && gvk.Kind == "Secret"
	if err != nil || gv.Version == "" || isSecret || !d.scheme.Recognizes(gvk) {
		return nil, false
	}
	obj, err := d.scheme.New(gvk)
	if err != nil {
		return nil, false
	}
	strict, err := kjson.UnmarshalStrict(raw, obj, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
	if err != nil {
		return nil, false
	}
	fields, err := manifest.StrictFields(strict, "")
	if err != nil {
		return nil, false // a duplicate key: the general path names it
	}
	if !isConfigKind(gvk) {
		meta, err := accessor(obj)
		if err != nil || meta.GetName() == "" && meta.GetGenerateName() == "" {
			return nil, false
		}
	}
	return &Object{GVK: gvk, Obj: obj, Typed: true, UnknownFields: fields}, true
}

func (d *Decoder) decodeList(w *manifest.Writer, m any, raw []byte, depth int, src Source, gvk schema.GroupVersionKind) ([]*Object, ErrorList) {
	v, _ := manifest.Field(m, "items")
	items, ok := v.([]any)
	if !ok && v != nil {
		return nil, ErrorList{{Source: src, Err: fmt.Errorf("%s: items must be a list, got %s", gvk.Kind, manifest.DescribeValue(v))}}
	}
	var rawItems []json.RawMessage
	if raw != nil {
		var list struct {
			Items []json.RawMessage `json:"items"`
		}
		if json.Unmarshal(raw, &list) == nil && len(list.Items) == len(items) {
			rawItems = list.Items
		}
	}
	var elem schema.GroupVersionKind
	if gvk.Kind != "List" {
		elem = gvk.GroupVersion().WithKind(strings.TrimSuffix(gvk.Kind, "List"))
	}
	var objs []*Object
	var errs ErrorList
	for i, item := range items {
		itemSrc := src
		itemSrc.Item = i
		var itemRaw []byte
		if rawItems != nil {
			itemRaw = rawItems[i]
		}
		o, e := d.decodeValue(w, item, itemRaw, depth+2, itemSrc, elem)
		objs = append(objs, o...)
		errs = append(errs, e...)
	}
	return objs, errs
}

// decodeObject decodes a single object into its typed struct (strictly, so
// unknown fields are recorded) or into an Unstructured for kinds outside the
// scheme.
func (d *Decoder) decodeObject(w *manifest.Writer, m any, raw []byte, depth int, gvk schema.GroupVersionKind) (*Object, error) {
	o := &Object{GVK: gvk}
	if gvk.Group == "" && gvk.Version == "v1" && gvk.Kind == "Secret" {
		if o.InvalidBase64Keys = manifest.KeepInvalidBase64(m); len(o.InvalidBase64Keys) > 0 {
			raw = nil
		}
	}
	if raw == nil && !d.jsonOnly && d.scheme.Recognizes(gvk) {
		// A tree of the BlockParser decodes straight into the typed
		// object when it decodes cleanly (see manifest.Writer.DecodeTyped);
		// otherwise from its JSON text, below, which names the problem.
		if obj, err := d.scheme.New(gvk); err == nil && w.DecodeTyped(m, obj) {
			o.Obj, o.Typed = obj, true
			if err := checkName(o); err != nil {
				return nil, err
			}
			return o, nil
		}
	}
	if raw == nil {
		var err error
		if raw, err = w.Encode(m, depth); err != nil {
			return nil, manifest.ConversionError(err)
		}
	}
	if !d.scheme.Recognizes(gvk) {
		if d.scheme.IsGroupRegistered(gvk.Group) {
			return nil, unknownVersionError(d.scheme, gvk)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
		}
		md, _ := manifest.Field(m, "metadata")
		fields, err := checkMetadata(w, md, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
		}
		o.Obj, o.UnknownFields = u, fields
		unknown, err := decodeTemplates(o)
		if err != nil {
			return nil, err
		}
		o.UnknownFields = append(o.UnknownFields, unknown...)
	} else {
		obj, err := d.scheme.New(gvk)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
		}
		// Duplicate keys are refused before: by go-yaml, by the writer, and
		// for JSON documents by manifest.DuplicateFields.
		strict, err := kjson.UnmarshalStrict(raw, obj, kjson.DisallowUnknownFields)
		if err != nil {
			where, msg := manifest.LocateDecodeError(raw, obj, err, "")
			if where == "" {
				return nil, fmt.Errorf("%s: %s", gvk.Kind, msg)
			}
			return nil, &fieldDecodeError{path: where, err: fmt.Errorf("%s: %s: %s", gvk.Kind, where, msg)}
		}
		fields, err := manifest.StrictFields(strict, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
		}
		o.Obj, o.Typed, o.UnknownFields = obj, true, fields
	}
	if err := checkName(o); err != nil {
		return nil, err
	}
	return o, nil
}

// checkName refuses a decoded object without a name (or generateName).
func checkName(o *Object) error {
	if isConfigKind(o.GVK) {
		return nil // apiserver configuration files need no name; EncryptionConfiguration has no metadata at all
	}
	meta, err := accessor(o.Obj)
	if err != nil {
		return fmt.Errorf("%s: %w", o.GVK.Kind, err)
	}
	if meta.GetName() == "" && meta.GetGenerateName() == "" {
		return fmt.Errorf("%s: metadata.name is required", o.GVK.Kind)
	}
	return nil
}

// checkMetadata decodes the metadata of a custom resource as an ObjectMeta:
// a wrong type there (labels that are a list) would otherwise read as no
// labels at all. It returns the unknown fields (misspellings).
func checkMetadata(w *manifest.Writer, md any, depth int) ([]string, error) {
	if md == nil {
		return nil, nil
	}
	raw, err := w.Encode(md, depth)
	if err != nil {
		return nil, manifest.ConversionError(err)
	}
	var meta metav1.ObjectMeta
	strict, err := kjson.UnmarshalStrict(raw, &meta)
	if err != nil {
		where, msg := manifest.LocateDecodeError(raw, &meta, err, "metadata")
		if where == "" {
			return nil, errors.New(msg)
		}
		return nil, &fieldDecodeError{path: where, err: errors.New(where + ": " + msg)}
	}
	return manifest.StrictFields(strict, "metadata.")
}

// isConfigKind reports the apiserver configuration files, which have no name.
func isConfigKind(gvk schema.GroupVersionKind) bool {
	return gvk.Group == "audit.k8s.io" || gvk.Group == "apiserver.config.k8s.io"
}

func unknownVersionError(scheme *runtime.Scheme, gvk schema.GroupVersionKind) error {
	var versions []string
	for _, gv := range scheme.PrioritizedVersionsForGroup(gvk.Group) {
		if scheme.Recognizes(gv.WithKind(gvk.Kind)) {
			versions = append(versions, gv.String())
		}
	}
	if len(versions) == 0 {
		return fmt.Errorf("unknown kind %q in apiVersion %q: group %q has no such kind", gvk.Kind, gvk.GroupVersion(), gvk.Group)
	}
	return fmt.Errorf("unknown apiVersion %q for kind %q (known: %s)", gvk.GroupVersion(), gvk.Kind, strings.Join(versions, ", "))
}
