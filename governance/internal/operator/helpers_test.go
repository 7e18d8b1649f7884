package operator

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// The helpers the operator files' unit tests share.

// testPodOfRole returns the pod of role, failing the test when there is
// none.
func testPodOfRole(t *testing.T, pods []Pod, role string) Pod {
	t.Helper()
	for _, p := range pods {
		if p.Role == role {
			return p
		}
	}
	t.Fatalf("no pod of role %q among %q", role, proofRoles(pods))
	return Pod{}
}

// testEnv returns the env of c by name (values only).
func testEnv(c *corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		out[e.Name] = e.Value
	}
	return out
}

// testDecode decodes one YAML document into the Resource the loader hands
// to Pods, its templates decoded by its Kind; it returns the Kind, the
// unknown fields and the decode error of the templates.
func testDecode(t *testing.T, doc string) (Kind, *Resource, []string, error) {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
		t.Fatalf("test YAML: %v", err)
	}
	u := unstructured.Unstructured{Object: obj}
	gvk := u.GroupVersionKind()
	k, ok := Find(gvk)
	if !ok {
		t.Fatalf("%s is not a supported kind", gvk)
	}
	r := &Resource{GVK: gvk, Namespace: u.GetNamespace(), Name: u.GetName(), Labels: u.GetLabels(), Object: obj}
	if k.Templates == nil {
		return k, r, nil, nil
	}
	ts, unknown, err := k.Templates(obj)
	r.Templates = ts
	return k, r, unknown, err
}

// testResource is testDecode failing the test on a decode error.
func testResource(t *testing.T, doc string) (Kind, *Resource, []string) {
	t.Helper()
	k, r, unknown, err := testDecode(t, doc)
	if err != nil {
		t.Fatalf("templates of %s %s: %v", r.GVK.Kind, r.Name, err)
	}
	return k, r, unknown
}

// testLookup finds resources among all, as the inventory does.
func testLookup(all []*Resource) Lookup {
	return func(gk schema.GroupKind, namespace, name string) (*Resource, bool) {
		for _, r := range all {
			if r.GVK.GroupKind() == gk && r.Namespace == namespace && r.Name == name {
				return r, true
			}
		}
		return nil, false
	}
}
