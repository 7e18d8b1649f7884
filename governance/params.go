package governance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	sigsjson "sigs.k8s.io/json"
)

// DecodeParams reads a check's parameters into into, a pointer to the
// check's parameter struct holding its defaults. params is what
// Definition.New was given:
//
//   - nil, or JSON null: the defaults stay;
//   - the parameter struct itself, or a pointer to it (a Go caller);
//   - its JSON, as json.RawMessage or []byte (a policy file), decoded
//     strictly: field names match case-sensitively, and unknown or
//     duplicate fields are errors.
//
// Anything else is an error naming the type wanted.
func DecodeParams(params, into any) error {
	target := reflect.ValueOf(into)
	if target.Kind() != reflect.Pointer || target.IsNil() {
		return fmt.Errorf("DecodeParams: into must be a non-nil pointer, got %T", into)
	}
	switch p := params.(type) {
	case nil:
		return nil
	case json.RawMessage:
		return decodeJSONParams(p, into)
	case []byte:
		return decodeJSONParams(p, into)
	}
	v := reflect.ValueOf(params)
	want := target.Elem().Type()
	switch {
	case v.Type() == want:
		target.Elem().Set(v)
		return nil
	case v.Kind() == reflect.Pointer && v.Type().Elem() == want:
		if !v.IsNil() {
			target.Elem().Set(v.Elem())
		}
		return nil
	}
	return fmt.Errorf("params of type %T: want %s, a pointer to it, or its JSON", params, want)
}

func decodeJSONParams(raw []byte, into any) error {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil
	}
	if t[0] != '{' {
		if len(t) > 40 {
			t = append(t[:40:40], "..."...)
		}
		return fmt.Errorf("params must be an object, got %s", t)
	}
	strict, err := sigsjson.UnmarshalStrict(t, into)
	if err != nil {
		return fmt.Errorf("invalid params: %w", err)
	}
	if len(strict) > 0 {
		return fmt.Errorf("invalid params: %w", errors.Join(strict...))
	}
	return nil
}

// NoParams accepts only absent or empty params, for checks that take
// none.
func NoParams(params any) error {
	switch p := params.(type) {
	case nil:
		return nil
	case json.RawMessage, []byte:
		var m map[string]json.RawMessage
		if err := DecodeParams(p, &m); err != nil {
			return err
		}
		if len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, fmt.Sprintf("%q", k))
			}
			slices.Sort(keys)
			return fmt.Errorf("unknown params %s: the check takes no parameters", strings.Join(keys, ", "))
		}
		return nil
	}
	return fmt.Errorf("params of type %T: the check takes no parameters", params)
}
