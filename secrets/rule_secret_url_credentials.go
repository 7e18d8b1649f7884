// secret-url-credentials finds passwords embedded in URLs
// (scheme://user:password@host), the usual way database, Redis, vector-store
// and message-broker credentials leak into env values and ConfigMaps. It
// reads every scalar Values yields and reports the field holding a URL
// whose password is not a placeholder (${VAR}, $(VAR), <…>, "password",
// "changeme", …); the provider is the URL scheme ("postgres", "redis").
// The same credential given to curl as -u/--user user:password (the next
// item, -uuser:password or --user=user:password, in a container's command
// line or a shell script) is reported at the item with provider "http":
// it is a URL's userinfo in another place.

package secrets

import (
	"regexp"
	"strings"
)

// IDURLCredentials is the ID of the secret-url-credentials rule.
const IDURLCredentials = "secret-url-credentials"

var urlCredentialsRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]{0,30})://([^\s:@/?#]*):([^\s@/?#]+)@([^\s/?#@:]+)`)

// placeholderPasswords are passwords of documentation, not of systems.
var placeholderPasswords = [...]string{"password", "passwd", "pass", "pwd", "secret", "pw", "user", "xxx", "***"}

func urlCredentialsRule() Rule {
	return Rule{
		ID:          IDURLCredentials,
		Severity:    sevHigh,
		Default:     true,
		Description: "A URL carries a password (scheme://user:password@host).",
		Remediation: "rotate the password; build the URL at run time from a Secret (env valueFrom.secretKeyRef and $(VAR) expansion) or use a credential file",
		Value:       checkURLCredentials,
	}
}

func checkURLCredentials(_ *Context, v Value) []Finding {
	if v.Part == PartUserPassword {
		if placeholderPassword(v.Text) {
			return nil
		}
		return []Finding{{Path: v.Path, Provider: "http", Message: "password in " + where(v)}}
	}
	if !strings.Contains(v.Text, "://") || !strings.Contains(v.Text, "@") {
		return nil
	}
	for _, m := range urlCredentialsRE.FindAllStringSubmatch(v.Text, -1) {
		if placeholderPassword(m[3]) {
			continue
		}
		return []Finding{{Path: v.Path, Provider: strings.ToLower(m[1]),
			Message: "password in a " + strings.ToLower(m[1]) + ":// URL in " + where(v)}}
	}
	return nil
}

func placeholderPassword(pw string) bool {
	if IsPlaceholder(pw) || strings.HasPrefix(pw, "$") || strings.HasPrefix(pw, "%") {
		return true
	}
	lower := strings.ToLower(pw)
	for _, p := range placeholderPasswords {
		if lower == p {
			return true
		}
	}
	return false
}
