// secret-literal-sensitive-name finds credentials by their name when their
// value has no recognisable provider shape (a Cohere key outside a known
// name, a database password, an internal token). It reads env values,
// ConfigMap data, annotations and NAME=VALUE assignments in args and
// command items (an item of that form, or in a shell script after
// sh -c / bash -c: `export DB_PASSWORD=...`) whose name SensitiveName accepts (api key,
// token, secret, password, credential, private key, access key, auth key;
// not names ending in _url, _endpoint, _file, _path, _name, _id, _ttl, …)
// and reports the value when it is at least 8 characters, has a Shannon
// entropy above 3.0 bits per character (over its bytes, decided as
// n·log2 n − Σ c·log2 c > 3n, so that the catalog's admission policy,
// summing the same table of c·log2 c in the same order, decides alike to
// the last bit), is not all digits, is not a URL,
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
	"math"
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
	if utf8.RuneCountInString(s) < 8 || strings.Contains(s, "://") || IsPlaceholder(s) || !entropyAbove3(s) || objectReference(s) {
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

// entropyAbove3 reports whether the Shannon entropy of s, over its bytes,
// is above 3 bits per byte, computed as n·log2 n − Σ c·log2 c > 3n (n the
// length, c the count of each byte, summed in ascending byte order) with
// CLog2C: the exact operations of the catalog's admission policy of
// secret-literal-sensitive-name, which sums a table of CLog2C, so that
// both decide alike on a value whose entropy is 3 bits up to rounding.
func entropyAbove3(s string) bool {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var sum float64
	for _, c := range counts {
		if c > 0 {
			sum += CLog2C(c)
		}
	}
	n := len(s)
	return CLog2C(n)-sum > 3*float64(n)
}

// CLog2C is c·log2 c, rounded to a float64 (the explicit conversion keeps
// a compiler from fusing it into a sum).
func CLog2C(c int) float64 {
	return float64(float64(c) * math.Log2(float64(c)))
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

// SensitiveWords returns the name parts SensitiveName looks for (lower
// case, separators removed), for the catalog's admission policy.
func SensitiveWords() []string { return append([]string(nil), sensitiveWords[:]...) }

// NonSensitiveSuffixes returns the suffixes ("_url", ...) of a normalised
// name that SensitiveName does not count as sensitive, for the catalog's
// admission policy.
func NonSensitiveSuffixes() []string { return append([]string(nil), nonSensitiveSuffixes[:]...) }
