package secrets

import (
	"encoding/base64"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/fakekey"
)

// Character classes of the key formats.
// Alphabets of the key formats (internal/fakekey).
const (
	alnum  = fakekey.Alnum
	urlB64 = fakekey.URLB64
	b64    = fakekey.B64
	upper2 = fakekey.Upper2
	hexLow = fakekey.HexLow
	lowNum = fakekey.LowNum
)

// fake derives n characters of alphabet (internal/fakekey): the keys of
// these tests are made at run time and were never issued by anyone.
func fake(seed string, n int, alphabet string) string {
	return fakekey.Make("aigov-fake-key", seed, n, alphabet)
}

// fakeKeys are one fake key per detector, in the provider's shape.
func fakeKeys() map[string]string {
	return map[string]string{
		"openai-project-key":         "sk-" + "proj-" + fake("op1", 74, urlB64) + "T3Blbk" + "FJ" + fake("op2", 74, urlB64),
		"openai-service-account-key": "sk-" + "svcacct-" + fake("os1", 58, urlB64) + "T3Blbk" + "FJ" + fake("os2", 58, urlB64),
		"openai-admin-key":           "sk-" + "admin-" + fake("oa1", 58, urlB64) + "T3Blbk" + "FJ" + fake("oa2", 58, urlB64),
		"openai-user-key":            "sk-" + fake("ou1", 20, alnum) + "T3Blbk" + "FJ" + fake("ou2", 20, alnum),
		"anthropic-api-key":          "sk-" + "ant-api03-" + fake("an", 93, urlB64) + "AA",
		"anthropic-admin-key":        "sk-" + "ant-admin01-" + fake("aa", 93, urlB64) + "AA",
		"huggingface-token":          "hf" + "_" + fake("hf", 34, alnum),
		"huggingface-org-token":      "api" + "_org_" + fake("ho", 34, alnum),
		"google-api-key":             "AI" + "za" + fake("gg", 35, urlB64),
		"cohere-api-key":             fake("co", 40, alnum),
		"replicate-api-token":        "r8" + "_" + fake("rp", 37, urlB64),
		"groq-api-key":               "gsk" + "_" + fake("gq", 52, alnum),
		"xai-api-key":                "xai" + "-" + fake("xa", 80, alnum),
		"perplexity-api-key":         "pplx" + "-" + fake("px", 48, alnum),
		"langsmith-api-key":          "lsv2" + "_pt_" + fake("ls1", 32, hexLow) + "_" + fake("ls2", 10, hexLow),
		"deepseek-api-key":           "sk-" + fake("ds", 32, lowNum),
		"wandb-api-key":              fake("wb", 40, hexLow),
		"aws-access-key-id":          "AK" + "IA" + fake("ak", 16, upper2),
		"aws-access-key-id-named":    "AK" + "IA" + fake("akn", 15, upper2) + "9", // a digit outside base32
		"aws-secret-access-key":      fake("as", 40, b64),
		"aws-bedrock-api-key":        "AB" + "SK" + fake("br", 132, b64),
		"github-token":               "gh" + "p_" + fake("gh", 36, alnum),
		"github-fine-grained-pat":    "github" + "_pat_" + fake("gf1", 22, alnum) + "_" + fake("gf2", 59, alnum),
		"slack-token":                "xo" + "xb-" + fake("sl1", 12, "0123456789") + "-" + fake("sl2", 12, "0123456789") + "-" + fake("sl3", 24, alnum),
		"slack-app-token":            "xa" + "pp-1-" + fake("sa1", 11, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + "-" + fake("sa2", 13, "0123456789") + "-" + fake("sa3", 64, lowNum),
		"slack-webhook-url":          "https://hooks" + ".slack.com/services/T" + fake("sw1", 10, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + "/B" + fake("sw2", 10, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + "/" + fake("sw3", 24, alnum),
		"stripe-secret-key":          "sk" + "_live_" + fake("st", 24, alnum),
	}
}

// contextNames are the names detectors with a name context need.
var contextNames = map[string]string{
	"cohere-api-key":          "COHERE_API_KEY",
	"deepseek-api-key":        "DEEPSEEK_API_KEY",
	"wandb-api-key":           "WANDB_API_KEY",
	"aws-secret-access-key":   "AWS_SECRET_ACCESS_KEY",
	"aws-access-key-id-named": "AWS_ACCESS_KEY_ID",
}

func mustLoad(t testing.TB, yaml string) *governance.Inventory {
	t.Helper()
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// scanWith runs exactly one rule over yaml and returns "path provider"
// per finding.
func scanWith(t testing.TB, id string, origin Origin, yaml string) []string {
	t.Helper()
	rules, err := SelectRules([]string{id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var only []Rule
	for _, r := range rules {
		if r.ID == id {
			only = append(only, r)
		}
	}
	s, err := NewScanner(Config{Rules: only})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range s.Scan(mustLoad(t, yaml), origin) {
		out = append(out, strings.TrimSpace(f.Path+" "+f.Provider))
	}
	return out
}

// valueCase is one table row of a value rule.
type valueCase struct {
	name  string
	field Field
	key   string // the value's name
	text  string
	want  string // provider of the finding, "-" for a finding without one, "" for no finding
}

func runValueCases(t *testing.T, rule func(*Context, Value) []Finding, cases []valueCase) {
	t.Helper()
	set, err := NewDetectorSet(Detectors())
	if err != nil {
		t.Fatal(err)
	}
	c := &Context{Detectors: set}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Value{Path: "p", Field: tc.field, Name: tc.key, Text: tc.text}
			c.values = []Value{v}
			fs := rule(c, v)
			got := ""
			if len(fs) > 0 {
				got = fs[0].Provider
				if got == "" {
					got = "-"
				}
			}
			if got != tc.want {
				t.Errorf("finding provider %q, want %q (value %.40q)", got, tc.want, tc.text)
			}
		})
	}
}

func loadDir(t testing.TB, dir string) *governance.Inventory {
	t.Helper()
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func b64enc(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func rbacSubject(kind, ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: kind, Namespace: ns, Name: name}
}

// commandCase is one table row of a rule over a container's command line.
type commandCase struct {
	name          string
	command, args []string
	want          string // "path provider" of the findings, comma-separated, paths after the container's
}

// runCommandCases scans a Deployment with one container (image busybox)
// per case with rule id alone.
func runCommandCases(t *testing.T, id string, cases []commandCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range scanWith(t, id, OriginSource, containerYAML("busybox:1.36", tc.command, tc.args)) {
				got = append(got, strings.TrimPrefix(f, "spec.template.spec.containers[0]."))
			}
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("findings %q, want %q", g, tc.want)
			}
		})
	}
}
