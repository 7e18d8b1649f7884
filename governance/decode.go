package governance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	serjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"sigs.k8s.io/yaml"
)

// Limits that keep hostile input bounded. They are part of the contract: an
// input over a limit is an input error, never a crash or a silent truncation.
const (
	// MaxDocumentBytes is the largest single YAML or JSON document accepted.
	MaxDocumentBytes = 16 << 20
	// MaxNestingDepth is the deepest nesting of maps and lists accepted.
	MaxNestingDepth = 1000
	// maxExpansion bounds how much larger a document may grow when its YAML
	// aliases are expanded.
	maxExpansion = 16
)

// Decoder turns bytes into Objects through a scheme that knows every built-in
// kind. It is safe for concurrent use.
type Decoder struct {
	scheme *runtime.Scheme
	codec  runtime.Decoder
}

// NewDecoder returns a decoder over NewScheme.
func NewDecoder() (*Decoder, error) {
	scheme, err := NewScheme()
	if err != nil {
		return nil, fmt.Errorf("building scheme: %w", err)
	}
	codec := serjson.NewSerializerWithOptions(serjson.DefaultMetaFactory, scheme, scheme,
		serjson.SerializerOptions{Strict: true})
	return &Decoder{scheme: scheme, codec: codec}, nil
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
func (d *Decoder) DecodeFile(name string, data []byte) ([]*Object, ErrorList) {
	if err := checkText(data); err != nil {
		return nil, ErrorList{{Source: Source{File: name, Item: -1}, Err: err}}
	}
	docs, splitErr := splitDocuments(data)
	var objs []*Object
	var errs ErrorList
	for _, doc := range docs {
		src := Source{File: name, Document: doc.index, Line: doc.line, Item: -1}
		o, err := d.decodeDocument(doc, src)
		objs = append(objs, o...)
		errs = append(errs, err...)
	}
	if splitErr != nil {
		errs = append(errs, &InputError{Source: Source{File: name, Document: len(docs) + 1, Item: -1}, Err: splitErr})
	}
	return objs, errs
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

func (d *Decoder) decodeDocument(doc document, src Source) ([]*Object, ErrorList) {
	fail := func(err error) ([]*Object, ErrorList) { return nil, ErrorList{{Source: src, Err: err}} }
	if len(doc.data) > MaxDocumentBytes {
		return fail(fmt.Errorf("document is %d bytes, over the limit of %d bytes (16 MiB)", len(doc.data), MaxDocumentBytes))
	}
	js := doc.data
	if !doc.json {
		if isBlankYAML(doc.data) {
			return nil, nil
		}
		var err error
		js, err = yaml.YAMLToJSONStrict(doc.data)
		if err != nil {
			return fail(yamlError(err, doc.line))
		}
		if len(js) > MaxDocumentBytes && len(js) > maxExpansion*len(doc.data) {
			return fail(fmt.Errorf("document expands to %d bytes of JSON (YAML aliases): over the limit", len(js)))
		}
	}
	if depth := jsonDepth(js); depth > MaxNestingDepth {
		return fail(fmt.Errorf("document nests deeper than %d levels", MaxNestingDepth))
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return nil, nil
	}
	return d.decodeJSON(js, src, schema.GroupVersionKind{})
}

// decodeJSON decodes one object (or the items of a List). inherited is the
// element kind of a typed list (PodList items may omit apiVersion and kind).
func (d *Decoder) decodeJSON(js []byte, src Source, inherited schema.GroupVersionKind) ([]*Object, ErrorList) {
	fail := func(err error) ([]*Object, ErrorList) { return nil, ErrorList{{Source: src, Err: err}} }
	trimmed := bytes.TrimSpace(js)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fail(errors.New("document is not an object (expected a Kubernetes object with apiVersion and kind)"))
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(js, &tm); err != nil {
		return fail(fmt.Errorf("reading apiVersion and kind: %w", err))
	}
	if tm.Kind == "" && inherited.Kind != "" {
		tm.Kind, tm.APIVersion = inherited.Kind, inherited.GroupVersion().String()
		js = withTypeMeta(js, tm)
	}
	switch {
	case tm.APIVersion == "":
		return fail(errors.New(`missing "apiVersion"`))
	case tm.Kind == "":
		return fail(errors.New(`missing "kind"`))
	}
	gv, err := schema.ParseGroupVersion(tm.APIVersion)
	if err != nil {
		return fail(fmt.Errorf("invalid apiVersion %q: %w", tm.APIVersion, err))
	}
	gvk := gv.WithKind(tm.Kind)
	if isList(gvk, js) {
		return d.decodeList(js, src, gvk)
	}
	obj, err := d.decodeObject(js, gvk)
	if err != nil {
		return fail(err)
	}
	obj.Source = src
	return []*Object{obj}, nil
}

// isList reports whether a document is a v1 List or a typed *List with items.
func isList(gvk schema.GroupVersionKind, js []byte) bool {
	if gvk.Kind == "List" {
		return true
	}
	return strings.HasSuffix(gvk.Kind, "List") && bytes.Contains(js, []byte(`"items"`))
}

func (d *Decoder) decodeList(js []byte, src Source, gvk schema.GroupVersionKind) ([]*Object, ErrorList) {
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(js, &list); err != nil {
		return nil, ErrorList{{Source: src, Err: fmt.Errorf("%s: reading items: %w", gvk.Kind, err)}}
	}
	var elem schema.GroupVersionKind
	if gvk.Kind != "List" {
		elem = gvk.GroupVersion().WithKind(strings.TrimSuffix(gvk.Kind, "List"))
	}
	var objs []*Object
	var errs ErrorList
	for i, item := range list.Items {
		itemSrc := src
		itemSrc.Item = i
		o, e := d.decodeJSON(item, itemSrc, elem)
		objs = append(objs, o...)
		errs = append(errs, e...)
	}
	return objs, errs
}

// withTypeMeta sets apiVersion and kind on a JSON object.
func withTypeMeta(js []byte, tm metav1.TypeMeta) []byte {
	prefix := fmt.Sprintf(`{"apiVersion":%q,"kind":%q`, tm.APIVersion, tm.Kind)
	rest := bytes.TrimSpace(js)[1:]
	if len(bytes.TrimSpace(rest)) > 1 {
		prefix += ","
	}
	return append([]byte(prefix), rest...)
}

// decodeObject decodes a single object into its typed struct (strictly, so
// unknown fields are recorded) or into an Unstructured for kinds outside the
// scheme.
func (d *Decoder) decodeObject(js []byte, gvk schema.GroupVersionKind) (*Object, error) {
	o := &Object{GVK: gvk}
	if gvk.Group == "" && gvk.Version == "v1" && gvk.Kind == "Secret" {
		var err error
		if js, o.InvalidBase64Keys, err = keepInvalidBase64(js); err != nil {
			return nil, err
		}
	}
	if !d.scheme.Recognizes(gvk) {
		if d.scheme.IsGroupRegistered(gvk.Group) {
			return nil, unknownVersionError(d.scheme, gvk)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
		}
		o.Obj = u
	} else {
		obj, _, err := d.codec.Decode(js, nil, nil)
		if err != nil {
			strict, ok := runtime.AsStrictDecodingError(err)
			if !ok || obj == nil {
				return nil, fmt.Errorf("%s: %s", gvk.Kind, decodeMessage(err))
			}
			fields, dupErr := strictFields(strict)
			if dupErr != nil {
				return nil, fmt.Errorf("%s: %w", gvk.Kind, dupErr)
			}
			o.UnknownFields = fields
		}
		o.Obj, o.Typed = obj, true
	}
	m, err := accessor(o.Obj)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", gvk.Kind, err)
	}
	if m.GetName() == "" && m.GetGenerateName() == "" && !isConfigKind(gvk) {
		return nil, fmt.Errorf("%s: metadata.name is required", gvk.Kind)
	}
	return o, nil
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

var unknownFieldRE = regexp.MustCompile(`^unknown field "(.*)"$`)

// strictFields separates unknown fields (recorded) from duplicate fields (an
// error: which of the two values counts is not obvious to the reader).
func strictFields(err interface{ Errors() []error }) ([]string, error) {
	var fields []string
	for _, e := range err.Errors() {
		msg := e.Error()
		if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
			fields = append(fields, m[1])
			continue
		}
		return nil, errors.New(msg)
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
// succeeds and the raw text is what Data holds; it returns the keys.
func keepInvalidBase64(js []byte) ([]byte, []string, error) {
	var probe struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(js, &probe); err != nil || len(probe.Data) == 0 {
		return js, nil, nil // the typed decode reports structural errors
	}
	var bad []string
	for k, raw := range probe.Data {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			continue
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(s); err != nil {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return js, nil, nil
	}
	var whole map[string]json.RawMessage
	if err := json.Unmarshal(js, &whole); err != nil {
		return nil, nil, err
	}
	var data map[string]any
	if err := json.Unmarshal(whole["data"], &data); err != nil {
		return nil, nil, err
	}
	for _, k := range bad {
		data[k] = base64.StdEncoding.EncodeToString([]byte(data[k].(string)))
	}
	enc, err := json.Marshal(data)
	if err != nil {
		return nil, nil, err
	}
	whole["data"] = enc
	out, err := json.Marshal(whole)
	sort.Strings(bad)
	return out, bad, err
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlError rewrites the document-relative line numbers of a YAML error to
// lines of the file.
func yamlError(err error, docLine int) error {
	msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
	msg = yamlLineRE.ReplaceAllStringFunc(msg, func(m string) string {
		n, convErr := strconv.Atoi(m[len("line "):])
		if convErr != nil {
			return m
		}
		return "line " + strconv.Itoa(n+docLine-1)
	})
	return fmt.Errorf("invalid YAML: %s", msg)
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
