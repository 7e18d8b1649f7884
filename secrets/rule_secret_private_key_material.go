// secret-private-key-material finds PEM private keys (RSA, EC, DSA,
// OPENSSH, PKCS#8, encrypted) in manifests. It reads every scalar Values
// yields (so Secret data only in the source origin, where a TLS or SSH key
// in git is a leak) and reports a value holding a
// "-----BEGIN … PRIVATE KEY-----" header followed by at least 64 base64
// characters of body that are not a placeholder ("...", "REDACTED"). It is
// the most specific rule at a path: the provider-key, URL and
// sensitive-name rules are not reported where it is.

package secrets

import (
	"regexp"
	"strings"
)

// IDPrivateKeyMaterial is the ID of the secret-private-key-material rule.
const IDPrivateKeyMaterial = "secret-private-key-material"

var pemHeaderRE = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]{0,40}?)PRIVATE KEY(?: BLOCK)?-----`)

func privateKeyMaterialRule() Rule {
	return Rule{
		ID:          IDPrivateKeyMaterial,
		Severity:    sevCritical,
		Default:     true,
		Description: "A value holds a PEM private key block.",
		Remediation: "rotate the key pair and keep the private key in a Secret managed outside git (cert-manager, External Secrets, Sealed Secrets, SOPS)",
		Value:       checkPrivateKeyMaterial,
	}
}

func checkPrivateKeyMaterial(_ *Context, v Value) []Finding {
	if !strings.Contains(v.Text, "PRIVATE KEY") {
		return nil
	}
	for _, loc := range pemHeaderRE.FindAllStringSubmatchIndex(v.Text, -1) {
		body := v.Text[loc[1]:]
		if end := strings.Index(body, "-----END"); end >= 0 {
			body = body[:end]
		}
		if !pemBody(body) {
			continue
		}
		kind := strings.TrimSpace(v.Text[loc[2]:loc[3]])
		msg := "PEM private key"
		if kind != "" {
			msg = "PEM " + kind + " private key"
		}
		return []Finding{{Path: v.Path, Message: msg + " in " + where(v)}}
	}
	return nil
}

// pemBody reports whether a PEM body holds key material: at least 64
// base64 characters (headers such as "Proc-Type:" aside), not a
// placeholder, entropy above 3.
func pemBody(body string) bool {
	var b strings.Builder
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, ":") { // RFC 1421 headers of encrypted keys
			continue
		}
		b.WriteString(line)
	}
	s := b.String()
	if len(s) < 64 || IsPlaceholder(s) || Entropy(s) <= 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(tokenByte(c) && c != '_' && c != '-' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}
