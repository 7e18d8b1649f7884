package cel

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestLintRuntimeCostAtGuard evaluates the policies of the six lint
// checks on objects at the most their size guards admit to judging,
// shaped for the most work (every rule and every entry judged and
// reported, every list as long as the guard allows): none may run out of
// the per-call limit or the runtime budget (the apiserver would refuse
// the object whatever the check says), and each still denies, as the Go
// check does. The guards are the checks' own: 64 rules of 32 verbs and
// 16 apiGroups (rbac-unknown-verb) or of 32 verbs and 32 resources
// (rbac-resourcenames-verb), 256 rules (rbac-empty-rule,
// rbac-invalid-nonresourceurls), 8 LimitRange items of 32 entries per
// list, 64 containers and init containers of 32 requests and 32 limits.
func TestLintRuntimeCostAtGuard(t *testing.T) {
	comp, loader := diffSetup(t)
	strs := func(n int, f func(i int) string) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	list := func(n int, f func(i int) any) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	resources := func(n int, v string) map[string]any {
		m := map[string]any{}
		for i := range n {
			m[fmt.Sprintf("example.com/r%02d", i)] = v
		}
		return m
	}
	role := func(name, kind string, rules []any) diffCase {
		return diffCase{name: name, manifest: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": map[string]any{"name": name}, "rules": rules}}
	}
	// 15 extension groups before a built-in one: the built-in test scans
	// them all; 32 upper-case verbs none of which is known.
	groups := append(strs(15, func(i int) string { return fmt.Sprintf("g%02d.example.com", i) }), "apps")
	unknownVerbs := role("uv", "Role", list(64, func(int) any {
		return map[string]any{"apiGroups": groups, "resources": []any{"deployments"}, "verbs": strs(32, func(i int) string { return fmt.Sprintf("Frobnicate%02d", i) })}
	}))
	// 32 subresources (no top-level resource to stop the scan early) and
	// 32 list verbs under resourceNames.
	namedVerbs := role("rn", "Role", list(64, func(int) any {
		return map[string]any{"apiGroups": []any{""}, "resources": strs(32, func(i int) string { return fmt.Sprintf("pods/sub%02d", i) }),
			"resourceNames": []any{"p"}, "verbs": strs(32, func(int) string { return "list" })}
	}))
	emptyRules := role("er", "Role", list(256, func(int) any { return map[string]any{"resources": []any{"pods"}, "verbs": []any{"get"}} }))
	mixedRules := role("nru", "ClusterRole", list(256, func(int) any {
		return map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "nonResourceURLs": []any{"/metrics"}, "verbs": []any{"get"}}
	}))
	limitRange := func(name string, item func() map[string]any) diffCase {
		return diffCase{name: name, manifest: map[string]any{"apiVersion": "v1", "kind": "LimitRange", "metadata": map[string]any{"name": name},
			"spec": map[string]any{"limits": list(8, func(int) any { return item() })}}}
	}
	// Every max without a default: the loader (and the apiserver)
	// copies it into default and defaultRequest.
	maxDefault := limitRange("lrm", func() map[string]any { return map[string]any{"type": "Container", "max": resources(32, "4")} })
	negativeLimitRange := limitRange("iqlr", func() map[string]any {
		return map[string]any{"type": "Container", "default": resources(32, "-1"), "defaultRequest": resources(32, "-1"), "max": resources(32, "-1"), "maxLimitRequestRatio": resources(32, "-1")}
	})
	container := func(i int) any {
		return map[string]any{"name": fmt.Sprintf("c%02d", i), "image": "registry.example.com/app:1",
			"resources": map[string]any{"requests": resources(32, "-1"), "limits": resources(32, "-1")}}
	}
	negativePod := diffCase{name: "iqpod", manifest: map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "iqpod"},
		"spec": map[string]any{"initContainers": list(32, container), "containers": list(32, func(i int) any { return container(32 + i) }),
			"resources": map[string]any{"requests": resources(32, "-1"), "limits": resources(32, "-1")}, "overhead": resources(32, "-1")}}}
	objects := map[string][]diffCase{
		"rbac-unknown-verb":              {unknownVerbs},
		"rbac-resourcenames-verb":        {namedVerbs},
		"rbac-empty-rule":                {emptyRules},
		"rbac-invalid-nonresourceurls":   {mixedRules},
		"limitrange-max-becomes-default": {maxDefault},
		"invalid-resource-quantity":      {negativePod, negativeLimitRange},
	}
	for _, id := range sortedKeys(objects) {
		t.Run(id, func(t *testing.T) {
			e, adm := denyEntryAdmission(t, comp, id)
			for _, c := range objects[id] {
				lc := loadCase(t, loader, c)
				req := Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{diffNamespace("difftest", id)}}
				resp, err := adm.Admit(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(resp.Message, "cost limit exceeded") || strings.Contains(resp.Message, "running out of cost budget") {
					t.Fatalf("%s: the policy ran out of cost at its guard: %s", c.name, resp.Message)
				}
				goDenies, why := goVerdict(newGoCheck(t, e), lc.obj, namespaceObject(t, loader, diffNamespace("difftest", id)))
				if resp.Allowed || !goDenies {
					t.Errorf("%s at its guard: Go denies=%v (%d violations), the policy denies=%v; want both to deny", c.name, goDenies, len(why), !resp.Allowed)
				}
				t.Logf("%s: %s", c.name, resp.Message[:min(len(resp.Message), 200)])
			}
		})
	}
}
