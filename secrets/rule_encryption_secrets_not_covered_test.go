package secrets

import "testing"

func TestEncryptionSecretsNotCovered(t *testing.T) {
	runObjectCases(t, IDEncryptionSecretsNotCovered, []objectCase{
		{"configmaps only", OriginSource, encryptionYAML("- resources: [configmaps, '*.apps']\n  providers: [" + aesKey + "]\n"), "resources"},
		{"secrets", OriginSource, encryptionYAML("- resources: [secrets]\n  providers: [" + aesKey + "]\n"), ""},
		{"core wildcard", OriginSource, encryptionYAML("- resources: ['*.']\n  providers: [" + aesKey + "]\n"), ""},
		{"everything", OriginSource, encryptionYAML("- resources: ['*.*']\n  providers: [" + aesKey + "]\n"), ""},
	})
}
