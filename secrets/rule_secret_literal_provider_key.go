// secret-literal-provider-key finds provider API keys typed into manifests:
// AI providers (OpenAI, Anthropic, Hugging Face, Google/Gemini, Cohere,
// Replicate, Groq, xAI, Perplexity, DeepSeek, LangSmith, Weights & Biases),
// AWS (access key IDs, secret access keys named as such or paired with a key
// ID in the same object, Bedrock keys), GitHub, Slack and Stripe. It reads
// every scalar Values yields — env values, args and command items (and the
// NAME=VALUE assignments inside them, in sh -c scripts too, named by their
// variable so that name-context keys such as an AWS secret access key are
// found), annotations, ConfigMap data, Secret stringData, map keys that are
// no plain names, and decoded Secret data in the source origin only — and
// runs the scanner's detectors on each
// (prefix, length, character class, entropy, placeholder filter). It
// reports the field that holds the value and the detector's provider; the
// key itself is never repeated.

package secrets

import (
	"fmt"
	"strings"
)

// IDLiteralProviderKey is the ID of the secret-literal-provider-key rule.
const IDLiteralProviderKey = "secret-literal-provider-key"

func literalProviderKeyRule() Rule {
	return Rule{
		ID:          IDLiteralProviderKey,
		Severity:    sevCritical,
		Default:     true,
		Description: "A provider API key (OpenAI, Anthropic, Hugging Face, Gemini, AWS, …) is written into the manifest.",
		Remediation: "revoke the key, then reference it from a Secret managed outside git (External Secrets, Sealed Secrets, SOPS) with valueFrom.secretKeyRef",
		Value:       checkLiteralProviderKey,
	}
}

func checkLiteralProviderKey(c *Context, v Value) []Finding {
	ms := c.Detectors.Find(v.Name, v.Text)
	if len(ms) == 0 {
		if pairedAWSSecret(c, v) {
			return []Finding{{Path: v.Path, Provider: "aws",
				Message: "AWS secret access key (paired with an access key ID of the same object) in " + where(v)}}
		}
		return nil
	}
	m := ms[0]
	msg := fmt.Sprintf("%s in %s", m.Description, where(v))
	if len(ms) > 1 {
		msg += fmt.Sprintf(" (and %d more key(s))", len(ms)-1)
	}
	return []Finding{{Path: v.Path, Provider: m.Provider, Message: msg}}
}

// pairedAWSSecret reports whether v is a 40-character AWS secret access key
// shape (base64 alphabet, upper and lower case and digits, entropy > 4)
// in an object that also holds an AWS access key ID.
func pairedAWSSecret(c *Context, v Value) bool {
	t := strings.TrimSpace(v.Text)
	if len(t) != 40 || !awsSecretShape(t) || Entropy(t) <= 4 || IsPlaceholder(t) {
		return false
	}
	for _, s := range c.Siblings() {
		if s.Path == v.Path || !containsAny(s.Text, []string{"AKIA", "ASIA", "ABIA", "ACCA", "A3T"}) {
			continue
		}
		for _, m := range c.Detectors.Find(s.Name, s.Text) {
			if m.Detector == "aws-access-key-id" {
				return true
			}
		}
	}
	return false
}

func awsSecretShape(t string) bool {
	var lower, upper, digit bool
	for i := 0; i < len(t); i++ {
		switch ch := t[i]; {
		case ch >= 'a' && ch <= 'z':
			lower = true
		case ch >= 'A' && ch <= 'Z':
			upper = true
		case ch >= '0' && ch <= '9':
			digit = true
		case ch == '/' || ch == '+':
		default:
			return false
		}
	}
	return lower && upper && digit
}
