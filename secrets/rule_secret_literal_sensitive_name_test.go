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

// TestLiteralSensitiveNameCommandLines: NAME=VALUE assignments in args and
// command items and shell scripts, and MySQL client passwords.
func TestLiteralSensitiveNameCommandLines(t *testing.T) {
	pw := fake("cmd-pw", 16, alnum)
	runCommandCases(t, IDLiteralSensitiveName, []commandCase{
		{"export in sh -c", []string{"sh", "-c", "export DB_PASSWORD='" + pw + "!x' && migrate"}, nil, "command[2]"},
		{"hint from the variable", []string{"sh", "-c"}, []string{"HF_TOKEN=" + pw + " python train.py"}, "args[0] huggingface"},
		{"env NAME=VALUE item", []string{"env", "API_TOKEN=" + pw, "run"}, nil, "command[1]"},
		{"mysql -p", []string{"mysql", "-p" + pw, "appdb"}, nil, "command[1] mysql"},
		{"mysqldump --password= in a script", []string{"sh", "-c", "mysqldump --password=" + pw + " app > /backup/app.sql"}, nil, "command[2] mysql"},
		{"mariadb short password", []string{"mariadb", "-proot"}, nil, "command[1] mysql"},
		// true negatives
		{"flag values are not named", nil, []string{"--token", pw}, ""},
		{"not a credential name", []string{"sh", "-c", "export MODEL=" + pw}, nil, ""},
		{"name ends in _file", []string{"sh", "-c", "export SECRET_FILE=" + pw}, nil, ""},
		{"expansions", []string{"sh", "-c", "export DB_PASSWORD=$DB_PASSWORD API_TOKEN=${T} SECRET=$(cat /s) TOKEN=`cat /t`"}, nil, ""},
		{"env expansion item", []string{"env", "DB_PASSWORD=$(DB_PASSWORD)", "run"}, nil, ""},
		{"placeholder", []string{"sh", "-c", "export DB_PASSWORD=changeme API_TOKEN='<your-token>'"}, nil, ""},
		{"mysql -p prompts", []string{"mysql", "-p", "appdb"}, nil, ""},
		{"mysql password placeholder", []string{"mysql", "-p$MYSQL_PASSWORD", "--password=password"}, nil, ""},
		{"-p of another program", []string{"server", "-p" + pw}, nil, ""},
		{"not a shell", []string{"python", "-c", "export DB_PASSWORD=" + pw}, nil, ""},
	})
}
