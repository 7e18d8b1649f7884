package governance_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/report"
)

// TestFindingLineIsTheFieldsLine: privileged-container on the training Job
// of examples/multitenant names the `privileged: true` line (112), not the
// document's first line (22), in every report format.
func TestFindingLineIsTheFieldsLine(t *testing.T) {
	const file = "../examples/multitenant/training.yaml"
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.Load(file)
	require.NoError(t, err)
	def, err := governance.Lookup(catalog.Definitions(), "privileged-container")
	require.NoError(t, err)
	check, err := def.New(nil)
	require.NoError(t, err)
	engine, err := governance.NewEngine(governance.Rule{Check: check, Action: governance.ActionDeny})
	require.NoError(t, err)
	findings := engine.Run(inv)
	require.Len(t, findings, 1)
	f := findings[0]
	assert.Equal(t, "spec.template.spec.containers[0].securityContext.privileged", f.Path)
	assert.Equal(t, governance.Source{File: file, Document: 2, Line: 112, Item: -1}, f.Object.Source)

	r := report.Report{Findings: findings, Objects: inv.Len()}
	var text, js, sarif bytes.Buffer
	require.NoError(t, report.WriteText(&text, r))
	require.NoError(t, report.WriteJSON(&js, r))
	require.NoError(t, report.WriteSARIF(&sarif, r))

	assert.Contains(t, text.String(), file+":112 ")

	var jr struct {
		Findings []struct {
			File     string `json:"file"`
			Line     int    `json:"line"`
			Document int    `json:"document"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &jr))
	require.Len(t, jr.Findings, 1)
	assert.Equal(t, 112, jr.Findings[0].Line)
	assert.Equal(t, 2, jr.Findings[0].Document, "the document is kept next to the field's line")

	var sr struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(sarif.Bytes(), &sr))
	require.Len(t, sr.Runs, 1)
	require.Len(t, sr.Runs[0].Results, 1)
	require.NotEmpty(t, sr.Runs[0].Results[0].Locations)
	assert.Equal(t, 112, sr.Runs[0].Results[0].Locations[0].PhysicalLocation.Region.StartLine)
}

// pathCheck reports every Pod at path (relative to the Pod).
func pathCheck(path string) governance.Check {
	return governance.Check{
		ID: "test-path", Severity: governance.SeverityHigh,
		Object: func(o *governance.Object) []governance.Violation {
			if o.Kind() != "Pod" {
				return nil
			}
			return []governance.Violation{{Path: path, Message: "here"}}
		},
	}
}

// runLines loads data as file name and returns the line of each finding of
// a check reporting every Pod at path, in the order of the Pods' names.
func runLines(t *testing.T, name, data string, check governance.Check) map[string]int {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes(name, []byte(data))
	require.NoError(t, err)
	engine, err := governance.NewEngine(governance.Rule{Check: check})
	require.NoError(t, err)
	out := map[string]int{}
	for _, f := range engine.Run(inv) {
		out[f.Object.Name] = f.Object.Source.Line
	}
	return out
}

const linesYAML = `apiVersion: v1
kind: Namespace
metadata:
  name: ml
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: first
    namespace: ml
  spec:
    containers:
    - name: a
      image: busybox
- apiVersion: v1
  kind: Pod
  metadata:
    name: second
    namespace: ml
  spec:
    containers:
    - name: a
      image: busybox
      resources:
        limits:
          nvidia.com/gpu: 1
`

const linesJSON = `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}}
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "first", "namespace": "ml"},
 "spec": {"containers": [
   {"name": "a",
    "image": "busybox"}]}}
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "second", "namespace": "ml"},
  "spec": {"containers": [
   {"name": "a", "image": "busybox",
    "resources": {"limits": {
      "nvidia.com/gpu": 1}}}]}}]}
`

// TestFindingLinesOfPaths: the line of a finding is that of its field in
// YAML and JSON files, inside List items, with map keys in brackets; a
// path the document does not hold falls back to the deepest part of it
// that it holds, and a path without any such part to the object's first
// line (a List item's, or the document's).
func TestFindingLinesOfPaths(t *testing.T) {
	for _, tc := range []struct {
		name, file, data, path string
		want                   map[string]int
	}{
		{"YAML image", "l.yaml", linesYAML, "spec.containers[0].image", map[string]int{"first": 17, "second": 26}},
		{"YAML bracket key", "l.yaml", linesYAML, "spec.containers[0].resources.limits[nvidia.com/gpu]", map[string]int{"first": 16, "second": 29}},
		{"YAML wildcard", "l.yaml", linesYAML, "spec.containers[*].securityContext", map[string]int{"first": 15, "second": 24}},
		{"YAML no such field", "l.yaml", linesYAML, "status.phase", map[string]int{"first": 9, "second": 18}},
		{"YAML whole object", "l.yaml", linesYAML, "", map[string]int{"first": 9, "second": 18}},
		{"JSON image", "l.json", linesJSON, "spec.containers[0].image", map[string]int{"first": 6, "second": 11}},
		{"JSON bracket key", "l.json", linesJSON, "spec.containers[0].resources.limits[nvidia.com/gpu]", map[string]int{"first": 5, "second": 13}},
		{"JSON no such field", "l.json", linesJSON, "status.phase", map[string]int{"first": 2, "second": 8}},
		{"JSON whole object", "l.json", linesJSON, "", map[string]int{"first": 2, "second": 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, runLines(t, tc.file, tc.data, pathCheck(tc.path)))
		})
	}
}

// TestFindingLineKeptWhenNoDocument: objects without a document (read from
// a cluster, built by code) and findings whose check placed them keep
// their line.
func TestFindingLineKeptWhenNoDocument(t *testing.T) {
	dec, err := governance.NewDecoder()
	require.NoError(t, err)
	objs, errs := dec.DecodeJSON([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"live","namespace":"ml"},"spec":{"containers":[{"name":"a","image":"busybox"}]}}`),
		governance.Source{File: "https://cluster/api/v1/pods", Document: 1, Item: -1})
	require.Empty(t, errs)
	inv, err := governance.NewInventory(objs)
	require.NoError(t, err)
	engine, err := governance.NewEngine(governance.Rule{Check: pathCheck("spec.containers[0].image")})
	require.NoError(t, err)
	fs := engine.Run(inv)
	require.Len(t, fs, 1)
	assert.Equal(t, 0, fs[0].Object.Source.Line)

	placed := governance.Check{
		ID: "test-placed", Severity: governance.SeverityLow,
		Inventory: func(p *governance.Pass) []governance.Finding {
			var out []governance.Finding
			for _, o := range p.Inventory.Objects() {
				if o.Kind() == "Pod" {
					ref := o.Ref()
					ref.Source.Line = 3 // a line the check knows better
					out = append(out, governance.Finding{Object: ref, Path: "spec.containers[0].image", Message: "placed"})
				}
			}
			return out
		},
	}
	assert.Equal(t, map[string]int{"first": 3, "second": 3}, runLines(t, "l.yaml", linesYAML, placed))
	inventoryCheck := governance.Check{
		ID: "test-inventory", Severity: governance.SeverityLow,
		Inventory: func(p *governance.Pass) []governance.Finding {
			var out []governance.Finding
			for _, o := range p.Inventory.Objects() {
				if o.Kind() == "Pod" {
					out = append(out, governance.Finding{Object: o.Ref(), Path: "spec.containers[0].image", Message: "found"})
				}
			}
			return out
		},
	}
	assert.Equal(t, map[string]int{"first": 17, "second": 26}, runLines(t, "l.yaml", linesYAML, inventoryCheck),
		"findings of inventory checks are placed too")
}

// TestDecodeErrorLines: a field the type cannot hold is reported on its
// line, and an item of a List that cannot be decoded on the item's line.
func TestDecodeErrorLines(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		want             []string // "line: message part"
	}{
		{"YAML wrong type", "d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: three\n",
			[]string{"6: spec.replicas: expected an integer"}},
		{"YAML wrong metadata type", "d.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: x\n  labels:\n  - a\n",
			[]string{"5: metadata.labels: expected"}},
		{"YAML list items", "d.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: ok\n- just a string\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: bad\n  spec:\n    containers:\n    - name: a\n      ports:\n      - containerPort: eighty\n",
			[]string{"8: list item is string", "17: spec.containers[0].ports[0].containerPort: expected an integer"}},
		{"JSON wrong type", "d.json", "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\",\n \"metadata\": {\"name\": \"x\"},\n \"spec\": {\n  \"replicas\": \"three\"}}\n",
			[]string{"4: spec.replicas: expected an integer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loader, err := governance.NewLoader()
			require.NoError(t, err)
			_, err = loader.LoadBytes(tc.file, []byte(tc.data))
			var list governance.ErrorList
			require.True(t, errors.As(err, &list), "%v", err)
			require.Len(t, list, len(tc.want), "%v", err)
			for i, want := range tc.want {
				line, part, _ := strings.Cut(want, ": ")
				assert.Contains(t, list[i].Error(), tc.file+":"+line+" ", "%d", i)
				assert.Contains(t, list[i].Error(), part, "%d", i)
			}
		})
	}
}
