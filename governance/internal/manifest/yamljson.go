package manifest

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
	kjson "sigs.k8s.io/json"

	"github.com/aigov/aigov/internal/redact"
)

// Limits that keep hostile input bounded (the loader's contract: an input
// over a limit is an input error, never a crash or a silent truncation).
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

// ErrTooDeep is the error of a document nested deeper than MaxNestingDepth.
var ErrTooDeep = fmt.Errorf("document nests deeper than %d levels", MaxNestingDepth)

// Document is one YAML or JSON document of a file.
type Document struct {
	Data  []byte
	Line  int // 1-based line of the document's first line in the file
	Index int // 1-based document index
	JSON  bool
}

// CheckText refuses binary files: a NUL byte or invalid UTF-8 in the first
// 8 KiB, the same sniffing git and grep do.
func CheckText(data []byte) error {
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

// IsDuplicateKeyError reports a go-yaml error made only of duplicate keys.
func IsDuplicateKeyError(err error) bool {
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

// TypeMetaField reads apiVersion or kind: absent and null read as "".
func TypeMetaField(m any, key string) (string, error) {
	v, _ := Field(m, key)
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("%q must be a string, got %s", key, DescribeValue(v))
	}
}

// DuplicateFields reports the first duplicate key of a JSON document: which
// of two values counts is not obvious to the reader, and the document's tree
// keeps only the last.
func DuplicateFields(raw []byte) error {
	var v any
	strict, err := kjson.UnmarshalStrict(raw, &v, kjson.DisallowDuplicateFields)
	if err != nil || len(strict) == 0 {
		return nil // the tree decode reports invalid JSON
	}
	return strict[0]
}

// ConversionError prefixes the errors of a tree that JSON cannot hold.
func ConversionError(err error) error {
	var ce *convertError
	if errors.As(err, &ce) {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	return err
}

// StrictFields separates unknown fields (recorded, with prefix before their
// path) from duplicate fields (an error: which of the two values counts is
// not obvious to the reader).
func StrictFields(errs []error, prefix string) ([]string, error) {
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

// DecodeMessage strips the serializer's generic prefixes so the message says
// what is wrong with which field.
func DecodeMessage(err error) string {
	msg := err.Error()
	for _, prefix := range []string{"json: ", "error unmarshaling JSON: while decoding JSON: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return msg
}

// KeepInvalidBase64 replaces Secret data values that are not valid padded
// standard base64 with the base64 of their raw text, so the typed decode
// succeeds and the raw text is what Data holds; it returns the keys, sorted.
func KeepInvalidBase64(m any) []string {
	data, _ := Field(m, "data")
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

// IsObject reports a JSON object of any of the trees.
func IsObject(v any) bool {
	switch v.(type) {
	case map[string]any, map[any]any, yamlv2.MapSlice:
		return true
	}
	return false
}

// Field reads a key of a JSON object of any of the trees.
func Field(m any, key string) (any, bool) {
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

// SetField sets a key of a JSON object of any of the trees and returns the
// object (a MapSlice may have grown).
func SetField(m any, key string, v any) any {
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

// ParseYAML decodes one YAML document with go-yaml v2, strictly (duplicate
// keys are errors), into a tree of []any, scalars and mappings.
//
// Documents of the common block shape are read by yp (see BlockParser),
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
func ParseYAML(yp *BlockParser, data []byte) (any, error) {
	tree, _, err := ParseYAMLBlock(yp, data)
	return tree, err
}

// ParseYAMLBlock is ParseYAML, also reporting whether yp read the document
// (see Writer.BeginBlock).
func ParseYAMLBlock(yp *BlockParser, data []byte) (tree any, block bool, err error) {
	if yp != nil {
		if tree, ok := yp.parse(data); ok {
			return tree, true, nil
		}
	}
	tree, err = parseYAMLGeneral(data)
	return tree, false, err
}

// parseYAMLGeneral is ParseYAML's go-yaml path.
func parseYAMLGeneral(data []byte) (any, error) {
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

// YAMLError rewrites a go-yaml error: its line numbers (relative to the
// document; numbered from 0 for parser errors, and left out for an error on
// the document's first line) become 1-based lines of the file, and its
// "yaml: " prefixes go.
func YAMLError(err error, docLine int) error {
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
		return ErrTooDeep
	}
	return fmt.Errorf("invalid YAML: %s", fileLine(msg))
}

// Writer writes the JSON text of a decoded YAML (or JSON) tree the way
// sigs.k8s.io/yaml does for kubectl (keys sorted, numbers and booleans as
// map keys turned into text), while bounding the nesting depth and the size a
// document expands to through YAML aliases. One writer serves the documents
// of a file in turn: the text it returns is valid until the next encode.
type Writer struct {
	buf         []byte
	size, limit int    // bytes written for the document so far, and the bound
	scratch     [][]kv // sort space per depth
	blockTree   bool   // the document's tree is the BlockParser's (see DecodeTyped)
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

// Begin starts a document of n bytes: its expansion through aliases is
// bounded from here on (see MaxDocumentBytes).
func (w *Writer) Begin(n int) {
	w.size, w.limit, w.blockTree = 0, max(MaxDocumentBytes, maxExpansion*n), false
}

// Encode returns the JSON text of v, which sits at the given depth of its
// document (1 for the document itself).
func (w *Writer) Encode(v any, depth int) ([]byte, error) {
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

func (w *Writer) tooBig() error {
	return fmt.Errorf("document expands to more than %d bytes of JSON through YAML aliases (limit: %d times its size, at least 16 MiB)", w.limit, maxExpansion)
}

func (w *Writer) value(v any, depth int) error {
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
			return ErrTooDeep
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
			return ErrTooDeep
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
			return ErrTooDeep
		}
		members := w.members(depth, len(x))
		for k, e := range x {
			members = append(members, kv{k, e})
		}
		return w.object(members, depth)
	case yamlv2.MapSlice:
		if depth > MaxNestingDepth {
			return ErrTooDeep
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
func (w *Writer) members(depth, n int) []kv {
	for len(w.scratch) <= depth {
		w.scratch = append(w.scratch, nil)
	}
	if cap(w.scratch[depth]) < n {
		w.scratch[depth] = make([]kv, 0, n)
	}
	return w.scratch[depth][:0]
}

func (w *Writer) object(members []kv, depth int) error {
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
	return "", &convertError{msg: fmt.Sprintf("map key %s is not a string", DescribeValue(k))}
}

// DescribeValue names a JSON (or YAML) value for an error message.
func DescribeValue(v any) string {
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

// JSONDepth returns the deepest nesting of objects and arrays in js.
func JSONDepth(js []byte) int {
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

// IsBlank reports a document of only blank lines and comments.
func IsBlank(data []byte) bool {
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
