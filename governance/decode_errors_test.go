package governance_test

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

const cmHeader = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"

// nestedFlow is a ConfigMap whose data field nests n levels deep (the
// document itself is level 1), in flow style.
func nestedFlow(n int) string {
	return cmHeader + "x: " + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + "\n"
}

// nestedBlock is the same in block style.
func nestedBlock(n int) string {
	var b strings.Builder
	b.WriteString(cmHeader + "x:\n")
	for i := 2; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i-1) + "k:\n")
	}
	b.WriteString(strings.Repeat(" ", n-1) + "k: v\n")
	return b.String()
}

// billionLaughs is the classic alias bomb: 9^9 "lol"s.
const billionLaughs = `apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

// wideAliasBomb stays under go-yaml's alias ratio (few aliases, each of a
// long string) but would expand to 100 MiB of JSON.
func wideAliasBomb() string {
	return cmHeader + "s: &s " + strings.Repeat("x", 1<<20) + "\nl: [" + strings.Repeat("*s,", 99) + "*s]\n"
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		input string
		want  []string // every error, in order
		// loaded are the names of the objects that still load
		loaded []string
	}{{
		name:   "YAML syntax error: the line is the file's",
		file:   "syntax.yaml",
		input:  cmHeader + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels: {a: [}\n",
		want:   []string{"syntax.yaml:6 (document 2): invalid YAML: line 10: did not find expected node content"},
		loaded: []string{"cm"},
	}, {
		name:  "YAML tab indentation",
		file:  "tab.yaml",
		input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n",
		want:  []string{"tab.yaml:1 (document 1): invalid YAML: line 4: found character that cannot start any token"},
	}, {
		name:  "wrong field type",
		file:  "type.yaml",
		input: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: three\n",
		want:  []string{`type.yaml:1 (document 1): Deployment: spec.replicas: expected an integer, got string "three"`},
	}, {
		name:  "wrong field type inside a list",
		file:  "type.yaml",
		input: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - containerPort: http\n",
		want:  []string{`type.yaml:1 (document 1): Pod: spec.containers[0].ports[0].containerPort: expected an integer, got string "http"`},
	}, {
		name:  "list where an object belongs",
		file:  "type.yaml",
		input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: [a, b]\n",
		want:  []string{`type.yaml:1 (document 1): ConfigMap: metadata.labels: expected an object, got a list`},
	}, {
		name:  "integer out of range",
		file:  "range.yaml",
		input: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 3000000000\n",
		want:  []string{`range.yaml:1 (document 1): Deployment: spec.replicas: number 3000000000 is out of range for int32`},
	}, {
		name:  "invalid quantity",
		file:  "quantity.yaml",
		input: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    resources:\n      limits:\n        nvidia.com/gpu: one\n",
		want:  []string{`quantity.yaml:1 (document 1): Pod: spec.containers[0].resources.limits[nvidia.com/gpu]: cannot decode string "one" as resource.Quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`},
	}, {
		name:  "invalid intstr",
		file:  "intstr.yaml",
		input: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n    targetPort: [8080]\n",
		want:  []string{`intstr.yaml:1 (document 1): Service: spec.ports[0].targetPort: cannot decode a list as intstr.IntOrString: cannot unmarshal array into Go value of type int32`},
	}, {
		name:  "unknown apiVersion of a known group",
		file:  "version.yaml",
		input: "apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: d}\n",
		want:  []string{`version.yaml:1 (document 1): unknown apiVersion "apps/v2" for kind "Deployment" (known: apps/v1, apps/v1beta1, apps/v1beta2)`},
	}, {
		name:  "unknown kind of a known group",
		file:  "kind.yaml",
		input: "apiVersion: v1\nkind: Deploymnet\nmetadata: {name: d}\n",
		want:  []string{`kind.yaml:1 (document 1): unknown kind "Deploymnet" in apiVersion "v1": group "" has no such kind`},
	}, {
		name:  "invalid apiVersion",
		file:  "gv.yaml",
		input: "apiVersion: apps/v1/beta\nkind: Deployment\nmetadata: {name: d}\n",
		want:  []string{`gv.yaml:1 (document 1): invalid apiVersion "apps/v1/beta": unexpected GroupVersion string: apps/v1/beta`},
	}, {
		name:  "apiVersion without a version",
		file:  "gv.yaml",
		input: "apiVersion: apps/\nkind: Deployment\nmetadata: {name: d}\n",
		want:  []string{`gv.yaml:1 (document 1): invalid apiVersion "apps/": no version after the group`},
	}, {
		name:  "missing kind",
		file:  "nokind.yaml",
		input: "apiVersion: v1\nmetadata: {name: a}\n",
		want:  []string{`nokind.yaml:1 (document 1): missing "kind"`},
	}, {
		name:  "missing apiVersion",
		file:  "noapi.yaml",
		input: "kind: ConfigMap\nmetadata: {name: a}\n",
		want:  []string{`noapi.yaml:1 (document 1): missing "apiVersion"`},
	}, {
		name:  "kind that is not a string",
		file:  "kind.yaml",
		input: "apiVersion: v1\nkind: [ConfigMap]\nmetadata: {name: a}\n",
		want:  []string{`kind.yaml:1 (document 1): "kind" must be a string, got a list`},
	}, {
		name:  "missing metadata.name",
		file:  "noname.yaml",
		input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: ns\n",
		want:  []string{`noname.yaml:1 (document 1): ConfigMap: metadata.name is required`},
	}, {
		name:  "custom resource without a name",
		file:  "noname.yaml",
		input: "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {}\n",
		want:  []string{`noname.yaml:1 (document 1): InferenceService: metadata.name is required`},
	}, {
		name:  "custom resource with a mistyped metadata field",
		file:  "crd.yaml",
		input: "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: llama\n  labels: team-a\n",
		want:  []string{`crd.yaml:1 (document 1): InferenceService: metadata.labels: expected an object, got string "team-a"`},
	}, {
		name:  "non-object document: list",
		file:  "list.yaml",
		input: "- apiVersion: v1\n  kind: ConfigMap\n",
		want:  []string{`list.yaml:1 (document 1): document is a list, not an object: expected a Kubernetes object with apiVersion and kind`},
	}, {
		name:   "non-object document: scalar",
		file:   "scalar.yaml",
		input:  cmHeader + "---\nkubectl apply -f this\n",
		want:   []string{`scalar.yaml:6 (document 2): document is string "kube…", not an object: expected a Kubernetes object with apiVersion and kind`},
		loaded: []string{"cm"},
	}, {
		name:  "non-object list item",
		file:  "items.yaml",
		input: "apiVersion: v1\nkind: List\nitems:\n- 42\n",
		want:  []string{`items.yaml:1 (document 1, item 0): list item is number 42, not an object: expected a Kubernetes object with apiVersion and kind`},
	}, {
		name:  "items that are not a list",
		file:  "items.yaml",
		input: "apiVersion: v1\nkind: List\nitems: {a: b}\n",
		want:  []string{`items.yaml:1 (document 1): List: items must be a list, got an object`},
	}, {
		name:   "duplicate YAML key",
		file:   "dup.yaml",
		input:  cmHeader + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: one\n  k: two\n",
		want:   []string{`dup.yaml:6 (document 2): invalid YAML: line 12: key "k" already set in map`},
		loaded: []string{"b", "cm"}, // the last value, which only the error reports
	}, {
		name:  "duplicate key after YAML keys turn into text",
		file:  "dup.yaml",
		input: cmHeader + "data:\n  1: one\n  \"1\": two\n",
		want:  []string{`dup.yaml:1 (document 1): invalid YAML: data: duplicate key "1"`},
	}, {
		name:   "duplicate JSON key",
		file:   "dup.json",
		input:  `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "1", "k": "2"}}`,
		want:   []string{`dup.json:1 (document 1): duplicate field "data.k"`},
		loaded: []string{"a"},
	}, {
		name:   "duplicate JSON key in a Secret with invalid base64",
		file:   "dup.json",
		input:  `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}, "data": {"k": "not base64", "k": "c2s="}}`,
		want:   []string{`dup.json:1 (document 1): duplicate field "data.k"`},
		loaded: []string{"a"},
	}, {
		name:   "duplicate JSON key in a typed list item without kind",
		file:   "dup.json",
		input:  `{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "a", "name": "b"}}]}`,
		want:   []string{`dup.json:1 (document 1): duplicate field "items[0].metadata.name"`},
		loaded: []string{"b"},
	}, {
		name:  "null map key",
		file:  "key.yaml",
		input: cmHeader + "data:\n  ~: x\n",
		want:  []string{`key.yaml:1 (document 1): invalid YAML: data: map key null is not a string`},
	}, {
		name:  "infinity",
		file:  "inf.yaml",
		input: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    resources:\n      limits: {cpu: .inf}\n",
		want:  []string{`inf.yaml:1 (document 1): invalid YAML: spec.containers[0].resources.limits.cpu: +Inf cannot be represented in JSON`},
	}, {
		name:  "YAML alias bomb (billion laughs)",
		file:  "bomb.yaml",
		input: billionLaughs,
		want:  []string{`bomb.yaml:1 (document 1): invalid YAML: document contains excessive aliasing`},
	}, {
		name:  "YAML aliases of a long string",
		file:  "bomb.yaml",
		input: wideAliasBomb(),
		want:  []string{`bomb.yaml:1 (document 1): document expands to more than 16783040 bytes of JSON through YAML aliases (limit: 16 times its size, at least 16 MiB)`},
	}, {
		name:   "document over 16 MiB",
		file:   "big.yaml",
		input:  cmHeader + "---\n" + cmHeader + "data:\n  k: " + strings.Repeat("x", 16<<20) + "\n",
		want:   []string{`big.yaml:6 (document 2): document is 16777280 bytes, over the limit of 16777216 bytes (16 MiB)`},
		loaded: []string{"cm"},
	}, {
		name:  "nesting deeper than 1000 (flow)",
		file:  "deep.yaml",
		input: nestedFlow(1001),
		want:  []string{`deep.yaml:1 (document 1): document nests deeper than 1000 levels`},
	}, {
		name:  "nesting deeper than 1000 (block)",
		file:  "deep.yaml",
		input: nestedBlock(1001),
		want:  []string{`deep.yaml:1 (document 1): document nests deeper than 1000 levels`},
	}, {
		name:  "nesting deeper than go-yaml's own limit",
		file:  "deep.yaml",
		input: cmHeader + "x: " + strings.Repeat("[", 20000) + "\n",
		want:  []string{`deep.yaml:1 (document 1): document nests deeper than 1000 levels`},
	}, {
		name:  "nesting deeper than 1000 (JSON)",
		file:  "deep.json",
		input: `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "x": ` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "}",
		want:  []string{`deep.json:1 (document 1): document nests deeper than 1000 levels`},
	}, {
		name:  "nesting deeper than encoding/json's limit",
		file:  "deep.json",
		input: strings.Repeat("[", 20000),
		want:  []string{`deep.json:1 (document 1): document nests deeper than 1000 levels`},
	}, {
		name:  "binary file",
		file:  "model.bin",
		input: "GGUF\x00\x00\x00\x03weights",
		want:  []string{`model.bin: binary file (NUL byte): not a YAML or JSON manifest`},
	}, {
		name:  "invalid UTF-8",
		file:  "latin1.yaml",
		input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
		want:  []string{`latin1.yaml: binary file (invalid UTF-8): not a YAML or JSON manifest`},
	}, {
		name:   "JSON syntax error",
		file:   "bad.json",
		input:  "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}\n\n{\"apiVersion\": \"v1\",\n \"kind\": ConfigMap}\n",
		want:   []string{`bad.json:3 (document 2): invalid JSON at line 4: invalid character 'C' looking for beginning of value`},
		loaded: []string{"a"},
	}, {
		name:  "JSON cut short",
		file:  "short.json",
		input: "{\"apiVersion\": \"v1\",\n \"kind\": \"ConfigMap\",\n",
		want:  []string{`short.json:1 (document 1): invalid JSON at line 2: unexpected end of input`},
	}, {
		name:   "the same object twice",
		file:   "twice.yaml",
		input:  cmHeader + "---\n" + cmHeader + "  namespace: default\n",
		want:   []string{`twice.yaml:6 (document 2): duplicate object ConfigMap/default/cm: already defined at twice.yaml:1 (document 1)`},
		loaded: []string{"cm"},
	}, {
		name: "errors continue: every bad document is reported, the good ones load",
		file: "mixed.yaml",
		input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n" +
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [}\n" +
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n" +
			"---\napiVersion: apps/v2\nkind: Deployment\nmetadata: {name: d}\n" +
			"---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: three}}\n- {apiVersion: v1, kind: ConfigMap}\n" +
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n",
		want: []string{
			`mixed.yaml:5 (document 2): invalid YAML: line 7: did not find expected node content`,
			`mixed.yaml:13 (document 4): unknown apiVersion "apps/v2" for kind "Deployment" (known: apps/v1, apps/v1beta1, apps/v1beta2)`,
			`mixed.yaml:17 (document 5, item 1): ConfigMap: metadata.name is required`,
			`mixed.yaml:23 (document 6): duplicate object ConfigMap/default/one: already defined at mixed.yaml:1 (document 1)`,
		},
		loaded: []string{"one", "three", "two"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := newLoader(t).LoadBytes(tc.file, []byte(tc.input))
			if err == nil {
				t.Fatal("no error")
			}
			if !governance.IsInputError(err) {
				t.Errorf("%T is not an input error", err)
			}
			got := errorLines(err)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if inv == nil {
				t.Fatal("no inventory of what did load")
			}
			var names []string
			for _, o := range inv.Objects() {
				names = append(names, o.Name())
			}
			if fmt.Sprint(names) != fmt.Sprint(tc.loaded) {
				t.Errorf("loaded %q, want %q", names, tc.loaded)
			}
		})
	}
}

// Limits are inclusive: exactly 1000 levels and exactly 16 MiB load.
func TestDecodeLimitsAreInclusive(t *testing.T) {
	for name, input := range map[string]string{
		"flow 1000":  nestedFlow(1000),
		"block 1000": nestedBlock(1000),
		"16 MiB":     cmHeader + "data:\n  k: " + strings.Repeat("x", 16<<20-len(cmHeader)-12) + "\n",
		"aliases":    cmHeader + "data:\n  a: &a " + strings.Repeat("x", 1000) + "\n  b: *a\n  c: *a\n",
	} {
		t.Run(name, func(t *testing.T) {
			// The nesting is in an unknown field (x), the only place a
			// ConfigMap allows it.
			l := newLoader(t)
			l.Validation = governance.ValidationIgnore
			inv, err := l.LoadBytes("limit.yaml", []byte(input))
			if err != nil {
				t.Fatal(err)
			}
			if inv.Len() != 1 {
				t.Errorf("%d objects", inv.Len())
			}
		})
	}
}

func TestSecretInvalidBase64IsKept(t *testing.T) {
	for _, tc := range []struct{ file, input string }{
		{"secret.yaml", `apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: ai}
data:
  good: c2stbGl2ZQ==
  raw: sk-proj-abc123
  unpadded: c2s
`},
		{"secret.json", `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "keys", "namespace": "ai"},
 "data": {"good": "c2stbGl2ZQ==", "raw": "sk-proj-abc123", "unpadded": "c2s"}}`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			inv := loadString(t, tc.file, tc.input)
			o := mustGet(t, inv, governance.Key{Kind: "Secret", Namespace: "ai", Name: "keys"})
			if got, want := fmt.Sprint(o.InvalidBase64Keys), "[raw unpadded]"; got != want {
				t.Errorf("InvalidBase64Keys %s, want %s", got, want)
			}
			s := o.Obj.(*corev1.Secret)
			for k, want := range map[string]string{"good": "sk-live", "raw": "sk-proj-abc123", "unpadded": "c2s"} {
				if got := string(s.Data[k]); got != want {
					t.Errorf("data[%s] = %q, want %q", k, got, want)
				}
			}
			if s.Type != corev1.SecretTypeOpaque {
				t.Errorf("type %q", s.Type)
			}
		})
	}
}

func TestUnknownFieldsAreRecorded(t *testing.T) {
	const input = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ai, lables: {a: b}}
spec:
  containers:
  - name: c
    image: x
    imagePullPolicyy: Always
    resources:
      limit: {cpu: "1"}
---
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  users: [system:kube-proxy]
- level: Metadata
  namespaceSelector:
    matchLabels: {team: ml}
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: llama, namespace: ai, anotations: {a: b}}
spec: {anything: goes}
`
	l := newLoader(t)
	l.Validation = governance.ValidationIgnore
	inv, err := l.LoadBytes("unknown.yaml", []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Warnings) != 0 {
		t.Errorf("warnings under ignore: %q", inv.Warnings)
	}
	want := map[string][]string{
		"Pod":              {"metadata.lables", "spec.containers[0].imagePullPolicyy", "spec.containers[0].resources.limit"},
		"Policy":           {"rules[1].namespaceSelector"},
		"InferenceService": {"metadata.anotations"},
	}
	for _, o := range inv.Objects() {
		if got := fmt.Sprint(o.UnknownFields); got != fmt.Sprint(want[o.Kind()]) {
			t.Errorf("%s: unknown fields %s, want %s", o.Kind(), got, want[o.Kind()])
		}
	}
	if inv.Len() != 3 {
		t.Errorf("%d objects, want 3", inv.Len())
	}
}

// Every error carries the file name, and names a document unless the whole
// file was refused.
func TestDecodeErrorsNameTheirSource(t *testing.T) {
	d, err := governance.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	_, errs := d.DecodeFile("f.yaml", []byte(cmHeader+"---\n- x\n---\n"+nestedFlow(2000)))
	if len(errs) != 2 {
		t.Fatalf("%d errors: %v", len(errs), errs)
	}
	for i, e := range errs {
		if e.Source.File != "f.yaml" || e.Source.Document != i+2 || e.Source.Line == 0 || e.Source.Item != -1 {
			t.Errorf("error %d source %+v", i, e.Source)
		}
	}
}

// TestDecodeErrorsRedactValues: a decode error quotes at most a short
// prefix of a value or field name from the input, which may be a
// credential in the wrong place.
func TestDecodeErrorsRedactValues(t *testing.T) {
	const token = "ghp_0123456789abcdefghijABCDEFGHIJklmn"
	for name, doc := range map[string]string{
		"replicas":   "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: " + token + "\n",
		"field name": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" + token + ": x\n",
		"label":      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: " + token + "}\n",
		"document":   token + "\n",
	} {
		d, err := governance.NewDecoder()
		if err != nil {
			t.Fatal(err)
		}
		_, errs := d.DecodeFile(name+".yaml", []byte(doc))
		if len(errs) == 0 {
			t.Fatalf("%s: no error", name)
		}
		msg := errs.Error()
		if strings.Contains(msg, token[:6]) {
			t.Errorf("%s: the error shows more than a short prefix of the value: %s", name, msg)
		}
	}
}
