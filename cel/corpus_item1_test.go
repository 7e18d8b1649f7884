package cel

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// The corpus of the six checks of issue #17 item 1 whose policies read
// Kyverno policies, RBAC roles, ResourceQuotas, Secrets and ConfigMaps:
// every case is one the Go check and the policy decide alike (the agreed
// subset); item1Disagreements lists the objects on which, as each check's
// AdmissionNote says, they differ on purpose.

// item1Entry is a policy entry of id with params given in YAML (Deny);
// corpus() builds its entries with it too.
func item1Entry(t testing.TB, id, params string) governance.PolicyEntry {
	e := governance.PolicyEntry{ID: id, Action: governance.ActionDeny}
	if params != "" {
		js, err := yaml.YAMLToJSON([]byte(params))
		if err != nil {
			t.Fatal(err)
		}
		e.Params = js
	}
	return e
}

// manifestCase is a case from a YAML manifest.
func manifestCase(t testing.TB, name, manifest string) diffCase {
	return diffCase{name: name, manifest: mustYAML(t, manifest)}
}

// kyvernoCase is a Kyverno ClusterPolicy (or, namespaced, a Policy) with
// the given spec fields (YAML lines under spec, indented two spaces).
func kyvernoCase(t testing.TB, name string, namespaced bool, spec string) diffCase {
	kind := "ClusterPolicy"
	if namespaced {
		kind = "Policy"
	}
	return manifestCase(t, name, "apiVersion: kyverno.io/v1\nkind: "+kind+"\nmetadata: {name: "+name+"}\nspec:\n"+spec)
}

const kyvernoRule = `    match: {any: [{resources: {kinds: [Pod]}}]}
`

func kyvernoPolicyCorpus(t testing.TB) diffCheck {
	var cases []diffCase
	for _, ns := range []bool{false, true} {
		p := "kcp-"
		if ns {
			p = "kp-"
		}
		cases = append(cases,
			kyvernoCase(t, p+"per-rule", ns, "  rules:\n  - name: r\n"+kyvernoRule+"    validate: {failureAction: Enforce, failureActionOverrides: [{action: Audit, namespaces: [dev]}], message: m, pattern: {metadata: {name: \"?*\"}}}\n"),
			kyvernoCase(t, p+"mutate-only", ns, "  rules:\n  - name: m\n"+kyvernoRule+"    mutate: {patchStrategicMerge: {metadata: {labels: {a: b}}}}\n"),
			kyvernoCase(t, p+"enforce", ns, "  validationFailureAction: Enforce\n  rules:\n  - name: r\n"+kyvernoRule+"    validate: {message: m, pattern: {metadata: {name: \"?*\"}}}\n"),
			kyvernoCase(t, p+"lower-enforce", ns, "  validationFailureAction: enforce\n  rules:\n  - name: r\n"+kyvernoRule+"    validate: {message: m, pattern: {metadata: {name: \"?*\"}}}\n"),
			kyvernoCase(t, p+"lower-audit", ns, "  validationFailureAction: audit\n  rules:\n  - name: r\n"+kyvernoRule+"    validate: {message: m, pattern: {metadata: {name: \"?*\"}}}\n"),
			kyvernoCase(t, p+"overrides", ns, "  validationFailureActionOverrides: [{action: Enforce, namespaces: [prod]}]\n  rules:\n  - name: r\n"+kyvernoRule+"    validate: {failureAction: Audit, message: m, pattern: {metadata: {name: \"?*\"}}}\n"),
			kyvernoCase(t, p+"rule-lower", ns, "  rules:\n  - name: ok\n"+kyvernoRule+"    validate: {failureAction: Audit, message: m, pattern: {metadata: {name: \"?*\"}}}\n  - name: r\n"+kyvernoRule+"    validate: {failureAction: enforce, message: m, pattern: {metadata: {name: \"?*\"}}}\n"),
			kyvernoCase(t, p+"override-lower", ns, "  rules:\n  - name: r\n"+kyvernoRule+"    validate: {failureAction: Enforce, failureActionOverrides: [{action: audit, namespaces: [dev]}], message: m, pattern: {metadata: {name: \"?*\"}}}\n"),
		)
	}
	return diffCheck{item1Entry(t, catalog.IDKyvernoDeprecatedAction, ""), cases}
}

// roleCase is a Role (or ClusterRole) with the given rules (YAML flow list).
func roleCase(t testing.TB, name string, cluster bool, rules string) diffCase {
	kind := "Role"
	if cluster {
		kind = "ClusterRole"
	}
	return manifestCase(t, name, "apiVersion: rbac.authorization.k8s.io/v1\nkind: "+kind+"\nmetadata: {name: "+name+"}\nrules: "+rules+"\n")
}

func rbacCorpus(t testing.TB) diffCheck {
	rules := map[string]string{
		"ok":              `[{apiGroups: [""], resources: [pods, pods/log, pods/exec, services], verbs: [get]}]`,
		"wildcard":        `[{apiGroups: [""], resources: ["*"], verbs: [get]}]`,
		"any-group":       `[{apiGroups: ["*"], resources: [nosuch], verbs: [get]}]`,
		"custom-group":    `[{apiGroups: [example.com], resources: [widgets, widgets/logs], verbs: [get]}]`,
		"star-status":     `[{apiGroups: ["", apps], resources: ["*/status", "*/scale"], verbs: [get]}]`,
		"two-groups":      `[{apiGroups: ["", apps], resources: [deployments, pods], verbs: [get]}]`,
		"finalizers":      `[{apiGroups: [apps], resources: [deployments/finalizers], verbs: [update]}]`,
		"logs-typo":       `[{apiGroups: [""], resources: [pods, pods/logs], verbs: [get]}]`,
		"wrong-group":     `[{apiGroups: [""], resources: [deployments], verbs: [get]}]`,
		"sub-star":        `[{apiGroups: [""], resources: ["pods/*"], verbs: [get]}]`,
		"star-nosuch":     `[{apiGroups: [""], resources: ["*/nosuch"], verbs: [get]}]`,
		"singular":        `[{apiGroups: ["", apps], resources: [deployment], verbs: [get]}]`,
		"second-rule-bad": `[{apiGroups: [""], resources: [pods], verbs: [get]}, {apiGroups: [batch], resources: [cronjob], verbs: [get]}]`,
	}
	var cases []diffCase
	for _, name := range sortedKeys(rules) {
		cases = append(cases, roleCase(t, "role-"+name, false, rules[name]), roleCase(t, "clusterrole-"+name, true, rules[name]))
	}
	cases = append(cases, manifestCase(t, "clusterrole-aggregated", `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: clusterrole-aggregated}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {example.com/aggregate: "true"}}]}
rules: [{apiGroups: [""], resources: [pods/logs], verbs: [get]}]
`))
	return diffCheck{item1Entry(t, "rbac-unknown-resource", ""), cases}
}

func quotaCase(t testing.TB, name, hard string) diffCase {
	return manifestCase(t, name, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: "+name+"}\nspec: {hard: "+hard+"}\n")
}

func quotaCorpus(t testing.TB) diffCheck {
	return diffCheck{item1Entry(t, "quota-invalid-key", ""), []diffCase{
		quotaCase(t, "q-requests-gpu", `{requests.nvidia.com/gpu: "8"}`),
		quotaCase(t, "q-standard", `{cpu: "10", limits.memory: 20Gi, pods: "10", count/deployments.apps: "5"}`),
		quotaCase(t, "q-hugepages", `{requests.hugepages-2Mi: 1Gi, hugepages-1Gi: 2Gi}`),
		quotaCase(t, "q-inert", `{nvidia.com/gpu: "4"}`),
		quotaCase(t, "q-limits-gpu", `{limits.gpu: "4"}`),
		quotaCase(t, "q-gpu", `{cpu: "4", gpu: "4"}`),
		quotaCase(t, "q-storage", `{storage: 10Gi}`),
	}}
}

// token returns n characters of alphabet chosen by a seeded generator:
// key-shaped values with the entropy of real keys, the same on every run.
func token(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// secretCase is a Secret whose data holds values (base64-encoded here, as
// a manifest writes them) and stringData holds strValues.
func secretCase(name string, values, strValues map[string]string) diffCase {
	m := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": name}, "type": "Opaque"}
	if len(values) > 0 {
		data := map[string]any{}
		for k, v := range values {
			data[k] = base64.StdEncoding.EncodeToString([]byte(v))
		}
		m["data"] = data
	}
	if len(strValues) > 0 {
		data := map[string]any{}
		for k, v := range strValues {
			data[k] = v
		}
		m["stringData"] = data
	}
	return diffCase{name: name, manifest: m}
}

func configMapCase(name string, values map[string]string) diffCase {
	data := map[string]any{}
	for k, v := range values {
		data[k] = v
	}
	return diffCase{name: name, manifest: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name}, "data": data}}
}

// pemKey is a PEM private key block of kind ("RSA ", "EC ", "") with a
// body of lines 64-character lines of seeded base64.
func pemKey(r *rand.Rand, kind string, lines int) string {
	var b strings.Builder
	b.WriteString("-----BEGIN " + kind + "PRIVATE KEY-----\n")
	for range lines {
		b.WriteString(token(r, alnum+"+/", 64) + "\n")
	}
	b.WriteString("-----END " + kind + "PRIVATE KEY-----\n")
	return b.String()
}

// secretsCorpora returns the corpus of each secrets rule: values that
// hold what the rule reports, in Secret data, stringData and ConfigMap
// data, and values that do not.
func secretsCorpora(t testing.TB) []diffCheck {
	r := rand.New(rand.NewPCG(17, 1))
	hf := "hf_" + token(r, alnum, 34)
	ghp := "ghp_" + token(r, alnum, 36)
	anthropic := "sk-ant-api03-" + token(r, alnum+"_-", 93) + "AA"
	plain := map[string]string{"LOG_LEVEL": "debug", "config.yaml": "server:\n  port: 8080\n  url: https://example.org/path\n"}
	provider := diffCheck{item1Entry(t, "secret-literal-provider-key", ""), []diffCase{
		secretCase("pk-secret-hf", map[string]string{"HF_TOKEN": hf, "LOG_LEVEL": "debug"}, nil),
		secretCase("pk-secret-embedded", map[string]string{"env": "export GITHUB_TOKEN=" + ghp + "\nexport X=1\n"}, nil),
		secretCase("pk-stringdata", nil, map[string]string{"ANTHROPIC_API_KEY": anthropic}),
		configMapCase("pk-configmap", map[string]string{"token": hf}),
		secretCase("pk-secret-plain", plain, nil),
		secretCase("pk-placeholder", map[string]string{"HF_TOKEN": "hf_" + strings.Repeat("x", 34), "GH": "ghp_EXAMPLE" + token(r, alnum, 29)}, nil),
		secretCase("pk-longer-token", map[string]string{"t": hf + "abc"}, nil),
		// A Google key needs an entropy above 3.5 bits: 11 distinct
		// characters give at most log2(11) = 3.46.
		configMapCase("pk-google-low-entropy", map[string]string{"GOOGLE_API_KEY": "AIza" + token(r, "bcdefgh", 35)}),
		configMapCase("pk-google", map[string]string{"GOOGLE_API_KEY": "AIza" + token(r, alnum, 35)}),
		configMapCase("pk-configmap-plain", plain),
		secretCase("pk-empty", nil, nil),
	}}
	pw := token(r, alnum, 16)
	url := diffCheck{item1Entry(t, "secret-url-credentials", ""), []diffCase{
		secretCase("url-secret", map[string]string{"DATABASE_URL": "postgres://app:" + pw + "@db.example.internal:5432/app"}, nil),
		secretCase("url-stringdata", nil, map[string]string{"REDIS_URL": "redis://default:" + pw + "@redis:6379/0"}),
		configMapCase("url-configmap", map[string]string{"settings.ini": "[db]\nurl = mysql://root:" + pw + "@mysql/app\n"}),
		secretCase("url-var", map[string]string{"DATABASE_URL": "postgres://app:${DB_PASSWORD}@db:5432/app"}, nil),
		secretCase("url-placeholder", map[string]string{"URL": "redis://user:password@redis:6379", "U2": "amqp://guest:changeme@mq/"}, nil),
		configMapCase("url-env-expansion", map[string]string{"DSN": "postgres://app:$(DB_PASSWORD)@db/app"}),
		configMapCase("url-no-password", map[string]string{"URL": "https://user@example.org/x", "U2": "https://example.org/a@b"}),
		secretCase("url-plain", plain, nil),
	}}
	pem := diffCheck{item1Entry(t, "secret-private-key-material", ""), []diffCase{
		secretCase("pem-secret-rsa", map[string]string{"tls.key": pemKey(r, "RSA ", 12), "tls.crt": "-----BEGIN CERTIFICATE-----\n" + token(r, alnum, 64) + "\n-----END CERTIFICATE-----\n"}, nil),
		secretCase("pem-secret-pkcs8", map[string]string{"key.pem": pemKey(r, "", 8)}, nil),
		secretCase("pem-stringdata-ec", nil, map[string]string{"ec.key": pemKey(r, "EC ", 3)}),
		configMapCase("pem-configmap", map[string]string{"id_rsa": pemKey(r, "OPENSSH ", 6)}),
		secretCase("pem-placeholder", map[string]string{"tls.key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}, nil),
		secretCase("pem-short", map[string]string{"tls.key": "-----BEGIN PRIVATE KEY-----\nMIIBVgIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"}, nil),
		secretCase("pem-redacted", map[string]string{"tls.key": "-----BEGIN RSA PRIVATE KEY-----\n" + strings.Repeat("REDACTED", 10) + "\n-----END RSA PRIVATE KEY-----\n"}, nil),
		secretCase("pem-certificate", map[string]string{"tls.crt": "-----BEGIN CERTIFICATE-----\n" + token(r, alnum, 64) + "\n" + token(r, alnum, 64) + "\n-----END CERTIFICATE-----\n"}, nil),
		configMapCase("pem-public", map[string]string{"pub": "-----BEGIN PUBLIC KEY-----\n" + token(r, alnum, 64) + "\n" + token(r, alnum, 64) + "\n-----END PUBLIC KEY-----\n"}),
	}}
	// With origin cluster the scan, and the policy, leave Secret data
	// alone: where keys belong in a cluster.
	cluster := diffCheck{item1Entry(t, "secret-private-key-material", "{origin: cluster}"), []diffCase{
		secretCase("pemc-secret", map[string]string{"tls.key": pemKey(r, "RSA ", 12)}, nil),
		configMapCase("pemc-configmap", map[string]string{"id_rsa": pemKey(r, "OPENSSH ", 6)}),
		configMapCase("pemc-plain", plain),
	}}
	cluster.entry.Name = "secret-private-key-material-cluster"
	return []diffCheck{provider, url, pem, cluster}
}

// item1Corpus is the corpus of the six checks.
func item1Corpus(t testing.TB) []diffCheck {
	return append([]diffCheck{kyvernoPolicyCorpus(t), rbacCorpus(t), quotaCorpus(t)}, secretsCorpora(t)...)
}

// item1Disagreements are objects on which a Go check and its policy
// decide differently, as the check's AdmissionNote says: the Go check
// denies each, the policy admits it (in-process and, but for
// quota-invalid-key, in the apiserver).
func item1Disagreements(t testing.TB) []diffCheck {
	r := rand.New(rand.NewPCG(17, 2))
	many := map[string]string{}
	for i := range 17 {
		many[fmt.Sprintf("K%02d", i)] = "v"
	}
	many["HF_TOKEN"] = "hf_" + token(r, alnum, 34)
	long := map[string]string{"HF_TOKEN": "hf_" + token(r, alnum, 34), "blob": strings.Repeat("a", 3200)}
	return []diffCheck{
		// The CRDs default spec.validationFailureAction to Audit.
		{item1Entry(t, catalog.IDKyvernoDeprecatedAction, ""), []diffCase{kyvernoCase(t, "kcp-explicit-audit", false, "  validationFailureAction: Audit\n  rules:\n  - name: r\n"+kyvernoRule+"    validate: {message: m, pattern: {metadata: {name: \"?*\"}}}\n")}},
		// Beyond the size guard.
		{item1Entry(t, "secret-literal-provider-key", ""), []diffCase{secretCase("pk-many-values", many, nil), secretCase("pk-long-value", long, nil)}},
		// A key found by the value's name only.
		{item1Entry(t, "secret-literal-provider-key", ""), []diffCase{configMapCase("pk-cohere", map[string]string{"COHERE_API_KEY": token(r, alnum, 40)})}},
	}
}

// evalItem1 returns the Go check's and the in-process policy's verdicts
// on a case.
func evalItem1(t *testing.T, comp *Compiler, loader *governance.Loader, dc diffCheck, c diffCase) (goDenies bool, goWhy []governance.Violation, vapDenies bool, vapWhy string) {
	t.Helper()
	label := diffLabel(dc.entry)
	adm := entryAdmission(t, comp, "diff", diffEntry(dc.entry, label))
	lc := loadCase(t, loader, c)
	ns := caseNamespace("difftest", label, c)
	goDenies, goWhy = goVerdict(newGoCheck(t, dc.entry), lc.obj, namespaceObject(t, loader, ns))
	resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}})
	if err != nil {
		t.Fatalf("%s: admit: %v", c.name, err)
	}
	return goDenies, goWhy, !resp.Allowed, resp.Message
}

// TestItem1DifferentialInProcess: on the corpus of the six checks, the
// generated policy evaluated in-process denies exactly what the Go check
// reports, on passing and failing objects of every kind it matches.
func TestItem1DifferentialInProcess(t *testing.T) {
	inProcessDifferential(t, item1Corpus(t))
}

// TestItem1Disagreements: what each AdmissionNote leaves to the scan is
// denied by the Go check and admitted by the policy.
func TestItem1Disagreements(t *testing.T) {
	inProcessDisagreements(t, item1Disagreements(t))
}

// TestItem1Cost: each of the six generates a policy, every policy is
// bounded, and the estimate of each is printed (go test -v) for the
// README's figures.
func TestItem1Cost(t *testing.T) {
	corpusCostsBounded(t, item1Corpus(t))
}
