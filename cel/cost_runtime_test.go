package cel

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// largeDeployment is a Deployment at the upper end of what platforms
// write: 32 containers and 8 init containers with long image references,
// GPU and other resources, 64 labels on the object and on its template, 32
// tolerations, 32 node selector labels and 8 required node affinity terms
// of 8 expressions.
func largeDeployment(t testing.TB) map[string]any {
	var b strings.Builder
	labels := func(indent string) {
		for i := range 64 {
			fmt.Fprintf(&b, "%s  example.com/label-%02d: value-%02d\n", indent, i, i)
		}
	}
	b.WriteString("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: large\n  labels:\n    app: large\n")
	labels("  ")
	b.WriteString("spec:\n  selector: {matchLabels: {app: large}}\n  template:\n    metadata:\n      labels:\n        app: large\n")
	labels("      ")
	b.WriteString("    spec:\n")
	container := func(name string) {
		image := "registry.example.com/" + strings.Repeat("team/", 30) + "vllm-openai:v0.6.3-" + strings.Repeat("x", 40)
		fmt.Fprintf(&b, "      - name: %s\n        image: %q\n        resources:\n          limits: {cpu: \"2\", memory: 8Gi, nvidia.com/gpu: 1, example.com/a: 1, example.com/b: 1, example.com/c: 1}\n"+
			"          requests: {cpu: \"1\", memory: 4Gi, nvidia.com/gpu: 1, example.com/a: 1, example.com/b: 1, example.com/c: 1}\n"+
			"        readinessProbe: {httpGet: {path: /health, port: 8000}}\n        livenessProbe: {httpGet: {path: /health, port: 8000}}\n", name, image)
	}
	b.WriteString("      containers:\n")
	for i := range 32 {
		container(fmt.Sprintf("c%02d", i))
	}
	b.WriteString("      initContainers:\n")
	for i := range 8 {
		container(fmt.Sprintf("i%02d", i))
	}
	b.WriteString("      tolerations:\n")
	for i := range 32 {
		fmt.Fprintf(&b, "      - {key: example.com/taint-%02d, operator: Exists}\n", i)
	}
	b.WriteString("      nodeSelector:\n")
	for i := range 32 {
		fmt.Fprintf(&b, "        example.com/node-%02d: \"true\"\n", i)
	}
	b.WriteString("      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [")
	for i := range 8 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{matchExpressions: [")
		for j := range 8 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{key: example.com/zone-%d, operator: In, values: [a, b, c]}", j)
		}
		b.WriteString("]}")
	}
	b.WriteString("]}}}\n")
	return mustYAML(t, b.String())
}

// TestRuntimeCostOfLargeObjects evaluates every generated policy of the
// corpus on a large Deployment: the estimates of the compile-time cost
// report assume 3 MiB objects, and this test bounds what the apiserver
// would really spend. No policy may run out of its runtime cost budget
// there (the apiserver would refuse the object whatever the check says);
// an expression known to exceed the per-call limit proves the test sees
// the overrun.
func TestRuntimeCostOfLargeObjects(t *testing.T) {
	comp, loader := diffSetup(t)
	large := loadCase(t, loader, diffCase{name: "large", manifest: largeDeployment(t)})
	admit := func(t *testing.T, label string, e governance.PolicyEntry) Response {
		t.Helper()
		// The policies the differential tests judge (compiled once).
		adm := entryAdmission(t, comp, "diff", diffEntry(e, label))
		resp, err := adm.Admit(context.Background(), Request{Object: large.obj.Obj, Namespaces: []*corev1.Namespace{diffNamespace("difftest", label)}})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	overrun := func(r Response) bool {
		return strings.Contains(r.Message, "cost limit exceeded") || strings.Contains(r.Message, "running out of cost budget")
	}
	for _, dc := range corpus(t) {
		label := diffLabel(dc.entry)
		t.Run(label, func(t *testing.T) {
			if resp := admit(t, label, dc.entry); overrun(resp) {
				t.Errorf("the policy ran out of cost on a large Deployment: %s", resp.Message)
			}
		})
	}
	t.Run("overrun-is-seen", func(t *testing.T) {
		cs := "object.spec.template.spec.containers"
		e := governance.PolicyEntry{ID: IDCustomCEL, Name: "expensive", Action: governance.ActionDeny,
			Params: []byte(`{"expression": "` + cs + `.all(a, ` + cs + `.all(b, ` + cs + `.all(c, ` + cs + `.all(d, a.image + b.image + c.image + d.image != \"\"))))"}`)}
		e.Match.Resources = []governance.ResourceRule{{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"deployments"}}}
		if resp := admit(t, "expensive", e); !overrun(resp) {
			t.Errorf("a quartic comprehension over 32 containers was not refused for its cost: allowed=%v %q", resp.Allowed, resp.Message)
		}
	})
}
