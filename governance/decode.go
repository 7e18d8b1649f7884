package governance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	yamlv3 "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"

	"github.com/aigov/aigov/internal/redact"
)

// Limits that keep hostile input bounded. They are part of the contract: an
// input over a limit is an input error, never a crash or a silent truncation.
const (
	// MaxDocumentBytes is the largest single YAML or JSON document accepted.
	MaxDocumentBytes = 16 << 20
	// MaxNestingDepth is the deepest nesting of maps and lists accepted.
	MaxNestingDepth = 1000
	// maxExpansion bounds how much larger a document may grow when its YAML
	// aliases are expanded: to this many times its size, or MaxDocumentBytes
	// when that is more.
	maxExpansion = 16
)

var errTooDeep = fmt.Errorf("document nests deeper than %d levels", MaxNestingDepth)

// Decoder turns bytes into Objects through a scheme that knows every built-in
// kind. It is safe for concurrent use.
//
// A YAML document is read the way kubectl reads it (go.yaml.in/yaml/v2,
// strict about duplicate keys, converted to JSON); a JSON document as the
// apiserver reads it. Typed kinds are then decoded from JSON strictly, so that
// unknown fields are recorded.
type Decoder struct {
	scheme *runtime.Scheme
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

// document is one YAML or JSON document of a file.
type document struct {
	data  []byte
	line  int // 1-based line of the document's first line in the file
	index int // 1-based document index
	json  bool
}

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
	if err := checkText(data); err != nil {
		return nil, ErrorList{{Source: Source{File: name, Item: -1}, Err: err}}
	}
	// A byte order mark starts the file of some Windows editors: go-yaml
	// skips it, and so does the JSON splitter.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	docs, splitErr := splitDocuments(data)
	var objs []*Object
	var errs ErrorList
	w, yp := &jsonWriter{}, &blockParser{}
	for _, doc := range docs {
		src := Source{File: name, Document: doc.index, Line: doc.line, Item: -1}
		o, err := d.decodeDocument(w, yp, doc, src)
		errs = append(errs, err...)
		var root *yamlv3.Node // parsed on the first unknown field
		for _, obj := range o {
			if where, err := validateNames(obj); err != nil {
				// The apiserver refuses the object: it is not loaded, so
				// that its name reaches no report.
				src := obj.Source
				src.Line = fieldLine(doc, obj.Source.Item, where, &root)
				errs = append(errs, &InputError{Source: src, Err: err})
				continue
			}
			objs = append(objs, obj)
			if len(obj.UnknownFields) > 0 {
				errs = append(errs, fieldErrors(obj, doc, &root)...)
			}
		}
	}
	if splitErr != nil {
		errs = append(errs, &InputError{Source: Source{File: name, Document: len(docs) + 1, Line: splitErr.line, Item: -1}, Err: splitErr.err})
	}
	return objs, errs
}

// DecodeJSON decodes one JSON object (or List) that did not come from a
// file, e.g. one read from a live cluster; src names it in errors.
func (d *Decoder) DecodeJSON(js []byte, src Source) ([]*Object, ErrorList) {
	return d.decodeDocument(&jsonWriter{}, nil, document{data: js, line: src.Line, index: src.Document, json: true}, src)
}

// checkText refuses binary files: a NUL byte or invalid UTF-8 in the first
// 8 KiB, the same sniffing git and grep do.
func checkText(data []byte) error {
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return errors.New("binary file (NUL byte): not a YAML or JSON manifest")
	}
	// A multi-byte rune cut at the 8 KiB boundary is not invalid text.
	for i := 0; i < 3 && len(head) > 0 && !utf8.Valid(head); i++ {
		if len(head) == len(data) || i == 2 {
			return errors.New("binary file (invalid UTF-8): not a YAML or JSON manifest")
		}
		head = head[:len(head)-1]
	}
	return nil
}

// decodeDocument decodes one document; w and yp are scratch space shared by
// the documents of a file (yp is only used for YAML).
func (d *Decoder) decodeDocument(w *jsonWriter, yp *blockParser, doc document, src Source) ([]*Object, ErrorList) {
	fail := func(err error) ([]*Object, ErrorList) { return nil, ErrorList{{Source: src, Err: err}} }
	if len(doc.data) > MaxDocumentBytes {
		return fail(fmt.Errorf("document is %d bytes, over the limit of %d bytes (16 MiB)", len(doc.data), MaxDocumentBytes))
	}
	if doc.json {
		if jsonDepth(doc.data) > MaxNestingDepth {
			return fail(errTooDeep)
		}
		if o, ok := d.decodeTypedJSON(doc.data); ok {
			o.Source = src
			return []*Object{o}, nil
		}
		return d.decodeJSONTree(w, doc.data, src)
	}
	if isBlankYAML(doc.data) {
		return nil, nil
	}
	tree, err := parseYAML(yp, doc.data)
	var duplicate error
	if err != nil && isDuplicateKeyError(err) {
		// Duplicate keys are field errors (see FieldError): the document
		// is read as kubectl's lenient decoding reads it, the last value
		// winning, and the loader decides by its Validation.
		var lenient any
		if yamlv2.Unmarshal(doc.data, &lenient) == nil {
			tree, duplicate, err = lenient, yamlError(err, doc.line), nil
		}
	}
	if err != nil {
		return fail(yamlError(err, doc.line))
	}
	if tree == nil { // an empty document, or "null"
		return nil, nil
	}
	w.size, w.limit = 0, max(MaxDocumentBytes, maxExpansion*len(doc.data))
	objs, errs := d.decodeValue(w, tree, nil, 1, src, schema.GroupVersionKind{})
	if duplicate != nil {
		errs = append(errs, &InputError{Source: src, Err: &FieldError{GVK: documentKind(tree), Duplicate: true, msg: duplicate.Error()}})
	}
	return objs, errs
}

// isDuplicateKeyError reports a go-yaml error made only of duplicate keys.
func isDuplicateKeyError(err error) bool {
	var typeErr *yamlv2.TypeError
	if !errors.As(err, &typeErr) || len(typeErr.Errors) == 0 {
		return false
	}
	for _, e := range typeErr.Errors {
		if !strings.HasSuffix(e, "already set in map") {
			return false
		}
	}
	return true
}

// documentKind reads the apiVersion and kind of a document's tree, as far
// as they can be read.
func documentKind(tree any) schema.GroupVersionKind {
	apiVersion, _ := typeMetaField(tree, "apiVersion")
	kind, _ := typeMetaField(tree, "kind")
	gv, _ := schema.ParseGroupVersion(apiVersion)
	return gv.WithKind(kind)
}

// decodeJSONTree is the general path of a JSON document js: its generic
// tree (numbers kept exact), a check for duplicate keys, then decodeValue,
// which decodes typed kinds from js itself.
func (d *Decoder) decodeJSONTree(w *jsonWriter, js []byte, src Source) ([]*Object, ErrorList) {
	fail := func(err error) ([]*Object, ErrorList) { return nil, ErrorList{{Source: src, Err: err}} }
	var tree any
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return fail(fmt.Errorf("invalid JSON: %w", err))
	}
	duplicate := duplicateFields(js)
	if tree == nil { // "null"
		return nil, nil
	}
	w.size, w.limit = 0, max(MaxDocumentBytes, maxExpansion*len(js))
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
			if line := jsonFieldLine(js, fe.Path); line > 0 && src.Line > 0 {
				dupSrc.Line = src.Line + line - 1
			}
		}
		errs = append(errs, &InputError{Source: dupSrc, Err: fe})
	}
	return objs, errs
}

// decodeValue decodes one object (or the items of a List) from its JSON
// value: the map[string]any tree of a JSON document or the tree parseYAML
// makes of a YAML one (yamlv2.MapSlice or map[any]any mappings). raw is its JSON text when the input was JSON
// (nil for YAML); depth is the nesting depth of v in its document.
// inherited is the element kind of a typed list (PodList items may omit
// apiVersion and kind).
func (d *Decoder) decodeValue(w *jsonWriter, v any, raw []byte, depth int, src Source, inherited schema.GroupVersionKind) ([]*Object, ErrorList) {
	fail := func(err error) ([]*Object, ErrorList) { return nil, ErrorList{{Source: src, Err: err}} }
	if !isObject(v) {
		what := "document"
		if src.Item >= 0 {
			what = "list item"
		}
		return fail(fmt.Errorf("%s is %s, not an object: expected a Kubernetes object with apiVersion and kind", what, describeValue(v)))
	}
	apiVersion, err := typeMetaField(v, "apiVersion")
	if err != nil {
		return fail(err)
	}
	kind, err := typeMetaField(v, "kind")
	if err != nil {
		return fail(err)
	}
	if kind == "" && inherited.Kind != "" {
		kind, apiVersion = inherited.Kind, inherited.GroupVersion().String()
		v = setField(v, "kind", kind)
		v = setField(v, "apiVersion", apiVersion)
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
	if _, hasItems := field(v, "items"); kind == "List" || strings.HasSuffix(kind, "List") && hasItems {
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
	fields, err := strictFields(strict, "")
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

// typeMetaField reads apiVersion or kind: absent and null read as "".
func typeMetaField(m any, key string) (string, error) {
	v, _ := field(m, key)
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("%q must be a string, got %s", key, describeValue(v))
	}
}

func (d *Decoder) decodeList(w *jsonWriter, m any, raw []byte, depth int, src Source, gvk schema.GroupVersionKind) ([]*Object, ErrorList) {
	v, _ := field(m, "items")
	items, ok := v.([]any)
	if !ok && v != nil {
		return nil, ErrorList{{Source: src, Err: fmt.Errorf("%s: items must be a list, got %s", gvk.Kind, describeValue(v))}}
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
func (d *Decoder) decodeObject(w *jsonWriter, m any, raw []byte, depth int, gvk schema.GroupVersionKind) (*Object, error) {
	o := &Object{GVK: gvk}
	if gvk.Group == "" && gvk.Version == "v1" && gvk.Kind == "Secret" {
		if o.InvalidBase64Keys = keepInvalidBase64(m); len(o.InvalidBase64Keys) > 0 {
			raw = nil
		}
	}
	if raw == nil {
		var err error
		if raw, err = w.encode(m, depth); err != nil {
			return nil, conversionError(err)
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
		md, _ := field(m, "metadata")
		fields, err := checkMetadata(w, md, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
		}
		o.Obj, o.UnknownFields = u, fields
	} else {
		obj, err := d.scheme.New(gvk)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
		}
		// Duplicate keys are refused before: by go-yaml, by the writer, and
		// for JSON documents by duplicateFields.
		strict, err := kjson.UnmarshalStrict(raw, obj, kjson.DisallowUnknownFields)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", gvk.Kind, explainDecodeError(raw, obj, err, ""))
		}
		fields, err := strictFields(strict, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
		}
		o.Obj, o.Typed, o.UnknownFields = obj, true, fields
	}
	if isConfigKind(gvk) {
		return o, nil // apiserver configuration files need no name; EncryptionConfiguration has no metadata at all
	}
	meta, err := accessor(o.Obj)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
	}
	if meta.GetName() == "" && meta.GetGenerateName() == "" {
		return nil, fmt.Errorf("%s: metadata.name is required", gvk.Kind)
	}
	return o, nil
}

// duplicateFields reports the first duplicate key of a JSON document: which
// of two values counts is not obvious to the reader, and the document's tree
// keeps only the last.
func duplicateFields(raw []byte) error {
	var v any
	strict, err := kjson.UnmarshalStrict(raw, &v, kjson.DisallowDuplicateFields)
	if err != nil || len(strict) == 0 {
		return nil // the tree decode reports invalid JSON
	}
	return strict[0]
}

// conversionError prefixes the errors of a tree that JSON cannot hold.
func conversionError(err error) error {
	var ce *convertError
	if errors.As(err, &ce) {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	return err
}

// checkMetadata decodes the metadata of a custom resource as an ObjectMeta:
// a wrong type there (labels that are a list) would otherwise read as no
// labels at all. It returns the unknown fields (misspellings).
func checkMetadata(w *jsonWriter, md any, depth int) ([]string, error) {
	if md == nil {
		return nil, nil
	}
	raw, err := w.encode(md, depth)
	if err != nil {
		return nil, conversionError(err)
	}
	var meta metav1.ObjectMeta
	strict, err := kjson.UnmarshalStrict(raw, &meta)
	if err != nil {
		return nil, errors.New(explainDecodeError(raw, &meta, err, "metadata"))
	}
	return strictFields(strict, "metadata.")
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

// strictFields separates unknown fields (recorded, with prefix before their
// path) from duplicate fields (an error: which of the two values counts is
// not obvious to the reader).
func strictFields(errs []error, prefix string) ([]string, error) {
	var fields []string
	for _, e := range errs {
		var fe kjson.FieldError
		if errors.As(e, &fe) && strings.HasPrefix(e.Error(), "unknown field ") {
			fields = append(fields, prefix+fe.FieldPath())
			continue
		}
		return nil, errors.New(e.Error())
	}
	return fields, nil
}

// decodeMessage strips the serializer's generic prefixes so the message says
// what is wrong with which field.
func decodeMessage(err error) string {
	msg := err.Error()
	for _, prefix := range []string{"json: ", "error unmarshaling JSON: while decoding JSON: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return msg
}

// keepInvalidBase64 replaces Secret data values that are not valid padded
// standard base64 with the base64 of their raw text, so the typed decode
// succeeds and the raw text is what Data holds; it returns the keys, sorted.
func keepInvalidBase64(m any) []string {
	data, _ := field(m, "data")
	var bad []string
	check := func(v any) (string, bool) {
		s, ok := v.(string)
		if !ok {
			return "", false
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(s); err != nil {
			return base64.StdEncoding.EncodeToString([]byte(s)), true
		}
		return "", false
	}
	switch data := data.(type) { // other shapes: the typed decode reports them
	case map[string]any:
		for k, v := range data {
			if enc, invalid := check(v); invalid {
				bad, data[k] = append(bad, k), enc
			}
		}
	case map[any]any:
		for k, v := range data {
			if enc, invalid := check(v); invalid {
				key, _ := yamlKey(k)
				bad, data[k] = append(bad, key), enc
			}
		}
	case yamlv2.MapSlice:
		for i, item := range data {
			if enc, invalid := check(item.Value); invalid {
				key, _ := yamlKey(item.Key)
				bad, data[i].Value = append(bad, key), enc
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// isObject reports a JSON object of any of the trees.
func isObject(v any) bool {
	switch v.(type) {
	case map[string]any, map[any]any, yamlv2.MapSlice:
		return true
	}
	return false
}

// field reads a key of a JSON object of any of the trees.
func field(m any, key string) (any, bool) {
	switch m := m.(type) {
	case map[string]any:
		v, ok := m[key]
		return v, ok
	case map[any]any:
		v, ok := m[key]
		return v, ok
	case yamlv2.MapSlice:
		for _, item := range m { // keys are unique (see plainTree)
			if k, ok := item.Key.(string); ok && k == key {
				return item.Value, true
			}
		}
	}
	return nil, false
}

// setField sets a key of a JSON object of any of the trees and returns the
// object (a MapSlice may have grown).
func setField(m any, key string, v any) any {
	switch m := m.(type) {
	case map[string]any:
		m[key] = v
	case map[any]any:
		m[key] = v
	case yamlv2.MapSlice:
		for i, item := range m {
			if k, ok := item.Key.(string); ok && k == key {
				m[i].Value = v
				return m
			}
		}
		return append(m, yamlv2.MapItem{Key: key, Value: v})
	}
	return m
}

// parseYAML decodes one YAML document with go-yaml v2, strictly (duplicate
// keys are errors), into a tree of []any, scalars and mappings.
//
// Documents of the common block shape are read by yp (see blockParser),
// which builds the same tree go-yaml's MapSlice decoding (below) would.
//
// A mapping is decoded as a yamlv2.MapSlice when that gives the same tree as
// decoding into map[any]any would, apart from key order (which the JSON
// writer sorts anyway): go-yaml builds a MapSlice without hashing, which
// makes decoding a typical manifest markedly cheaper. It does not give the
// same tree when the document merges mappings ("<<", possibly through a tag,
// where go-yaml's MapSlice decoding drops the merged keys), has a duplicate
// key (an error for map[any]any) or a key that is itself a mapping or a list
// (an error too); nor at the top level when the document is not a non-empty
// mapping. Those documents, and documents go-yaml refuses, are decoded
// (again) into map[any]any, so that results and error messages are exactly
// go-yaml's. So is a document that might be a list (see startsWithKey).
func parseYAML(yp *blockParser, data []byte) (any, error) {
	if yp != nil {
		if tree, ok := yp.parse(data); ok {
			return tree, nil
		}
	}
	if startsWithKey(data) && bytes.IndexByte(data, '!') < 0 && !bytes.Contains(data, []byte("<<")) {
		var ms yamlv2.MapSlice
		if err := yamlv2.UnmarshalStrict(data, &ms); err == nil && len(ms) > 0 && plainTree(ms) {
			return ms, nil
		}
	}
	var tree any
	err := yamlv2.UnmarshalStrict(data, &tree)
	return tree, err
}

// startsWithKey reports a document whose first token is a plain or quoted
// scalar (its first line that is not blank or a comment starts with a
// letter, a digit, '_' or a quote): its top level is then that scalar or a
// mapping, and not a list, which go-yaml would also decode into a MapSlice
// (of MapItems made of null or of {key: ..., value: ...} elements).
func startsWithKey(data []byte) bool {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimLeft(line, " ")
		if len(bytes.TrimLeft(line, " \t\r")) == 0 || line[0] == '#' {
			continue
		}
		c := line[0]
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '"' || c == '\''
	}
	return false
}

// plainTree reports a tree whose MapSlices have unique keys that are not
// themselves collections: a tree that map[any]any decoding would also give.
func plainTree(v any) bool {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if !plainTree(e) {
				return false
			}
		}
	case yamlv2.MapSlice:
		var seen map[any]struct{}
		for i, item := range v {
			switch item.Key.(type) {
			case yamlv2.MapSlice, []any, map[any]any:
				return false // go-yaml: "invalid map key"
			}
			// Keys compare as map[any]any keys do (NaN never equal).
			if len(v) <= 16 {
				for _, prev := range v[:i] {
					if prev.Key == item.Key {
						return false
					}
				}
			} else {
				if seen == nil {
					seen = make(map[any]struct{}, len(v))
				}
				if _, dup := seen[item.Key]; dup {
					return false
				}
				seen[item.Key] = struct{}{}
			}
			if !plainTree(item.Value) {
				return false
			}
		}
	}
	return true
}

// yamlParserProblems are the syntax errors go-yaml v2's parser (as opposed
// to its scanner) reports; it numbers their lines from 0.
var yamlParserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"found undefined tag handle", "did not find expected node content",
	"did not find expected '-' indicator", "did not find expected key",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found duplicate %YAML directive", "found incompatible YAML document",
	"found duplicate %TAG directive",
}

// yamlUnplacedProblems are go-yaml errors that name no place in the
// document.
var yamlUnplacedProblems = []string{
	"unknown anchor", "anchor '", "document contains excessive aliasing", "!!binary",
	"invalid map key", "map merge", "invalid array", "attempted to go past",
}

// yamlError rewrites a go-yaml error: its line numbers (relative to the
// document; numbered from 0 for parser errors, and left out for an error on
// the document's first line) become 1-based lines of the file, and its
// "yaml: " prefixes go.
func yamlError(err error, docLine int) error {
	fileLine := func(msg string) string {
		rest, ok := strings.CutPrefix(msg, "line ")
		if !ok {
			for _, p := range yamlUnplacedProblems {
				if strings.HasPrefix(msg, p) {
					return msg
				}
			}
			return "line " + strconv.Itoa(docLine) + ": " + msg
		}
		digits, tail, ok := strings.Cut(rest, ": ")
		n, convErr := strconv.Atoi(digits)
		if !ok || convErr != nil {
			return msg
		}
		if slices.Contains(yamlParserProblems, tail) {
			n++
		}
		return "line " + strconv.Itoa(n+docLine-1) + ": " + tail
	}
	var typeErr *yamlv2.TypeError
	if errors.As(err, &typeErr) {
		msgs := make([]string, len(typeErr.Errors))
		for i, e := range typeErr.Errors {
			msgs[i] = fileLine(e)
		}
		return fmt.Errorf("invalid YAML: %s", strings.Join(msgs, "; "))
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.HasPrefix(msg, "exceeded max depth") || strings.Contains(msg, ": exceeded max depth") {
		return errTooDeep
	}
	return fmt.Errorf("invalid YAML: %s", fileLine(msg))
}

// jsonWriter writes the JSON text of a decoded YAML (or JSON) tree the way
// sigs.k8s.io/yaml does for kubectl (keys sorted, numbers and booleans as
// map keys turned into text), while bounding the nesting depth and the size a
// document expands to through YAML aliases. One writer serves the documents
// of a file in turn: the text it returns is valid until the next encode.
type jsonWriter struct {
	buf         []byte
	size, limit int    // bytes written for the document so far, and the bound
	scratch     [][]kv // sort space per depth
}

type kv struct {
	key   string
	value any
}

// convertError is a conversion error with the path where it happened.
type convertError struct {
	path []string // innermost first
	msg  string
}

func (e *convertError) Error() string {
	if len(e.path) == 0 {
		return e.msg
	}
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		if b.Len() > 0 && !strings.HasPrefix(e.path[i], "[") {
			b.WriteByte('.')
		}
		b.WriteString(e.path[i])
	}
	return b.String() + ": " + e.msg
}

func within(err error, segment string) error {
	var ce *convertError
	if errors.As(err, &ce) {
		ce.path = append(ce.path, segment)
	}
	return err
}

// encode returns the JSON text of v, which sits at the given depth of its
// document (1 for the document itself).
func (w *jsonWriter) encode(v any, depth int) ([]byte, error) {
	w.buf = w.buf[:0]
	before := w.size
	if err := w.value(v, depth); err != nil {
		return nil, err
	}
	w.size = before + len(w.buf)
	if w.size > w.limit {
		return nil, w.tooBig()
	}
	return w.buf, nil
}

func (w *jsonWriter) tooBig() error {
	return fmt.Errorf("document expands to more than %d bytes of JSON through YAML aliases (limit: %d times its size, at least 16 MiB)", w.limit, maxExpansion)
}

func (w *jsonWriter) value(v any, depth int) error {
	if w.size+len(w.buf) > w.limit {
		return w.tooBig()
	}
	switch x := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case string:
		if w.size+len(w.buf)+len(x) > w.limit {
			return w.tooBig()
		}
		w.buf = appendJSONString(w.buf, x)
	case bool:
		w.buf = strconv.AppendBool(w.buf, x)
	case int:
		w.buf = strconv.AppendInt(w.buf, int64(x), 10)
	case int64:
		w.buf = strconv.AppendInt(w.buf, x, 10)
	case uint64:
		w.buf = strconv.AppendUint(w.buf, x, 10)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return &convertError{msg: fmt.Sprintf("%v cannot be represented in JSON", x)}
		}
		w.buf = appendJSONFloat(w.buf, x)
	case json.Number:
		w.buf = append(w.buf, x...)
	case []any:
		if depth > MaxNestingDepth {
			return errTooDeep
		}
		w.buf = append(w.buf, '[')
		for i, e := range x {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if err := w.value(e, depth+1); err != nil {
				return within(err, "["+strconv.Itoa(i)+"]")
			}
		}
		w.buf = append(w.buf, ']')
	case map[any]any:
		if depth > MaxNestingDepth {
			return errTooDeep
		}
		members := w.members(depth, len(x))
		for k, e := range x {
			key, err := yamlKey(k)
			if err != nil {
				return err
			}
			members = append(members, kv{key, e})
		}
		return w.object(members, depth)
	case map[string]any:
		if depth > MaxNestingDepth {
			return errTooDeep
		}
		members := w.members(depth, len(x))
		for k, e := range x {
			members = append(members, kv{k, e})
		}
		return w.object(members, depth)
	case yamlv2.MapSlice:
		if depth > MaxNestingDepth {
			return errTooDeep
		}
		members := w.members(depth, len(x))
		for _, item := range x {
			key, err := yamlKey(item.Key)
			if err != nil {
				return err
			}
			members = append(members, kv{key, item.Value})
		}
		return w.object(members, depth)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return &convertError{msg: err.Error()}
		}
		w.buf = append(w.buf, b...)
	}
	return nil
}

// members returns the empty sort space of a depth.
func (w *jsonWriter) members(depth, n int) []kv {
	for len(w.scratch) <= depth {
		w.scratch = append(w.scratch, nil)
	}
	if cap(w.scratch[depth]) < n {
		w.scratch[depth] = make([]kv, 0, n)
	}
	return w.scratch[depth][:0]
}

func (w *jsonWriter) object(members []kv, depth int) error {
	slices.SortFunc(members, func(a, b kv) int { return strings.Compare(a.key, b.key) })
	w.buf = append(w.buf, '{')
	for i, m := range members {
		if i > 0 {
			if m.key == members[i-1].key {
				return &convertError{msg: fmt.Sprintf("duplicate key %q", m.key)}
			}
			w.buf = append(w.buf, ',')
		}
		w.buf = appendJSONString(w.buf, m.key)
		w.buf = append(w.buf, ':')
		if err := w.value(m.value, depth+1); err != nil {
			return within(err, m.key)
		}
	}
	w.buf = append(w.buf, '}')
	clear(members) // drop the references for the collector
	return nil
}

// appendJSONString appends s as a JSON string, as encoding/json does
// (invalid UTF-8 becomes U+FFFD) without the HTML escaping.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat formats a float64 as encoding/json does.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// yamlKey turns a YAML map key into a JSON object key the way
// sigs.k8s.io/yaml does (numbers and booleans become their text).
func yamlKey(k any) (string, error) {
	switch k := k.(type) {
	case string:
		return k, nil
	case int:
		return strconv.Itoa(k), nil
	case int64:
		return strconv.FormatInt(k, 10), nil
	case float64:
		switch s := strconv.FormatFloat(k, 'g', -1, 32); s {
		case "+Inf":
			return ".inf", nil
		case "-Inf":
			return "-.inf", nil
		case "NaN":
			return ".nan", nil
		default:
			return s, nil
		}
	case bool:
		return strconv.FormatBool(k), nil
	}
	return "", &convertError{msg: fmt.Sprintf("map key %s is not a string", describeValue(k))}
}

// describeValue names a JSON (or YAML) value for an error message.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		// A value in the wrong place may be a credential: a short word
		// shows whole, anything else as a redacted prefix.
		return "string " + strconv.Quote(redact.Value(x))
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case json.Number, int, int64, uint64, float64:
		return fmt.Sprintf("number %v", x)
	case map[string]any, map[any]any, yamlv2.MapSlice:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// jsonDepth returns the deepest nesting of objects and arrays in js.
func jsonDepth(js []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range js {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > deepest {
				deepest = depth
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// isBlankYAML reports a document of only blank lines and comments.
func isBlankYAML(data []byte) bool {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			return false
		}
	}
	return true
}
