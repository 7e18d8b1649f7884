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
