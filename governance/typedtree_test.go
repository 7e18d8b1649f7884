package governance

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance/internal/manifest"
	"github.com/aigov/aigov/internal/gen"
)

// typedTreeDecoders returns a decoder and one that decodes every typed
// object from JSON text.
func typedTreeDecoders(t testing.TB) (tree, text *Decoder) {
	t.Helper()
	var err error
	if tree, err = NewDecoder(); err != nil {
		t.Fatal(err)
	}
	if text, err = NewDecoder(); err != nil {
		t.Fatal(err)
	}
	text.jsonOnly = true
	return tree, text
}

// compareTypedTree decodes file data with block YAML trees decoded straight
// into typed objects (tree) and with every typed object decoded from JSON
// text (text, Decoder.jsonOnly), and requires the same objects and errors.
func compareTypedTree(t *testing.T, tree, text *Decoder, name string, data []byte) {
	t.Helper()
	got, gotErrs := tree.DecodeFile(name, data)
	want, wantErrs := text.DecodeFile(name, data)
	if gotErrs.Error() != wantErrs.Error() {
		t.Fatalf("%s:\n errors %q\n from JSON text %q", name, gotErrs.Error(), wantErrs.Error())
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d objects, from JSON text %d", name, len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: object %d (%s):\n tree %#v\n from JSON text %#v", name, i, got[i].GVK, got[i].Obj, want[i].Obj)
		}
	}
}

// typedTreeShare returns how many of the documents of data decode through
// manifest.Writer.DecodeTyped, and how many documents there are.
func typedTreeShare(t *testing.T, d *Decoder, data []byte) (typed, docs int) {
	t.Helper()
	split, err := manifest.Split(data)
	if err != nil {
		t.Fatal(err)
	}
	w, yp := &manifest.Writer{}, &manifest.BlockParser{}
	for _, doc := range split {
		tree, block, err := manifest.ParseYAMLBlock(yp, doc.Data)
		if err != nil || tree == nil {
			continue
		}
		docs++
		gvk := documentKind(tree)
		obj, err := d.scheme.New(gvk)
		if !block || err != nil {
			continue
		}
		w.BeginBlock(len(doc.Data))
		if w.DecodeTyped(tree, obj) {
			typed++
		}
	}
	return typed, docs
}

// Decoding block YAML trees straight into typed objects gives what decoding
// their JSON text gives, objects and errors, on generated platforms (with
// custom resources), the kinds corpus, the decode-error cases, the fuzz
// seeds and the examples; and it is the path nearly every generated
// document takes.
func TestTypedTreeMatchesJSONText(t *testing.T) {
	tree, text := typedTreeDecoders(t)
	for _, o := range []gen.Options{gen.Platform(1000), gen.PlatformCR(1000)} {
		data := gen.Cluster(o)
		compareTypedTree(t, tree, text, "platform.yaml", data)
		typed, docs := typedTreeShare(t, tree, data)
		// Everything but the Secrets holding text that is not base64
		// (their data is rewritten first) and the custom resources.
		if docs == 0 || float64(typed) < 0.8*float64(docs) {
			t.Errorf("%d of %d generated documents decoded from the tree, want most", typed, docs)
		}
	}
	var files int
	for _, root := range []string{"testdata", "../examples"} {
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" || strings.Contains(path, "fuzz") {
				files++
				compareTypedTree(t, tree, text, path, data)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 20 {
		t.Fatalf("compared %d files, want the corpora", files)
	}
}

// typedTreeEdgeCases are documents at the edges of what the tree decoder
// takes.
var typedTreeEdgeCases = []string{
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  creationTimestamp: null\n  labels: {a: b}\nspec:\n  containers:\n  - name: c\n    image: i\n    resources:\n      limits: {cpu: 2, memory: 1Gi, nvidia.com/gpu: 1}\n      requests:\n        cpu: 0.5\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containres: []\n",                         // unknown field
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  priority: 12345678901234567890\n",         // out of range
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  priority: 1.0\n",                          // a float into an int
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  priority: '1'\n",                          // a string into an int
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: yes\n  hostPID: 'true'\n",    // YAML 1.1 boolean, a string
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: no\n",                         // a boolean for a list
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    a: 1\n",                             // a number for a string
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n",                                       // null map
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n  volumes: null\n",        // empty and null lists
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext: {}\n  dnsConfig: null\n", // empty and null pointers
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  creationTimestamp: 2024-01-02T03:04:05Z\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  creationTimestamp: yesterday\n",    // a bad time
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  overhead:\n    cpu: lots\n", // a bad quantity
	"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    targetPort: http\n  - port: 81\n    targetPort: 8081\n",
	"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: -1\n", // a negative int32 is in range
	"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  k: aGk=\n  bad: not base64!\nstringData:\n  x: \"caf\\u00e9 \\x00 \\U0001F916\"\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nbinaryData:\n  b: [104, 105]\n  c: [256]\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"x\"\n  b: |\n    line\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nimmutable: null\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", // no name
	"apiVersion: v1\nkind: PodList\nitems:\n- metadata:\n    name: a\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: b\n  spec:\n    bogus: 1\n",
	"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: xs.example.com\nspec:\n  group: example.com\n  names: {kind: X, plural: xs}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n        default: {a: [1, 2.5, null]}\n",
	"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: i\n        ports:\n        - containerPort: 65536\n",
	"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n  maxReplicas: 3\n  behavior:\n    scaleUp:\n      policies:\n      - type: Pods\n        value: 4\n        periodSeconds: 60\n",
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules:\n- apiGroups: ['']\n  resources: [pods]\n  verbs: ['*']\naggregationRule: null\n",
	"apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n",
}

// Documents at the edges of what the tree decoder takes give the same
// objects and errors either way.
func TestTypedTreeEdgeCases(t *testing.T) {
	tree, text := typedTreeDecoders(t)
	for _, doc := range typedTreeEdgeCases {
		compareTypedTree(t, tree, text, "doc.yaml", []byte(doc))
	}
}

// FuzzTypedTree: any input decodes to the same objects and errors with and
// without decoding block YAML trees straight into typed objects.
func FuzzTypedTree(f *testing.F) {
	for _, doc := range typedTreeEdgeCases {
		f.Add([]byte(doc))
	}
	tree, text := typedTreeDecoders(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		compareTypedTree(t, tree, text, "fuzz.yaml", data)
	})
}
