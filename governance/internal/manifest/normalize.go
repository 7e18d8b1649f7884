package manifest

import (
	"reflect"
	"strings"
	"sync"
)

// builtinGroups are served by the kube-apiserver itself and stored as
// protobuf, where an empty list or map and an absent one are the same.
func IsBuiltinGroup(group string) bool {
	return group == "" || !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io") && !strings.HasPrefix(group, "policy.networking.") && group != "audit.k8s.io" && group != "apiserver.config.k8s.io"
}

// NormalizeEmpty sets every empty slice and map reachable through exported
// fields to nil, so that `ingress: []` and an absent `ingress` decode to the
// same value, as they are after the apiserver stores them.
func NormalizeEmpty(obj any) {
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
		for _, i := range emptyPlan(v.Type()).fields {
			normalizeValue(v.Field(i))
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
		if emptyPlan(v.Type()).elems {
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

// normalizePlan is what normalizeValue visits of a type: the exported fields
// of a struct, and whether the elements of a slice, that can hold a slice or
// map (through pointers and exported struct fields). Visiting the others
// would change nothing.
type normalizePlan struct {
	fields []int
	elems  bool
}

var normalizePlans sync.Map // reflect.Type → *normalizePlan

func emptyPlan(t reflect.Type) *normalizePlan {
	if p, ok := normalizePlans.Load(t); ok {
		return p.(*normalizePlan)
	}
	p := &normalizePlan{}
	visiting := map[reflect.Type]bool{}
	switch t.Kind() {
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && holdsEmpty(f.Type, visiting) {
				p.fields = append(p.fields, i)
			}
		}
	case reflect.Slice:
		switch elem := t.Elem(); elem.Kind() {
		case reflect.Struct, reflect.Pointer, reflect.Slice, reflect.Map:
			p.elems = holdsEmpty(elem, visiting)
		}
	}
	normalizePlans.Store(t, p)
	return p
}

// holdsEmpty reports whether normalizeValue may change a value of type t. A
// type met again while it is being examined (a recursive type) counts as
// holding one, which only costs a visit.
func holdsEmpty(t reflect.Type, visiting map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map:
		return true
	case reflect.Pointer:
		return holdsEmpty(t.Elem(), visiting)
	case reflect.Struct:
		if visiting[t] {
			return true
		}
		visiting[t] = true
		defer delete(visiting, t)
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && holdsEmpty(f.Type, visiting) {
				return true
			}
		}
	}
	return false
}
