package manifest

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode"

	yamlv2 "go.yaml.in/yaml/v2"
)

// BeginBlock starts a document of n bytes, like Begin, whose tree the
// BlockParser built: DecodeTyped may then decode it without JSON text.
func (w *Writer) BeginBlock(n int) {
	w.Begin(n)
	w.blockTree = true
}

// DecodeTyped decodes the tree v of a document begun with BeginBlock
// straight into out (a pointer to a zero typed object), giving what
// strict JSON decoding (sigs.k8s.io/json's UnmarshalStrict, case-sensitive,
// unknown fields disallowed) gives of the text Encode writes of v, without
// writing or scanning that text: the loader's hottest path.
//
// It takes only what it can decode exactly as that does, and reports false
// for anything else — an unknown field, a value of the wrong type, a number
// out of range, a float or an interface field, a type with a text
// unmarshaler or a field shadowed through embedding, a tree not from the
// BlockParser — after which out is in an unspecified state and the caller
// decodes the JSON text (from a fresh object), so that results and error
// messages are the same either way. Trees of the BlockParser hold no
// aliases (so nothing expands), mappings of unique string keys and valid
// UTF-8 strings (its lines are printable ASCII and its escapes write whole
// runes), which is what makes decoding the tree and decoding its JSON text
// agree. Types implementing json.Unmarshaler (quantities, times,
// int-or-strings, raw extensions) get the JSON text of their value, as
// the JSON decoder gives it to them.
func (w *Writer) DecodeTyped(v any, out any) bool {
	if !w.blockTree {
		return false
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	size := w.size // the text of unmarshalers' values is not the document's
	ok := w.decodeTyped(v, rv.Elem())
	w.size = size
	return ok
}

// decodeTyped decodes v into the addressable value dst.
func (w *Writer) decodeTyped(v any, dst reflect.Value) bool {
	t := dst.Type()
	plan := typePlanOf(t)
	if plan.unsupported {
		return false
	}
	if plan.unmarshaler {
		if v == nil && t.Kind() == reflect.Pointer {
			dst.SetZero()
			return true
		}
		if t.Kind() == reflect.Pointer {
			// The JSON decoder allocates, then calls the pointer's method.
			if dst.IsNil() {
				dst.Set(reflect.New(t.Elem()))
			}
			return w.callUnmarshaler(v, dst)
		}
		return w.callUnmarshaler(v, dst.Addr())
	}
	switch t.Kind() {
	case reflect.String:
		switch s := v.(type) {
		case nil:
		case string:
			dst.SetString(s)
		default:
			return false
		}
	case reflect.Bool:
		switch b := v.(type) {
		case nil:
		case bool:
			dst.SetBool(b)
		default:
			return false
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch n := v.(type) {
		case nil:
		case int:
			if dst.OverflowInt(int64(n)) {
				return false
			}
			dst.SetInt(int64(n))
		default:
			return false
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		switch n := v.(type) {
		case nil:
		case int:
			if n < 0 || dst.OverflowUint(uint64(n)) {
				return false
			}
			dst.SetUint(uint64(n))
		default:
			return false
		}
	case reflect.Pointer:
		if v == nil {
			dst.SetZero()
			return true
		}
		if dst.IsNil() {
			dst.Set(reflect.New(t.Elem()))
		}
		return w.decodeTyped(v, dst.Elem())
	case reflect.Slice:
		return w.decodeSlice(v, dst, plan)
	case reflect.Map:
		switch m := v.(type) {
		case nil:
			dst.SetZero()
		case yamlv2.MapSlice:
			if dst.IsNil() {
				dst.Set(reflect.MakeMapWithSize(t, len(m)))
			}
			elem := reflect.New(t.Elem()).Elem()
			for _, item := range m {
				key, ok := item.Key.(string)
				if !ok {
					return false
				}
				elem.SetZero()
				if !w.decodeTyped(item.Value, elem) {
					return false
				}
				k := reflect.ValueOf(key)
				if k.Type() != t.Key() {
					k = k.Convert(t.Key())
				}
				dst.SetMapIndex(k, elem)
			}
		default:
			return false
		}
	case reflect.Struct:
		switch m := v.(type) {
		case nil:
		case yamlv2.MapSlice:
			for _, item := range m {
				key, ok := item.Key.(string)
				if !ok {
					return false
				}
				f, known := plan.fields[key]
				if !known || f.unsupported {
					return false // unknown, shadowed or ",string": the JSON path says what
				}
				if !w.decodeTyped(item.Value, dst.FieldByIndex(f.index)) {
					return false
				}
			}
		default:
			return false
		}
	default:
		return false // floats, interfaces, arrays: the JSON path
	}
	return true
}

// decodeSlice decodes a list into a slice, and a string into a []byte as
// the JSON decoder does (standard base64).
func (w *Writer) decodeSlice(v any, dst reflect.Value, plan *typePlan) bool {
	t := dst.Type()
	switch x := v.(type) {
	case nil:
		dst.SetZero()
	case string:
		if !plan.bytes {
			return false
		}
		b := make([]byte, base64.StdEncoding.DecodedLen(len(x)))
		n, err := base64.StdEncoding.Decode(b, []byte(x))
		if err != nil {
			return false
		}
		dst.SetBytes(b[:n])
	case []any:
		s := reflect.MakeSlice(t, len(x), len(x))
		for i, e := range x {
			if !w.decodeTyped(e, s.Index(i)) {
				return false
			}
		}
		dst.Set(s)
	default:
		return false
	}
	return true
}

// callUnmarshaler gives the JSON text of v to the json.Unmarshaler p.
func (w *Writer) callUnmarshaler(v any, p reflect.Value) bool {
	u, ok := p.Interface().(json.Unmarshaler)
	if !ok {
		return false
	}
	w.buf = w.buf[:0]
	if err := w.value(v, 1); err != nil {
		return false
	}
	// The unmarshaler must copy what it keeps (encoding/json's contract):
	// the buffer is the writer's.
	return u.UnmarshalJSON(w.buf) == nil
}

// typePlan is what DecodeTyped needs to know of a type.
type typePlan struct {
	unsupported bool // a kind or form DecodeTyped leaves to the JSON path
	unmarshaler bool // the type or its pointer is a json.Unmarshaler
	bytes       bool // a []byte, which JSON holds as base64
	fields      map[string]fieldPlan
}

// fieldPlan is a struct field by its JSON name.
type fieldPlan struct {
	index       []int
	unsupported bool // ambiguous (shadowed through embedding) or ",string"
}

var typePlans sync.Map // reflect.Type → *typePlan

func typePlanOf(t reflect.Type) *typePlan {
	if p, ok := typePlans.Load(t); ok {
		return p.(*typePlan)
	}
	p := buildTypePlan(t)
	actual, _ := typePlans.LoadOrStore(t, p)
	return actual.(*typePlan)
}

func buildTypePlan(t reflect.Type) *typePlan {
	p := &typePlan{}
	isUnmarshaler := func(t reflect.Type) bool {
		return t.Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(jsonUnmarshalerType)
	}
	isTextUnmarshaler := func(t reflect.Type) bool {
		return t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)
	}
	switch {
	case isUnmarshaler(t):
		p.unmarshaler = true
		return p
	case isTextUnmarshaler(t):
		p.unsupported = true
		return p
	}
	switch t.Kind() {
	case reflect.Map:
		// Keys that unmarshal themselves or are not strings: the JSON path.
		p.unsupported = t.Key().Kind() != reflect.String || isTextUnmarshaler(t.Key())
	case reflect.Slice:
		p.bytes = t.Elem().Kind() == reflect.Uint8 && !isUnmarshaler(t.Elem()) && !isTextUnmarshaler(t.Elem())
	case reflect.Struct:
		p.fields = map[string]fieldPlan{}
		if !structFields(t, nil, p.fields, map[reflect.Type]bool{}) {
			p.unsupported = true
		}
	}
	return p
}

// structFields adds the JSON fields of struct t (found at index within the
// outer struct) to fields, promoting those of embedded structs as the JSON
// decoder does where that is unambiguous: a name found twice is marked
// unsupported. It reports false for a form it does not follow (an embedded
// pointer, a tag name the JSON decoder would not accept).
func structFields(t reflect.Type, index []int, fields map[string]fieldPlan, visiting map[reflect.Type]bool) bool {
	if visiting[t] {
		return false
	}
	visiting[t] = true
	defer delete(visiting, t)
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		at := append(append([]int(nil), index...), i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				return false // the JSON decoder allocates embedded pointers
			}
			if ft.Kind() == reflect.Struct {
				// Promoted fields: conflicts with outer fields make them
				// ambiguous here, where the JSON decoder would pick by depth.
				if !structFields(ft, at, fields, visiting) {
					return false
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		} else if !plainTagName(name) {
			return false
		}
		f := fieldPlan{index: at}
		if _, seen := fields[name]; seen {
			f.unsupported = true
		}
		for _, o := range strings.Split(opts, ",") {
			if o == "string" {
				f.unsupported = true
			}
		}
		fields[name] = f
	}
	return true
}

// plainTagName reports a tag name made of letters, digits and the
// punctuation Kubernetes uses in JSON names, all of which the JSON decoder
// accepts as given.
func plainTagName(name string) bool {
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.$@", r) {
			return false
		}
	}
	return name != ""
}
