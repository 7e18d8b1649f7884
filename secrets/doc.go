// Package secrets answers where credentials leak in a Kubernetes AI
// platform: provider API keys typed into manifests, Secret hygiene, and
// (with rbac) who can read a given Secret.
//
// It scans parsed objects, not lines: it knows that a value is the env
// variable OPENAI_API_KEY of the first container of a Deployment, so it
// reports the exact field path
// (spec.template.spec.containers[0].env[0].value) and finds keys that
// line-based scanners miss because the variable's name and its value sit on
// different lines.
//
// # Rules
//
// Rule IDs are public API. Default rules: secret-private-key-material,
// secret-in-last-applied-annotation, secret-literal-provider-key (critical;
// reports the provider), secret-url-credentials,
// secret-literal-sensitive-name, secret-stringdata-in-source,
// secret-data-in-source, secret-data-invalid-base64,
// secret-type-keys-missing, sa-token-automount, secret-volume-unused,
// encryption-identity-first and encryption-secrets-not-covered. Opt-in:
// secret-env-reference and secret-not-immutable. At one field path only
// the most specific of the first five is reported, in that order.
// Placeholders (${VAR}, $(VAR), {{ … }}, <…>, changeme, example, redacted,
// repeated characters, values ending in "...") are never reported.
//
// Command lines are read as the kubelet runs them (command, then args):
// an item is named by the flag before it ("--api-key KEY") or its own
// ("--api-key=KEY"), and the credentials inside an item are values of
// their own (Part): NAME=VALUE assignments, in shell scripts too
// (sh -c "export DB_PASSWORD=…"), curl's -u user:password and a MySQL
// client's -pPASSWORD.
//
// # Redaction
//
// No finding (path or message) holds more of a credential than Redact
// shows: its first RedactPrefix (4) characters and "…". Names are printed
// through DisplayName, whole only when they are plainly names (SafeName):
// a flag such as "-pHunter2" (a value attached to a flag), a map key or
// env variable name holding a token, a custom resource's "name" holding a
// key are redacted, and such a key is scanned as a value of its own.
//
// The Origin decides what Secret data means: in OriginSource (manifests
// from git or CI rendering) it is a leak and is scanned; in OriginCluster
// (objects read from an apiserver) it is where credentials belong and is
// not scanned for keys, and the *-in-source rules do not run.
//
// # Detectors
//
// A Detector is a value: provider, prefix keywords (a cheap prefilter), a
// regular expression of the token with token boundaries, a minimum Shannon
// entropy, and for keys without a prefix (Cohere, DeepSeek, W&B, an AWS
// secret access key) the name the value must be assigned to. Detectors()
// returns the built-in set (formats of gitleaks and trufflehog: OpenAI
// sk-proj/sk-svcacct/sk-admin with T3BlbkFJ, Anthropic sk-ant-api03 and
// admin01, Hugging Face hf_ and api_org_, Google AIza, Replicate r8_, Groq,
// xAI, Perplexity, LangSmith, AWS AKIA/ASIA — [A-Z0-9] after the prefix
// too under an "access key ID" name — and Bedrock ABSK, GitHub, Slack,
// Stripe).
//
// # Example
//
//	scanner, err := secrets.NewScanner(secrets.Config{}) // DefaultRules, Detectors
//	if err != nil { ... }                                  // configuration errors, once
//	for _, f := range scanner.Scan(inv, secrets.OriginSource) {
//		fmt.Println(f.Rule, f.Object, f.Path, f.Provider)
//	}
//
// Exposure joins rbac: for every Secret, who can read it directly, who can
// create pods or pod controllers in its namespace or change the pod
// template of a controller there (and so mount it), who can exec into pods
// that mount it, and who can act as one of those.
package secrets
