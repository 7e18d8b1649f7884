package secrets

import (
	"strings"
	"testing"
)

// pem builds a PEM block at run time from a type and a fake body.
func pem(kind, body string) string {
	var lines []string
	for len(body) > 64 {
		lines, body = append(lines, body[:64]), body[64:]
	}
	lines = append(lines, body)
	return "-----BEGIN " + kind + "PRIVATE" + " KEY-----\n" + strings.Join(lines, "\n") + "\n-----END " + kind + "PRIVATE" + " KEY-----\n"
}

func TestPrivateKeyMaterial(t *testing.T) {
	body := fake("pem", 300, b64)
	runValueCases(t, checkPrivateKeyMaterial, []valueCase{
		{"rsa in configmap", FieldConfigMapData, "key.pem", pem("RSA ", body), "-"},
		{"pkcs8 in env", FieldEnv, "TLS_KEY", pem("", body), "-"},
		{"openssh in annotation", FieldAnnotation, "k", pem("OPENSSH ", body), "-"},
		{"encrypted with headers", FieldConfigMapData, "k", "-----BEGIN RSA " + "PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n" + body + "\n-----END RSA PRIVATE KEY-----", "-"},
		{"placeholder body", FieldConfigMapData, "k", pem("RSA ", "..."), ""},
		{"redacted body", FieldConfigMapData, "k", pem("", strings.Repeat("REDACTED", 10)), ""},
		{"public key", FieldConfigMapData, "k", strings.ReplaceAll(pem("", body), "PRIVATE", "PUBLIC"), ""},
		{"certificate", FieldConfigMapData, "k", "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----", ""},
	})
}
