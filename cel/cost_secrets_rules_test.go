package cel

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// secretsRulesCostCase is an object shaped for the most work a policy of
// the secrets object rules does, and whether the Go check and the policy
// must deny it (at the guard) or the policy must admit it unjudged
// (beyond it).
type secretsRulesCostCase struct {
	id      string
	c       diffCase
	atGuard bool
}

// TestSecretsRulesRuntimeCostAtGuard evaluates the policies of the
// secrets object rules on objects at the most their size guards admit to
// judging, shaped for the most work, and just beyond: none may run out of
// the per-call limit or the runtime budget (the apiserver would refuse the
// object whatever the check says); at the guard the policy denies what the
// Go check denies, beyond it the policy admits. The guards are the
// catalog's: a last-applied annotation of 65536 characters; pod specs of
// 64 volumes and 32 containers and init containers of 32 mounts each;
// pod specs of 16 containers and init containers of 64 env entries each,
// 32 of them values under a sensitive name.
func TestSecretsRulesRuntimeCostAtGuard(t *testing.T) {
	comp, loader := diffSetup(t)
	// An annotation of n characters: near misses of the pattern (a data
	// key whose value is no object, an empty object, an object without a
	// key), then, at the end, a stringData object with a key.
	annotation := func(n int) string {
		const real = `"stringData":{"password":"x"}}`
		var b strings.Builder
		b.WriteString("{")
		const miss = `"data" : [ ], "data":{ }, "stringData": { }, "data":"{\"x\"}", `
		for b.Len()+len(miss) <= n-len(real) {
			b.WriteString(miss)
		}
		b.WriteString(strings.Repeat(" ", n-len(real)-b.Len()))
		b.WriteString(real)
		return b.String()
	}
	secret := func(name, text string) diffCase {
		return diffCase{name: name, manifest: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": name,
			"annotations": map[string]any{"kubectl.kubernetes.io/last-applied-configuration": text}}, "type": "Opaque"}}
	}
	// A pod spec at the volume guard: 64 secret volumes with 63-character
	// names, 16 containers and 16 init containers mounting 32 volumes each
	// (of the first 63), so that the last volume is compared with every
	// mount and found unused.
	podSpec := func(volumes, containers int) map[string]any {
		name := func(i int) string { return fmt.Sprintf("v%02d-", i) + strings.Repeat("x", 59) }
		var vols []any
		for i := range volumes {
			vols = append(vols, map[string]any{"name": name(i), "secret": map[string]any{"secretName": fmt.Sprintf("s%02d", i)}})
		}
		ctr := func(prefix string, j int) map[string]any {
			var mounts []any
			for k := range 32 {
				mounts = append(mounts, map[string]any{"name": name((j + k) % (volumes - 1)), "mountPath": fmt.Sprintf("/mnt/%d", k)})
			}
			return map[string]any{"name": fmt.Sprintf("%s%d", prefix, j), "image": "registry.example.com/app:1.0", "volumeMounts": mounts}
		}
		var cs, inits []any
		for j := range containers / 2 {
			cs = append(cs, ctr("app", j))
			inits = append(inits, ctr("init", j))
		}
		return map[string]any{"volumes": vols, "containers": cs, "initContainers": inits}
	}
	cases := []secretsRulesCostCase{
		{"secret-literal-sensitive-name", diffCase{name: "sn-at-guard", manifest: wrap("Pod", "sn-at-guard", sensitiveNameGuardSpec(16, 64, 0), nil)}, true},
		{"secret-literal-sensitive-name", diffCase{name: "sn-cronjob-at-guard", manifest: wrap("CronJob", "sn-cronjob-at-guard", sensitiveNameGuardSpec(16, 64, 0), nil)}, true},
		{"secret-literal-sensitive-name", diffCase{name: "sn-beyond-candidates", manifest: wrap("Pod", "sn-beyond-candidates", sensitiveNameGuardSpec(16, 64, 1), nil)}, false},
		{"secret-literal-sensitive-name", diffCase{name: "sn-beyond-containers", manifest: wrap("Pod", "sn-beyond-containers", sensitiveNameGuardSpec(17, 64, 0), nil)}, false},
		{"secret-literal-sensitive-name", diffCase{name: "sn-beyond-env", manifest: wrap("Pod", "sn-beyond-env", sensitiveNameGuardSpec(16, 65, 0), nil)}, false},
		{"secret-in-last-applied-annotation", secret("la-at-guard", annotation(65536)), true},
		{"secret-in-last-applied-annotation", secret("la-beyond-guard", annotation(65537)), false},
		// The apiserver's cap on all annotations together.
		{"secret-in-last-applied-annotation", secret("la-at-apiserver-cap", annotation(256*1024-len("kubectl.kubernetes.io/last-applied-configuration"))), false},
		{"secret-volume-unused", diffCase{name: "vu-at-guard", manifest: wrap("Pod", "vu-at-guard", podSpec(64, 32), nil)}, true},
		{"secret-volume-unused", diffCase{name: "vu-deployment-at-guard", manifest: wrap("Deployment", "vu-deployment-at-guard", podSpec(64, 32), nil)}, true},
		{"secret-volume-unused", diffCase{name: "vu-beyond-volumes", manifest: wrap("Pod", "vu-beyond-volumes", podSpec(65, 32), nil)}, false},
		{"secret-volume-unused", diffCase{name: "vu-beyond-containers", manifest: wrap("Pod", "vu-beyond-containers", podSpec(64, 34), nil)}, false},
	}
	for _, tc := range cases {
		t.Run(tc.c.name, func(t *testing.T) {
			e := governance.PolicyEntry{ID: tc.id, Action: governance.ActionDeny}
			gs, err := comp.GenerateEntry("cost", diffEntry(e, tc.id), testDefinitions())
			if err != nil {
				t.Fatal(err)
			}
			adm, err := NewAdmission(Policies(gs))
			if err != nil {
				t.Fatal(err)
			}
			lc := loadCase(t, loader, tc.c)
			ns := diffNamespace("difftest", tc.id)
			resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(resp.Message, "cost limit exceeded") || strings.Contains(resp.Message, "running out of cost budget") {
				t.Fatalf("the policy ran out of cost: %s", resp.Message)
			}
			goDenies, why := goVerdict(newGoCheck(t, e), lc.obj, namespaceObject(t, loader, ns))
			if !goDenies {
				t.Fatalf("the Go check admits the object (%v): the case proves nothing", why)
			}
			if resp.Allowed == tc.atGuard {
				t.Errorf("at the guard %v: the policy denies=%v (%s), want %v", tc.atGuard, !resp.Allowed, resp.Message, tc.atGuard)
			}
		})
	}
}

// BenchmarkSecretsRulesAtGuard measures the in-process evaluation of the
// secret-volume-unused policy on a Pod at its guard.
func BenchmarkSecretsRulesAtGuard(b *testing.B) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		b.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	loader.DefaultNamespace = "difftest"
	var vols, mounts []any
	for i := range 64 {
		vols = append(vols, map[string]any{"name": fmt.Sprintf("v%02d", i), "secret": map[string]any{"secretName": "s"}})
	}
	for k := range 32 {
		mounts = append(mounts, map[string]any{"name": fmt.Sprintf("v%02d", k), "mountPath": fmt.Sprintf("/mnt/%d", k)})
	}
	var cs []any
	for j := range 32 {
		cs = append(cs, map[string]any{"name": fmt.Sprintf("c%d", j), "image": "registry.example.com/app:1.0", "volumeMounts": mounts})
	}
	e := governance.PolicyEntry{ID: "secret-volume-unused", Action: governance.ActionDeny}
	gs, err := comp.GenerateEntry("bench", diffEntry(e, e.ID), testDefinitions())
	if err != nil {
		b.Fatal(err)
	}
	adm, err := NewAdmission(Policies(gs))
	if err != nil {
		b.Fatal(err)
	}
	lc := loadCase(b, loader, diffCase{name: "p", manifest: wrap("Pod", "p", map[string]any{"volumes": vols, "containers": cs}, nil)})
	req := Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{diffNamespace("difftest", e.ID)}}
	b.ResetTimer()
	for range b.N {
		if _, err := adm.Admit(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// A pod spec at the guards of secret-literal-sensitive-name: 16
// containers and init containers of 64 env entries each, names of 64
// characters, all but 32 ending in a non-sensitive suffix ("_URL", so
// that the suffix pattern runs), 32 candidates with values of 256
// characters that fail the entropy test alone (7 distinct characters),
// the last one secret-looking. extra adds candidates to the first
// container, containers and env entries go beyond their guards.
func sensitiveNameGuardSpec(containers, envs, extra int) map[string]any {
	pad := func(s string, suffix string) string { return s + strings.Repeat("a", 64-len(s)-len(suffix)) + suffix }
	low := strings.Repeat("abcdefg", 37)[:256]
	secret := strings.Repeat(fakeValue("sn-cost"), 11)[:256]
	candidates := 32 + extra
	var cs, inits []any
	for j := range containers {
		var env []any
		for k := range envs {
			name, value := pad(fmt.Sprintf("API_TOKEN_%02d_%02d_", j, k), "_URL"), secret
			if n := j*envs + k; n < candidates {
				name, value = pad(fmt.Sprintf("DB_PASSWORD_%02d_%02d_", j, k), ""), low
				if n == candidates-1 {
					value = secret
				}
			}
			env = append(env, map[string]any{"name": name, "value": value})
		}
		c := map[string]any{"name": fmt.Sprintf("c%d", j), "image": "registry.example.com/app:1.0", "env": env}
		if j%2 == 0 {
			cs = append(cs, c)
		} else {
			inits = append(inits, c)
		}
	}
	return map[string]any{"containers": cs, "initContainers": inits}
}
