package secrets

import "testing"

func TestTypeKeysMissing(t *testing.T) {
	x := b64enc("x")
	runObjectCases(t, IDTypeKeysMissing, []objectCase{
		{"tls without keys", OriginSource, secretYAML("type: kubernetes.io/tls\n"), "data[tls.crt],data[tls.key]"},
		{"tls without key", OriginSource, secretYAML("type: kubernetes.io/tls\ndata: {tls.crt: " + x + "}\n"), "data[tls.key]"},
		{"tls with stringData", OriginSource, secretYAML("type: kubernetes.io/tls\ndata: {tls.crt: " + x + "}\nstringData: {tls.key: x}\n"), ""},
		{"dockerconfigjson", OriginSource, secretYAML("type: kubernetes.io/dockerconfigjson\ndata: {.dockercfg: " + x + "}\n"), "data[.dockerconfigjson]"},
		{"dockercfg", OriginSource, secretYAML("type: kubernetes.io/dockercfg\n"), "data[.dockercfg]"},
		{"ssh-auth", OriginSource, secretYAML("type: kubernetes.io/ssh-auth\ndata: {id_rsa: " + x + "}\n"), "data[ssh-privatekey]"},
		{"opaque", OriginSource, secretYAML("type: Opaque\n"), ""},
	})
}
