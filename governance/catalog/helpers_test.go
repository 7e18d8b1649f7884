package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
)

// workloadKinds are the kinds podManifest can wrap a pod spec in.
var workloadKinds = []string{"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"}

// specPaths are the field paths of the pod spec in each kind.
var specPaths = map[string]string{
	"Pod": "spec", "Deployment": "spec.template.spec", "ReplicaSet": "spec.template.spec",
	"StatefulSet": "spec.template.spec", "DaemonSet": "spec.template.spec", "Job": "spec.template.spec",
	"CronJob": "spec.jobTemplate.spec.template.spec", "ReplicationController": "spec.template.spec",
}

// podManifest wraps spec (a YAML flow mapping) in an object of kind named
// name in namespace "ml". labels is a flow mapping for the object's own
// metadata.labels ("" for none).
func podManifest(kind, name, labels, spec string) string {
	meta := fmt.Sprintf("{name: %s, namespace: ml}", name)
	if labels != "" {
		meta = fmt.Sprintf("{name: %s, namespace: ml, labels: %s}", name, labels)
	}
	tmpl := fmt.Sprintf("{metadata: {labels: {app: %s}}, spec: %s}", name, spec)
	var apiVersion, body string
	switch kind {
	case "Pod":
		apiVersion, body = "v1", spec
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
		apiVersion, body = "apps/v1", fmt.Sprintf("{selector: {matchLabels: {app: %s}}, template: %s}", name, tmpl)
	case "Job":
		apiVersion, body = "batch/v1", fmt.Sprintf("{template: %s}", tmpl)
	case "CronJob":
		apiVersion, body = "batch/v1", fmt.Sprintf("{schedule: '0 * * * *', jobTemplate: {spec: {template: %s}}}", tmpl)
	case "ReplicationController":
		apiVersion, body = "v1", fmt.Sprintf("{selector: {app: %s}, template: %s}", name, tmpl)
	default:
		panic("unknown kind " + kind)
	}
	return fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata: %s\nspec: %s\n", apiVersion, kind, meta, body)
}

func loadInventory(t *testing.T, manifest string) *governance.Inventory {
	t.Helper()
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("test.yaml", []byte(manifest))
	if err != nil {
		t.Fatalf("loading manifest: %v\n%s", err, manifest)
	}
	return inv
}

// runCheck runs c through an engine and renders each finding as
// "Kind/name path: message".
func runCheck(t *testing.T, c governance.Check, manifest string) []string {
	t.Helper()
	eng, err := governance.NewEngine(governance.Rule{Check: c})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range eng.Run(loadInventory(t, manifest)) {
		if f.Check != c.ID {
			t.Errorf("finding of check %q, want %q", f.Check, c.ID)
		}
		if f.Severity != c.Severity {
			t.Errorf("finding severity %s, want %s", f.Severity, c.Severity)
		}
		out = append(out, fmt.Sprintf("%s %s: %s", f.Object, f.Path, f.Message))
	}
	slices.Sort(out)
	return out
}

type checkCase struct {
	name     string
	manifest string
	want     []string
}

func runCases(t *testing.T, c governance.Check, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := runCheck(t, c, tc.manifest)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
			}
		})
	}
}

func mustNew(t *testing.T, newFn func(any) (governance.Check, error), params string) governance.Check {
	t.Helper()
	var raw json.RawMessage
	if params != "" {
		raw = json.RawMessage(params)
	}
	c, err := newFn(raw)
	if err != nil {
		t.Fatalf("params %s: %v", params, err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

type paramCase struct {
	params  string
	wantErr string // "" = valid
}

func runParamCases(t *testing.T, newFn func(any) (governance.Check, error), cases []paramCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.params, func(t *testing.T) {
			var raw json.RawMessage
			if tc.params != "" {
				raw = json.RawMessage(tc.params)
			}
			_, err := newFn(raw)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("no error, want %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("error %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// noParamCases are the parameter cases of every check without parameters.
var noParamCases = []paramCase{
	{"", ""},
	{"null", ""},
	{"{}", ""},
	{`{"x": 1}`, `unknown params "x"`},
	{`[1]`, "params must be an object"},
}

func TestPodKindsCoverPodTemplatesOf(t *testing.T) {
	var manifest strings.Builder
	for _, k := range workloadKinds {
		manifest.WriteString("---\n" + podManifest(k, strings.ToLower(k), "", "{containers: [{name: a, image: x}]}"))
	}
	inv := loadInventory(t, manifest.String())
	kinds := PodKinds()
	for _, o := range inv.Objects() {
		ts := governance.PodTemplatesOf(o)
		if len(ts) != 1 || ts[0].Path != specPaths[o.Kind()] {
			t.Errorf("%s: PodTemplatesOf = %+v", o.Kind(), ts)
		}
		if !slices.Contains(kinds, o.GVK.GroupKind()) {
			t.Errorf("PodKinds lacks %v", o.GVK.GroupKind())
		}
	}
	if len(kinds) != len(workloadKinds) {
		t.Errorf("PodKinds has %d kinds, want %d", len(kinds), len(workloadKinds))
	}
}

// checkRunAsNonRootSpec reports whether c denies a Pod with spec.
func checkRunAsNonRootSpec(t *testing.T, c governance.Check, spec corev1.PodSpec) bool {
	t.Helper()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ml"}, Spec: spec}
	o := &governance.Object{Obj: pod, GVK: corev1.SchemeGroupVersion.WithKind("Pod"), Typed: true}
	return len(c.Object(o)) > 0
}

// defaultEngine is an engine of Default(), the rules `aigov check` runs.
func defaultEngine(t *testing.T) *governance.Engine {
	t.Helper()
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		t.Fatal(err)
	}
	return engine
}
