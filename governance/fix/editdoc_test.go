package fix

import (
	"strings"
	"testing"
)

// TestEditDocument makes each kind of edit in the layouts manifests use
// and compares the bytes: only the edited lines change.
func TestEditDocument(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		op    Op
		path  string
		value any
		want  string
	}{
		{
			name: "replace a plain scalar, comment kept",
			src:  "spec:\n  securityContext:\n    privileged: true   # why\n  x: 1\n",
			op:   OpSet, path: "spec.securityContext.privileged", value: false,
			want: "spec:\n  securityContext:\n    privileged: false   # why\n  x: 1\n",
		},
		{
			name: "replace a double-quoted string keeps the quotes",
			src:  "rules:\n- resources: [\"pods\", \"pods/logs\"]\n  verbs: [get]\n",
			op:   OpSet, path: "rules[0].resources[1]", value: "pods/log",
			want: "rules:\n- resources: [\"pods\", \"pods/log\"]\n  verbs: [get]\n",
		},
		{
			name: "replace a single-quoted string keeps the quotes",
			src:  "spec:\n  validationFailureAction: 'audit'\n",
			op:   OpSet, path: "spec.validationFailureAction", value: "Audit",
			want: "spec:\n  validationFailureAction: 'Audit'\n",
		},
		{
			name: "create nested keys at the end of a block mapping, before trailing comments",
			src:  "spec:\n  containers:\n  - name: a\n    image: x\n    # trailing note\n\n  volumes: []\n",
			op:   OpSet, path: "spec.containers[0].securityContext.allowPrivilegeEscalation", value: false,
			want: "spec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      allowPrivilegeEscalation: false\n    # trailing note\n\n  volumes: []\n",
		},
		{
			name: "add after an indentless sequence that ends the mapping",
			src:  "spec:\n  containers:\n  - name: a\n  - name: b\nstatus: {}\n",
			op:   OpSet, path: "spec.automountServiceAccountToken", value: false,
			want: "spec:\n  containers:\n  - name: a\n  - name: b\n  automountServiceAccountToken: false\nstatus: {}\n",
		},
		{
			name: "add after a literal block scalar",
			src:  "data:\n  script: |\n    echo a\n\n    echo b\nkind: X\n",
			op:   OpSet, path: "data.other", value: "v",
			want: "data:\n  script: |\n    echo a\n\n    echo b\n  other: v\nkind: X\n",
		},
		{
			name: "add to a flow mapping",
			src:  "spec:\n  securityContext: {runAsUser: 1000}\n",
			op:   OpSet, path: "spec.securityContext.runAsNonRoot", value: true,
			want: "spec:\n  securityContext: {runAsUser: 1000, runAsNonRoot: true}\n",
		},
		{
			name: "add to an empty flow mapping, a nested value in flow style",
			src:  "c:\n  securityContext: {}\n",
			op:   OpSet, path: "c.securityContext.capabilities.drop", value: []any{"ALL"},
			want: "c:\n  securityContext: {capabilities: {drop: [ALL]}}\n",
		},
		{
			name: "append to a block sequence",
			src:  "spec:\n  tolerations:\n    - key: a\n      operator: Exists\n  x: 1\n",
			op:   OpAppend, path: "spec.tolerations", value: map[string]any{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
			want: "spec:\n  tolerations:\n    - key: a\n      operator: Exists\n    - effect: NoSchedule\n      key: nvidia.com/gpu\n      operator: Exists\n  x: 1\n",
		},
		{
			name: "append to a flow sequence",
			src:  "drop: [NET_RAW]\n",
			op:   OpAppend, path: "drop", value: "ALL",
			want: "drop: [NET_RAW, ALL]\n",
		},
		{
			name: "append creates the sequence",
			src:  "spec:\n  containers: []\n",
			op:   OpAppend, path: "spec.tolerations", value: map[string]any{"key": "k"},
			want: "spec:\n  containers: []\n  tolerations:\n    - key: k\n",
		},
		{
			name: "rename a key, value and comment kept",
			src:  "spec:\n  hard:\n    limits.gpu: \"2\" # wrong\n    pods: \"5\"\n",
			op:   OpRename, path: "spec.hard[limits.gpu]", value: "requests.nvidia.com/gpu",
			want: "spec:\n  hard:\n    requests.nvidia.com/gpu: \"2\" # wrong\n    pods: \"5\"\n",
		},
		{
			name: "rename a quoted key",
			src:  "hard:\n  \"nvidia.com/gpu\": 8\n",
			op:   OpRename, path: "hard[nvidia.com/gpu]", value: "requests.nvidia.com/gpu",
			want: "hard:\n  \"requests.nvidia.com/gpu\": 8\n",
		},
		{
			name: "delete a key and its block value",
			src:  "spec:\n  validationFailureActionOverrides:\n  - action: audit\n    namespaces: [a]\n  # kept\n  rules: []\n",
			op:   OpDelete, path: "spec.validationFailureActionOverrides",
			want: "spec:\n  # kept\n  rules: []\n",
		},
		{
			name: "a value that is a string in YAML 1.1 terms is quoted",
			src:  "metadata:\n  name: a\n",
			op:   OpSet, path: "metadata.labels[team]", value: "yes",
			want: "metadata:\n  name: a\n  labels:\n    team: \"yes\"\n",
		},
		{
			name: "no line break at the end of the document",
			src:  "a: 1",
			op:   OpSet, path: "b", value: 2,
			want: "a: 1\nb: 2",
		},
		{
			name: "an item of a List",
			src:  "kind: List\nitems:\n- kind: Pod\n  spec:\n    containers: []\n",
			op:   OpSet, path: "items[0].spec.automountServiceAccountToken", value: false,
			want: "kind: List\nitems:\n- kind: Pod\n  spec:\n    containers: []\n    automountServiceAccountToken: false\n",
		},
		{
			name: "new blocks follow the document's indentation and indentless sequences",
			src:  "spec:\n    containers:\n    - name: a\n",
			op:   OpSet, path: "spec.containers[0].securityContext.capabilities.drop", value: []any{"ALL"},
			want: "spec:\n    containers:\n    - name: a\n      securityContext:\n          capabilities:\n              drop:\n              - ALL\n",
		},
		{
			name: "an appended mapping item follows an indentless sequence",
			src:  "spec:\n  tolerations:\n  - key: a\n  x: 1\n",
			op:   OpAppend, path: "spec.tolerations", value: map[string]any{"key": "g", "effect": "NoSchedule"},
			want: "spec:\n  tolerations:\n  - key: a\n  - effect: NoSchedule\n    key: g\n  x: 1\n",
		},
		{
			name: "Kyverno overrides: a list of mappings holding lists",
			src:  "spec:\n  rules:\n  - name: r\n    validate:\n      message: m\n",
			op:   OpSet, path: "spec.rules[0].validate.failureActionOverrides",
			value: []any{map[string]any{"action": "Audit", "namespaces": []any{"dev", "test"}}},
			want:  "spec:\n  rules:\n  - name: r\n    validate:\n      message: m\n      failureActionOverrides:\n      - action: Audit\n        namespaces:\n        - dev\n        - test\n",
		},
		{
			name: "four-space indentation is followed",
			src:  "spec:\n    template:\n        spec:\n            hostNetwork: false\n",
			op:   OpSet, path: "spec.template.spec.automountServiceAccountToken", value: false,
			want: "spec:\n    template:\n        spec:\n            hostNetwork: false\n            automountServiceAccountToken: false\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := editDocument([]byte(tc.src), tc.op, tc.path, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestEditDocumentRefuses covers layouts where a splice is not safe: the
// edit is refused with a reason and nothing is returned.
func TestEditDocumentRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, src, path string
		op              Op
		value           any
		want            string
	}{
		{"an alias", "base: &b\n  privileged: true\nc:\n  securityContext: *b\n", "c.securityContext.privileged", OpSet, false, "alias"},
		{"an anchored node shared with an alias", "a: &x true\nb: *x\n", "a", OpSet, false, "anchored"},
		{"a block scalar", "a: |\n  text\n", "a", OpSet, "x", "block scalar"},
		{"a plain scalar over two lines", "a: one\n  two\nb: 1\n", "a", OpSet, "x", "several lines"},
		{"a mapping where a value is meant", "a:\n  b: 1\n", "a", OpSet, false, "mapping or sequence"},
		{"a missing sequence item", "a: [1]\n", "a[3]", OpSet, 2, "no such item"},
		{"a rename onto an existing key", "h:\n  a: 1\n  b: 2\n", "h[a]", OpRename, "b", "already has"},
		{"a delete in a flow mapping", "s: {a: 1, b: 2}\n", "s.a", OpDelete, nil, "flow mapping"},
		{"a delete of a key that shares its line with a dash", "r:\n- a: 1\n  b: 2\n", "r[0].a", OpDelete, nil, "start its line"},
		{"a wildcard path", "a: 1\n", "a[*]", OpSet, 1, "no single field"},
		{"a document that is not a mapping", "- a\n", "a", OpSet, 1, "not a mapping"},
		{"a null value where a mapping is needed", "spec:\n  securityContext:\n", "spec.securityContext.privileged", OpSet, false, "not a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := editDocument([]byte(tc.src), tc.op, tc.path, tc.value)
			if err == nil {
				t.Fatalf("edit made:\n%s", got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // segments as key or #index, joined by |
		err  bool
	}{
		{in: "spec.template.spec.containers[0].image", want: "spec|template|spec|containers|#0|image"},
		{in: "spec.hard[nvidia.com/gpu]", want: "spec|hard|[nvidia.com/gpu]"},
		{in: "spec.pytorchReplicaSpecs[Worker].template", want: "spec|pytorchReplicaSpecs|[Worker]|template"},
		{in: "items[2].metadata.labels[team]", want: "items|#2|metadata|labels|[team]"},
		{in: "a[01]", want: "a|[01]"},
		{in: "", err: true},
		{in: "a..b", err: true},
		{in: "a.", err: true},
		{in: "a[", err: true},
		{in: "a[*]", err: true},
		{in: "a[0]b", err: true},
	} {
		segs, err := parsePath(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("parsePath(%q) = %v, want an error", tc.in, segs)
			}
			continue
		}
		if err != nil {
			t.Errorf("parsePath(%q): %v", tc.in, err)
			continue
		}
		var parts []string
		for _, s := range segs {
			switch {
			case s.index >= 0:
				parts = append(parts, "#"+s.key)
			case s.bracket:
				parts = append(parts, "["+s.key+"]")
			default:
				parts = append(parts, s.key)
			}
		}
		if got := strings.Join(parts, "|"); got != tc.want {
			t.Errorf("parsePath(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if joinPath(segs) != tc.in {
			t.Errorf("joinPath(parsePath(%q)) = %q", tc.in, joinPath(segs))
		}
	}
}
