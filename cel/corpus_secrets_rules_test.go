package cel

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/fakekey"
)

// The corpus of the secrets object rules with a policy
// (check_secrets_rules_admission.go in the catalog): every case is one the
// Go check and the policy decide alike; secretsRulesDisagreements lists
// what each AdmissionNote leaves to the scan. The values are
// internal/fakekey strings: no credential in the repository or in a log.

// fakeValue is a credential-shaped value of this corpus.
func fakeValue(seed string) string { return fakekey.Make("cel-secrets-rules", seed, 24, fakekey.Alnum) }

// b64 is the base64 of s, as Secret data holds it.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// typedSecret is a Secret of type typ with data (values base64-encoded
// here) and stringData.
func typedSecret(name, typ string, data, stringData map[string]string) diffCase {
	m := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": name}, "type": typ}
	if len(data) > 0 {
		d := map[string]any{}
		for k, v := range data {
			d[k] = b64(v)
		}
		m["data"] = d
	}
	if len(stringData) > 0 {
		d := map[string]any{}
		for k, v := range stringData {
			d[k] = v
		}
		m["stringData"] = d
	}
	return diffCase{name: name, manifest: m}
}

// annotated is a Secret (or, with kind ConfigMap, a ConfigMap) whose
// last-applied annotation holds text.
func annotated(name, kind, text string) diffCase {
	m := map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": name,
		"annotations": map[string]any{"kubectl.kubernetes.io/last-applied-configuration": text}}}
	if kind == "Secret" {
		m["type"] = "Opaque"
		m["data"] = map[string]any{"password": b64(fakeValue("stored"))}
	}
	return diffCase{name: name, manifest: m}
}

// lastApplied is the annotation kubectl writes for manifest: its compact
// JSON.
func lastApplied(t testing.TB, manifest map[string]any) string {
	t.Helper()
	data, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return string(data) + "\n"
}

func lastAppliedCorpus(t testing.TB) []diffCheck {
	meta := map[string]any{"name": "app", "namespace": "difftest"}
	withStringData := lastApplied(t, map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": meta, "stringData": map[string]any{"password": fakeValue("la-string")}})
	withData := lastApplied(t, map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque", "data": map[string]any{"token": b64(fakeValue("la-data"))}})
	cases := []diffCase{
		annotated("la-stringdata", "Secret", withStringData),
		annotated("la-data", "Secret", withData),
		annotated("la-indented", "Secret", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Secret\",\n  \"stringData\": {\n    \"password\": \""+fakeValue("la-indented")+"\"\n  }\n}\n"),
		annotated("la-both", "Secret", `{"data":{"a":"`+b64(fakeValue("la-both-a"))+`"},"kind":"Secret","stringData":{"b":"`+fakeValue("la-both-b")+`"}}`),
		annotated("la-truncated", "Secret", `{"kind":"Secret","stringData":{"password":"`+fakeValue("la-truncated")),
		// Passing: no values in the annotation.
		annotated("la-metadata-only", "Secret", lastApplied(t, map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque"})),
		annotated("la-empty-maps", "Secret", `{"apiVersion":"v1","data":{},"kind":"Secret","stringData":{ }}`),
		annotated("la-null", "Secret", `{"apiVersion":"v1","data":null,"kind":"Secret"}`),
		annotated("la-escaped-value", "Secret", lastApplied(t, map[string]any{"apiVersion": "v1", "kind": "Secret",
			"metadata": map[string]any{"name": "app", "annotations": map[string]any{"note": `{"data":{"a":"b"}}`, "data": "x"}}})),
		// A ConfigMap is not a Secret: the rule and the policy leave it alone.
		annotated("la-configmap", "ConfigMap", `{"apiVersion":"v1","data":{"a":"b"},"kind":"ConfigMap"}`),
		typedSecret("la-none", "Opaque", map[string]string{"password": fakeValue("la-none")}, nil),
	}
	source := diffCheck{item1Entry(t, "secret-in-last-applied-annotation", ""), cases}
	cluster := diffCheck{item1Entry(t, "secret-in-last-applied-annotation", "{origin: cluster}"), cases}
	cluster.entry.Name = "secret-in-last-applied-annotation-cluster"
	return []diffCheck{source, cluster}
}

func typeKeysCorpus(t testing.TB) diffCheck {
	cert := "-----BEGIN CERTIFICATE-----\n" + fakekey.Make("cel-secrets-rules", "cert", 64, fakekey.B64) + "\n-----END CERTIFICATE-----\n"
	docker := `{"auths":{"registry.example.com":{"auth":"` + b64("robot:"+fakeValue("docker")) + `"}}}`
	return diffCheck{item1Entry(t, "secret-type-keys-missing", ""), []diffCase{
		typedSecret("tk-tls-no-key", "kubernetes.io/tls", map[string]string{"tls.crt": cert}, nil),
		typedSecret("tk-tls-empty", "kubernetes.io/tls", nil, nil),
		typedSecret("tk-dockerconfigjson-missing", "kubernetes.io/dockerconfigjson", map[string]string{"config.json": docker}, nil),
		typedSecret("tk-dockercfg-missing", "kubernetes.io/dockercfg", map[string]string{".dockerconfigjson": docker}, nil),
		typedSecret("tk-ssh-missing", "kubernetes.io/ssh-auth", map[string]string{"id_ed25519": fakeValue("ssh")}, nil),
		// Passing: the keys are there, in data or stringData.
		typedSecret("tk-tls", "kubernetes.io/tls", map[string]string{"tls.crt": cert, "tls.key": fakeValue("tls")}, nil),
		typedSecret("tk-tls-stringdata", "kubernetes.io/tls", map[string]string{"tls.crt": cert}, map[string]string{"tls.key": fakeValue("tls-sd")}),
		typedSecret("tk-dockerconfigjson", "kubernetes.io/dockerconfigjson", map[string]string{".dockerconfigjson": docker}, nil),
		typedSecret("tk-dockercfg", "kubernetes.io/dockercfg", nil, map[string]string{".dockercfg": `{"registry.example.com":{"auth":"` + b64("robot:"+fakeValue("cfg")) + `"}}`}),
		typedSecret("tk-ssh", "kubernetes.io/ssh-auth", map[string]string{"ssh-privatekey": fakeValue("ssh-ok")}, nil),
		typedSecret("tk-opaque", "Opaque", map[string]string{"a": "b"}, nil),
		typedSecret("tk-custom-type", "example.com/widget", nil, nil),
	}}
}

// secretVolumePodSpec is a pod spec with the given volumes (YAML flow
// list) and containers mounting mounts, init containers mounting
// initMounts (comma-separated volume names, "" for none).
func secretVolumePodSpec(volumes, mounts, initMounts string) string {
	list := func(names string) string {
		if names == "" {
			return "[]"
		}
		var items []string
		for i, n := range strings.Split(names, ",") {
			items = append(items, fmt.Sprintf("{name: %s, mountPath: /mnt/%d}", n, i))
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	s := "volumes: " + volumes + "\ncontainers:\n- {name: app, image: registry.example.com/app:1.0, volumeMounts: " + list(mounts) + "}\n"
	if initMounts != "" {
		s += "initContainers:\n- {name: init, image: registry.example.com/init:1.0, volumeMounts: " + list(initMounts) + "}\n"
	}
	return s
}

func volumeUnusedCorpus(t testing.TB) diffCheck {
	creds := "{name: creds, secret: {secretName: db-creds}}"
	tls := "{name: tls, secret: {secretName: web-tls}}"
	conf := "{name: conf, configMap: {name: app-config}}"
	specs := map[string]string{
		"vu-unused":      secretVolumePodSpec("["+creds+"]", "", ""),
		"vu-one-of-two":  secretVolumePodSpec("["+creds+", "+tls+"]", "tls", ""),
		"vu-mounted":     secretVolumePodSpec("["+creds+", "+conf+"]", "creds,conf", ""),
		"vu-init":        secretVolumePodSpec("["+creds+"]", "", "creds"),
		"vu-configmap":   secretVolumePodSpec("["+conf+"]", "", ""),
		"vu-no-volumes":  secretVolumePodSpec("[]", "", ""),
		"vu-both-in-two": secretVolumePodSpec("["+creds+", "+tls+"]", "tls", "creds"),
	}
	return diffCheck{item1Entry(t, "secret-volume-unused", ""), podCases(t, specs, nil)}
}

// envPodSpec is a pod spec whose container has env (a YAML flow list of
// entries) and, unless initEnv is "", an init container with initEnv.
func envPodSpec(env, initEnv string) string {
	s := "containers:\n- {name: app, image: registry.example.com/app:1.0, env: " + env + "}\n"
	if initEnv != "" {
		s += "initContainers:\n- {name: init, image: registry.example.com/init:1.0, env: " + initEnv + "}\n"
	}
	return s
}

// envEntry is a YAML flow env entry with a literal value (JSON-quoted).
func envEntry(name, value string) string {
	q, _ := json.Marshal(value)
	return fmt.Sprintf("{name: %q, value: %s}", name, q)
}

// sensitiveNameSeeds are the fakeValue seeds of the
// secret-literal-sensitive-name corpus.
var sensitiveNameSeeds = []string{"sn-db", "sn-init", "sn-camel", "sn-url-suffix", "sn-id", "sn-log", "sn-tokenizer", "sn-name"}

// sensitiveNameCorpus: env values under a sensitive name, on every
// built-in kind, failing and passing each of the rule's tests; and the
// name test on camelCase, acronym and separator variants of the
// non-sensitive suffixes and of "tokenizer", as single-env Pods.
func sensitiveNameCorpus(t testing.TB) diffCheck {
	list := func(entries ...string) string { return "[" + strings.Join(entries, ", ") + "]" }
	// On every built-in kind: the containers, the init containers, a
	// camelCase name, a name that is not sensitive, a reference.
	specs := map[string]string{
		"sn-db-password":   envPodSpec(list(envEntry("LOG_LEVEL", "info"), envEntry("DB_PASSWORD", fakeValue("sn-db"))), ""),
		"sn-init-token":    envPodSpec(list(envEntry("LOG_LEVEL", "info")), list(envEntry("internal-api.token", fakeValue("sn-init")))),
		"sn-camel-key":     envPodSpec(list(envEntry("cohereApiKey", fakeValue("sn-camel"))), ""),
		"sn-not-sensitive": envPodSpec(list(envEntry("LOG_FORMAT", fakeValue("sn-log"))), ""),
		"sn-value-from":    envPodSpec("[{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]", ""),
	}
	cases := podCases(t, specs, nil)
	// As Pods: each value test of the rule.
	pods := map[string]string{
		// Entropy: 9 distinct characters once each (log2 9 > 3) fails;
		// 8 (exactly 3), 8 three times each and a dyadic 16 (exactly 3)
		// are decided on the rule's rounding, alike.
		"sn-entropy-9":    envPodSpec(list(envEntry("SECRET", "k3Xq9Lm2Z")), ""),
		"sn-entropy-8":    envPodSpec(list(envEntry("SECRET", "k3Xq9Lm2")), ""),
		"sn-entropy-8x3":  envPodSpec(list(envEntry("SECRET", "k3Xq9Lm2k3Xq9Lm2k3Xq9Lm2")), ""),
		"sn-entropy-dyad": envPodSpec(list(envEntry("SECRET", "kkkk3333Xq9Lm2Zp")), ""),
		"sn-entropy-low":  envPodSpec(list(envEntry("PASSWORD", "abcabcabcabcabc")), ""),
		"sn-url-suffix":   envPodSpec(list(envEntry("TOKEN_URL", fakeValue("sn-url-suffix"))), ""),
		"sn-key-id":       envPodSpec(list(envEntry("awsAccessKeyID", fakeValue("sn-id"))), ""),
		"sn-tokenizer":    envPodSpec(list(envEntry("TOKENIZER", fakeValue("sn-tokenizer"))), ""),
		"sn-placeholder":  envPodSpec(list(envEntry("DB_PASSWORD", "changeme-"+fakeValue("sn-name")), envEntry("API_TOKEN", "$(TOKEN_FROM_FILE)")), ""),
		"sn-url-value":    envPodSpec(list(envEntry("API_TOKEN", "https://vault.example.com/v1/"+fakeValue("sn-name"))), ""),
		"sn-white-space":  envPodSpec(list(envEntry("PASSWORD", "k3Xq 9Lm2 Zp7w")), ""),
		"sn-digits":       envPodSpec(list(envEntry("PIN_SECRET", "8302957146")), ""),
		"sn-reference":    envPodSpec(list(envEntry("VAULT_SECRET", "team-a/db-creds.v2")), ""),
		"sn-short":        envPodSpec(list(envEntry("PASSWORD", "k3Xq9Lm")), ""),
	}
	for _, n := range sortedKeys(pods) {
		cases = append(cases, diffCase{name: n, manifest: wrap("Pod", n, mustYAML(t, pods[n]), nil)})
	}
	// The name test: camelCase, acronym and separator variants of the
	// non-sensitive suffixes and of "tokenizer".
	i := 0
	for _, prefix := range []string{"token", "DB_PASSWORD"} {
		for _, join := range []string{"", "_", "."} {
			for _, suffix := range []string{"url", "Url", "URL", "uRL", "id", "ID", "iD", "Izer"} {
				n := fmt.Sprintf("sn-name-%02d", i)
				i++
				spec := mustYAML(t, envPodSpec(list(envEntry(prefix+join+suffix, fakeValue("sn-name"))), ""))
				cases = append(cases, diffCase{name: n, manifest: wrap("Pod", n, spec, nil)})
			}
		}
	}
	// At the size guard (TestSecretsRulesRuntimeCostAtGuard): the real
	// apiserver must judge it within its cost limits.
	cases = append(cases, diffCase{name: "sn-at-guard", manifest: wrap("Deployment", "sn-at-guard", sensitiveNameGuardSpec(16, 64, 0), nil)})
	return diffCheck{item1Entry(t, "secret-literal-sensitive-name", ""), cases}
}

// secretsRulesCorpus is the corpus of the secrets object rules' policies.
func secretsRulesCorpus(t testing.TB) []diffCheck {
	return append(lastAppliedCorpus(t), typeKeysCorpus(t), volumeUnusedCorpus(t), sensitiveNameCorpus(t))
}

// secretsRulesDisagreements are objects the Go check denies and the
// policy admits, as its AdmissionNote says.
func secretsRulesDisagreements(t testing.TB) []diffCheck {
	var volumes []string
	for i := range secretVolumesMaxVolumesForTest + 1 {
		volumes = append(volumes, fmt.Sprintf("{name: v%03d, secret: {secretName: s%03d}}", i, i))
	}
	mounted := make([]string, 0, secretVolumesMaxVolumesForTest)
	for i := range secretVolumesMaxVolumesForTest {
		mounted = append(mounted, fmt.Sprintf("v%03d", i))
	}
	beyond := secretVolumePodSpec("["+strings.Join(volumes, ", ")+"]", strings.Join(mounted, ","), "")
	return []diffCheck{
		// data not an object: the scan looks for the bare key.
		{item1Entry(t, "secret-in-last-applied-annotation", ""), []diffCase{
			annotated("la-data-string", "Secret", `{"apiVersion":"v1","data":"`+b64(fakeValue("la-string-data"))+`","kind":"Secret"}`),
			annotated("la-not-json", "Secret", `kind: Secret, "stringData": password=`+fakeValue("la-not-json")),
		}},
		// Beyond the guards of secret-literal-sensitive-name: 33 values under
		// a sensitive name, a value of 257 characters, one outside ASCII.
		{item1Entry(t, "secret-literal-sensitive-name", ""), sensitiveNameBeyondGuard(t)},
		// Beyond the size guard: one unmounted secret volume of 65.
		{item1Entry(t, "secret-volume-unused", ""), []diffCase{{name: "vu-beyond-guard", manifest: wrap("Pod", "vu-beyond-guard", mustYAML(t, beyond), nil)}}},
	}
}

// sensitiveNameBeyondGuard are Pods the rule reports that lie beyond the
// policy's guards: 33 candidate values (the last one secret-looking), a
// value of 257 characters, a value with a character outside ASCII.
func sensitiveNameBeyondGuard(t testing.TB) []diffCase {
	var many []string
	for i := range 32 {
		many = append(many, envEntry(fmt.Sprintf("PASSWORD_%02d", i), "abcabcabcabc"))
	}
	many = append(many, envEntry("PASSWORD_32", fakeValue("sn-db")))
	long := strings.Repeat(fakeValue("sn-init"), 11)[:257]
	pod := func(name, env string) diffCase {
		return diffCase{name: name, manifest: wrap("Pod", name, mustYAML(t, envPodSpec(env, "")), nil)}
	}
	return []diffCase{
		pod("sn-beyond-candidates", "["+strings.Join(many, ", ")+"]"),
		pod("sn-beyond-length", "["+envEntry("API_TOKEN", long)+"]"),
		pod("sn-beyond-ascii", "["+envEntry("API_TOKEN", fakeValue("sn-camel")+"é")+"]"),
	}
}

// secretVolumesMaxVolumesForTest is the catalog's guard (64 volumes per
// pod spec), which TestSecretsRulesDisagreements finds in the note.
const secretVolumesMaxVolumesForTest = 64

// TestSecretsRulesDifferentialInProcess: on the corpus of the secrets
// object rules, the generated policy evaluated in-process denies exactly
// what the Go check reports, on passing and failing objects.
func TestSecretsRulesDifferentialInProcess(t *testing.T) {
	inProcessDifferential(t, secretsRulesCorpus(t))
}

// TestSecretsRulesDisagreements: what each AdmissionNote leaves to the
// scan is denied by the Go check and admitted by the policy.
func TestSecretsRulesDisagreements(t *testing.T) {
	def, err := governance.Lookup(testDefinitions(), "secret-volume-unused")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("at most %d volumes", secretVolumesMaxVolumesForTest); !strings.Contains(def.AdmissionNote, want) {
		t.Errorf("the note of secret-volume-unused does not say %q: %s", want, def.AdmissionNote)
	}
	sn, err := governance.Lookup(testDefinitions(), "secret-literal-sensitive-name")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"VAP judges the env values", "at most 16 containers", "at most 32 values", "outside ASCII", "ConfigMap data, annotations, NAME=VALUE items"} {
		if !strings.Contains(sn.AdmissionNote, want) || !sn.VAP {
			t.Errorf("the note of secret-literal-sensitive-name (VAP %v) does not say %q: %s", sn.VAP, want, sn.AdmissionNote)
		}
	}
	inProcessDisagreements(t, secretsRulesDisagreements(t))
}

// TestSecretsRulesMessagesHoldNoValue: the policies' messages name keys
// and volumes, never a value of the object.
func TestSecretsRulesMessagesHoldNoValue(t *testing.T) {
	comp, loader := diffSetup(t)
	for _, dc := range secretsRulesCorpus(t) {
		for _, c := range dc.cases {
			_, _, vapDenies, msg := evalItem1(t, comp, loader, dc, c)
			if !vapDenies {
				continue
			}
			data, err := json.Marshal(c.manifest)
			if err != nil {
				t.Fatal(err)
			}
			for _, seed := range append([]string{"la-string", "la-data", "la-indented", "la-both-a", "la-both-b", "la-truncated", "stored", "docker", "ssh"}, sensitiveNameSeeds...) {
				if v := fakeValue(seed); strings.Contains(string(data), v) && strings.Contains(msg, v) {
					t.Errorf("%s: the message repeats a value (%s...)", c.name, v[:4])
				}
			}
		}
	}
}

// TestSecretsRulesCost: every expression of the policies has a bounded
// estimate; the estimates are printed (go test -v).
func TestSecretsRulesCost(t *testing.T) {
	comp, _ := diffSetup(t)
	for _, dc := range secretsRulesCorpus(t) {
		gs, err := comp.GenerateEntry("p", dc.entry, testDefinitions())
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			r := comp.EstimateCost(&g.Policy.Spec)
			for _, e := range r.Expressions {
				if e.Max == math.MaxUint64 {
					t.Errorf("%s: %s unbounded", g.Policy.Name, e.Field)
				}
			}
			t.Logf("%s total %s warnings %q", g.Policy.Name, costString(r.Total), r.Warnings)
		}
	}
}
