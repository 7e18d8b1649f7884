package manifest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
)

func TestFieldLine(t *testing.T) {
	yamlDoc := Document{Line: 10, Data: []byte("a:\n  b.c:\n    d: [1, {e: 2}]\n  b:\n    x: 1\nl:\n- k: 1\n- k: 2\n  m: 3\n")}
	jsonDoc := Document{Line: 10, JSON: true, Data: []byte("{\"a\": {\"b.c\": {\"d\": [1,\n {\"e\": 2}]},\n \"b\": {\"x\": 1}},\n \"l\": [{\"k\": 1},\n {\"k\": 2,\n \"m\": 3}]}")}
	// One tree per document serves every path, as placeOnFields uses it.
	var yamlRoot, jsonRoot *yamlv3.Node
	for _, tc := range []struct {
		path           string
		yamlAt, jsonAt int
	}{
		{"a", 10, 10},
		{"a.b.c.d", 12, 10},        // the dotted key, not a.b
		{"a.b.c.d[1].e", 12, 11},   // flow list on one line in YAML
		{"a.b.x", 14, 12},          // a.b
		{"l[1].m", 18, 15},         // second item
		{"l[5]", 15, 13},           // no such item: the list's line
		{"nope", 10, 10},           // the document's line
		{"a.b.c.d[0].zzz", 12, 10}, // deepest that exists
	} {
		if got := FieldLine(yamlDoc, -1, tc.path, &yamlRoot); got != tc.yamlAt {
			t.Errorf("YAML %s: line %d, want %d", tc.path, got, tc.yamlAt)
		}
		if got := FieldLine(jsonDoc, -1, tc.path, &jsonRoot); got != tc.jsonAt {
			t.Errorf("JSON %s: line %d, want %d", tc.path, got, tc.jsonAt)
		}
	}
}

// TestFieldLineBracketsAndItems covers the path forms findings use: map keys
// in brackets (resource names hold dots), "[*]" wildcards, which stop at the
// list, and items of a List document.
func TestFieldLineBracketsAndItems(t *testing.T) {
	yamlDoc := Document{Line: 5, Data: []byte(`apiVersion: v1
kind: List
items:
- kind: ResourceQuota
  spec:
    hard:
      nvidia.com/gpu: "4"
- kind: Pod
  spec:
    containers:
    - name: a
      resources:
        limits:
          cpu: 1
`)}
	jsonDoc := Document{Line: 5, JSON: true, Data: []byte(`{"apiVersion": "v1", "kind": "List", "items": [
 {"kind": "ResourceQuota",
  "spec": {"hard": {
    "nvidia.com/gpu": "4"}}},
 {"kind": "Pod",
  "spec": {"containers": [
   {"name": "a", "resources": {"limits": {
     "cpu": 1}}}]}}]}`)}
	var yamlRoot, jsonRoot *yamlv3.Node
	for _, tc := range []struct {
		item           int
		path           string
		yamlAt, jsonAt int
	}{
		{0, "spec.hard[nvidia.com/gpu]", 11, 8},
		{0, "spec.hard[limits.gpu]", 10, 7},                               // no such key: hard
		{0, "", 8, 6},                                                     // the item itself
		{1, "spec.containers[0].resources.limits[cpu]", 18, 12},           // the key's line
		{1, "spec.containers[0].resources.limits[memory]", 17, 11},        // deepest that exists
		{1, "spec.containers[*].securityContext.privileged", 14, 10},      // wildcard: the list
		{1, "spec.containers[0].resources.limits.cpu", 18, 12},            // dotted form too
		{2, "spec", 7, 5},                                                 // no such item: the "items" key
		{1, "metadata.annotations[aigov.dev/consumers]", 12, 9},           // only the item exists
		{0, "spec.hard[nvidia.com/gpu].extra[unclosed", 11, 8},            // malformed rest: deepest match
		{-1, "items[1].spec.containers[0].resources.limits[cpu]", 18, 12}, // the List itself
	} {
		if got := FieldLine(yamlDoc, tc.item, tc.path, &yamlRoot); got != tc.yamlAt {
			t.Errorf("YAML item %d %s: line %d, want %d", tc.item, tc.path, got, tc.yamlAt)
		}
		if got := FieldLine(jsonDoc, tc.item, tc.path, &jsonRoot); got != tc.jsonAt {
			t.Errorf("JSON item %d %s: line %d, want %d", tc.item, tc.path, got, tc.jsonAt)
		}
	}
}

// BenchmarkFieldLineJSONList places one field in each item of a JSON List
// of 2,000 pods, as placeOnFields does for a finding per pod: the tree is
// built once, so the cost is linear in the document (re-reading it per
// field made a 2,000-pod List take minutes).
func BenchmarkFieldLineJSONList(b *testing.B) {
	var buf strings.Builder
	buf.WriteString(`{"apiVersion": "v1", "kind": "List", "items": [`)
	const pods = 2000
	for i := range pods {
		if i > 0 {
			buf.WriteString(",\n")
		}
		fmt.Fprintf(&buf, "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"p%d\", \"namespace\": \"team\"},\n \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\",\n  \"securityContext\": {\"privileged\": true}}]}}", i)
	}
	buf.WriteString("]}\n")
	doc := Document{Line: 1, JSON: true, Data: []byte(buf.String())}
	b.SetBytes(int64(len(doc.Data)))
	b.ReportAllocs()
	for b.Loop() {
		var root *yamlv3.Node
		for i := range pods {
			if got, want := FieldLine(doc, i, "spec.containers[0].securityContext.privileged", &root), 4+4*i; got != want {
				b.Fatalf("item %d: line %d, want %d", i, got, want)
			}
		}
	}
}

// FuzzFieldLine places a path in any document, JSON or YAML: no panic, and
// the line is within the document.
func FuzzFieldLine(f *testing.F) {
	f.Add([]byte(`{"a": {"b": [1, {"c": 2}]}}`), "a.b[1].c", true)
	f.Add([]byte("a:\n  b:\n  - 1\n  - c: 2\n"), "a.b[1].c", false)
	f.Add([]byte(`{"items": [{"x": 1}, {"x": 2}]}`), "items[1].x", true)
	f.Add([]byte(`[[[[`), "[0][0]", true)
	f.Fuzz(func(t *testing.T, data []byte, p string, isJSON bool) {
		doc := Document{Line: 7, JSON: isJSON, Data: data}
		var root *yamlv3.Node
		line := FieldLine(doc, -1, p, &root)
		if last := 7 + bytes.Count(data, []byte("\n")); line < 7 || line > last {
			t.Fatalf("line %d outside the document's lines 7..%d", line, last)
		}
	})
}
