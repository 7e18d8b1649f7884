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
