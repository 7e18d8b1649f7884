package manifest

import (
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
)

func TestFieldLine(t *testing.T) {
	yamlDoc := Document{Line: 10, Data: []byte("a:\n  b.c:\n    d: [1, {e: 2}]\n  b:\n    x: 1\nl:\n- k: 1\n- k: 2\n  m: 3\n")}
	jsonDoc := Document{Line: 10, JSON: true, Data: []byte("{\"a\": {\"b.c\": {\"d\": [1,\n {\"e\": 2}]},\n \"b\": {\"x\": 1}},\n \"l\": [{\"k\": 1},\n {\"k\": 2,\n \"m\": 3}]}")}
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
		var root *yamlv3.Node
		if got := FieldLine(yamlDoc, -1, tc.path, &root); got != tc.yamlAt {
			t.Errorf("YAML %s: line %d, want %d", tc.path, got, tc.yamlAt)
		}
		if got := FieldLine(jsonDoc, -1, tc.path, &root); got != tc.jsonAt {
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
		var root *yamlv3.Node
		if got := FieldLine(yamlDoc, tc.item, tc.path, &root); got != tc.yamlAt {
			t.Errorf("YAML item %d %s: line %d, want %d", tc.item, tc.path, got, tc.yamlAt)
		}
		if got := FieldLine(jsonDoc, tc.item, tc.path, &root); got != tc.jsonAt {
			t.Errorf("JSON item %d %s: line %d, want %d", tc.item, tc.path, got, tc.jsonAt)
		}
	}
}
