package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"
)

// yamlToJSON is the decoder's YAML-to-JSON path for one document.
func yamlToJSON(doc []byte) ([]byte, error) {
	var tree any
	if err := yamlv2.UnmarshalStrict(doc, &tree); err != nil {
		return nil, err
	}
	w := &Writer{limit: max(MaxDocumentBytes, maxExpansion*len(doc))}
	return w.Encode(tree, 1)
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	decode := func(js []byte) any {
		d := json.NewDecoder(bytes.NewReader(js))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("invalid JSON %q: %v", js, err)
		}
		return v
	}
	return reflect.DeepEqual(decode(a), decode(b))
}

// The decoder converts YAML to JSON itself (bounded, without an intermediate
// map); the result must be what sigs.k8s.io/yaml (kubectl's converter) makes.
func TestYAMLToJSONMatchesSigsYAML(t *testing.T) {
	for _, doc := range []string{
		"a: 1\nb: -2\nc: 1.5\nd: 1e3\ne: 0x1F\nf: 0o17\ng: 017\nh: 1_000\n",
		"a: yes\nb: no\nc: on\nd: off\ne: true\nf: ~\ng: null\nh: ''\ni: 'y'\n",
		"a: 9223372036854775807\nb: 9223372036854775808\nc: 18446744073709551616\nd: -9223372036854775809\n",
		"a: 0.000001\nb: 0.0000001\nc: 1e21\nd: 1e20\ne: -0.0\nf: 3.14159265358979323846\ng: 1.0\n",
		"1: a\n2.5: b\ntrue: c\n-3: d\n",
		"a: \"\\t\\n\\r\\u0001\\u007f <>&\\u2028 \\\\ \\\"\"\nb: |\n  multi\n  line\nc: >\n  folded\n  text\n",
		"a: &x {k: v}\nb: *x\nc: [*x, *x]\nd:\n  <<: *x\n  e: f\n",
		"a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\nc: !!binary aGVsbG8=\nd: !!str 12\ne: !!float 3\n",
		"a: [[], {}, [[{}]], '']\nb: {}\nc: []\n",
		"a: \U0001F916 \u202e\u200d\nb: \"\\U0001F600\"\n",
		"a: .5\nb: +.5\nc: 1.\nd: 6.8523015e+5\ne: 685_230.15\nf: 190:20:30.15\ng: 190:20:30\n",
	} {
		want, wantErr := yaml.YAMLToJSONStrict([]byte(doc))
		got, err := yamlToJSON([]byte(doc))
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%q: error %v, sigs.k8s.io/yaml %v", doc, err, wantErr)
			continue
		}
		if err == nil && !sameJSON(t, got, want) {
			t.Errorf("%q:\n got  %s\n want %s", doc, got, want)
		}
	}
}

// FuzzYAMLToJSON checks the decoder's YAML-to-JSON conversion against
// sigs.k8s.io/yaml on arbitrary documents: the same JSON, or an error from
// both (the decoder may refuse more: its limits and duplicate keys).
func FuzzYAMLToJSON(f *testing.F) {
	for _, seed := range []string{"a: 1\n", "a: [1, {b: c}]\n", "1: x\n'1': y\n", "a: &a [*a]\n", "a: .inf\n", "? [a]\n: b\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 1<<16 {
			return
		}
		got, err := yamlToJSON(doc)
		want, wantErr := yaml.YAMLToJSONStrict(doc)
		switch {
		case err == nil && wantErr != nil:
			t.Fatalf("%q: converted to %s, sigs.k8s.io/yaml fails: %v", doc, got, wantErr)
		case err != nil && wantErr == nil:
			var ce *convertError
			if !errors.As(err, &ce) && err != ErrTooDeep && !strings.Contains(err.Error(), "through YAML aliases") {
				t.Fatalf("%q: error %v, sigs.k8s.io/yaml converts to %s", doc, err, want)
			}
		case err == nil && !sameJSON(t, got, want):
			t.Fatalf("%q:\n got  %s\n want %s", doc, got, want)
		}
	})
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.5, 1e-6, 9.99e-7, 1e20, 1e21, -1e21, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, 1.0 / 3} {
		want, _ := json.Marshal(f)
		if got := appendJSONFloat(nil, f); string(got) != string(want) {
			t.Errorf("%v: %s, want %s", f, got, want)
		}
	}
	for _, s := range []string{"", "plain", "\"quoted\" \\ back", "\t\n\r\b\f\x00\x1f\x7f", "<>&", "\u2028\u2029", "caf\xe9", "\xff\xfe", "\U0001F916", "a\xc3"} {
		want, _ := json.Marshal(s)
		got := appendJSONString(nil, s)
		var a, b string
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("%q: %s is not JSON: %v", s, got, err)
		}
		_ = json.Unmarshal(want, &b)
		if a != b {
			t.Errorf("%q: decodes to %q, encoding/json's to %q", s, a, b)
		}
	}
}
