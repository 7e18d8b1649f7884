package operator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// The harness the proofs against the operators themselves share
// (kuberay_proof_test.go, trainer_proof_test.go, kubeflow_proof_test.go):
// run a command of the test-only module internal/operatortest on the
// files of testdata/<dir>, read aigov's resources from the same files,
// and compare pods as JSON, field by field, after each proof has set
// aside on both sides what aigov does not derive.

// proofTestdata returns the absolute paths of testdata/<dir>/*.yaml.
func proofTestdata(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/%s/*.yaml: %v", dir, err)
	}
	for i := range files {
		if files[i], err = filepath.Abs(files[i]); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// runOperatorTest runs cmd/<name> of the nested module internal/operatortest
// on files and returns its standard output.
func runOperatorTest(t *testing.T, name string, files []string) []byte {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "internal", "operatortest"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("the nested module: %v", err)
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goTool, append([]string{"run", "./cmd/" + name}, files...)...)
	cmd.Dir = dir
	// The nested module is its own: no workspace, and its go.sum as
	// committed (readonly: a missing sum fails rather than edits it).
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=readonly"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run ./cmd/%s in %s: %v\n%s", name, dir, err, stderr.String())
	}
	t.Logf("go run ./cmd/%s took %s", name, time.Since(start).Round(time.Millisecond))
	return stdout.Bytes()
}

// proofResources reads every document of a YAML file as a Resource of a
// supported kind, defaulting the apiVersion's group and version.
func proofResources(t *testing.T, file, group, version string) []*Resource {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*Resource
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if obj == nil {
			continue
		}
		if _, ok := obj["apiVersion"]; !ok {
			obj["apiVersion"] = group + "/" + version
		}
		out = append(out, proofResource(t, file, obj))
	}
}

// proofResource makes a Resource of obj with its templates decoded; obj
// must be of a supported kind and have no unknown fields.
func proofResource(t *testing.T, where string, obj map[string]any) *Resource {
	t.Helper()
	u := unstructured.Unstructured{Object: obj}
	gvk := u.GroupVersionKind()
	k, ok := Find(gvk)
	if !ok {
		t.Fatalf("%s: %s is not a supported kind", where, gvk)
	}
	r := &Resource{GVK: gvk, Namespace: u.GetNamespace(), Name: u.GetName(), Labels: u.GetLabels(), Object: obj}
	if k.Templates != nil {
		ts, unknown, err := k.Templates(obj)
		if err != nil || len(unknown) > 0 {
			t.Fatalf("%s: %s/%s: templates: %v, unknown fields %v", where, gvk.Kind, r.Name, err, unknown)
		}
		r.Templates = ts
	}
	return r
}

func proofRoles(pods []Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Role)
	}
	return out
}

// proofComparable is a derived Pod as JSON: its replica counts and bounds
// and the whole pod (the SpecPath, which names a field of the resource
// the pod was derived from, is left out).
func proofComparable(p Pod) map[string]any {
	return proofJSON(struct {
		Replicas                 int32
		MinReplicas, MaxReplicas *int32
		Pod                      any
	}{p.Replicas, p.MinReplicas, p.MaxReplicas, p.Pod})
}

// proofJSON is v (a pod or a struct of pods and counts) as generic JSON,
// the form proofDiff walks.
func proofJSON(v any) map[string]any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // a corev1.Pod always marshals
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(err)
	}
	return m
}

// proofDiff lists the differences between two JSON values by field path:
// "Pod.spec.containers[1].image: aigov "x", <theirs> "y"".
func proofDiff(got, want any, theirs string) []string {
	var out []string
	var walk func(path string, g, w any)
	walk = func(path string, g, w any) {
		gm, gok := g.(map[string]any)
		wm, wok := w.(map[string]any)
		if gok && wok {
			keys := make([]string, 0, len(gm)+len(wm))
			for k := range gm {
				keys = append(keys, k)
			}
			for k := range wm {
				if _, dup := gm[k]; !dup {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(strings.TrimPrefix(path+"."+k, "."), gm[k], wm[k])
			}
			return
		}
		gs, gok := g.([]any)
		ws, wok := w.([]any)
		if gok && wok && len(gs) == len(ws) {
			for i := range gs {
				walk(fmt.Sprintf("%s[%d]", path, i), gs[i], ws[i])
			}
			return
		}
		if !reflect.DeepEqual(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			out = append(out, fmt.Sprintf("%s: aigov %s, %s %s", path, gj, theirs, wj))
		}
	}
	walk("", got, want)
	return out
}
