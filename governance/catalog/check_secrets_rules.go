// The secrets rules: the catalog composes the checks package secrets
// exports (secrets.Checks), one per rule, keeping the default ones
// (secret-literal-provider-key, secret-stringdata-in-source, ...); the
// opt-in rules (secrets.OptIn) are not catalog checks, and neither is
// sa-token-automount, whose cause (the pod spec's
// automountServiceAccountToken) automount-token reports: its ID is an
// alias of automount-token (one cause, one finding). The checks share one scan per inventory and origin
// (secrets.ScanFact); see package secrets.
//
// Three value rules carry a ValidatingAdmissionPolicy here
// (secretsAdmission): secret-literal-provider-key,
// secret-url-credentials and secret-private-key-material decide, in CEL,
// on the values of Secrets (data decoded, stringData) and ConfigMaps (data)
// within a size guard; each definition's AdmissionNote says what the
// policy leaves to the scan. The object rules with a policy are in
// check_secrets_rules_admission.go; a rule without one says why in its
// own secrets.Rule.AdmissionNote.

package catalog

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// SecretsRulesParams are the parameters of every secrets rule check.
type SecretsRulesParams = secrets.CheckParams

// secretsRuleDefinitions returns one definition per default secrets rule,
// in the rules' order; the rules secretsAdmission covers are VAPs.
func secretsRuleDefinitions() []governance.Definition {
	var defs []governance.Definition
	for _, d := range secrets.Checks() {
		if secrets.OptIn(d) || d.ID == secrets.IDSATokenAutomount {
			continue
		}
		if detect, ok := secretsAdmissionDetectors()[d.ID]; ok {
			id := d.ID
			d = withSecretsAdmission(d, detect.note, func(source bool) *governance.Admission {
				return secretsAdmission(id, detect, source)
			})
		}
		if a, ok := secretsObjectAdmissions()[d.ID]; ok {
			d = withSecretsAdmission(d, a.note, a.build)
		}
		defs = append(defs, d)
	}
	return defs
}

// NewSecretsRuleCheck builds the catalog check of the default secrets rule
// with the given ID.
func NewSecretsRuleCheck(id string, params any) (governance.Check, error) {
	for _, d := range secretsRuleDefinitions() {
		if d.ID == id {
			return d.New(params)
		}
	}
	return governance.Check{}, fmt.Errorf("%w %q", governance.ErrUnknownCheck, id)
}

// The size guard of the secrets policies: an object with more values, or
// a value longer than this as the API serves it (Secret data base64, so
// 3 KiB decoded), is admitted and left to the scan. The bound keeps the
// CEL base64 decoding of Secret data (secretsDecode) inside the per-call
// cost limit.
const (
	secretsMaxValues   = 8
	secretsMaxValueLen = 3072
)

// secretsAdmissionNote is what every secrets policy leaves to the scan;
// rest adds the rule's own.
func secretsAdmissionNote(rest string) string {
	return "VAP reads only the values of Secrets (data decoded, stringData; with origin source, the default: " +
		"bind it with origin cluster to leave Secret data alone) and ConfigMaps (data), at most " + strconv.Itoa(secretsMaxValues) +
		" values of at most " + strconv.Itoa(secretsMaxValueLen) + " characters each (Secret data as base64): larger objects, and env values, " +
		"annotations, command lines and every other field, are left to the scan; " + rest
}

// secretsDetector is the CEL of one rule: true when the string named s
// holds what the rule reports, and the rule's AdmissionNote.
type secretsDetector struct {
	cond func(s string) string
	note string
}

func secretsAdmissionDetectors() map[string]secretsDetector {
	return map[string]secretsDetector{
		secrets.IDLiteralProviderKey: {cond: celProviderKey, note: secretsAdmissionNote(
			"it matches the prefixed provider keys (OpenAI, Anthropic, Hugging Face, Google, Replicate, Groq, xAI, Perplexity, LangSmith, " +
				"AWS key IDs and Bedrock, GitHub, Slack, Stripe) with the scan's patterns, placeholders and token boundaries, " +
				"and stands in for the entropy test (no logarithm in CEL) with the distinct characters it needs in the token (9 above 3 bits, " +
				"12 above 3.5), on the first " +
				strconv.Itoa(secretsMaxMatches) + " candidate tokens of a value: " +
				"the keys found only by the value's name (Cohere, DeepSeek, Weights & Biases, AWS secret keys) and low-entropy look-alikes " +
				"are the scan's, and a value holding a private key is denied by this policy too")},
		secrets.IDURLCredentials: {cond: celURLCredentials, note: secretsAdmissionNote(
			"it matches scheme://user:password@host with the scan's pattern and placeholder passwords, on the first " +
				strconv.Itoa(secretsMaxMatches) + " URLs of a value; " +
				"curl -u credentials in command lines are the scan's, and a value holding a private key is denied by this policy too")},
		secrets.IDPrivateKeyMaterial: {cond: celPrivateKey, note: secretsAdmissionNote(
			"it reads the first PEM private key block of a value (the scan reads every one) and stands in for the entropy test " +
				"(no logarithm in CEL) with at least 9 distinct characters in the body; with origin source it refuses TLS Secrets " +
				"that carry their key, as the scan reports them in manifests")},
	}
}

// withSecretsAdmission returns d as a VAP with the given note: its checks
// carry the admission form build makes for their origin (source: origin
// source). The rule itself carries no note (secrets.Rule.AdmissionNote is
// for the rules without a policy): the note lives with the CEL.
func withSecretsAdmission(d governance.Definition, note string, build func(source bool) *governance.Admission) governance.Definition {
	if d.AdmissionNote != "" {
		panic("secrets rule " + d.ID + " has a policy and a note of its own: " + d.AdmissionNote)
	}
	d.VAP = true
	d.AdmissionNote = note
	newCheck := d.New
	d.New = func(params any) (governance.Check, error) {
		c, err := newCheck(params)
		if err != nil {
			return c, err
		}
		p := secrets.CheckParams{Origin: "source"}
		if err := governance.DecodeParams(params, &p); err != nil {
			return governance.Check{}, err
		}
		origin, err := secrets.ParseOrigin(p.Origin)
		if err != nil {
			return governance.Check{}, fmt.Errorf("origin: %w", err)
		}
		c.Admission = build(origin == secrets.OriginSource)
		return c, nil
	}
	return d
}

// secretsAdmission denies a Secret or ConfigMap (only a ConfigMap unless
// secretData: the scan reads Secret data in the source origin only) one
// of whose values satisfies detect, within the size guard.
func secretsAdmission(id string, detect secretsDetector, secretData bool) *governance.Admission {
	resources := []string{"configmaps"}
	// The values are read through index lists of the guard's size, so
	// that the cost estimate knows their number.
	n := strconv.Itoa(secretsMaxValues)
	values := celIndexList(secretsMaxValues) + `.filter(i, i < size(variables.dataKeys)).map(i, object.data[variables.dataKeys[i]])`
	counted := `size(variables.dataKeys)`
	if secretData {
		resources = append(resources, "secrets")
		values = `object.kind == "Secret" ? ` +
			celIndexList(secretsMaxValues) + `.filter(i, i < size(variables.dataKeys)).map(i, [object.data[variables.dataKeys[i]]].map(e, ` + secretsDecode(`e`) + `)[0]) + ` +
			celIndexList(secretsMaxValues) + `.filter(i, i < size(variables.stringKeys)).map(i, object.stringData[variables.stringKeys[i]]) : ` + values
		counted += ` + size(variables.stringKeys)`
	}
	maxLen := strconv.Itoa(secretsMaxValueLen)
	guard := counted + ` <= ` + n +
		` && variables.dataKeys.all(k, size(object.data[k]) <= ` + maxLen + `)` +
		` && variables.stringKeys.all(k, size(object.stringData[k]) <= ` + maxLen + `)`
	vars := []admissionregistrationv1.Variable{
		{Name: "dataKeys", Expression: `object.?data.orValue({}).map(k, k)`},
		{Name: "stringKeys", Expression: `object.?stringData.orValue({}).map(k, k)`},
		{Name: "guarded", Expression: guard},
	}
	if secretData {
		vars = append(vars,
			admissionregistrationv1.Variable{Name: "b64", Expression: celBase64Table()},
			admissionregistrationv1.Variable{Name: "chr", Expression: celByteTable()},
			admissionregistrationv1.Variable{Name: "groups", Expression: celIndexList(secretsMaxValueLen / 4)})
	}
	vars = append(vars,
		admissionregistrationv1.Variable{Name: "values", Expression: `variables.guarded ? (` + values + `) : []`},
		admissionregistrationv1.Variable{Name: "found", Expression: `variables.values.filter(s, ` + detect.cond("s") + `).size()`},
	)
	what := map[string]string{
		secrets.IDLiteralProviderKey: "a provider API key",
		secrets.IDURLCredentials:     "a URL with a password",
		secrets.IDPrivateKeyMaterial: "a PEM private key",
	}[id]
	return &governance.Admission{
		Rules:     []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, resources)},
		Variables: vars,
		Validations: []admissionregistrationv1.Validation{{
			Expression:        `variables.found == 0`,
			Message:           "values must not hold " + what + " (" + id + ")",
			MessageExpression: `object.kind + " \"" + object.metadata.name + "\": " + string(variables.found) + " value(s) hold ` + what + ` (` + id + `); the value is not repeated"`,
		}},
	}
}

// secretsDecode is the CEL decoding of the base64 string e (as the API
// serves Secret data: standard alphabet, padded) into a string, through
// the variables b64 (character to 6 bits), chr (byte to character) and
// groups (0 to secretsMaxValueLen/4 - 1): the apiserver's CEL has no
// base64 library. Each 4-character group becomes 3 bytes; padding decodes
// to NUL bytes, which chr maps to "".
func secretsDecode(e string) string {
	at := func(i int) string { return `variables.b64[cs[4 * g + ` + strconv.Itoa(i) + `]]` }
	return `[` + e + `.split("")].map(cs, variables.groups.filter(g, 4 * g < size(cs))` +
		`.map(g, ` + at(0) + ` * 262144 + ` + at(1) + ` * 4096 + ` + at(2) + ` * 64 + ` + at(3) + `)` +
		`.map(n, variables.chr[n / 65536] + variables.chr[(n / 256) % 256] + variables.chr[n % 256]).join(""))[0]`
}

// celBase64Table maps each character of the standard base64 alphabet to
// its 6 bits, and the padding "=" to 0.
func celBase64Table() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	parts := make([]string, 0, len(alphabet)+1)
	for i, c := range alphabet {
		parts = append(parts, strconv.Quote(string(c))+": "+strconv.Itoa(i))
	}
	parts = append(parts, `"=": 0`)
	return "{" + strings.Join(parts, ", ") + "}"
}

// celByteTable maps each byte to the character CEL's strings hold for it:
// ASCII to itself (NUL, the padding, to ""), any other byte to U+FFFD, as
// Go's regexp reads a byte of invalid UTF-8: none of the rules' patterns
// matches outside ASCII.
func celByteTable() string {
	parts := make([]string, 256)
	for i := range parts {
		var s string
		switch {
		case i == 0:
			s = ""
		case i < 128:
			s = string(rune(i))
		default:
			s = "\uFFFD"
		}
		parts[i] = strconv.Itoa(i) + ": " + strconv.QuoteToASCII(s)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// celIndexList is the CEL list [0, 1, ..., n-1] (CEL before Kubernetes
// 1.34 has no range function): iterating over it instead of over a list
// of the object bounds the cost estimate by n.
func celIndexList(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strconv.Itoa(i)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// celPlaceholder is secrets.IsPlaceholder in CEL, for the string s, but
// for the repeated-character test (RE2 has no back-references), which
// the callers' distinct-character test covers.
func celPlaceholder(s string) string {
	t := s + `.trim()`
	l := s + `.lowerAscii()`
	words := []string{"example", "sample", "changeme", "change_me", "change-me", "replace_me", "replace-me",
		"replaceme", "placeholder", "dummy", "redacted", "xxxxxx", "******", "aaaaaa"}
	return `(` + t + ` == "" || ` + t + `.endsWith("...") || ` + t + `.endsWith("…") || ` + s + `.contains("{{") || ` +
		s + `.contains("${") || ` + s + `.contains("$(") || ` + t + `.matches("^\\$[A-Za-z_]") || ` +
		`(` + t + `.startsWith("<") && ` + t + `.endsWith(">")) || ` + t + `.matches("^%[\\s\\S]+%$") || ` +
		governance.CELStringList(words) + `.exists(w, ` + l + `.contains(w)) || ` + l + `.matches("your[\\s\\S]*key") || ` +
		t + `.lowerAscii().matches("^[*x_-]*$"))`
}

// celDistinct is true when the string s holds at least n distinct
// characters of the token alphabet: a Shannon entropy above log2(n-1)
// bits needs n distinct characters (CEL has no logarithm).
func celDistinct(s string, n int) string {
	var chars []string
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-" {
		chars = append(chars, string(c))
	}
	return governance.CELStringList(chars) + `.filter(c, ` + s + `.contains(c)).size() >= ` + strconv.Itoa(n)
}

// celProviderKey is true when s holds a token of a prefixed provider-key
// detector (secrets.Detectors with keywords) between token boundaries,
// not a placeholder, with the distinct characters the detector's entropy
// threshold needs (celDistinctFor): one pattern per threshold.
func celProviderKey(s string) string {
	pats := map[int][]string{}
	var mins []int
	for _, d := range secrets.Detectors() {
		if d.Whole || d.NameContext != "" {
			continue
		}
		n := celDistinctFor(d.MinEntropy)
		if _, ok := pats[n]; !ok {
			mins = append(mins, n)
		}
		pats[n] = append(pats[n], d.Pattern)
	}
	slices.Sort(mins)
	parts := make([]string, len(mins))
	for i, n := range mins {
		re := `(?:^|[^A-Za-z0-9_-])(?:` + strings.Join(pats[n], "|") + `)(?:[^A-Za-z0-9_-]|$)`
		parts[i] = celFirstMatches(s, re, "t", `!`+celPlaceholder("t")+` && `+celDistinct("t", n))
	}
	return `(` + strings.Join(parts, " || ") + `)`
}

// celDistinctFor is the fewest distinct characters a token needs for a
// Shannon entropy above minEntropy bits: more than 2^minEntropy.
func celDistinctFor(minEntropy float64) int {
	return int(math.Floor(math.Pow(2, minEntropy))) + 1
}

// celURLCredentials is true when s holds scheme://user:password@host
// whose password is not a placeholder (the scan's pattern and list).
func celURLCredentials(s string) string {
	const re = `([A-Za-z][A-Za-z0-9+.-]{0,30})://([^\s:@/?#]*):([^\s@/?#]+)@([^\s/?#@:]+)`
	pw := `[m.substring(m.indexOf("://") + 3)].map(r, r.substring(r.indexOf(":") + 1, r.indexOf("@")))[0]`
	placeholderPw := `[` + pw + `].exists(p, p.startsWith("$") || p.startsWith("%") || p.lowerAscii() in ` +
		governance.CELStringList([]string{"password", "passwd", "pass", "pwd", "secret", "pw", "user", "xxx", "***"}) + ` || ` + celPlaceholder("p") + `)`
	return `(` + s + `.contains("://") && ` + s + `.contains("@") && ` + celFirstMatches(s, re, "m", `!`+placeholderPw) + `)`
}

// secretsMaxMatches bounds the matches of a rule's pattern in one value
// the policies judge: a value with more candidate tokens is judged on its
// first ones (the scan reads all).
const secretsMaxMatches = 32

// celFirstMatches is true when one of the first secretsMaxMatches
// matches of re in s, named m, satisfies cond: iterating over an index
// list bounds the cost estimate.
func celFirstMatches(s, re, m, cond string) string {
	return `[` + s + `.findAll(` + governance.CELString(re) + `)].map(ms, ` + celIndexList(secretsMaxMatches) +
		`.filter(i, i < size(ms)).exists(i, [ms[i]].exists(` + m + `, ` + cond + `)))[0]`
}

// celPrivateKey is true when s holds a PEM private key header followed by
// a body (up to -----END, lines with ":" left out) of at least 64 base64
// characters, not a placeholder, with 9 distinct characters.
func celPrivateKey(s string) string {
	const header = `-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----`
	body := `(` + s + `.contains("PRIVATE KEY BLOCK-----") ? ` + s + `.split("PRIVATE KEY BLOCK-----")[1] : ` + s + `.split("PRIVATE KEY-----")[1])` +
		`.split("-----END")[0].split("\n").map(l, l.trim()).filter(l, !l.contains(":")).join("")`
	return `(` + s + `.contains("PRIVATE KEY") && ` + s + `.matches(` + governance.CELString(header) + `) && [` + body + `].exists(b, ` +
		`size(b) >= 64 && b.matches("^[A-Za-z0-9+/=]+$") && !` + celPlaceholder("b") + ` && ` + celDistinct("b", 9) + `))`
}
