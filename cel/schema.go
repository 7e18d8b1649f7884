package cel

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/common"
	"k8s.io/apiserver/pkg/cel/openapi"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	openapispec "k8s.io/kube-openapi/pkg/validation/spec"
)

// typeSchemaResolver is a static resolver.SchemaResolver for the kinds of
// a scheme: it derives each kind's OpenAPI v3 schema from its Go type with
// the rules openapi-gen applies to k8s.io/api (json names, inline
// embedding, required = no omitempty, maps as additionalProperties, and
// the hand-written schemas of Quantity, IntOrString, Time, Duration,
// RawExtension and FieldsV1 as the apiserver publishes them in OpenAPI v3).
//
// The apiserver's own static resolver
// (resolver.NewDefinitionsSchemaResolver) needs the generated definitions
// of k8s.io/kubernetes/pkg/generated/openapi, which would pull
// k8s.io/kubernetes (and its replace directives) into every importer of
// aigov; a test proves this resolver gives the same CEL types as the
// apiserver's published OpenAPI v3 documents.
type typeSchemaResolver struct {
	scheme *runtime.Scheme

	mu    sync.Mutex
	decls map[schema.GroupVersionKind]*apiservercel.DeclType
}

var _ resolver.SchemaResolver = (*typeSchemaResolver)(nil)

func newTypeSchemaResolver(scheme *runtime.Scheme) *typeSchemaResolver {
	return &typeSchemaResolver{scheme: scheme, decls: map[schema.GroupVersionKind]*apiservercel.DeclType{}}
}

// ResolveSchema returns the schema of a kind, refs inlined.
func (r *typeSchemaResolver) ResolveSchema(gvk schema.GroupVersionKind) (*openapispec.Schema, error) {
	t, ok := r.scheme.AllKnownTypes()[gvk]
	if !ok || gvk.Version == runtime.APIVersionInternal {
		return nil, fmt.Errorf("cannot resolve %v: %w", gvk, resolver.ErrSchemaNotFound)
	}
	s := schemaOf(t, map[reflect.Type]bool{})
	if s == nil {
		return nil, fmt.Errorf("cannot resolve %v: %w", gvk, resolver.ErrSchemaNotFound)
	}
	return s, nil
}

// declType is the CEL type of a kind as the validating admission policy
// type checker builds it: common.SchemaDeclType of the resolved schema, as
// a resource root. Cached per kind.
func (r *typeSchemaResolver) declType(gvk schema.GroupVersionKind) (*apiservercel.DeclType, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.decls[gvk]; ok {
		return d, nil
	}
	s, err := r.ResolveSchema(gvk)
	if err != nil {
		return nil, err
	}
	d := common.SchemaDeclType(&openapi.Schema{Schema: s}, true)
	r.decls[gvk] = d
	return d, nil
}

var (
	quantityType    = reflect.TypeFor[resource.Quantity]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	timeType        = reflect.TypeFor[metav1.Time]()
	microTimeType   = reflect.TypeFor[metav1.MicroTime]()
	durationType    = reflect.TypeFor[metav1.Duration]()
	rawExtType      = reflect.TypeFor[runtime.RawExtension]()
	fieldsV1Type    = reflect.TypeFor[metav1.FieldsV1]()
)

func typed(t string) *openapispec.Schema {
	return &openapispec.Schema{SchemaProps: openapispec.SchemaProps{Type: openapispec.StringOrArray{t}}}
}

// schemaOf builds the schema of a Go type; nil for types without one
// (functions, channels, interfaces, recursion).
func schemaOf(t reflect.Type, visiting map[reflect.Type]bool) *openapispec.Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case quantityType:
		// OpenAPI v3: oneOf [string, number] without a type; the CEL type
		// builder drops such fields, as it does on a real apiserver.
		return &openapispec.Schema{SchemaProps: openapispec.SchemaProps{OneOf: []openapispec.Schema{*typed("string"), *typed("number")}}}
	case intOrStringType:
		s := &openapispec.Schema{SchemaProps: openapispec.SchemaProps{AnyOf: []openapispec.Schema{*typed("integer"), *typed("string")}}}
		s.AddExtension("x-kubernetes-int-or-string", true)
		return s
	case timeType, microTimeType:
		s := typed("string")
		s.Format = "date-time"
		return s
	case durationType:
		return typed("string")
	case rawExtType, fieldsV1Type:
		return typed("object")
	}
	switch t.Kind() {
	case reflect.String:
		return typed("string")
	case reflect.Bool:
		return typed("boolean")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := typed("integer")
		if t.Kind() == reflect.Int32 {
			s.Format = "int32"
		} else {
			s.Format = "int64"
		}
		return s
	case reflect.Float32, reflect.Float64:
		s := typed("number")
		s.Format = "double"
		return s
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			s := typed("string")
			s.Format = "byte"
			return s
		}
		items := schemaOf(t.Elem(), visiting)
		if items == nil {
			return nil
		}
		s := typed("array")
		s.Items = &openapispec.SchemaOrArray{Schema: items}
		return s
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil
		}
		v := schemaOf(t.Elem(), visiting)
		if v == nil {
			return nil
		}
		s := typed("object")
		s.AdditionalProperties = &openapispec.SchemaOrBool{Allows: true, Schema: v}
		return s
	case reflect.Struct:
		if visiting[t] {
			return nil
		}
		visiting[t] = true
		defer delete(visiting, t)
		s := typed("object")
		s.Properties = map[string]openapispec.Schema{}
		addFields(s, t, visiting)
		return s
	}
	return nil
}

// addFields adds the JSON fields of a struct to s, inline structs merged.
func addFields(s *openapispec.Schema, t reflect.Type, visiting map[reflect.Type]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		inline := strings.Contains(","+opts+",", ",inline,") || (f.Anonymous && name == "")
		if inline {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(s, ft, visiting)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs := schemaOf(f.Type, visiting)
		if fs == nil {
			continue
		}
		s.Properties[name] = *fs
		if !strings.Contains(","+opts+",", ",omitempty,") && !strings.Contains(","+opts+",", ",omitzero,") && f.Type.Kind() != reflect.Pointer {
			s.Required = append(s.Required, name)
		}
	}
}
