package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/internal/fakekey"
	"github.com/aigov/aigov/secrets"
)

// leakFake derives n characters of alphabet for the planted keys
// (internal/fakekey).
func leakFake(seed string, n int, alphabet string) string {
	return fakekey.Make("aigov-leak-test", seed, n, alphabet)
}

// Character classes of the provider key formats.
const (
	leakAlnum  = fakekey.Alnum
	leakURLB64 = fakekey.URLB64
	leakB64    = fakekey.B64
	leakUpper2 = fakekey.Upper2
)

// leakSecrets are the planted credentials, by a name used in failure
// messages. Each is built in its provider's shape (secrets/detector.go).
type leakSecrets map[string]string

func newLeakSecrets() leakSecrets {
	return leakSecrets{
		"openai-env":        "sk-" + "proj-" + leakFake("op1", 74, leakURLB64) + "T3Blbk" + "FJ" + leakFake("op2", 74, leakURLB64),
		"openai-sh":         "sk-" + "svcacct-" + leakFake("os1", 58, leakURLB64) + "T3Blbk" + "FJ" + leakFake("os2", 58, leakURLB64),
		"anthropic-flag=":   "sk-" + "ant-api03-" + leakFake("an", 93, leakURLB64) + "AA",
		"hf-flag-next":      "hf" + "_" + leakFake("hf", 34, leakAlnum),
		"hf-org-configmap":  "api" + "_org_" + leakFake("ho", 34, leakAlnum),
		"aws-key-id":        "AK" + "IA" + leakFake("ak", 16, leakUpper2),
		"aws-secret":        leakFake("as", 40, leakB64),
		"aws-secret-sh":     leakFake("as2", 40, leakB64),
		"github-stringdata": "gh" + "p_" + leakFake("gh", 36, leakAlnum),
		"github-annot-key":  "gh" + "p_" + leakFake("gh2", 36, leakAlnum),
		"pem-body":          leakFake("pem", 256, leakB64),
		"url-password":      leakFake("pw-url", 18, leakAlnum),
		"mysql-p":           leakFake("pw-mysql", 14, leakAlnum),
		"flag-attached":     leakFake("pw-flag", 14, leakAlnum),
		"hf-after-attached": "hf" + "_" + leakFake("hf3", 34, leakAlnum),
		"db-password-sh":    leakFake("pw-sh", 16, leakAlnum) + "!x",
		"curl-u":            leakFake("pw-curl", 16, leakAlnum),
		"curl-u-attached":   leakFake("pw-curl2", 16, leakAlnum),
		"configmap-pw":      leakFake("pw-cm", 20, leakAlnum),
		"groq-annotation":   "gsk" + "_" + leakFake("gq", 52, leakAlnum),
		"stripe-cm-key":     "sk" + "_live_" + leakFake("st", 24, leakAlnum),
		"replicate-crd":     "r8" + "_" + leakFake("rp", 37, leakURLB64),
		"xai-crd-name":      "xai" + "-" + leakFake("xa", 80, leakAlnum),
		"pplx-crd-value":    "pplx" + "-" + leakFake("px", 48, leakAlnum),
		"slack-secret-data": "xo" + "xb-" + leakFake("sl1", 12, "0123456789") + "-" +
			leakFake("sl2", 12, "0123456789") + "-" + leakFake("sl3", 24, leakAlnum),
		"last-applied":               leakFake("la", 24, leakAlnum),
		"invalid-b64":                leakFake("ib", 20, leakAlnum) + "!!",
		"google-provider-annotation": "AI" + "za" + leakFake("gg", 35, leakURLB64),
	}
}

// leakManifests plants every secret in s into hostile manifests: env
// values, args and command items (flag=value, flag value, -pPASSWORD,
// sh -c "export ...", curl -u), ConfigMap data and keys, Secret
// stringData and data, annotation values and keys, and a custom resource
// whose nested env names a value by a credential.
func leakManifests(s leakSecrets) string {
	pem := "-----BEGIN RSA PRIVATE KEY-----\\n" + s["pem-body"][:64] + "\\n" + s["pem-body"][64:128] + "\\n" +
		s["pem-body"][128:192] + "\\n" + s["pem-body"][192:] + "\\n-----END RSA PRIVATE KEY-----\\n"
	lastApplied := `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"applied","namespace":"ml"},"stringData":{"password":"` + s["last-applied"] + `"}}`
	b64 := func(v string) string { return base64.StdEncoding.EncodeToString([]byte(v)) }
	return `apiVersion: v1
kind: Namespace
metadata:
  name: ml
  labels: {team: ml, data-classification: confidential}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: leaky
  namespace: ml
  labels: {app: leaky, team: ml}
  annotations:
    example.com/api-token: ` + s["groq-annotation"] + `
spec:
  replicas: 1
  selector: {matchLabels: {app: leaky}}
  template:
    metadata:
      labels: {app: leaky, team: ml}
    spec:
      containers:
      - name: gateway
        image: vllm/vllm-openai:v0.6.0
        env:
        - {name: OPENAI_API_KEY, value: ` + s["openai-env"] + `}
        - {name: AWS_ACCESS_KEY_ID, value: ` + s["aws-key-id"] + `}
        - {name: AWS_SECRET_ACCESS_KEY, value: "` + s["aws-secret"] + `"}
        - {name: DATABASE_URL, value: "postgres://app:` + s["url-password"] + `@db.ml.svc:5432/app"}
        args: ["--api-key=` + s["anthropic-flag="] + `", "--api-key", "` + s["hf-flag-next"] + `"]
        resources:
          requests: {cpu: 100m, memory: 128Mi, nvidia.com/gpu: "1"}
          limits: {cpu: 100m, memory: 128Mi, nvidia.com/gpu: "1"}
      - name: db-client
        image: mysql:8.4
        command: ["mysql", "-p` + s["mysql-p"] + `", "appdb"]
      - name: shell
        image: busybox:1.36
        command: ["sh", "-c", "export OPENAI_API_KEY=` + s["openai-sh"] + ` && run"]
      - name: fetch
        image: curlimages/curl:8.8.0
        command: ["curl", "-u", "svc:` + s["curl-u"] + `", "https://models.example.com/x"]
        args: ["-usvc:` + s["curl-u-attached"] + `", "https://models.example.com/y"]
      - name: flags
        image: registry.example.com/tools:1.0
        args: ["-p` + s["flag-attached"] + `", "` + s["hf-after-attached"] + `"]
      - name: shell-aws
        image: amazon/aws-cli:2.17.0
        command: ["sh", "-c", "AWS_SECRET_ACCESS_KEY=` + s["aws-secret-sh"] + ` aws s3 ls"]
      - name: shell-db
        image: busybox:1.36
        command: ["/bin/bash", "-c", "export DB_PASSWORD='` + s["db-password-sh"] + `' && migrate --dsn \"host=db password=$DB_PASSWORD\""]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ml
  annotations:
    ` + s["github-annot-key"] + `: "true"
data:
  hf: ` + s["hf-org-configmap"] + `
  db.password: "` + s["configmap-pw"] + `"
  tls.key: "` + pem + `"
  ` + s["stripe-cm-key"] + `: "enabled"
---
apiVersion: v1
kind: Secret
metadata:
  name: tokens
  namespace: ml
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '` + lastApplied + `'
    aigov.dev/provider: ` + s["google-provider-annotation"] + `
stringData:
  token: ` + s["github-stringdata"] + `
data:
  slack: ` + b64(s["slack-secret-data"]) + `
  broken: "` + s["invalid-b64"] + `"
---
apiVersion: example.com/v1
kind: ModelServer
metadata:
  name: custom
  namespace: ml
spec:
  template:
    containers:
    - name: server
      env:
      - {name: REPLICATE_API_TOKEN, value: ` + s["replicate-crd"] + `}
      - {name: ` + s["xai-crd-name"] + `, value: ` + s["pplx-crd-value"] + `}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: ml}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-secrets, namespace: ml}
rules:
- apiGroups: [""]
  resources: [secrets, pods/exec]
  verbs: [get, list, create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: ml}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-secrets}
subjects:
- {kind: ServiceAccount, name: reader, namespace: ml}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: ml}
spec:
  hard: {requests.nvidia.com/gpu: "4", requests.cpu: "8"}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: ml}
spec:
  podSelector: {}
  ingress: [{}]
`
}

// leakWindow is the longest part of a planted secret an output may hold:
// the redacted prefix of secrets.Redact.
const leakWindow = secrets.RedactPrefix

// assertNoLeak fails when out holds any leakWindow+1 consecutive
// characters of a planted secret.
func assertNoLeak(t *testing.T, what, out string, s leakSecrets) {
	t.Helper()
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := s[n]
		for i := 0; i+leakWindow+1 <= len(v); i++ {
			w := v[i : i+leakWindow+1]
			if j := strings.Index(out, w); j >= 0 {
				lo, hi := max(0, j-60), min(len(out), j+60)
				t.Errorf("%s leaks %q of secret %s (at %q)", what, w, n, out[lo:hi])
				break
			}
		}
	}
}

// TestNoCredentialInAnyOutput plants credentials in hostile manifests and
// runs every command that reads manifests, in every output format:
// neither stdout nor stderr may hold more of a planted credential than
// the redacted prefix (secrets.RedactPrefix characters). The secrets scan
// must still find every planted credential.
func TestNoCredentialInAnyOutput(t *testing.T) {
	s := newLeakSecrets()
	dir := t.TempDir()
	manifests := filepath.Join(dir, "hostile.yaml")
	require.NoError(t, os.WriteFile(manifests, []byte(leakManifests(s)), 0o644))
	object := filepath.Join(dir, "object.yaml")
	doc := strings.Split(leakManifests(s), "\n---\n")[1]
	require.Contains(t, doc, "kind: Deployment")
	require.NoError(t, os.WriteFile(object, []byte(doc), 0o644))
	audit := filepath.Join(dir, "audit.log")
	require.NoError(t, os.WriteFile(audit, nil, 0o644))

	f := []string{"-f", manifests}
	var runs [][]string
	add := func(args ...string) { runs = append(runs, args) }
	for _, o := range []string{"text", "json", "sarif", "report"} {
		add(append([]string{"check", "-o", o}, f...)...)
	}
	for _, by := range []string{"team", "framework"} {
		add(append([]string{"check", "--group-by", by}, f...)...)
	}
	add(append([]string{"check", "--policy", "testdata/policy.yaml"}, f...)...)
	for _, o := range []string{"text", "json"} {
		add(append([]string{"secrets", "scan", "-o", o}, f...)...)
		add(append([]string{"secrets", "scan", "--origin", "cluster", "--enable", "secret-env-reference,secret-not-immutable", "-o", o}, f...)...)
		add(append([]string{"secrets", "exposure", "-o", o}, f...)...)
		add(append([]string{"rbac", "risks", "-o", o}, f...)...)
		add(append([]string{"rbac", "lint", "-o", o}, f...)...)
		add(append([]string{"rbac", "escalations", "--cut", "-o", o}, f...)...)
		add(append([]string{"rbac", "who-can", "get", "secrets", "-n", "ml", "-o", o}, f...)...)
		add(append([]string{"rbac", "can-i", "get", "secrets", "--as", "system:serviceaccount:ml:reader", "-n", "ml", "-o", o}, f...)...)
		add(append([]string{"rbac", "unused", "--audit", audit, "-o", o}, f...)...)
		add("rbac", "diff", "--before", manifests, "--after", manifests, "-o", o)
		add(append([]string{"netpol", "exposure", "-o", o}, f...)...)
		add("netpol", "diff", "--before", manifests, "--after", manifests, "-o", o)
		for _, cmd := range []string{"status", "gpu"} {
			add(append([]string{"quota", cmd, "-o", o}, f...)...)
		}
		for _, cmd := range []string{"admit", "fit"} {
			add(append([]string{"quota", cmd, "--object", object, "-o", o}, f...)...)
		}
		add(append([]string{"vap", "test", "--policy", "testdata/vap/policy.yaml", "-o", o}, f...)...)
	}
	for _, o := range []string{"text", "json", "dot", "mermaid"} {
		add(append([]string{"exposure", "-o", o}, f...)...)
		add(append([]string{"netpol", "matrix", "-o", o}, f...)...)
	}
	add(append([]string{"netpol", "eval", "--from", "ml/leaky", "--to", "ml/leaky", "--port", "80", "--explain"}, f...)...)

	stdin := map[int]string{}
	for _, o := range []string{"text", "json"} {
		stdin[len(runs)] = leakManifests(s)
		add("check", "-f", "-", "-o", o)
	}
	for i, args := range runs {
		code, out, stderr := aigov(t, stdin[i], args...)
		what := strings.Join(args, " ")
		if code == 2 {
			t.Errorf("%s: exit 2 (usage or input error): %s", what, stderr)
		}
		assertNoLeak(t, what+" (stdout)", out, s)
		assertNoLeak(t, what+" (stderr)", stderr, s)
	}

	// Every planted credential is found, at its field, by the expected rule.
	code, out, stderr := aigov(t, "", "secrets", "scan", "-o", "json", "-f", manifests)
	require.Equal(t, 1, code, stderr)
	var r struct {
		Findings []struct{ Rule, Object, Path, Provider string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	got := map[string]bool{}
	for _, f := range r.Findings {
		got[f.Rule+" "+f.Object+" "+f.Path+" "+f.Provider] = true
	}
	const (
		provider  = "secret-literal-provider-key "
		sensitive = "secret-literal-sensitive-name "
		urlCreds  = "secret-url-credentials "
		pemKey    = "secret-private-key-material "
		gw        = "Deployment/leaky spec.template.spec.containers[0]."
	)
	redactedKey := func(k string) string { return secrets.Redact(k) }
	for _, want := range []string{
		provider + gw + "env[0].value openai",
		provider + gw + "env[1].value aws",
		provider + gw + "env[2].value aws",
		urlCreds + gw + "env[3].value postgres",
		provider + gw + "args[0] anthropic",
		provider + gw + "args[2] huggingface",
		sensitive + "Deployment/leaky spec.template.spec.containers[1].command[1] mysql",
		provider + "Deployment/leaky spec.template.spec.containers[2].command[2] openai",
		provider + "Deployment/leaky spec.template.spec.containers[4].args[1] huggingface",
		provider + "Deployment/leaky spec.template.spec.containers[5].command[2] aws",
		sensitive + "Deployment/leaky spec.template.spec.containers[6].command[2] ",
		urlCreds + "Deployment/leaky spec.template.spec.containers[3].command[2] http",
		urlCreds + "Deployment/leaky spec.template.spec.containers[3].args[0] http",
		provider + "Deployment/leaky metadata.annotations[example.com/api-token] groq",
		provider + "ConfigMap/settings data[hf] huggingface",
		sensitive + "ConfigMap/settings data[db.password] ",
		pemKey + "ConfigMap/settings data[tls.key] ",
		provider + "ConfigMap/settings data[" + redactedKey(s["stripe-cm-key"]) + "] stripe",
		provider + "ConfigMap/settings metadata.annotations[" + redactedKey(s["github-annot-key"]) + "] github",
		provider + "Secret/tokens stringData[token] github",
		provider + "Secret/tokens data[slack] slack",
		"secret-in-last-applied-annotation Secret/tokens metadata.annotations[kubectl.kubernetes.io/last-applied-configuration] ",
		"secret-data-invalid-base64 Secret/tokens data[broken] ",
		provider + "Secret/tokens metadata.annotations[aigov.dev/provider] google",
		provider + "ModelServer/custom spec.template.containers[0].env[0].value replicate",
		provider + "ModelServer/custom spec.template.containers[0].env[1].name xai",
		provider + "ModelServer/custom spec.template.containers[0].env[1].value perplexity",
	} {
		if !got[want] {
			t.Errorf("not found: %s", want)
		}
	}
	if t.Failed() {
		t.Logf("findings:\n%s", out)
	}
}
