package governance_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

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

// decodeErrorCase is one case of testdata/decode-errors/cases.yaml.
type decodeErrorCase struct {
	Name string `json:"name"`
	// File is the name the input is loaded as.
	File string `json:"file"`
	// The input: text, bytes, or the name of a decodeInputs generator.
	Input       string `json:"input"`
	InputBase64 []byte `json:"inputBase64"`
	Generate    string `json:"generate"`
	// Want is every error, in order.
	Want []string `json:"want"`
	// Loaded are the names of the objects that still load.
	Loaded []string `json:"loaded"`
}

// decodeInputs make the inputs of cases.yaml too big to keep there.
var decodeInputs = map[string]func() string{
	"wide-alias-bomb": wideAliasBomb,
	"over-16-mib": func() string {
		return cmHeader + "---\n" + cmHeader + "data:\n  k: " + strings.Repeat("x", 16<<20) + "\n"
	},
	"nested-flow-1001":  func() string { return nestedFlow(1001) },
	"nested-block-1001": func() string { return nestedBlock(1001) },
	"nested-flow-20000": func() string { return cmHeader + "x: " + strings.Repeat("[", 20000) + "\n" },
	"nested-json-1001": func() string {
		return `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "x": ` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "}"
	},
	"brackets-20000": func() string { return strings.Repeat("[", 20000) },
}

// readDecodeErrorCases reads testdata/decode-errors/cases.yaml.
func readDecodeErrorCases(t *testing.T) []decodeErrorCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "decode-errors", "cases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []decodeErrorCase
	if err := yaml.UnmarshalStrict(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	return cases
}

// input returns the case's input.
func (tc decodeErrorCase) input(t *testing.T) string {
	t.Helper()
	switch {
	case tc.Generate != "":
		gen, ok := decodeInputs[tc.Generate]
		if !ok {
			t.Fatalf("no input generator %q", tc.Generate)
		}
		return gen()
	case tc.InputBase64 != nil:
		return string(tc.InputBase64)
	}
	return tc.Input
}

// TestDecodeErrors loads each input of testdata/decode-errors/cases.yaml
// and compares every error, and the objects that still load.
func TestDecodeErrors(t *testing.T) {
	tests := readDecodeErrorCases(t)
	for _, tc := range tests {
		t.Run(tc.Name, func(t *testing.T) {
			inv, err := newLoader(t).LoadBytes(tc.File, []byte(tc.input(t)))
			if err == nil {
				t.Fatal("no error")
			}
			if !governance.IsInputError(err) {
				t.Errorf("%T is not an input error", err)
			}
			got := errorLines(err)
			if strings.Join(got, "\n") != strings.Join(tc.Want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.Want, "\n"))
			}
			if inv == nil {
				t.Fatal("no inventory of what did load")
			}
			var names []string
			for _, o := range inv.Objects() {
				names = append(names, o.Name())
			}
			if fmt.Sprint(names) != fmt.Sprint(tc.Loaded) {
				t.Errorf("loaded %q, want %q", names, tc.Loaded)
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
