package manifest

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// treeFieldLine is FieldLine as it was before the list index: the node
// tree of the whole document, walked from its top. The index must give the
// same lines.
func treeFieldLine(doc Document, item int, p string) int {
	if item >= 0 {
		p = "items[" + strconv.Itoa(item) + "]." + p
	}
	var root *yamlv3.Node
	if doc.JSON {
		root = jsonTree(doc.Data)
	} else {
		root = &yamlv3.Node{}
		if yamlv3.Unmarshal(doc.Data, root) != nil {
			root = &yamlv3.Node{}
		}
	}
	if line := yamlFieldLine(root, p); line > 0 {
		return doc.Line + line - 1
	}
	return doc.Line
}

// listIndexDocs are List documents of the forms the index reads and of
// those it leaves to the tree.
var listIndexDocs = []struct {
	name string
	json bool
	data string
}{
	{"yaml", false, "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  spec:\n    containers:\n    - name: a\n      image: i\n- kind: Pod\n  metadata: {name: b}\n  spec: {containers: [{name: c}]}\n"},
	{"yaml indented items, comments, blank lines, keys after", false, "kind: List\nitems:\n  # first\n  - kind: Pod\n\n    spec:\n# a comment at column 0\n      containers:\n      - name: a\n  -\n    kind: Pod\n    spec: {x: 1}\nmetadata:\n  resourceVersion: \"1\"\n"},
	{"yaml literal block", false, "items:\n- kind: ConfigMap\n  data:\n    script: |\n      - not an item\n      items: no\n    b: 2\n- kind: Pod\n  spec: {a: 1}\n"},
	{"yaml crlf", false, "kind: List\r\nitems:\r\n- kind: Pod\r\n  spec:\r\n    a: 1\r\n- kind: Pod\r\n  spec:\r\n    a: 2\r\n"},
	{"yaml alias across items", false, "items:\n- kind: Pod\n  spec: &s\n    a: 1\n- kind: Pod\n  spec: *s\n"},
	{"yaml alias within an item", false, "items:\n- kind: Pod\n  metadata: &m {name: x}\n  spec:\n    m: *m\n- kind: Pod\n"},
	{"yaml flow items", false, "items: [{kind: Pod, spec: {a: 1}},\n  {kind: Pod}]\n"},
	{"yaml items mapping", false, "items:\n  0:\n    spec: {a: 1}\n  1: x\n"},
	{"yaml items scalar", false, "items: none\nkind: List\n"},
	{"yaml empty items", false, "kind: List\nitems:\nmetadata: {}\n"},
	{"yaml duplicate items", false, "items:\n- a: 1\nitems:\n- b: 2\n- c: 3\n"},
	{"yaml items[0] key", false, "items[0]:\n  spec: 1\nitems:\n- spec: 2\n"},
	{"yaml quoted items key", false, "\"items\":\n- spec: {a: 1}\n"},
	{"yaml invalid after items", false, "items:\n- spec: {a: 1}\n- spec: [\nkind: List\n"},
	{"yaml not a mapping", false, "- a\n- b\n"},
	{"json", true, "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n {\"kind\": \"Pod\",\n  \"spec\": {\"containers\": [\n   {\"name\": \"a\"}]}},\n {\"kind\": \"Pod\", \"spec\": {\"a\": 1}}],\n \"metadata\": {}}"},
	{"json duplicate items", true, "{\"items\": [{\"a\": 1}],\n\"items\": [{\"b\": 2},\n{\"spec\": {\"c\": 3}}]}"},
	{"json items object", true, "{\"items\": {\"0\": {\"spec\": 1},\n\"1\": 2}}"},
	{"json items[0] key", true, "{\"items[0]\": {\"spec\": 1},\n\"items\": [{\"spec\": 2}]}"},
	{"json items scalar", true, "{\"kind\": \"List\",\n\"items\": null}"},
	{"json no items", true, "{\"kind\": \"List\",\n\"spec\": {}}"},
	{"json invalid", true, "{\"items\": [{\"spec\": 1},\n{\"spec\": ]}"},
	{"json array", true, "[{\"items\": [1]}]"},
	{"json empty", true, "  "},
}

// TestFieldLineListIndex places fields of items through the list index
// and checks each line against the whole document's tree.
func TestFieldLineListIndex(t *testing.T) {
	paths := []string{"", "spec", "spec.a", "spec.containers[0].name", "spec.containers[0].image", "metadata.name",
		"spec.m.name", "data.script", "data.b", "kind", "spec.x", "[0]", "nope"}
	for _, tc := range listIndexDocs {
		doc := Document{Line: 3, JSON: tc.json, Data: []byte(tc.data)}
		var root *yamlv3.Node  // one per document, as callers keep it
		for round := range 2 { // the second round reads the cached items
			for item := range 4 {
				for _, p := range paths {
					if got, want := FieldLine(doc, item, p, &root), treeFieldLine(doc, item, p); got != want {
						t.Errorf("%s (round %d): item %d %q: line %d, want %d", tc.name, round, item, p, got, want)
					}
				}
			}
		}
		// The List itself, after its items: the tree.
		if got, want := FieldLine(doc, -1, "kind", &root), treeFieldLine(doc, -1, "kind"); got != want {
			t.Errorf("%s: kind: line %d, want %d", tc.name, got, want)
		}
		if got, want := FieldLine(doc, 1, "spec", &root), treeFieldLine(doc, 1, "spec"); got != want {
			t.Errorf("%s: item 1 after the tree: line %d, want %d", tc.name, got, want)
		}
	}
}

// FuzzFieldLineItems places a field of an item in any document through
// the list index: the line is the whole tree's.
func FuzzFieldLineItems(f *testing.F) {
	for _, tc := range listIndexDocs {
		f.Add([]byte(tc.data), "spec.a", uint8(1), tc.json)
	}
	f.Fuzz(func(t *testing.T, data []byte, p string, item uint8, isJSON bool) {
		doc := Document{Line: 7, JSON: isJSON, Data: data}
		var root *yamlv3.Node
		i := int(item % 8)
		if got, want := FieldLine(doc, i, p, &root), treeFieldLine(doc, i, p); got != want {
			t.Fatalf("item %d %q: line %d, want the tree's %d", i, p, got, want)
		}
	})
}

// listDocument is a List of n pods (about 0.8 KB each), as `kubectl get
// pods -o json` or `-o yaml` writes it, and the line of each pod's
// privileged field.
func listDocument(n int, isJSON bool) (Document, []int) {
	var buf bytes.Buffer
	lines := make([]int, n)
	line := 1
	write := func(s string) {
		buf.WriteString(s)
		line += strings.Count(s, "\n")
	}
	if isJSON {
		write("{\n \"apiVersion\": \"v1\",\n \"kind\": \"List\",\n \"items\": [\n")
	} else {
		write("apiVersion: v1\nkind: List\nitems:\n")
	}
	for i := range n {
		name := fmt.Sprintf("model-server-%05d-7d9f8c6b5d-x%04d", i/5, i%10000)
		if isJSON {
			if i > 0 {
				write(",\n")
			}
			write(fmt.Sprintf("  {\n   \"apiVersion\": \"v1\",\n   \"kind\": \"Pod\",\n   \"metadata\": {\n    \"name\": %q,\n    \"namespace\": \"team-%03d\",\n"+
				"    \"labels\": {\"app\": \"model-server\", \"app.kubernetes.io/component\": \"llm-service\", \"pod-template-hash\": \"7d9f8c6b5d\"}\n   },\n"+
				"   \"spec\": {\n    \"serviceAccountName\": \"model-server\",\n    \"containers\": [\n     {\n      \"name\": \"server\",\n"+
				"      \"image\": \"registry.example.com/ml/vllm:0.6.3\",\n      \"env\": [{\"name\": \"MODEL\", \"value\": \"llama-3-8b\"}, {\"name\": \"PORT\", \"value\": \"8000\"}],\n"+
				"      \"resources\": {\"limits\": {\"cpu\": \"4\", \"memory\": \"16Gi\", \"nvidia.com/gpu\": \"1\"}},\n      \"securityContext\": {\n", name, i/200))
			lines[i] = line
			write("       \"privileged\": true\n      }\n     }\n    ]\n   }\n  }")
		} else {
			write(fmt.Sprintf("- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: %s\n    namespace: team-%03d\n    labels:\n      app: model-server\n"+
				"      app.kubernetes.io/component: llm-service\n      pod-template-hash: 7d9f8c6b5d\n  spec:\n    serviceAccountName: model-server\n"+
				"    containers:\n    - name: server\n      image: registry.example.com/ml/vllm:0.6.3\n      env:\n      - name: MODEL\n        value: llama-3-8b\n"+
				"      - name: PORT\n        value: \"8000\"\n      resources:\n        limits: {cpu: \"4\", memory: 16Gi, nvidia.com/gpu: \"1\"}\n      securityContext:\n", name, i/200))
			lines[i] = line
			write("        privileged: true\n")
		}
	}
	if isJSON {
		write("\n ]\n}\n")
	}
	return Document{Line: 1, JSON: isJSON, Data: buf.Bytes()}, lines
}

// BenchmarkFieldLineList20k places one field in each item of a List of
// 20,000 pods (16 MB of JSON, 13 MB of YAML), as the engine does for a
// finding per pod: "index" through FieldLine (the items' starts, each item
// parsed when a field of it is placed), "tree" as FieldLine did before
// (the node tree of the whole document, kept while fields are placed).
// peak-heap-B is the most heap in use above the start, sampled while it
// runs; retained-B what the caller's root holds after the last field.
func BenchmarkFieldLineList20k(b *testing.B) {
	const pods = 20000
	const path = "spec.containers[0].securityContext.privileged"
	for _, format := range []string{"json", "yaml"} {
		doc, want := listDocument(pods, format == "json")
		for _, way := range []string{"index", "tree"} {
			b.Run(format+"/"+way, func(b *testing.B) {
				b.SetBytes(int64(len(doc.Data)))
				b.ReportAllocs()
				var peak, retained uint64
				for b.Loop() {
					var root *yamlv3.Node
					var tree *yamlv3.Node
					p, r := heapDuring(func() {
						for i := range pods {
							var got int
							if way == "index" {
								got = FieldLine(doc, i, path, &root)
							} else {
								if tree == nil {
									tree = treeOf(doc)
								}
								got = doc.Line + yamlFieldLine(tree, "items["+strconv.Itoa(i)+"]."+path) - 1
							}
							if got != want[i] {
								b.Fatalf("item %d: line %d, want %d", i, got, want[i])
							}
						}
					}, func() { runtime.KeepAlive(root); runtime.KeepAlive(tree) })
					peak, retained = max(peak, p), max(retained, r)
				}
				b.ReportMetric(float64(peak), "peak-heap-B")
				b.ReportMetric(float64(retained), "retained-B")
			})
		}
	}
}

// treeOf is the node tree FieldLine made of a whole document before the
// list index.
func treeOf(doc Document) *yamlv3.Node {
	if doc.JSON {
		return jsonTree(doc.Data)
	}
	root := &yamlv3.Node{}
	if yamlv3.Unmarshal(doc.Data, root) != nil {
		return &yamlv3.Node{}
	}
	return root
}

// heapDuring runs f while sampling the heap in use, and returns its
// highest sample above the heap in use before f, and the heap in use after
// f and a collection (what f left reachable) above it; keep, called after
// the collection, keeps f's results reachable until then.
func heapDuring(f, keep func()) (peak, retained uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var highest atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			if s.HeapInuse > highest.Load() {
				highest.Store(s.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	runtime.GC()
	runtime.ReadMemStats(&ms)
	keep()
	if ms.HeapInuse > base {
		retained = ms.HeapInuse - base
	}
	if h := highest.Load(); h > base {
		peak = h - base
	}
	return peak, retained
}
