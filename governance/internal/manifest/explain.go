package manifest

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	kjson "sigs.k8s.io/json"
)

// ExplainDecodeError turns the error of decoding raw into target into a
// message that names the field: `spec.replicas: expected an integer, got
// string "three"`, `spec.containers[0].resources.limits[cpu]: cannot decode
// string "2 cores" as resource.Quantity: quantities must match ...`. The JSON decoder names no
// field when a custom type (Quantity, IntOrString, Time) refuses its value,
// and no list index for a wrong type; the offending field is found by walking
// the value against the Go type. path prefixes the field paths.
func ExplainDecodeError(raw []byte, target any, err error, path string) string {
	where, msg := LocateDecodeError(raw, target, err, path)
	if where == "" {
		return msg
	}
	return where + ": " + msg
}

// LocateDecodeError is ExplainDecodeError with the field path apart ("" when
// the field is not found).
func LocateDecodeError(raw []byte, target any, err error, path string) (where, msg string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) == nil {
		if where, msg, found := locate(v, reflect.TypeOf(target), path); found {
			return where, msg
		}
	}
	return "", DecodeMessage(err)
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// locate finds the first field (in key order) whose value t cannot hold.
func locate(v any, t reflect.Type, path string) (where, msg string, found bool) {
	if v == nil {
		return "", "", false // null decodes into anything
	}
	mismatch := func(want string) (string, string, bool) {
		return path, fmt.Sprintf("expected %s, got %s", want, DescribeValue(v)), true
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		switch {
		case pt.Implements(jsonUnmarshalerType):
			b, err := json.Marshal(v)
			if err == nil {
				err = kjson.UnmarshalCaseSensitivePreserveInts(b, reflect.New(t).Interface())
			}
			if err != nil {
				return path, fmt.Sprintf("cannot decode %s as %s: %s", DescribeValue(v), t, DecodeMessage(err)), true
			}
			return "", "", false
		case pt.Implements(textUnmarshalerType):
			s, ok := v.(string)
			if !ok {
				return mismatch("a string")
			}
			if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
				return path, err.Error(), true
			}
			return "", "", false
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return locate(v, t.Elem(), path)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch("an object")
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(m) {
			if f, known := fields[k]; known {
				if w, msg, found := locate(m[k], f, joinPath(path, k)); found {
					return w, msg, true
				}
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch("an object")
		}
		for _, k := range sortedKeys(m) {
			if w, msg, found := locate(m[k], t.Elem(), path+"["+k+"]"); found {
				return w, msg, true
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			s, ok := v.(string)
			if !ok {
				return mismatch("a base64 string")
			}
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				return path, fmt.Sprintf("invalid base64 data: %v", err), true
			}
			return "", "", false
		}
		l, ok := v.([]any)
		if !ok {
			return mismatch("a list")
		}
		for i, e := range l {
			if w, msg, found := locate(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); found {
				return w, msg, true
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return mismatch("a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return mismatch("a boolean")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch("an integer")
		}
		if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err != nil {
			if strings.ContainsAny(n.String(), ".eE") {
				return mismatch("an integer")
			}
			return path, fmt.Sprintf("number %s is out of range for %s", n, t.Kind()), true
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch("a non-negative integer")
		}
		if _, err := strconv.ParseUint(n.String(), 10, t.Bits()); err != nil {
			if strings.ContainsAny(n.String(), ".eE-") {
				return mismatch("a non-negative integer")
			}
			return path, fmt.Sprintf("number %s is out of range for %s", n, t.Kind()), true
		}
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch("a number")
		}
		if _, err := strconv.ParseFloat(n.String(), t.Bits()); err != nil {
			return path, fmt.Sprintf("number %s is out of range for %s", n, t.Kind()), true
		}
	}
	return "", "", false
}

func joinPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the JSON names of a struct's fields, embedded structs'
// promoted fields included, to their types (encoding/json's rules:
// case-sensitive here, as the Kubernetes decoder is; the shallower field
// wins).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	for _, et := range embedded {
		for name, ft := range jsonFields(et) {
			if _, shadowed := out[name]; !shadowed {
				out[name] = ft
			}
		}
	}
	fieldCache.Store(t, out)
	return out
}
