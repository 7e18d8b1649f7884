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
	// FieldArg is an args item; Name is the preceding flag ("--api-key",
	// "-u"; not an item with an attached value such as "-pHunter2") or the
	// flag of "--flag=value", if any. Values inside an item (Part) are
	// named by their variable or option.
	FieldArg
	// FieldCommand is a command item; Name as for FieldArg. Command and
	// args are read as one command line: an args item may be named by the
	// last command item.
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

// keyNames name the key of an entry of each field for messages (PartKey).
var keyNames = map[Field]string{FieldOther: "key", FieldEnv: "env variable name", FieldAnnotation: "annotation key",
	FieldConfigMapData: "ConfigMap key", FieldSecretStringData: "Secret stringData key", FieldSecretData: "Secret data key"}

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
	// A key that may hold a credential (!SafeName) appears redacted
	// (Redact) in it.
	Path  string
	Field Field
	// Name is the variable, key or flag the value is assigned to; "" when
	// it has none. It may hold anything a manifest holds: rules print it
	// only through DisplayName.
	Name string
	Text string
	// Part is PartWhole for the field itself, else which part of an args or
	// command item Text is (a shell assignment, a curl or MySQL password).
	Part Part
	// Program is the program a PartUserPassword or PartPassword belongs to
	// ("curl", "mysql").
	Program string
}

// maxWalkDepth bounds the walk of untyped objects.
const maxWalkDepth = 64

// Values returns the scalars of o that value rules inspect, in field order:
// annotations (the object's and its pod template's), container env values,
// args and command items (containers, initContainers, ephemeralContainers),
// ConfigMap data and binaryData (UTF-8 only), Secret stringData, decoded
// Secret data in the source origin only, and every string of an object
// outside the scheme.
//
// A map key that may hold a credential (!SafeName: an annotation key, a
// ConfigMap key, a custom resource's key) is itself a value, at the path
// of its entry, and appears redacted in paths.
func Values(o *governance.Object, origin Origin) []Value {
	var out []Value
	addPart := func(path string, field Field, name, text string, part Part, program string) {
		if text != "" {
			out = append(out, Value{Object: o, Path: path, Field: field, Name: name, Text: text, Part: part, Program: program})
		}
	}
	add := func(path string, field Field, name, text string) { addPart(path, field, name, text, PartWhole, "") }
	// keyed adds m[k] at prefix[k], and k itself when it is no plain name.
	keyed := func(prefix string, field Field, k, text string) {
		p := KeyPath(prefix, k)
		if !SafeName(k) {
			addPart(p, field, "", k, PartKey, "")
		}
		add(p, field, k, text)
	}
	for _, k := range sortedKeys(o.Meta().GetAnnotations()) {
		keyed("metadata.annotations", FieldAnnotation, k, o.Meta().GetAnnotations()[k])
	}
	// The templates of custom resources are read by the walk over their
	// unstructured content below, like every other string they hold.
	for _, t := range typedTemplates(o) {
		spec, podMeta, specPath := t.Spec, t.Meta, t.Path
		if specPath != "spec" && podMeta != nil {
			metaPath := strings.TrimSuffix(specPath, ".spec") + ".metadata.annotations"
			for _, k := range sortedKeys(podMeta.Annotations) {
				keyed(metaPath, FieldAnnotation, k, podMeta.Annotations[k])
			}
		}
		podSpecValues(spec, specPath, addPart)
	}
	switch obj := o.Obj.(type) {
	case *corev1.ConfigMap:
		for _, k := range sortedKeys(obj.Data) {
			keyed("data", FieldConfigMapData, k, obj.Data[k])
		}
		for _, k := range sortedKeys(obj.BinaryData) {
			if b := obj.BinaryData[k]; utf8.Valid(b) {
				keyed("binaryData", FieldConfigMapData, k, string(b))
			}
		}
	case *corev1.Secret:
		for _, k := range sortedKeys(obj.StringData) {
			keyed("stringData", FieldSecretStringData, k, obj.StringData[k])
		}
		if origin == OriginSource {
			for _, k := range sortedKeys(obj.Data) {
				if b := obj.Data[k]; utf8.Valid(b) {
					keyed("data", FieldSecretData, k, string(b))
				}
			}
		}
	case *unstructured.Unstructured:
		for _, k := range sortedKeys(obj.Object) {
			if k != "metadata" && k != "apiVersion" && k != "kind" {
				if !SafeName(k) {
					addPart(DisplayName(k), FieldOther, "", k, PartKey, "")
				}
				walkUnstructured(DisplayName(k), "", obj.Object[k], 0, addPart)
			}
		}
	}
	return out
}

// where names the value's field for messages: `env value "OPENAI_API_KEY"`,
// `shell assignment "DB_PASSWORD" in command item`. A name that may hold a
// credential is redacted (DisplayName); the value is never shown.
func where(v Value) string {
	switch v.Part {
	case PartAssignment:
		return fmt.Sprintf("shell assignment %q in %s", DisplayName(v.Name), v.Field)
	case PartUserPassword:
		return fmt.Sprintf("%s --user (user:password) in %s", DisplayName(v.Program), v.Field)
	case PartPassword:
		return fmt.Sprintf("%s password option in %s", DisplayName(v.Program), v.Field)
	case PartKey:
		return keyNames[v.Field]
	}
	if v.Name == "" {
		return v.Field.String()
	}
	return fmt.Sprintf("%s %q", v.Field, DisplayName(v.Name))
}

type partAddFunc func(path string, field Field, name, text string, part Part, program string)

// KeyPath returns prefix[key], the key redacted (Redact) unless it is
// plainly a name (SafeName): "data[api-key]", "data[sk-p…]".
func KeyPath(prefix, key string) string {
	return prefix + "[" + DisplayName(key) + "]"
}

func podSpecValues(spec *corev1.PodSpec, specPath string, add partAddFunc) {
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

// containerValues adds env values, then the command and args items as one
// command line (commandLineValues).
func containerValues(c *corev1.Container, path string, add partAddFunc) {
	for i := range c.Env {
		if !SafeName(c.Env[i].Name) {
			add(path+".env["+strconv.Itoa(i)+"].name", FieldEnv, "", c.Env[i].Name, PartKey, "")
		}
		if c.Env[i].Value != "" {
			add(path+".env["+strconv.Itoa(i)+"].value", FieldEnv, c.Env[i].Name, c.Env[i].Value, PartWhole, "")
		}
	}
	items := make([]cmdItem, 0, len(c.Command)+len(c.Args))
	for i, a := range c.Command {
		items = append(items, cmdItem{path: path + ".command[" + strconv.Itoa(i) + "]", field: FieldCommand, text: a})
	}
	for i, a := range c.Args {
		items = append(items, cmdItem{path: path + ".args[" + strconv.Itoa(i) + "]", field: FieldArg, text: a})
	}
	commandLineValues(items, programOf(c.Command, c.Image), len(c.Command) > 0, add)
}

// walkUnstructured visits every string; a map with "name" and "value"
// (an env entry of a CRD's container) names its value by "name". A key
// that is no plain name (SafeName) is visited as a string too, and
// redacted in paths.
func walkUnstructured(path, name string, v any, depth int, add partAddFunc) {
	if depth > maxWalkDepth {
		return
	}
	switch v := v.(type) {
	case string:
		add(path, FieldOther, name, v, PartWhole, "")
	case map[string]any:
		envName, _ := v["name"].(string)
		for _, k := range sortedKeys(v) {
			child := k
			if k == "value" && envName != "" {
				child = envName
			}
			p := path + "." + DisplayName(k)
			if !SafeName(k) {
				add(p, FieldOther, "", k, PartKey, "")
			}
			walkUnstructured(p, child, v[k], depth+1, add)
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

// typedTemplates are the pod templates of a Pod or built-in workload.
func typedTemplates(o *governance.Object) []governance.PodTemplate {
	if !o.Typed {
		return nil
	}
	return governance.PodTemplatesOf(o)
}
