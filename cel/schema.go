package cel

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
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
		// As published: the format marks it (CRDs use the
		// x-kubernetes-int-or-string extension instead).
		s := &openapispec.Schema{SchemaProps: openapispec.SchemaProps{OneOf: []openapispec.Schema{*typed("integer"), *typed("string")}}}
		s.Format = intstr.IntOrString{}.OpenAPISchemaFormat()
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
		omitEmpty := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		if d, ok := zeroDefault(f.Type, omitEmpty); ok {
			fs.Default = d
		}
		s.Properties[name] = *fs
		if !omitEmpty && f.Type.Kind() != reflect.Pointer {
			s.Required = append(s.Required, name)
		}
	}
	add, remove := requiredMarkers(t)
	s.Required = slices.DeleteFunc(s.Required, func(n string) bool { return slices.Contains(remove, n) })
	for _, n := range add {
		if _, ok := s.Properties[n]; ok && !slices.Contains(s.Required, n) {
			s.Required = append(s.Required, n)
		}
	}
}

// requiredMarkers are the fields of the catalog's kinds whose +required or
// +optional comment in k8s.io/api overrides what their json tag says
// (omitempty), as the published OpenAPI v3 of Kubernetes 1.37 shows them
// (TestDerivedSchemasMatchOpenAPI finds any other). Required fields count
// in the minimum serialized size the list size estimates divide by.
func requiredMarkers(t reflect.Type) (add, remove []string) {
	switch t {
	case reflect.TypeFor[appsv1.Deployment](), reflect.TypeFor[appsv1.DaemonSet](), reflect.TypeFor[appsv1.ReplicaSet](),
		reflect.TypeFor[appsv1.StatefulSet](), reflect.TypeFor[batchv1.CronJob]():
		return []string{"spec"}, nil
	case reflect.TypeFor[appsv1.DeploymentSpec](), reflect.TypeFor[appsv1.DaemonSetSpec](), reflect.TypeFor[appsv1.ReplicaSetSpec]():
		return []string{"selector"}, nil
	case reflect.TypeFor[appsv1.StatefulSetSpec]():
		return []string{"selector"}, []string{"serviceName"}
	case reflect.TypeFor[appsv1.StatefulSetStatus]():
		return nil, []string{"availableReplicas"}
	case reflect.TypeFor[appsv1.StatefulSetOrdinals]():
		return nil, []string{"start"}
	case reflect.TypeFor[appsv1.DeploymentCondition](), reflect.TypeFor[appsv1.DaemonSetCondition](),
		reflect.TypeFor[appsv1.ReplicaSetCondition](), reflect.TypeFor[appsv1.StatefulSetCondition]():
		return nil, []string{"status", "type"}
	case reflect.TypeFor[batchv1.PodFailurePolicyOnPodConditionsPattern]():
		return nil, []string{"status"}
	case reflect.TypeFor[corev1.ContainerRestartRule]():
		return []string{"action"}, nil
	case reflect.TypeFor[corev1.ContainerRestartRuleOnExitCodes]():
		return []string{"operator"}, nil
	case reflect.TypeFor[corev1.EvictionResponder]():
		return []string{"priority"}, nil
	case reflect.TypeFor[corev1.PodCertificateProjection]():
		return []string{"keyType", "signerName"}, nil
	case reflect.TypeFor[corev1.ProjectedVolumeSource]():
		return nil, []string{"sources"}
	case reflect.TypeFor[corev1.ScaleIOVolumeSource]():
		return []string{"secretRef"}, nil
	case reflect.TypeFor[corev1.ImageVolumeStatus]():
		return []string{"imageRef"}, nil
	case reflect.TypeFor[corev1.NodeAllocatableMappedResources]():
		return []string{"quantity"}, nil
	}
	return nil, nil
}

// zeroDefault is the default a field of type t has once the apiserver has
// resolved a published schema: openapi-gen gives a scalar without
// omitempty its zero value; it gives a struct field {} too, but on the
// allOf wrapper of its $ref, which resolver.PopulateRefs replaces by the
// referenced schema, so resolved struct fields have none; pointers,
// slices, maps and the types with a hand-written schema (Quantity,
// IntOrString, Time...) have none. The default of a required field keeps
// it out of the minimum serialized size of its object, and so out of the
// list size estimates.
func zeroDefault(t reflect.Type, omitEmpty bool) (any, bool) {
	switch t {
	case quantityType, intOrStringType, timeType, microTimeType, durationType, rawExtType, fieldsV1Type:
		return nil, false
	}
	switch t.Kind() {
	case reflect.String:
		return "", !omitEmpty
	case reflect.Bool:
		return false, !omitEmpty
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return int64(0), !omitEmpty
	}
	return nil, false
}
