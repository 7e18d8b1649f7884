package fix

import (
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// FuzzEditDocument makes edits in arbitrary YAML: editDocument never
// panics, and an edit it makes leaves a document that parses (its own
// check compares the decoded trees).
func FuzzEditDocument(f *testing.F) {
	for _, s := range []string{
		"spec:\n  securityContext:\n    privileged: true   # why\n  x: 1\n",
		"rules:\n- resources: [\"pods\", \"pods/logs\"]\n  verbs: [get]\n",
		"spec:\n  containers:\n  - name: a\n    image: x\n    # note\n\n  volumes: []\n",
		"data:\n  script: |\n    echo a\n\n    echo b\nkind: X\n",
		"c:\n  securityContext: {}\n",
		"spec:\n  tolerations:\n    - key: a\n      operator: Exists\n  x: 1\n",
		"hard:\n  \"nvidia.com/gpu\": 8\n",
		"a: 1",
	} {
		for _, p := range []string{"spec.securityContext.privileged", "rules[0].resources[1]", "c.securityContext.capabilities.drop", "spec.tolerations", "hard[nvidia.com/gpu]", "a", "x.y"} {
			for op := range 4 {
				f.Add([]byte(s), p, op)
			}
		}
	}
	ops := []Op{OpSet, OpAppend, OpRename, OpDelete}
	values := []any{false, "ALL", "requests.nvidia.com/gpu", nil}
	f.Fuzz(func(t *testing.T, src []byte, path string, op int) {
		if op < 0 || op >= len(ops) || len(src) > 16<<10 {
			return
		}
		out, err := editDocument(src, ops[op], path, values[op])
		if err != nil {
			return
		}
		var n yaml.Node
		if err := yaml.Unmarshal(out, &n); err != nil {
			t.Fatalf("edited document does not parse: %v\n%s", err, out)
		}
	})
}
