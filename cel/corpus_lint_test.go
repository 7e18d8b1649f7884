package cel

import (
	"fmt"
	"strings"
	"testing"
)

// The corpus of the lint checks of issue #17 item 1 whose policies read
// RBAC roles, LimitRanges and the objects quota charges
// (rbac-unknown-verb, rbac-resourcenames-verb, rbac-empty-rule,
// rbac-invalid-nonresourceurls, limitrange-max-becomes-default,
// invalid-resource-quantity): every case is one the Go check and the
// policy decide alike; lintDisagreements lists the objects beyond the size
// guards, which, as each check's AdmissionNote says, the policy leaves to
// the scan. lintServerRefuses names the cases the kube-apiserver's own
// validation refuses before admission policies run.

// roleCases are a Role and a ClusterRole with the same rules, named
// prefix-role-NAME and prefix-clusterrole-NAME.
func roleCases(t testing.TB, prefix string, rules map[string]string) []diffCase {
	var cases []diffCase
	for _, name := range sortedKeys(rules) {
		cases = append(cases, roleCase(t, prefix+"-role-"+name, false, rules[name]), roleCase(t, prefix+"-clusterrole-"+name, true, rules[name]))
	}
	return cases
}

// ruleless is a Role or ClusterRole without the rules field: the typed
// object sends "rules": null to admission.
func ruleless(t testing.TB, name, kind string) diffCase {
	return manifestCase(t, name, "apiVersion: rbac.authorization.k8s.io/v1\nkind: "+kind+"\nmetadata: {name: "+name+"}\n")
}

// aggregatedCase is an aggregated ClusterRole whose manifest writes rules.
func aggregatedCase(t testing.TB, name, rules string) diffCase {
	return manifestCase(t, name, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "+name+"}\n"+
		"aggregationRule: {clusterRoleSelectors: [{matchLabels: {example.com/aggregate: \"true\"}}]}\nrules: "+rules+"\n")
}

func unknownVerbCorpus(t testing.TB) diffCheck {
	cases := roleCases(t, "uv", map[string]string{
		"ok":             `[{apiGroups: [""], resources: [pods], verbs: [get, list, watch, deletecollection]}]`,
		"star":           `[{apiGroups: [apps], resources: [deployments], verbs: ["*"]}]`,
		"custom-verbs":   `[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind, escalate]}, {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve, sign]}]`,
		"extension":      `[{apiGroups: [example.com], resources: [widgets], verbs: [frobnicate]}]`,
		"impersonate-on": `[{apiGroups: [authentication.k8s.io], resources: [users], verbs: ["impersonate-on:user-info:get"]}]`,
		"prefix-alone":   `[{apiGroups: [authentication.k8s.io], resources: [users], verbs: ["impersonate-on:"]}]`,
		"typo":           `[{apiGroups: [""], resources: [pods], verbs: [get, lsit]}]`,
		"upper":          `[{apiGroups: [""], resources: [pods], verbs: [Get]}]`,
		"http":           `[{apiGroups: [apps], resources: [deployments], verbs: [post, put]}]`,
		"extension-http": `[{apiGroups: [example.com], resources: [widgets], verbs: [head]}]`,
		"extension-caps": `[{apiGroups: [example.com], resources: [widgets], verbs: [Frobnicate]}]`,
		"any-group":      `[{apiGroups: ["*"], resources: ["*"], verbs: [frobnicate]}]`,
		"second-rule":    `[{apiGroups: [""], resources: [pods], verbs: [get]}, {apiGroups: [batch, example.com], resources: [jobs], verbs: [run]}]`,
	})
	return diffCheck{item1Entry(t, "rbac-unknown-verb", ""), append(cases,
		// Verbs of a non-resource rule are HTTP verbs.
		roleCase(t, "uv-nonresource", true, `[{nonResourceURLs: [/metrics], verbs: [get, post]}]`),
		aggregatedCase(t, "uv-aggregated", `[{apiGroups: [""], resources: [pods], verbs: [Get]}]`),
		ruleless(t, "uv-ruleless", "ClusterRole"),
	)}
}

func resourceNamesCorpus(t testing.TB) diffCheck {
	cases := roleCases(t, "rn", map[string]string{
		"ok":               `[{apiGroups: [""], resources: [configmaps], resourceNames: [app], verbs: [get, update, patch, delete]}]`,
		"subresource":      `[{apiGroups: [""], resources: [pods/exec, serviceaccounts/token], resourceNames: [p], verbs: [create, get]}]`,
		"no-names":         `[{apiGroups: [""], resources: [pods], verbs: [list, watch, create, deletecollection]}]`,
		"create":           `[{apiGroups: [""], resources: [configmaps], resourceNames: [app], verbs: [get, create]}]`,
		"create-mixed":     `[{apiGroups: [""], resources: [pods/exec, pods], resourceNames: [p], verbs: [create]}]`,
		"list-watch":       `[{apiGroups: [apps], resources: [deployments], resourceNames: [d], verbs: [get, list, watch]}]`,
		"deletecollection": `[{apiGroups: [""], resources: [pods/status], resourceNames: [p], verbs: [deletecollection]}]`,
		"second-rule":      `[{apiGroups: [""], resources: [secrets], resourceNames: [s], verbs: [get]}, {apiGroups: [""], resources: [secrets], resourceNames: [s], verbs: [list]}]`,
	})
	return diffCheck{item1Entry(t, "rbac-resourcenames-verb", ""), append(cases,
		aggregatedCase(t, "rn-aggregated", `[{apiGroups: [""], resources: [configmaps], resourceNames: [app], verbs: [create]}]`),
	)}
}

func emptyRuleCorpus(t testing.TB) diffCheck {
	cases := roleCases(t, "er", map[string]string{
		"ok":           `[{apiGroups: [""], resources: [pods], verbs: [get]}]`,
		"no-verbs":     `[{apiGroups: [""], resources: [pods], verbs: []}]`,
		"no-resources": `[{apiGroups: [""], verbs: [get]}]`,
		"no-groups":    `[{resources: [pods], verbs: [get]}, {apiGroups: [""], resources: [pods], verbs: [get]}]`,
		"no-rules":     `[]`,
		// No verbs field: "verbs": null.
		"null-verbs": `[{apiGroups: [""], resources: [pods]}]`,
	})
	return diffCheck{item1Entry(t, "rbac-empty-rule", ""), append(cases,
		roleCase(t, "er-nonresource", true, `[{nonResourceURLs: [/healthz], verbs: [get]}]`),
		aggregatedCase(t, "er-aggregated", `[]`),
		ruleless(t, "er-ruleless", "ClusterRole"),
		ruleless(t, "er-ruleless-role", "Role"),
		aggregatedCase(t, "er-aggregated-empty-rule", `[{apiGroups: [""], resources: [pods]}]`),
	)}
}

func nonResourceURLsCorpus(t testing.TB) diffCheck {
	return diffCheck{item1Entry(t, "rbac-invalid-nonresourceurls", ""), []diffCase{
		roleCase(t, "nru-clusterrole-ok", true, `[{nonResourceURLs: [/metrics, /healthz], verbs: [get]}, {apiGroups: [""], resources: [pods], verbs: [get]}]`),
		roleCase(t, "nru-role-ok", false, `[{apiGroups: [""], resources: [pods], verbs: [get]}]`),
		roleCase(t, "nru-role", false, `[{apiGroups: [""], resources: [pods], verbs: [get]}, {nonResourceURLs: [/metrics], verbs: [get]}]`),
		roleCase(t, "nru-clusterrole-mixed", true, `[{apiGroups: [""], resources: [pods], nonResourceURLs: [/metrics], verbs: [get]}]`),
		roleCase(t, "nru-clusterrole-groups", true, `[{apiGroups: [""], nonResourceURLs: [/metrics], verbs: [get]}]`),
		roleCase(t, "nru-clusterrole-names", true, `[{nonResourceURLs: [/metrics], resourceNames: [m], verbs: [get]}]`),
		aggregatedCase(t, "nru-aggregated-mixed", `[{resources: [pods], nonResourceURLs: [/metrics], verbs: [get]}]`),
		ruleless(t, "nru-ruleless", "ClusterRole"),
	}}
}

// limitRangeCase is a LimitRange with the given limits (YAML flow list).
func limitRangeCase(t testing.TB, name, limits string) diffCase {
	return manifestCase(t, name, "apiVersion: v1\nkind: LimitRange\nmetadata: {name: "+name+"}\nspec: {limits: "+limits+"}\n")
}

func limitRangeMaxCorpus(t testing.TB) diffCheck {
	return diffCheck{item1Entry(t, "limitrange-max-becomes-default", ""), []diffCase{
		limitRangeCase(t, "lrm-ok", `[{type: Container, max: {cpu: "2", nvidia.com/gpu: "4"}, default: {cpu: 500m, nvidia.com/gpu: "0"}}]`),
		limitRangeCase(t, "lrm-min-only", `[{type: Container, min: {cpu: 100m}, default: {cpu: "1"}}]`),
		limitRangeCase(t, "lrm-pod", `[{type: Pod, max: {cpu: "4"}}]`),
		limitRangeCase(t, "lrm-pvc", `[{type: PersistentVolumeClaim, max: {storage: 10Gi}}]`),
		limitRangeCase(t, "lrm-no-default", `[{type: Container, max: {cpu: "2"}}]`),
		limitRangeCase(t, "lrm-gpu-no-default", `[{type: Container, max: {nvidia.com/gpu: "4", cpu: "2"}, default: {cpu: "1"}}]`),
		// 1Gi and 1024Mi are one quantity.
		limitRangeCase(t, "lrm-equal-default", `[{type: Container, max: {memory: 1Gi}, default: {memory: 1024Mi}, defaultRequest: {memory: 512Mi}}]`),
		limitRangeCase(t, "lrm-second-item", `[{type: Pod, max: {cpu: "8"}}, {type: Container, max: {cpu: "2", memory: 4Gi}, default: {cpu: "1"}}]`),
	}}
}

// podCase is a Pod of one container "app" with the given resources (a
// YAML flow map) and extra spec fields (YAML flow map entries).
func podCase(t testing.TB, name, resources, extra string) diffCase {
	if extra != "" {
		extra = ", " + extra
	}
	return manifestCase(t, name, "apiVersion: v1\nkind: Pod\nmetadata: {name: "+name+"}\nspec: {containers: [{name: app, image: registry.example.com/app:1, resources: "+resources+"}]"+extra+"}\n")
}

func invalidQuantityCorpus(t testing.TB) diffCheck {
	claim := func(name, requests string) diffCase {
		return manifestCase(t, name, "apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: "+name+"}\nspec: {devices: {requests: "+requests+"}}\n")
	}
	claimTemplate := func(name, requests string) diffCase {
		return manifestCase(t, name, "apiVersion: resource.k8s.io/v1\nkind: ResourceClaimTemplate\nmetadata: {name: "+name+"}\nspec: {spec: {devices: {requests: "+requests+"}}}\n")
	}
	pvc := func(name, storage string) diffCase {
		return manifestCase(t, name, "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: "+name+"}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: \""+storage+"\"}}}\n")
	}
	deployment := func(name, resources string) diffCase {
		return manifestCase(t, name, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "+name+"}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n"+
			"    metadata: {labels: {app: a}}\n    spec: {containers: [{name: app, image: registry.example.com/app:1, resources: "+resources+"}]}\n")
	}
	cronJob := func(name, resources string) diffCase {
		return manifestCase(t, name, "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: "+name+"}\nspec:\n  schedule: \"0 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n"+
			"        spec: {restartPolicy: Never, containers: [{name: app, image: registry.example.com/app:1, resources: "+resources+"}]}\n")
	}
	return diffCheck{item1Entry(t, "invalid-resource-quantity", ""), []diffCase{
		podCase(t, "iq-pod-ok", `{requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: "1", memory: 128Mi}}`, ""),
		podCase(t, "iq-pod-request", `{requests: {cpu: "-1"}}`, ""),
		podCase(t, "iq-pod-gpu-limit", `{limits: {nvidia.com/gpu: "-1"}}`, ""),
		manifestCase(t, "iq-pod-init", "apiVersion: v1\nkind: Pod\nmetadata: {name: iq-pod-init}\nspec:\n  initContainers: [{name: init, image: registry.example.com/init:1, resources: {limits: {memory: -1Gi}}}]\n"+
			"  containers: [{name: app, image: registry.example.com/app:1}]\n"),
		podCase(t, "iq-pod-level", `{}`, `resources: {requests: {cpu: "-1"}}`),
		podCase(t, "iq-pod-level-ok", `{requests: {cpu: 100m}}`, `resources: {requests: {cpu: "1"}, limits: {cpu: "2"}}`),
		deployment("iq-deployment-ok", `{requests: {cpu: 100m}}`),
		deployment("iq-deployment", `{requests: {cpu: 100m, memory: -128Mi}}`),
		cronJob("iq-cronjob-ok", `{limits: {memory: 1Gi}}`),
		cronJob("iq-cronjob", `{limits: {cpu: -500m}}`),
		pvc("iq-pvc-ok", "1Gi"),
		pvc("iq-pvc-zero", "0"),
		pvc("iq-pvc-negative", "-1Gi"),
		claim("iq-claim-ok", `[{name: gpu, exactly: {deviceClassName: gpu.example.com, count: 2}}, {name: all, exactly: {deviceClassName: gpu.example.com, allocationMode: All}}]`),
		claim("iq-claim-negative", `[{name: gpu, exactly: {deviceClassName: gpu.example.com, count: -1}}]`),
		claim("iq-claim-all-count", `[{name: gpu, exactly: {deviceClassName: gpu.example.com, allocationMode: All, count: 2}}]`),
		claim("iq-claim-first-available", `[{name: gpu, firstAvailable: [{name: big, deviceClassName: gpu.example.com, count: 2}, {name: small, deviceClassName: gpu.example.com, count: -2}]}]`),
		claimTemplate("iq-claimtemplate-ok", `[{name: gpu, firstAvailable: [{name: big, deviceClassName: gpu.example.com, count: 2}]}]`),
		claimTemplate("iq-claimtemplate-negative", `[{name: gpu, exactly: {deviceClassName: gpu.example.com, count: -3}}]`),
		limitRangeCase(t, "iq-lr-ok", `[{type: Container, default: {cpu: 500m}, max: {cpu: "2"}, min: {cpu: "0"}}]`),
		limitRangeCase(t, "iq-lr-default", `[{type: Container, default: {cpu: "-1"}}]`),
		limitRangeCase(t, "iq-lr-max", `[{type: Container, max: {memory: -1Gi}}]`),
		limitRangeCase(t, "iq-lr-min", `[{type: Container, min: {cpu: "-1"}}]`),
		limitRangeCase(t, "iq-lr-pvc-max", `[{type: PersistentVolumeClaim, max: {storage: -1Gi}}]`),
		limitRangeCase(t, "iq-lr-ratio", `[{type: Container, maxLimitRequestRatio: {cpu: "-2"}}]`),
	}}
}

// lintCorpus is the corpus of the six checks.
func lintCorpus(t testing.TB) []diffCheck {
	return []diffCheck{unknownVerbCorpus(t), resourceNamesCorpus(t), emptyRuleCorpus(t), nonResourceURLsCorpus(t), limitRangeMaxCorpus(t), invalidQuantityCorpus(t)}
}

// lintServerRefuses are the cases (and disagreements) the
// kube-apiserver's own validation refuses before admission policies run:
// there the policy repeats the apiserver's rule for offline evaluation.
var lintServerRefuses = map[string]bool{
	"er-role-no-verbs": true, "er-clusterrole-no-verbs": true, "er-role-no-resources": true, "er-clusterrole-no-resources": true,
	"er-role-no-groups": true, "er-clusterrole-no-groups": true, "er-role-null-verbs": true, "er-clusterrole-null-verbs": true, "er-aggregated-empty-rule": true, "er-many-rules": true,
	"nru-role": true, "nru-clusterrole-mixed": true, "nru-clusterrole-groups": true, "nru-clusterrole-names": true, "nru-aggregated-mixed": true,
	"nru-many-rules": true,
	"iq-pod-request": true, "iq-pod-gpu-limit": true, "iq-pod-init": true, "iq-pod-level": true, "iq-deployment": true, "iq-cronjob": true,
	"iq-pvc-zero": true, "iq-pvc-negative": true, "iq-claim-negative": true, "iq-claim-all-count": true, "iq-claim-first-available": true,
	"iq-claimtemplate-negative": true, "iq-lr-ratio": true, "iq-many-containers": true,
}

// manyRules is a YAML flow list of n copies of rule followed by last.
func manyRules(n int, rule, last string) string {
	return "[" + strings.Repeat(rule+", ", n) + last + "]"
}

// lintDisagreements are objects beyond the size guards: the Go check
// denies each, the policy admits it (in-process and, but for those in
// lintServerRefuses, in the apiserver).
func lintDisagreements(t testing.TB) []diffCheck {
	ok := `{apiGroups: [""], resources: [pods], verbs: [get]}`
	var maxKeys []string
	for i := range 33 {
		maxKeys = append(maxKeys, fmt.Sprintf("example.com/r%02d: \"1\"", i))
	}
	var containers []string
	for i := range 65 {
		req := "100m"
		if i == 64 {
			req = "-100m"
		}
		containers = append(containers, fmt.Sprintf("{name: c%02d, image: registry.example.com/app:1, resources: {requests: {cpu: %q}}}", i, req))
	}
	manyDefaults := make([]string, 0, 33)
	for i := range 33 {
		v := "1"
		if i == 32 {
			v = "-1"
		}
		manyDefaults = append(manyDefaults, fmt.Sprintf("example.com/r%02d: %q", i, v))
	}
	return []diffCheck{
		{item1Entry(t, "rbac-unknown-verb", ""), []diffCase{roleCase(t, "uv-many-rules", false, manyRules(64, ok, `{apiGroups: [""], resources: [pods], verbs: [Get]}`))}},
		{item1Entry(t, "rbac-resourcenames-verb", ""), []diffCase{roleCase(t, "rn-many-rules", false, manyRules(64, ok, `{apiGroups: [""], resources: [pods], resourceNames: [p], verbs: [list]}`))}},
		{item1Entry(t, "rbac-empty-rule", ""), []diffCase{roleCase(t, "er-many-rules", false, manyRules(256, ok, `{resources: [pods], verbs: [get]}`))}},
		{item1Entry(t, "rbac-invalid-nonresourceurls", ""), []diffCase{roleCase(t, "nru-many-rules", true, manyRules(256, ok, `{apiGroups: [""], nonResourceURLs: [/metrics], verbs: [get]}`))}},
		{item1Entry(t, "limitrange-max-becomes-default", ""), []diffCase{limitRangeCase(t, "lrm-many-keys", "[{type: Container, max: {"+strings.Join(maxKeys, ", ")+"}}]")}},
		{item1Entry(t, "invalid-resource-quantity", ""), []diffCase{
			manifestCase(t, "iq-many-containers", "apiVersion: v1\nkind: Pod\nmetadata: {name: iq-many-containers}\nspec: {containers: ["+strings.Join(containers, ", ")+"]}\n"),
			limitRangeCase(t, "iq-lr-many-keys", "[{type: Container, default: {"+strings.Join(manyDefaults, ", ")+"}}]"),
		}},
	}
}

// TestLintDifferentialInProcess: on the corpus of the six checks, the
// generated policy evaluated in-process denies exactly what the Go check
// reports, on passing and failing objects of every kind it matches.
func TestLintDifferentialInProcess(t *testing.T) {
	inProcessDifferential(t, lintCorpus(t))
}

// TestLintDisagreements: what each AdmissionNote leaves to the scan (the
// objects beyond the size guard) is denied by the Go check and admitted
// by the policy.
func TestLintDisagreements(t *testing.T) {
	inProcessDisagreements(t, lintDisagreements(t))
}

// TestLintCost: every policy of the six is bounded, and the estimate of
// each is printed (go test -v).
func TestLintCost(t *testing.T) {
	corpusCostsBounded(t, lintCorpus(t))
}

// TestRulelessRoles: a Role or ClusterRole without rules, which the typed
// object sends to admission as "rules": null, is judged by every policy
// over roles as its Go check judges it (rbac-unknown-resource's policy
// once refused it, failing on size(null)).
func TestRulelessRoles(t *testing.T) {
	comp, loader := diffSetup(t)
	for _, id := range []string{"rbac-unknown-resource", "rbac-unknown-verb", "rbac-resourcenames-verb", "rbac-empty-rule", "rbac-invalid-nonresourceurls"} {
		dc := diffCheck{item1Entry(t, id, ""), nil}
		for _, c := range []diffCase{ruleless(t, "ruleless-clusterrole", "ClusterRole"), ruleless(t, "ruleless-role", "Role")} {
			goDenies, why, vapDenies, msg := evalItem1(t, comp, loader, dc, c)
			if goDenies != vapDenies || strings.Contains(msg, "resulted in error") {
				t.Errorf("%s %s: Go denies=%v %v, in-process VAP denies=%v (%s)", id, c.name, goDenies, why, vapDenies, msg)
			}
		}
	}
}
