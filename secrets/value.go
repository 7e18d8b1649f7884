package secrets

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aigov/aigov/governance"
)

// Field says what kind of field a scanned value is in.
type Field int

// Fields.
const (
	// FieldOther is any other string of an object outside the scheme (a
	// CRD such as a KServe InferenceService).
	FieldOther Field = iota
	// FieldEnv is a container env value; Name is the variable.
	FieldEnv
	// FieldArg is an args item; Name is the preceding flag ("--api-key")
	// or the flag of "--flag=value", if any.
	FieldArg
	// FieldCommand is a command item; Name as for FieldArg.
	FieldCommand
	// FieldAnnotation is an annotation value; Name is its key.
	FieldAnnotation
	// FieldConfigMapData is a ConfigMap data or binaryData value; Name is
	// its key.
	FieldConfigMapData
	// FieldSecretStringData is a Secret stringData value; Name is its key.
	FieldSecretStringData
	// FieldSecretData is a decoded Secret data value (source origin only);
	// Name is its key.
	FieldSecretData
)

var fieldNames = [...]string{"value", "env value", "args item", "command item", "annotation",
	"ConfigMap value", "Secret stringData value", "Secret data value"}

// String names the field for messages ("env value").
func (f Field) String() string {
	if f < 0 || int(f) >= len(fieldNames) {
		return fmt.Sprintf("field(%d)", int(f))
	}
	return fieldNames[f]
}

// Value is one scalar of an object that value rules inspect: where it is
// (the exact field path of the design), its name and its text.
type Value struct {
	Object *governance.Object
	// Path is the field that holds the value, e.g.
	// "spec.template.spec.containers[0].env[1].value" or "data[api-key]".
	Path  string
	Field Field
	// Name is the variable, key or flag the value is assigned to; "" when
	// it has none.
	Name string
	Text string
}

// maxWalkDepth bounds the walk of untyped objects.
const maxWalkDepth = 64

// Values returns the scalars of o that value rules inspect, in field order:
// annotations (the object's and its pod template's), container env values,
// args and command items (containers, initContainers, ephemeralContainers),
// ConfigMap data and binaryData (UTF-8 only), Secret stringData, decoded
// Secret data in the source origin only, and every string of an object
// outside the scheme.
func Values(o *governance.Object, origin Origin) []Value {
	var out []Value
	add := func(path string, field Field, name, text string) {
		if text != "" {
			out = append(out, Value{Object: o, Path: path, Field: field, Name: name, Text: text})
		}
	}
	for _, k := range sortedKeys(o.Meta().GetAnnotations()) {
		add("metadata.annotations["+k+"]", FieldAnnotation, k, o.Meta().GetAnnotations()[k])
	}
	if spec, podMeta, specPath, ok := governance.PodSpecOf(o); ok {
		if specPath != "spec" && podMeta != nil {
			metaPath := strings.TrimSuffix(specPath, ".spec") + ".metadata.annotations["
			for _, k := range sortedKeys(podMeta.Annotations) {
				add(metaPath+k+"]", FieldAnnotation, k, podMeta.Annotations[k])
			}
		}
		podSpecValues(spec, specPath, add)
	}
	switch obj := o.Obj.(type) {
	case *corev1.ConfigMap:
		for _, k := range sortedKeys(obj.Data) {
			add("data["+k+"]", FieldConfigMapData, k, obj.Data[k])
		}
		for _, k := range sortedKeys(obj.BinaryData) {
			if b := obj.BinaryData[k]; utf8.Valid(b) {
				add("binaryData["+k+"]", FieldConfigMapData, k, string(b))
			}
		}
	case *corev1.Secret:
		for _, k := range sortedKeys(obj.StringData) {
			add("stringData["+k+"]", FieldSecretStringData, k, obj.StringData[k])
		}
		if origin == OriginSource {
			for _, k := range sortedKeys(obj.Data) {
				if b := obj.Data[k]; utf8.Valid(b) {
					add("data["+k+"]", FieldSecretData, k, string(b))
				}
			}
		}
	case *unstructured.Unstructured:
		for _, k := range sortedKeys(obj.Object) {
			if k != "metadata" && k != "apiVersion" && k != "kind" {
				walkUnstructured(k, "", obj.Object[k], 0, add)
			}
		}
	}
	return out
}

type addFunc func(path string, field Field, name, text string)

func podSpecValues(spec *corev1.PodSpec, specPath string, add addFunc) {
	for i := range spec.InitContainers {
		containerValues(&spec.InitContainers[i], fmt.Sprintf("%s.initContainers[%d]", specPath, i), add)
	}
	for i := range spec.Containers {
		containerValues(&spec.Containers[i], fmt.Sprintf("%s.containers[%d]", specPath, i), add)
	}
	for i := range spec.EphemeralContainers {
		c := &spec.EphemeralContainers[i].EphemeralContainerCommon
		containerValues((*corev1.Container)(c), fmt.Sprintf("%s.ephemeralContainers[%d]", specPath, i), add)
	}
}

func containerValues(c *corev1.Container, path string, add addFunc) {
	for i := range c.Env {
		if c.Env[i].Value != "" {
			add(path+".env["+strconv.Itoa(i)+"].value", FieldEnv, c.Env[i].Name, c.Env[i].Value)
		}
	}
	argValues(c.Command, path+".command", FieldCommand, add)
	argValues(c.Args, path+".args", FieldArg, add)
}

// argValues names each item by its flag: "--api-key=X" is named
// "--api-key", and an item right after a bare flag is named by that flag.
func argValues(items []string, path string, field Field, add addFunc) {
	prevFlag := ""
	for i, a := range items {
		name := prevFlag
		if strings.HasPrefix(a, "-") {
			if flag, _, ok := strings.Cut(a, "="); ok {
				name = flag
			}
		}
		add(path+"["+strconv.Itoa(i)+"]", field, name, a)
		prevFlag = ""
		if strings.HasPrefix(a, "-") && !strings.Contains(a, "=") {
			prevFlag = a
		}
	}
}

// walkUnstructured visits every string; a map with "name" and "value"
// (an env entry of a CRD's container) names its value by "name".
func walkUnstructured(path, name string, v any, depth int, add addFunc) {
	if depth > maxWalkDepth {
		return
	}
	switch v := v.(type) {
	case string:
		add(path, FieldOther, name, v)
	case map[string]any:
		envName, _ := v["name"].(string)
		for _, k := range sortedKeys(v) {
			child := k
			if k == "value" && envName != "" {
				child = envName
			}
			walkUnstructured(path+"."+k, child, v[k], depth+1, add)
		}
	case []any:
		for i, item := range v {
			walkUnstructured(path+"["+strconv.Itoa(i)+"]", name, item, depth+1, add)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
