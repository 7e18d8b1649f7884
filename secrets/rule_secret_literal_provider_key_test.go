package secrets

import (
	"strings"
	"testing"
)

func TestLiteralProviderKey(t *testing.T) {
	k := fakeKeys()
	cases := []valueCase{
		{"openai in env", FieldEnv, "OPENAI_API_KEY", k["openai-project-key"], "openai"},
		{"anthropic in arg flag", FieldArg, "--api-key", "--api-key=" + k["anthropic-api-key"], "anthropic"},
		{"hf in annotation json", FieldAnnotation, "x", `{"token":"` + k["huggingface-token"] + `"}`, "huggingface"},
		{"gemini in configmap file", FieldConfigMapData, "config.yaml", "gemini:\n  api_key: " + k["google-api-key"] + "\n", "google"},
		{"cohere by name", FieldEnv, "CO_API_KEY", k["cohere-api-key"], "cohere"},
		{"cohere shape, other name", FieldEnv, "MODEL_REVISION", k["cohere-api-key"], ""},
		{"replicate in stringData", FieldSecretStringData, "token", k["replicate-api-token"], "replicate"},
		{"aws key id in data", FieldSecretData, "id", k["aws-access-key-id"], "aws"},
		{"aws secret by name", FieldEnv, "AWS_SECRET_ACCESS_KEY", k["aws-secret-access-key"], "aws"},
		{"github", FieldEnv, "GH", k["github-token"], "github"},
		{"slack webhook", FieldEnv, "ALERTS", k["slack-webhook-url"], "slack"},
		{"stripe", FieldEnv, "STRIPE", k["stripe-secret-key"], "stripe"},
		// true negatives
		{"placeholder", FieldEnv, "OPENAI_API_KEY", "${OPENAI_API_KEY}", ""},
		{"template", FieldEnv, "OPENAI_API_KEY", "{{ .Values.openai.key }}", ""},
		{"aws docs example", FieldEnv, "AWS_ACCESS_KEY_ID", "AKIA" + "IOSFODNN7" + "EXAMPLE", ""},
		// issue #19: key IDs with digits outside base32 (0, 1, 8, 9) count
		// under a name that says access key ID
		{"aws key id with 0-9 by name", FieldEnv, "AWS_ACCESS_KEY_ID", "AK" + "IA" + awsIDWithDigits, "aws"},
		{"aws key id with 0-9, camelCase name", FieldConfigMapData, "awsAccessKeyId", "AK" + "IA" + awsIDWithDigits, "aws"},
		{"aws key id with 0-9, other name", FieldEnv, "MODEL_ID", "AK" + "IA" + awsIDWithDigits, ""},
		{"aws key id with 0-9, placeholder", FieldEnv, "AWS_ACCESS_KEY_ID", "AK" + "IA" + awsIDWithDigits[:9] + "EXAMPLE", ""},
		{"aws key id with 0-9, lower case", FieldEnv, "AWS_ACCESS_KEY_ID", "ak" + "ia" + strings.ToLower(awsIDWithDigits), ""},
		{"url", FieldEnv, "OPENAI_BASE_URL", "https://api.openai.com/v1", ""},
		{"digits", FieldEnv, "PORT", "8000", ""},
		{"openai too short", FieldEnv, "OPENAI_API_KEY", k["openai-project-key"][:100], ""},
		{"hf wrong length", FieldEnv, "HF_TOKEN", k["huggingface-token"][:30], ""},
		{"hf low entropy", FieldEnv, "HF_TOKEN", "hf" + "_" + strings.Repeat("ab", 17), ""},
		{"look-alike inside a word", FieldEnv, "X", "xhf" + "_" + fake("hf", 34, alnum), ""},
	}
	runValueCases(t, checkLiteralProviderKey, cases)
}

// awsIDWithDigits is the 16 characters after an AWS key ID prefix,
// holding digits AWS's base32 does not use.
var awsIDWithDigits = fake("aws-09", 14, upper2) + "08"

// TestLiteralProviderKeyCommandLines: keys in args and command items, in
// shell scripts (sh -c "export KEY=…"), where a name-context key is named
// by its shell variable; placeholders stay unreported.
func TestLiteralProviderKeyCommandLines(t *testing.T) {
	k := fakeKeys()
	runCommandCases(t, IDLiteralProviderKey, []commandCase{
		{"export in sh -c", []string{"sh", "-c", "export OPENAI_API_KEY=" + k["openai-project-key"] + " && python serve.py"}, nil,
			"command[2] openai"},
		{"script in args", []string{"/bin/bash", "-c"}, []string{"HF_TOKEN='" + k["huggingface-token"] + "' huggingface-cli download x"},
			"args[0] huggingface"},
		{"aws secret by its variable in a script", []string{"sh", "-c", "AWS_SECRET_ACCESS_KEY=" + k["aws-secret-access-key"] + " aws s3 ls"}, nil,
			"command[2] aws"},
		{"aws key id with 0-9 by its variable", []string{"sh", "-c", "export AWS_ACCESS_KEY_ID=AK" + "IA" + awsIDWithDigits}, nil,
			"command[2] aws"},
		{"NAME=VALUE item", []string{"env", "COHERE_API_KEY=" + k["cohere-api-key"], "run"}, nil,
			"command[1] cohere"},
		{"flag then key", nil, []string{"--api-key", k["anthropic-api-key"]}, "args[1] anthropic"},
		{"after an attached value", nil, []string{"-pHunter2Secret", k["github-token"]}, "args[1] github"},
		{"aws secret not named in a script", []string{"sh", "-c", "X=" + k["aws-secret-access-key"] + " run"}, nil, ""},
		{"placeholders", []string{"sh", "-c", "export OPENAI_API_KEY=$OPENAI_API_KEY AWS_SECRET_ACCESS_KEY=${AWS_SECRET} HF_TOKEN=$(HF_TOKEN) K=changeme"},
			[]string{"--api-key", "$(OPENAI_API_KEY)"}, ""},
	})
}

func TestLiteralProviderKeyPairsAWSSecret(t *testing.T) {
	k := fakeKeys()
	yaml := `apiVersion: v1
kind: ConfigMap
metadata: {name: s3, namespace: ml}
data:
  id: ` + k["aws-access-key-id"] + `
  value: ` + k["aws-secret-access-key"] + `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unpaired, namespace: ml}
data:
  value: ` + k["aws-secret-access-key"] + `
`
	got := strings.Join(scanWith(t, IDLiteralProviderKey, OriginSource, yaml), ",")
	if got != "data[id] aws,data[value] aws" {
		t.Errorf("findings %s", got)
	}
}

func TestLiteralProviderKeyOrigins(t *testing.T) {
	yaml := `apiVersion: v1
kind: Secret
metadata: {name: hf, namespace: ml}
stringData: {token: ` + fakeKeys()["huggingface-token"] + `}
data: {other: ` + b64enc(fakeKeys()["github-token"]) + `}
`
	if got := strings.Join(scanWith(t, IDLiteralProviderKey, OriginSource, yaml), ","); got != "data[other] github,stringData[token] huggingface" {
		t.Errorf("source: %s", got)
	}
	if got := strings.Join(scanWith(t, IDLiteralProviderKey, OriginCluster, yaml), ","); got != "stringData[token] huggingface" {
		t.Errorf("cluster (data not scanned): %s", got)
	}
}
