package governance_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	resourcev1 "k8s.io/api/resource/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	apiserverv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1alpha2 "sigs.k8s.io/network-policy-api/apis/v1alpha2"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/golden"
)

func TestLoadEveryKindTyped(t *testing.T) {
	inv, err := newLoader(t).Load("testdata/kinds")
	if err != nil {
		t.Fatal(err)
	}
	const ns = "inference"
	tests := []struct {
		gvk       schema.GroupVersionKind
		namespace string
		name      string
		want      runtime.Object
	}{
		{corev1.SchemeGroupVersion.WithKind("Pod"), ns, "llm-0", &corev1.Pod{}},
		{appsv1.SchemeGroupVersion.WithKind("Deployment"), ns, "rag-api", &appsv1.Deployment{}},
		{appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), ns, "rag-api-5d8f7", &appsv1.ReplicaSet{}},
		{appsv1.SchemeGroupVersion.WithKind("StatefulSet"), ns, "vector-db", &appsv1.StatefulSet{}},
		{appsv1.SchemeGroupVersion.WithKind("DaemonSet"), "gpu-operator", "dcgm-exporter", &appsv1.DaemonSet{}},
		{batchv1.SchemeGroupVersion.WithKind("Job"), "training", "finetune", &batchv1.Job{}},
		{batchv1.SchemeGroupVersion.WithKind("CronJob"), ns, "reindex", &batchv1.CronJob{}},
		{corev1.SchemeGroupVersion.WithKind("ReplicationController"), ns, "legacy-cache", &corev1.ReplicationController{}},
		{corev1.SchemeGroupVersion.WithKind("Service"), ns, "llm", &corev1.Service{}},
		{networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"), ns, "vector-db-from-rag", &networkingv1.NetworkPolicy{}},
		{rbacv1.SchemeGroupVersion.WithKind("Role"), ns, "secret-reader", &rbacv1.Role{}},
		{rbacv1.SchemeGroupVersion.WithKind("ClusterRole"), "", "gpu-viewer", &rbacv1.ClusterRole{}},
		{rbacv1.SchemeGroupVersion.WithKind("RoleBinding"), ns, "rag-reads-secrets", &rbacv1.RoleBinding{}},
		{rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"), "", "ml-team-views-gpus", &rbacv1.ClusterRoleBinding{}},
		{corev1.SchemeGroupVersion.WithKind("ServiceAccount"), ns, "rag-api", &corev1.ServiceAccount{}},
		{corev1.SchemeGroupVersion.WithKind("Secret"), ns, "openai", &corev1.Secret{}},
		{corev1.SchemeGroupVersion.WithKind("ConfigMap"), ns, "rag-config", &corev1.ConfigMap{}},
		{corev1.SchemeGroupVersion.WithKind("ResourceQuota"), "training", "gpus", &corev1.ResourceQuota{}},
		{corev1.SchemeGroupVersion.WithKind("LimitRange"), "training", "defaults", &corev1.LimitRange{}},
		{corev1.SchemeGroupVersion.WithKind("Namespace"), "", "inference", &corev1.Namespace{}},
		{networkingv1.SchemeGroupVersion.WithKind("Ingress"), ns, "rag", &networkingv1.Ingress{}},
		{schedulingv1.SchemeGroupVersion.WithKind("PriorityClass"), "", "inference-critical", &schedulingv1.PriorityClass{}},
		{nodev1.SchemeGroupVersion.WithKind("RuntimeClass"), "", "nvidia", &nodev1.RuntimeClass{}},
		{resourcev1.SchemeGroupVersion.WithKind("ResourceClaim"), "training", "one-gpu", &resourcev1.ResourceClaim{}},
		{resourcev1.SchemeGroupVersion.WithKind("DeviceClass"), "", "gpu.nvidia.com", &resourcev1.DeviceClass{}},
		{admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingAdmissionPolicy"), "", "no-latest", &admissionregistrationv1.ValidatingAdmissionPolicy{}},
		{admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingAdmissionPolicyBinding"), "", "no-latest", &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}},
		{anpv1alpha1.SchemeGroupVersion.WithKind("AdminNetworkPolicy"), "", "isolate-tenants", &anpv1alpha1.AdminNetworkPolicy{}},
		{anpv1alpha1.SchemeGroupVersion.WithKind("BaselineAdminNetworkPolicy"), "", "default", &anpv1alpha1.BaselineAdminNetworkPolicy{}},
		{cnpv1alpha2.SchemeGroupVersion.WithKind("ClusterNetworkPolicy"), "", "admin-tier", &cnpv1alpha2.ClusterNetworkPolicy{}},
		{cnpv1beta1.SchemeGroupVersion.WithKind("ClusterNetworkPolicy"), "", "baseline-tier", &cnpv1beta1.ClusterNetworkPolicy{}},
		{auditv1.SchemeGroupVersion.WithKind("Policy"), "", "", &auditv1.Policy{}},
		{apiserverv1.SchemeGroupVersion.WithKind("EncryptionConfiguration"), "", "", &apiserverv1.EncryptionConfiguration{}},
	}
	for _, tc := range tests {
		t.Run(tc.gvk.Kind, func(t *testing.T) {
			var o *governance.Object
			if tc.name == "" { // apiserver configuration files have no name
				objs := inv.OfKind(tc.gvk.GroupKind())
				if len(objs) != 1 {
					t.Fatalf("%d objects of kind %v, want 1", len(objs), tc.gvk.GroupKind())
				}
				o = objs[0]
			} else {
				o = mustGet(t, inv, governance.Key{Group: tc.gvk.Group, Kind: tc.gvk.Kind, Namespace: tc.namespace, Name: tc.name})
			}
			if reflect.TypeOf(o.Obj) != reflect.TypeOf(tc.want) {
				t.Errorf("decoded as %T, want %T", o.Obj, tc.want)
			}
			if !o.Typed || o.GVK != tc.gvk {
				t.Errorf("Typed %v, GVK %v; want typed %v", o.Typed, o.GVK, tc.gvk)
			}
			if len(o.UnknownFields) > 0 {
				t.Errorf("unknown fields %q", o.UnknownFields)
			}
		})
	}

	// Unknown CRD kinds stay unstructured with the GVK they declared; the
	// ClusterQueue, whose CRD is not in the input, gets no namespace.
	for _, k := range []struct {
		gvk       schema.GroupVersionKind
		namespace string
		name      string
	}{
		{schema.GroupVersionKind{Group: "serving.kserve.io", Version: "v1beta1", Kind: "InferenceService"}, ns, "llama"},
		{schema.GroupVersionKind{Group: "kueue.x-k8s.io", Version: "v1beta1", Kind: "ClusterQueue"}, "", "gpu-queue"},
	} {
		o := mustGet(t, inv, governance.Key{Group: k.gvk.Group, Kind: k.gvk.Kind, Namespace: k.namespace, Name: k.name})
		u, ok := o.Obj.(*unstructured.Unstructured)
		if !ok || o.Typed {
			t.Errorf("%s decoded as %T (typed %v), want *unstructured.Unstructured", k.gvk.Kind, o.Obj, o.Typed)
			continue
		}
		if o.GVK != k.gvk || u.GroupVersionKind() != k.gvk {
			t.Errorf("%s: GVK %v (object says %v), want %v", k.gvk.Kind, o.GVK, u.GroupVersionKind(), k.gvk)
		}
	}
	if got, want := inv.Len(), len(tests)+2; got != want {
		t.Errorf("inventory holds %d objects, want %d", got, want)
	}
	golden.Assert(t, filepath.Join("testdata", "kinds.golden"), summarize(inv))
}

// summarize renders an inventory one object a line: source, key, Go type,
// unknown fields and invalid base64 keys.
func summarize(inv *governance.Inventory) string {
	var b strings.Builder
	for _, o := range inv.Objects() {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%T", o.Source, o.GVK.GroupVersion(), o.Key(), o.Obj)
		if len(o.UnknownFields) > 0 {
			fmt.Fprintf(&b, "\tunknown=%s", strings.Join(o.UnknownFields, ","))
		}
		if len(o.InvalidBase64Keys) > 0 {
			fmt.Fprintf(&b, "\tinvalid-base64=%s", strings.Join(o.InvalidBase64Keys, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLoadCRDDefaultsNamespaceOfItsResources(t *testing.T) {
	const crds = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: inferenceservices.serving.kserve.io
spec:
  group: serving.kserve.io
  scope: Namespaced
  names: {kind: InferenceService, plural: inferenceservices}
  versions: [{name: v1beta1, served: true, storage: true}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: clusterqueues.kueue.x-k8s.io
spec:
  group: kueue.x-k8s.io
  scope: Cluster
  names: {kind: ClusterQueue, plural: clusterqueues}
  versions: [{name: v1beta1, served: true, storage: true}]
`
	const resources = `apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: llama}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata: {name: gpu-queue}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: no-crd}
`
	for _, tc := range []struct {
		name, input, defaultNS string
		want                   map[string]string // kind → namespace
	}{
		{"with CRDs", crds + "---\n" + resources, "default",
			map[string]string{"InferenceService": "default", "ClusterQueue": "", "Widget": ""}},
		{"with CRDs and -n", crds + "---\n" + resources, "ml",
			map[string]string{"InferenceService": "ml", "ClusterQueue": "", "Widget": ""}},
		{"without CRDs", resources, "default",
			map[string]string{"InferenceService": "", "ClusterQueue": "", "Widget": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoader(t)
			l.DefaultNamespace = tc.defaultNS
			inv, err := l.LoadBytes("crds.yaml", []byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range inv.Objects() {
				want, ok := tc.want[o.Kind()]
				if !ok {
					continue
				}
				if o.Namespace() != want {
					t.Errorf("%s has namespace %q, want %q", o.Kind(), o.Namespace(), want)
				}
			}
		})
	}
}

func TestLoadListsAndStreams(t *testing.T) {
	type obj struct {
		key    string
		source string
	}
	tests := []struct {
		name, file, input string
		want              []obj
	}{{
		name: "v1 List",
		file: "list.yaml",
		input: `# a kubectl get -o yaml dump
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a, namespace: ns}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: b, namespace: ns}
  spec:
    selector: {matchLabels: {app: b}}
    template:
      metadata: {labels: {app: b}}
      spec: {containers: [{name: c, image: x}]}
`,
		want: []obj{
			{"ConfigMap/ns/a", "list.yaml:1 (document 1, item 0)"},
			{"Deployment.apps/ns/b", "list.yaml:1 (document 1, item 1)"},
		},
	}, {
		name: "typed PodList: items without kind inherit it",
		file: "pods.yaml",
		input: `apiVersion: v1
kind: PodList
items:
- metadata: {name: p0, namespace: ns}
  spec: {containers: [{name: c, image: x}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: p1, namespace: ns}
  spec: {containers: [{name: c, image: x}]}
`,
		want: []obj{
			{"Pod/ns/p0", "pods.yaml:1 (document 1, item 0)"},
			{"Pod/ns/p1", "pods.yaml:1 (document 1, item 1)"},
		},
	}, {
		name:  "JSON object",
		file:  "one.json",
		input: `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns"}}`,
		want:  []obj{{"ConfigMap/ns/a", "one.json:1 (document 1)"}},
	}, {
		name: "JSON stream",
		file: "stream.json",
		input: `
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns"}}
{
  "apiVersion": "v1",
  "kind": "ConfigMap",
  "metadata": {"name": "b", "namespace": "ns"}
}
   {"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"}}]}
`,
		want: []obj{
			{"ConfigMap/ns/a", "stream.json:2 (document 1)"},
			{"ConfigMap/ns/b", "stream.json:3 (document 2)"},
			{"ConfigMap/ns/c", "stream.json:8 (document 3, item 0)"},
		},
	}, {
		name: "JSON array",
		file: "array.json",
		input: `[
  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns"}},
  {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b", "namespace": "ns"}}
]`,
		want: []obj{
			{"ConfigMap/ns/a", "array.json:1 (document 1, item 0)"},
			{"Secret/ns/b", "array.json:1 (document 1, item 1)"},
		},
	}, {
		name: "YAML multi-doc with comments, leading --- and empty documents",
		file: "multi.yaml",
		input: `# leading comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  namespace: ns
--- # a separator with a comment
# only a comment in this document
---
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: ns}
---
null
---

apiVersion: v1   # trailing comment
kind: ConfigMap
metadata: {name: c, namespace: ns}
`,
		want: []obj{
			{"ConfigMap/ns/a", "multi.yaml:3 (document 2)"},
			{"ConfigMap/ns/b", "multi.yaml:12 (document 5)"},
			{"ConfigMap/ns/c", "multi.yaml:18 (document 7)"},
		},
	}, {
		name:  "CRLF line endings",
		file:  "crlf.yaml",
		input: "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n  namespace: ns\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: b, namespace: ns}\r\n",
		want: []obj{
			{"ConfigMap/ns/a", "crlf.yaml:1 (document 1)"},
			{"ConfigMap/ns/b", "crlf.yaml:7 (document 2)"},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := loadString(t, tc.file, tc.input)
			var got []obj
			for _, o := range inv.Objects() {
				got = append(got, obj{o.Key().String(), o.Source.String()})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestLoadSourcePositions(t *testing.T) {
	const input = `# header

apiVersion: v1
kind: ConfigMap
metadata: {name: first}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: second}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: third}
`
	inv := loadString(t, "dir/pos.yaml", input)
	want := map[string]governance.Source{
		"first":  {File: "dir/pos.yaml", Document: 1, Line: 1, Item: -1},
		"second": {File: "dir/pos.yaml", Document: 2, Line: 7, Item: 0},
		"third":  {File: "dir/pos.yaml", Document: 2, Line: 7, Item: 1},
	}
	for _, o := range inv.Objects() {
		if got := o.Source; got != want[o.Name()] {
			t.Errorf("%s: source %+v, want %+v", o.Name(), got, want[o.Name()])
		}
		if ref := o.Ref(); ref.Source != o.Source || ref.Namespace != "default" {
			t.Errorf("%s: ref %+v", o.Name(), ref)
		}
	}
	if inv.Len() != 3 {
		t.Errorf("%d objects, want 3", inv.Len())
	}
}

func TestLoadStdin(t *testing.T) {
	l := newLoader(t)
	l.Stdin = strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\n")
	inv, err := l.Load("-")
	if err != nil {
		t.Fatal(err)
	}
	o := mustGet(t, inv, governance.Key{Kind: "ConfigMap", Namespace: "default", Name: "from-stdin"})
	if want := (governance.Source{File: "-", Document: 1, Line: 1, Item: -1}); o.Source != want {
		t.Errorf("source %+v, want %+v", o.Source, want)
	}

	l.Stdin = strings.NewReader("apiVersion: v1\nkind: ConfigMap\n")
	_, err = l.Load("-")
	if got, want := fmt.Sprint(err), "-:1 (document 1): ConfigMap: metadata.name is required"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func configMap(name string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n", name)
}

func TestLoadDirectories(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"b.yaml":          configMap("b"),
		"a.yml":           configMap("a"),
		"c.json":          `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}`,
		"D.YAML":          configMap("upper"),
		"notes.txt":       "not a manifest",
		"kustomization":   "not a manifest either",
		"sub/d.yaml":      configMap("d"),
		"sub/deep/e.yaml": configMap("e"),
		"sub/README.md":   "# docs",
	})
	sources := func(inv *governance.Inventory) []string {
		var out []string
		for _, o := range inv.Objects() {
			rel, _ := filepath.Rel(dir, o.Source.File)
			out = append(out, o.Name()+"@"+filepath.ToSlash(rel))
		}
		return out
	}

	l := newLoader(t)
	inv, err := l.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sources(inv), []string{"a@a.yml", "b@b.yaml", "c@c.json", "upper@D.YAML"}; !reflect.DeepEqual(got, want) {
		t.Errorf("non-recursive: %q, want %q", got, want)
	}

	l.Recursive = true
	inv, err = l.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sources(inv), []string{"a@a.yml", "b@b.yaml", "c@c.json", "d@sub/d.yaml", "e@sub/deep/e.yaml", "upper@D.YAML"}; !reflect.DeepEqual(got, want) {
		t.Errorf("recursive: %q, want %q", got, want)
	}

	// Files are read in lexical order: the first definition of a duplicate
	// is the one kept, and the error names the later file.
	dup := writeFiles(t, map[string]string{"2.yaml": configMap("x"), "1.yaml": configMap("x")})
	_, err = newLoader(t).Load(dup)
	want := fmt.Sprintf("%s:1 (document 1): duplicate object ConfigMap/default/x: already defined at %s:1 (document 1)",
		filepath.Join(dup, "2.yaml"), filepath.Join(dup, "1.yaml"))
	if fmt.Sprint(err) != want {
		t.Errorf("error %q\nwant %q", err, want)
	}

	// A path given explicitly is read whatever its extension; a missing one
	// is an input error.
	inv, err = newLoader(t).Load(filepath.Join(dir, "notes.txt"), filepath.Join(dir, "missing.yaml"))
	if !governance.IsInputError(err) || inv == nil {
		t.Fatalf("error %v (%T), want input errors", err, err)
	}
	lines := errorLines(err)
	if len(lines) != 2 || !strings.Contains(lines[0], "notes.txt:1 (document 1): document is string \"not …\", not an object") ||
		!strings.HasSuffix(lines[1], "missing.yaml: stat "+filepath.Join(dir, "missing.yaml")+": no such file or directory") {
		t.Errorf("errors:\n%s", err)
	}
}

func TestLoadMultiplePaths(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.yaml": configMap("a"), "b.yaml": configMap("b")})
	l := newLoader(t)
	l.Stdin = bytes.NewBufferString(configMap("c"))
	inv, err := l.Load(filepath.Join(dir, "b.yaml"), "-", dir+string(filepath.Separator)+"a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Len() != 3 {
		t.Errorf("%d objects, want 3", inv.Len())
	}
}
