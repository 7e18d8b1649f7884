package cel

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestItem1RuntimeCostAtGuard evaluates the policies of the six checks
// on objects at the most their size guards admit to judging, shaped for
// the most work (every value decoded and full of candidate tokens, every
// rule of a role naming unknown resources in every built-in group): none
// may run out of the per-call limit or the runtime budget (the apiserver
// would refuse the object whatever the check says), and each still
// denies. The guards' sizes are the catalog's (8 values of 3072
// characters, 32 rules of 32 resources and 8 apiGroups, 256 Kyverno
// rules of 64 overrides).
func TestItem1RuntimeCostAtGuard(t *testing.T) {
	comp, loader := diffSetup(t)
	r := rand.New(rand.NewPCG(17, 3))
	// A value of 2304 bytes (3072 base64 characters, the guard): 31
	// placeholder look-alikes of a provider key and of a URL with a
	// password (the policies judge the first 32 candidates of a value),
	// keyword-bearing filler that matches no pattern, and the real thing.
	value := func(real string) string {
		var b strings.Builder
		for range 31 {
			b.WriteString("hf_" + strings.Repeat("x", 34) + " ")
		}
		for range 31 {
			b.WriteString("postgres://u:${P}@h ")
		}
		for b.Len() < 2304-len(real)-40 {
			b.WriteString("hf_ sk-ant- AKIA ghp_ :// @ ")
		}
		s := b.String() + real
		return s + strings.Repeat(" ", 2304-len(s))
	}
	key := "-----BEGIN RSA PRIVATE KEY-----\n" + token(r, alnum, 64) + "\n-----END RSA PRIVATE KEY-----\n"
	secret := func(name, real string) diffCase {
		data := map[string]any{}
		for i := range 8 {
			data[fmt.Sprintf("k%02d", i)] = base64.StdEncoding.EncodeToString([]byte(value(real)))
		}
		return diffCase{name: name, manifest: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": name}, "data": data}}
	}
	var groups []any
	for _, g := range []string{"", "apps", "batch", "policy", "networking.k8s.io", "storage.k8s.io", "rbac.authorization.k8s.io", "autoscaling"} {
		groups = append(groups, g)
	}
	var resources []any
	for i := range 32 {
		resources = append(resources, fmt.Sprintf("deployments/nosuch-%02d", i))
	}
	var rules []any
	for range 32 {
		rules = append(rules, map[string]any{"apiGroups": groups, "resources": resources, "verbs": []any{"get"}})
	}
	var krules []any
	for i := range 256 {
		var ovs []any
		for range 64 {
			ovs = append(ovs, map[string]any{"action": "Audit", "namespaces": []any{"a"}})
		}
		action := "Enforce"
		if i == 255 {
			action = "enforce"
		}
		krules = append(krules, map[string]any{"name": fmt.Sprintf("r%d", i), "validate": map[string]any{"failureAction": action, "failureActionOverrides": ovs}})
	}
	hard := map[string]any{}
	for i := range 64 {
		hard[fmt.Sprintf("example.com/r%02d", i)] = "1"
	}
	hard["gpu"] = "1"
	objects := map[string]diffCase{
		"secret-literal-provider-key": secret("pk", "hf_"+token(r, alnum, 34)+"\n"),
		"secret-url-credentials":      secret("url", "redis://u:"+token(r, alnum, 12)+"@redis\n"),
		"secret-private-key-material": secret("pem", key),
		"rbac-unknown-resource":       {name: "role", manifest: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": map[string]any{"name": "role"}, "rules": rules}},
		"kyverno-deprecated-action":   {name: "kp", manifest: map[string]any{"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy", "metadata": map[string]any{"name": "kp"}, "spec": map[string]any{"rules": krules}}},
		"quota-invalid-key":           {name: "q", manifest: map[string]any{"apiVersion": "v1", "kind": "ResourceQuota", "metadata": map[string]any{"name": "q"}, "spec": map[string]any{"hard": hard}}},
	}
	for _, id := range sortedKeys(objects) {
		t.Run(id, func(t *testing.T) {
			e, adm := denyEntryAdmission(t, comp, id)
			lc := loadCase(t, loader, objects[id])
			req := Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{diffNamespace("difftest", id)}}
			if lc.obj.GVK.GroupKind() == (schema.GroupKind{Group: "kyverno.io", Kind: "ClusterPolicy"}) {
				req.Namespaces = nil
			}
			resp, err := adm.Admit(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(resp.Message, "cost limit exceeded") || strings.Contains(resp.Message, "running out of cost budget") {
				t.Fatalf("the policy ran out of cost at its guard: %s", resp.Message)
			}
			goDenies, why := goVerdict(newGoCheck(t, e), lc.obj, namespaceObject(t, loader, diffNamespace("difftest", id)))
			if resp.Allowed || !goDenies {
				t.Errorf("at its guard: Go denies=%v %v, the policy denies=%v; want both to deny", goDenies, why, !resp.Allowed)
			}
			t.Logf("%s", resp.Message[:min(len(resp.Message), 200)])
		})
	}
}
