package secrets

import "testing"

func encryptionYAML(resources string) string {
	return "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n" + resources
}

const aesKey = "{aescbc: {keys: [{name: k1, secret: c2VjcmV0IGlzIHNlY3VyZXNlY3JldCBpcyBzZWN1cmU=}]}}"

func TestEncryptionIdentityFirst(t *testing.T) {
	runObjectCases(t, IDEncryptionIdentityFirst, []objectCase{
		{"identity first", OriginSource, encryptionYAML("- resources: [secrets]\n  providers: [{identity: {}}, " + aesKey + "]\n"), "resources[0].providers[0]"},
		{"identity first in the covering list", OriginSource, encryptionYAML("- resources: [configmaps]\n  providers: [" + aesKey + "]\n- resources: ['*.*']\n  providers: [{identity: {}}]\n"), "resources[1].providers[0]"},
		{"identity last", OriginSource, encryptionYAML("- resources: [secrets]\n  providers: [" + aesKey + ", {identity: {}}]\n"), ""},
		{"earlier list takes precedence", OriginSource, encryptionYAML("- resources: [secrets]\n  providers: [" + aesKey + "]\n- resources: ['*.']\n  providers: [{identity: {}}]\n"), ""},
	})
}
