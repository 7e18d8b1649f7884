// secret-literal-sensitive-name finds credentials by their name when their
// value has no recognisable provider shape (a Cohere key outside a known
// name, a database password, an internal token). It reads env values,
// ConfigMap data, annotations and NAME=VALUE assignments in args and
// command items (an item of that form, or in a shell script after
// sh -c / bash -c: `export DB_PASSWORD=...`) whose name SensitiveName accepts (api key,
// token, secret, password, credential, private key, access key, auth key;
// not names ending in _url, _endpoint, _file, _path, _name, _id, _ttl, …)
// and reports the value when it is at least 8 characters, has a Shannon
// entropy above 3.0 bits per character, is not all digits, is not a URL,
// has no white space and is not a placeholder. One control beyond that
// definition: a Kubernetes object reference ("namespace/name" of
// lower-case DNS names, as in an ExternalSecret annotation) is a reference,
// not a credential. The provider is a hint from the name (ProviderHint:
// HF_TOKEN → huggingface). It also reports the password a MySQL or MariaDB
// client (mysql, mysqldump, mariadb, …) is given on its command line
// (-pPASSWORD, --password=PASSWORD; in a shell script too) unless it is a
// placeholder or an expansion, with provider "mysql": an explicit password
// option needs no entropy control.

package secrets

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IDLiteralSensitiveName is the ID of the secret-literal-sensitive-name rule.
const IDLiteralSensitiveName = "secret-literal-sensitive-name"

func literalSensitiveNameRule() Rule {
	return Rule{
		ID:          IDLiteralSensitiveName,
		Severity:    sevHigh,
		Default:     true,
		Description: "A variable, ConfigMap key or annotation with a credential's name holds a literal, secret-looking value.",
		Remediation: "move the value into a Secret managed outside git and reference it (valueFrom.secretKeyRef, envFrom.secretRef, a secret volume)",
		Value:       checkLiteralSensitiveName,
		AdmissionNote: "no VAP: none is built yet. The value test is expressible (Shannon entropy as n·log2 n − Σ c·log2 c " +
			"from a table of c·log2 c, summed with the lists library's sum(); the name normalisation and placeholders as the other " +
			"policies write them), but the rule reads env values of every pod template, AI operators' resources included, ConfigMap " +
			"data, annotations of every kind and NAME=VALUE items of command lines and shell scripts: a policy would judge a part of " +
			"that, within size guards, and each part needs its own proof",
	}
}

func checkLiteralSensitiveName(_ *Context, v Value) []Finding {
	switch {
	case v.Part == PartPassword:
		if placeholderPassword(v.Text) {
			return nil
		}
		return []Finding{{Path: v.Path, Provider: "mysql", Message: "literal password in " + where(v)}}
	case v.Part == PartAssignment:
	case v.Part != PartWhole:
		return nil
	case v.Field == FieldEnv, v.Field == FieldConfigMapData, v.Field == FieldAnnotation:
	default:
		return nil
	}
	if !SensitiveName(v.Name) || !secretLooking(v.Text) {
		return nil
	}
	return []Finding{{Path: v.Path, Provider: ProviderHint(v.Name),
		Message: "literal credential in " + where(v)}}
}

// secretLooking applies the value conditions of the rule.
func secretLooking(s string) bool {
	if utf8.RuneCountInString(s) < 8 || strings.Contains(s, "://") || IsPlaceholder(s) || Entropy(s) <= 3.0 || objectReference(s) {
		return false
	}
	digits := true
	for _, r := range s {
		if unicode.IsSpace(r) {
			return false
		}
		if r < '0' || r > '9' {
			digits = false
		}
	}
	return !digits
}

// objectReference reports whether s is "namespace/name" (or longer paths)
// of lower-case DNS-1123 names: a reference to a Kubernetes object.
func objectReference(s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || p[0] == '-' || p[len(p)-1] == '-' {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				return false
			}
		}
	}
	return true
}
