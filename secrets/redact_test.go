package secrets

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a", "…"},
		{"ab", "a…"},
		{"abcdefg", "abc…"},
		{"abcdefgh", "abcd…"},
		{"sk-proj-" + fake("r", 40, urlB64), "sk-p…"},
		{"-pHunter2Secret", "-pHu…"},
		{"äöüßéñøå", "äöüß…"}, // runes, not bytes
	} {
		got := Redact(tc.in)
		if got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if kept := utf8.RuneCountInString(strings.TrimSuffix(got, "…")); kept > RedactPrefix || tc.in != "" && kept > utf8.RuneCountInString(tc.in)/2 {
			t.Errorf("Redact(%q) keeps %d characters", tc.in, kept)
		}
	}
}

func TestSafeNameAndDisplayName(t *testing.T) {
	k := fakeKeys()
	for _, tc := range []struct {
		name string
		safe bool
	}{
		{"", true},
		{"OPENAI_API_KEY", true},
		{"db.password", true},
		{"example.com/api-token", true},
		{"kubectl.kubernetes.io/last-applied-configuration", true},
		{"--api-key", true},
		{"--model.revision", true},
		{"-u", true},
		{"-p", true},
		{"openaiAPIKey", true},
		// single-dash items longer than "-x" may carry an attached value
		{"-pHunter2Secret", false},
		{"-phunter2secret", false},
		{"-api-key", false},
		{"-Djavax.net.ssl.keyStorePassword", false},
		{"--", false},
		{"--path/with/slash", false},
		// provider keys and token-like parts
		{k["github-token"], false},
		{"x-" + k["huggingface-token"], false},
		{k["stripe-secret-key"], false},
		{"token-" + fake("t", 24, alnum), false},
		{fake("hex", 40, hexLow), false},
		{strings.ToLower(fake("hex2", 32, hexLow)), false},
		// characters names do not have
		{"postgres://app:pw@db", false},
		{"user:password", false},
		{"Bearer abc", false},
		{"a=b", false},
		{strings.Repeat("a", 129), false},
		// long words are not tokens
		{"THIS_IS_A_VERY_LONG_ENVIRONMENT_VARIABLE_NAME", true},
		{"internalServiceAuthenticationTokenForProduction", false}, // 48 characters of both cases: treated as a token
		{"serviceAuthenticationToken", true},
	} {
		if got := SafeName(tc.name); got != tc.safe {
			t.Errorf("SafeName(%q) = %v, want %v", tc.name, got, tc.safe)
		}
		d := DisplayName(tc.name)
		if tc.safe && d != tc.name {
			t.Errorf("DisplayName(%q) = %q, want it whole", tc.name, d)
		}
		if !tc.safe && d != Redact(tc.name) {
			t.Errorf("DisplayName(%q) = %q, want %q", tc.name, d, Redact(tc.name))
		}
	}
}

func TestKeyPath(t *testing.T) {
	if got := KeyPath("data", "api-key"); got != "data[api-key]" {
		t.Errorf("plain key: %s", got)
	}
	key := fakeKeys()["github-token"]
	if got := KeyPath("data", key); got != "data["+key[:RedactPrefix]+"…]" {
		t.Errorf("key holding a token: %s", got)
	}
}

// TestWhere checks the field names of messages: names that may hold a
// credential are redacted, values never appear.
func TestWhere(t *testing.T) {
	pw := fake("where", 16, alnum)
	for _, tc := range []struct {
		v    Value
		want string
	}{
		{Value{Field: FieldEnv, Name: "OPENAI_API_KEY", Text: pw}, `env value "OPENAI_API_KEY"`},
		{Value{Field: FieldArg, Text: pw}, `args item`},
		{Value{Field: FieldArg, Name: "--api-key", Text: pw}, `args item "--api-key"`},
		{Value{Field: FieldArg, Name: "-p" + pw, Text: "db"}, `args item "-p` + pw[:2] + `…"`},
		{Value{Field: FieldOther, Name: k("xai-api-key"), Text: pw}, `value "xai-…"`},
		{Value{Field: FieldCommand, Part: PartAssignment, Name: "DB_PASSWORD", Text: pw}, `shell assignment "DB_PASSWORD" in command item`},
		{Value{Field: FieldArg, Part: PartUserPassword, Name: "--user", Program: "curl", Text: pw}, `curl --user (user:password) in args item`},
		{Value{Field: FieldCommand, Part: PartPassword, Name: "--password", Program: "mysql", Text: pw}, `mysql password option in command item`},
		{Value{Field: FieldConfigMapData, Part: PartKey, Text: pw}, `ConfigMap key`},
		{Value{Field: FieldEnv, Part: PartKey, Text: pw}, `env variable name`},
	} {
		got := where(tc.v)
		if got != tc.want {
			t.Errorf("where(%+v) = %s, want %s", tc.v, got, tc.want)
		}
		if strings.Contains(got, pw[:RedactPrefix+1]) {
			t.Errorf("where(%+v) repeats the value: %s", tc.v, got)
		}
	}
}

func k(id string) string { return fakeKeys()[id] }

// TestFindingsNeverRepeatCredentials scans hostile manifests with every
// rule: no finding's path or message holds more than RedactPrefix
// characters of a planted credential, wherever it was planted (values,
// keys, names, flags with attached values).
func TestFindingsNeverRepeatCredentials(t *testing.T) {
	keys := fakeKeys()
	pw := fake("hostile-pw", 16, alnum)
	planted := []string{pw, keys["github-token"], keys["huggingface-token"], keys["xai-api-key"], keys["perplexity-api-key"],
		keys["stripe-secret-key"], keys["groq-api-key"], keys["openai-project-key"], keys["aws-secret-access-key"]}
	yaml := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  namespace: ml
  annotations: {` + keys["github-token"] + `: "on"}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
      - name: c
        image: x
        env:
        - {name: ` + keys["xai-api-key"] + `, value: ` + keys["perplexity-api-key"] + `}
        - {name: X, valueFrom: {secretKeyRef: {name: s, key: ` + keys["groq-api-key"] + `}}}
        args: ["-p` + pw + `", "` + keys["huggingface-token"] + `", "--token=` + keys["openai-project-key"] + `"]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: ml}
data: {` + keys["stripe-secret-key"] + `: "x"}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: ml}
data: {` + keys["groq-api-key"] + `: "not base64!"}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: ml}
spec:
  ` + keys["huggingface-token"] + `: {name: "` + keys["aws-secret-access-key"] + `", value: "` + keys["github-token"] + `"}
`
	s, err := NewScanner(Config{Rules: AllRules()})
	if err != nil {
		t.Fatal(err)
	}
	findings := s.Scan(mustLoad(t, yaml), OriginSource)
	if len(findings) < 8 {
		t.Fatalf("only %d findings: the planted credentials must be found", len(findings))
	}
	for _, f := range findings {
		for _, p := range planted {
			for i := 0; i+RedactPrefix+1 <= len(p); i++ {
				w := p[i : i+RedactPrefix+1]
				if strings.Contains(f.Path, w) || strings.Contains(f.Message, w) || strings.Contains(f.Governance().Message, w) {
					t.Errorf("%s at %s (%s) repeats %q", f.Rule, f.Path, f.Message, w)
					break
				}
			}
		}
	}
}
