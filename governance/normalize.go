package governance

import (
	"reflect"
	"strings"
)

// builtinGroups are served by the kube-apiserver itself and stored as
// protobuf, where an empty list or map and an absent one are the same.
func isBuiltinGroup(group string) bool {
	return group == "" || !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io") && !strings.HasPrefix(group, "policy.networking.") && group != "audit.k8s.io" && group != "apiserver.config.k8s.io"
}

// normalizeEmpty sets every empty slice and map reachable through exported
// fields to nil, so that `ingress: []` and an absent `ingress` decode to the
// same value, as they are after the apiserver stores them.
func normalizeEmpty(obj any) {
	v := reflect.ValueOf(obj)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		normalizeValue(v.Elem())
	}
}

func normalizeValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normalizeValue(v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				normalizeValue(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		if v.Len() == 0 {
			if v.CanSet() {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		if elem := v.Type().Elem().Kind(); elem == reflect.Struct || elem == reflect.Pointer || elem == reflect.Slice || elem == reflect.Map {
			for i := 0; i < v.Len(); i++ {
				normalizeValue(v.Index(i))
			}
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		if v.Len() == 0 && v.CanSet() {
			v.Set(reflect.Zero(v.Type()))
		}
	}
}
