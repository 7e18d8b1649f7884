package secrets

import "testing"

func TestLiteralSensitiveName(t *testing.T) {
	tok := fake("tok", 24, urlB64)
	runValueCases(t, checkLiteralSensitiveName, []valueCase{
		{"env token", FieldEnv, "INTERNAL_API_TOKEN", tok, "-"},
		{"hf hint", FieldEnv, "HF_TOKEN", tok, "huggingface"},
		{"cohere hint", FieldEnv, "CO_API_KEY", tok, "cohere"},
		{"configmap password", FieldConfigMapData, "db.password", tok, "-"},
		{"annotation secret", FieldAnnotation, "example.com/client-secret", tok, "-"},
		{"args are not named", FieldArg, "--token", tok, ""},
		{"secret data is not this rule's", FieldSecretData, "token", tok, ""},
		{"name ends in _url", FieldEnv, "TOKEN_URL", tok, ""},
		{"name ends in _file", FieldEnv, "SECRET_FILE", tok, ""},
		{"name ends in _id", FieldEnv, "ACCESS_KEY_ID", tok, ""},
		{"too short", FieldEnv, "TOKEN", "a1B2c3", ""},
		{"low entropy", FieldEnv, "TOKEN", "abababababab", ""},
		{"digits", FieldEnv, "TOKEN", "12345678901234", ""},
		{"url", FieldEnv, "TOKEN", "https://auth.example.com/x", ""},
		{"spaces", FieldEnv, "SECRET", "not a secret at all", ""},
		{"placeholder", FieldEnv, "API_KEY", "<your-api-key>", ""},
		{"reference", FieldAnnotation, "aigov.dev/external-secret", "platform/openai-api-key", ""},
		{"camelCase acronym ends in ID", FieldEnv, "awsAccessKeyID", tok, ""},
		{"acronym then word ends in URL", FieldConfigMapData, "oauthTokenURL", tok, ""},
		{"acronym API key", FieldConfigMapData, "openaiAPIKey", tok, "openai"},
		{"other excluded suffixes", FieldEnv, "PASSWORD_MIN_LENGTH", tok, ""},
		{"_endpoint", FieldEnv, "TOKEN_ENDPOINT", tok, ""},
		{"_header", FieldAnnotation, "example.com/auth-token-header", tok, ""},
		{"_expiry and _ttl", FieldEnv, "SECRET_TTL", tok, ""},
		{"7 runes of 2 bytes", FieldEnv, "TOKEN", "äöüßéñø", ""},
		{"tokenizer", FieldEnv, "TOKENIZER", "meta-llama/Llama-3.1-8B-Instruct", ""},
	})
}
