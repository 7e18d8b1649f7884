package secrets

import "testing"

func TestURLCredentials(t *testing.T) {
	pw := fake("pw", 16, alnum)
	runValueCases(t, checkURLCredentials, []valueCase{
		{"postgres", FieldEnv, "DATABASE_URL", "postgres://app:" + pw + "@db:5432/app", "postgres"},
		{"redis no user", FieldEnv, "REDIS_URL", "redis://:" + pw + "@redis:6379/0", "redis"},
		{"in a config file", FieldConfigMapData, "c", "broker: amqp://u:" + pw + "@mq.svc\n", "amqp"},
		{"no password", FieldEnv, "DATABASE_URL", "postgres://app@db/app", ""},
		{"env expansion", FieldEnv, "DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db/app", ""},
		{"template", FieldEnv, "DATABASE_URL", "postgres://app:${DB_PASSWORD}@db/app", ""},
		{"doc password", FieldEnv, "DATABASE_URL", "postgres://user:password@localhost/db", ""},
		{"angle placeholder", FieldEnv, "DATABASE_URL", "postgres://user:<password>@localhost/db", ""},
		{"port not password", FieldEnv, "URL", "http://host:8080/path@x", ""},
	})
}

// TestURLCredentialsCurlUser: curl's -u/--user user:password, in the
// container's command line and in shell scripts, is reported with provider
// "http"; placeholders and a user without a password are not.
func TestURLCredentialsCurlUser(t *testing.T) {
	pw := fake("curl-pw", 16, alnum)
	runCommandCases(t, IDURLCredentials, []commandCase{
		{"-u next item", []string{"curl", "-u", "svc:" + pw, "https://x"}, nil, "command[2] http"},
		{"-u in command, value in args", []string{"curl", "-u"}, []string{"svc:" + pw}, "args[0] http"},
		{"-uuser:pass", []string{"curl"}, []string{"-usvc:" + pw, "https://x"}, "args[0] http"},
		{"--user=", []string{"/usr/bin/curl", "--user=svc:" + pw}, nil, "command[1] http"},
		{"--user next item", []string{"curl", "--user", "svc:" + pw}, nil, "command[2] http"},
		{"in a script", []string{"sh", "-c", "curl -fsS -u 'svc:" + pw + "' https://x | sh"}, nil, "command[2] http"},
		{"url in a script", []string{"sh", "-c", "psql postgres://app:" + pw + "@db/app"}, nil, "command[2] postgres"},
		// true negatives
		{"no password", []string{"curl", "-u", "svc", "https://x"}, nil, ""},
		{"expansion", []string{"curl", "-u", "svc:$(PASSWORD)", "https://x"}, nil, ""},
		{"variable in a script", []string{"sh", "-c", `curl -u "svc:$PASSWORD" https://x`}, nil, ""},
		{"doc password", []string{"curl", "-u", "user:password", "https://x"}, nil, ""},
		{"placeholder", []string{"curl", "--user", "svc:changeme"}, nil, ""},
		{"-u of another program", []string{"wget", "-u", "svc:" + pw}, nil, ""},
	})
}
