// The ValidatingAdmissionPolicies of the secrets rules that judge one
// object's fields rather than its values: each decides in CEL what the
// rule decides on that object, within a size guard where the object could
// make the policy run long, and its note says what it leaves to the scan.
//
//   - secret-in-last-applied-annotation reads a Secret's
//     kubectl.kubernetes.io/last-applied-configuration annotation and
//     denies one holding a non-empty data or stringData map: client-side
//     kubectl apply is refused before the values reach the annotation.
//   - secret-type-keys-missing reads a Secret's type and the keys of data
//     and stringData, and denies a typed Secret without a key its type
//     requires. The kube-apiserver's own validation refuses such a Secret
//     before admission policies run (ValidateSecret, pkg/apis/core/
//     validation, v1.37.2): the policy is there for offline evaluation
//     (aigov vap test) and audit, as quota-invalid-key's.
//   - secret-volume-unused reads the volumes and the volumeMounts of the
//     containers and init containers of a Pod or a built-in workload's
//     template, and denies a secret volume no container mounts.
//   - secret-literal-sensitive-name reads the env entries of the
//     containers and init containers of a Pod or a built-in workload's
//     template, and denies a literal value under a credential's name that
//     the rule finds secret-looking: the name test (secrets.SensitiveName)
//     and the value tests (placeholders, URL, white space, digits, object
//     reference, entropy) in CEL, the entropy as n·log2 n − Σ c·log2 c
//     from a table of secrets.CLog2C summed in the rule's order.

package catalog

import (
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// secretsObjectAdmission is the policy of one object rule: build makes it
// for an origin (source: origin source), note is its AdmissionNote.
type secretsObjectAdmission struct {
	build func(source bool) *governance.Admission
	note  string
}

// The size guard of secret-volume-unused: a pod spec with more volumes,
// more containers and init containers together, or a container with more
// volume mounts, is admitted and left to the scan (the policy compares
// every secret volume with every mount).
const (
	secretVolumesMaxVolumes    = 64
	secretVolumesMaxContainers = 32
	secretVolumesMaxMounts     = 32
)

// The size guard of secret-literal-sensitive-name: a pod spec with more
// containers and init containers, a container with more env entries, or
// more env values of 8 characters or more under a sensitive name (of at
// most sensitiveEnvMaxNameLen characters, the value of at most
// sensitiveEnvMaxValueLen, ASCII), is admitted and left to the scan; a
// longer name or value, or one outside ASCII (the rule's entropy is over
// bytes, CEL's strings hold characters), is left to the scan.
const (
	sensitiveEnvMaxContainers = 16
	sensitiveEnvMaxEnv        = 64
	sensitiveEnvMaxCandidates = 32
	sensitiveEnvMaxNameLen    = 64
	sensitiveEnvMaxValueLen   = 256
)

// lastAppliedObjectRE follows a quoted key ("data", "stringData") whose
// value is a JSON object with at least one key, as kubectl writes the
// annotation (compact JSON; white space allowed).
const lastAppliedObjectRE = `\s*:\s*\{\s*"`

// lastAppliedMaxLen is the size guard of
// secret-in-last-applied-annotation: a longer annotation is admitted and
// left to the scan. The apiserver caps all of an object's annotations
// together at 256 KiB.
const lastAppliedMaxLen = 65536

func secretsObjectAdmissions() map[string]secretsObjectAdmission {
	return map[string]secretsObjectAdmission{
		secrets.IDInLastAppliedAnnotation: {
			build: func(bool) *governance.Admission { return lastAppliedAdmission() },
			note: "VAP reads the annotation as text (the apiserver's CEL has no JSON decoding), up to " + strconv.Itoa(lastAppliedMaxLen) +
				" characters (a longer one is admitted and left to the scan), and denies, in both origins, a \"data\" or \"stringData\" key " +
				"followed by an object with a key: where the annotation is not JSON, or data or stringData is not an object, the scan also " +
				"reports the bare key, which the VAP leaves to it, as it does keys written with JSON escapes; a non-empty \"data\" object " +
				"nested deeper, which no field of a Secret holds, is denied too",
		},
		secrets.IDTypeKeysMissing: {
			build: func(bool) *governance.Admission { return typeKeysMissingAdmission() },
			note: "VAP repeats the rule (the keys of data and stringData), for offline evaluation: in a cluster the apiserver's own " +
				"validation (ValidateSecret) refuses every Secret this check reports before admission policies run, having merged " +
				"stringData into data (it also refuses what the rule does not report: a kubernetes.io/basic-auth Secret with neither " +
				"username nor password, an empty ssh-privatekey, dockercfg that is not JSON)",
		},
		secrets.IDLiteralSensitiveName: {
			build: func(bool) *governance.Admission { return literalSensitiveNameAdmission() },
			note: "VAP judges the env values of the containers and init containers of Pods and of the pod templates of the built-in " +
				"workloads as the rule does (its name, placeholder and value tests, the entropy computed alike): pod specs of at most " +
				strconv.Itoa(sensitiveEnvMaxContainers) + " containers and init containers of at most " + strconv.Itoa(sensitiveEnvMaxEnv) +
				" env entries each and at most " + strconv.Itoa(sensitiveEnvMaxCandidates) + " values of 8 to " + strconv.Itoa(sensitiveEnvMaxValueLen) +
				" ASCII characters under a credential's name of at most " + strconv.Itoa(sensitiveEnvMaxNameLen) + " characters " +
				"(larger ones are admitted and left to the scan); a name longer than " + strconv.Itoa(sensitiveEnvMaxNameLen) +
				" characters, or a value longer than " + strconv.Itoa(sensitiveEnvMaxValueLen) + " or with a character outside ASCII, is left to the scan; " +
				"ephemeral containers, the AI operators' resources, ConfigMap data, annotations, NAME=VALUE items of command lines and shell scripts " +
				"and MySQL client passwords are left to the scan, and the VAP judges every Pod, one a controller creates too",
		},
		secrets.IDVolumeUnused: {
			build: func(bool) *governance.Admission { return volumeUnusedAdmission() },
			note: "VAP judges Pods and the pod templates of the built-in workloads, pod specs of at most " + strconv.Itoa(secretVolumesMaxVolumes) +
				" volumes and " + strconv.Itoa(secretVolumesMaxContainers) + " containers and init containers of at most " + strconv.Itoa(secretVolumesMaxMounts) +
				" volume mounts each (larger ones are admitted and left to the scan); the AI operators' resources are the scan's, and it judges every Pod, " +
				"one a controller creates too, where the scan reports the controller's template alone when the controller is in its inventory",
		},
	}
}

// lastAppliedAdmission denies a Secret whose last-applied annotation
// (within the size guard) holds a non-empty data or stringData object.
func lastAppliedAdmission() *governance.Admission {
	applied := `object.metadata.?annotations[?` + governance.CELString(secrets.LastAppliedAnnotation) + `].orValue("")`
	holds := func(field string) string {
		return `variables.applied.matches(` + governance.CELString(`"`+field+`"`+lastAppliedObjectRE) + `)`
	}
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"secrets"})},
		Variables: []admissionregistrationv1.Variable{
			{Name: "applied", Expression: applied},
			{Name: "fields", Expression: `size(variables.applied) > ` + strconv.Itoa(lastAppliedMaxLen) + ` ? [] : ` +
				`(` + holds("data") + ` ? ["data"] : []) + (` + holds("stringData") + ` ? ["stringData"] : [])`},
		},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `variables.fields.size() == 0`,
			Message:    "the " + secrets.LastAppliedAnnotation + " annotation must not hold the Secret's data or stringData (" + secrets.IDInLastAppliedAnnotation + ")",
			MessageExpression: `"Secret \"" + object.metadata.name + "\": the ` + secrets.LastAppliedAnnotation + ` annotation holds its " + ` +
				`variables.fields.join(" and ") + " (` + secrets.IDInLastAppliedAnnotation + `): apply Secrets with --server-side"`,
		}},
	}
}

// typeKeysMissingAdmission denies a Secret of a type of
// secrets.RequiredKeys without one of its keys in data or stringData.
func typeKeysMissingAdmission() *governance.Admission {
	required := `[]`
	types := []corev1.SecretType{corev1.SecretTypeSSHAuth, corev1.SecretTypeDockercfg, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeTLS}
	for _, t := range types {
		required = `object.?type.orValue("") == ` + governance.CELString(string(t)) + ` ? ` + governance.CELStringList(secrets.RequiredKeys(t)) + ` : ` + required
	}
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"secrets"})},
		Variables: []admissionregistrationv1.Variable{
			{Name: "missing", Expression: `(` + required + `).filter(k, !object.?data[?k].hasValue() && !object.?stringData[?k].hasValue())`},
		},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `variables.missing.size() == 0`,
			Message:    "a typed Secret must hold the keys its type requires (" + secrets.IDTypeKeysMissing + ")",
			MessageExpression: `"a " + object.type + " Secret requires the key(s) " + variables.missing.map(k, "\"" + k + "\"").join(", ") + ` +
				`" (` + secrets.IDTypeKeysMissing + `)"`,
		}},
	}
}

// volumeUnusedAdmission denies a Pod or workload one of whose pod specs
// (within the size guard) has a secret volume that no container or init
// container mounts. The volumes, containers and mounts are read through
// index lists of the guard's sizes, so that the cost estimate knows their
// number.
func volumeUnusedAdmission() *governance.Admission {
	nv, nc, nm := strconv.Itoa(secretVolumesMaxVolumes), strconv.Itoa(secretVolumesMaxContainers), strconv.Itoa(secretVolumesMaxMounts)
	// cs: the containers and init containers of s; mounted: per
	// container, the names of the volumes it mounts.
	mounted := celIndexList(secretVolumesMaxContainers) + `.filter(j, j < size(cs)).map(j, [cs[j].?volumeMounts.orValue([])].map(ms, ` +
		celIndexList(secretVolumesMaxMounts) + `.filter(k, k < size(ms)).map(k, ms[k].name))[0])`
	beyondGuard := `size(vs) > ` + nv + ` || size(cs) > ` + nc + ` || ` +
		celIndexList(secretVolumesMaxContainers) + `.filter(j, j < size(cs)).exists(j, size(cs[j].?volumeMounts.orValue([])) > ` + nm + `)`
	unusedIn := celIndexList(secretVolumesMaxVolumes) + `.filter(i, i < size(vs)).map(i, vs[i])` +
		`.filter(v, has(v.secret) && !mounted.exists(names, v.name in names)).map(v, v.name)`
	// Per pod spec: the names of its secret volumes no container mounts
	// (none beyond the guard).
	unused := `variables.` + governance.VarPodSpecs + `.map(s, [s.?volumes.orValue([])].map(vs, [` + governance.CELContainersOf("s", false) + `].map(cs, ` +
		beyondGuard + ` ? [] : [` + mounted + `].map(mounted, ` + unusedIn + `)[0])[0])[0])`
	return &governance.Admission{
		Rules: governance.PodAdmissionRules(),
		Variables: append(governance.PodSpecsAdmissionVariables()[:1], // podSpecs
			admissionregistrationv1.Variable{Name: "unusedSecretVolumes", Expression: unused}),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `variables.unusedSecretVolumes.all(names, names.size() == 0)`,
			Message:    "every secret volume must be mounted by a container or init container (" + secrets.IDVolumeUnused + ")",
			MessageExpression: `"secret volume(s) " + variables.unusedSecretVolumes.map(names, names.map(n, "\"" + n + "\"").join(", ")).filter(l, l != "").join(", ") + ` +
				`" mounted by no container or init container (` + secrets.IDVolumeUnused + `)"`,
		}},
	}
}

// literalSensitiveNameAdmission denies a Pod or workload one of whose pod
// specs (within the size guard) has a container or init container with an
// env value the rule reports. The candidates (a sensitive name, a value
// within the guard) are found first; the value tests, the entropy last,
// run on them alone.
func literalSensitiveNameAdmission() *governance.Admission {
	nc, ne := celIndexList(sensitiveEnvMaxContainers), celIndexList(sensitiveEnvMaxEnv)
	candidate := func(e string) string {
		return `[` + e + `.?value.orValue("")].exists(v, size(v) >= 8 && size(v) <= ` + strconv.Itoa(sensitiveEnvMaxValueLen) +
			` && size(` + e + `.name) <= ` + strconv.Itoa(sensitiveEnvMaxNameLen) + ` && size(bytes(v)) == size(v) && ` + celSensitiveName(e+`.name`) + `)`
	}
	// cands: per container, the indexes of its candidate env entries.
	cands := nc + `.filter(j, j < size(cs)).map(j, [cs[j].?env.orValue([])].map(es, ` + ne + `.filter(k, k < size(es) && ` + candidate(`es[k]`) + `))[0])`
	beyondGuard := `size(cs) > ` + strconv.Itoa(sensitiveEnvMaxContainers) + ` || ` +
		nc + `.filter(j, j < size(cs)).exists(j, size(cs[j].?env.orValue([])) > ` + strconv.Itoa(sensitiveEnvMaxEnv) + `)`
	flagged := nc + `.filter(j, j < size(cs)).filter(j, [cs[j].?env.orValue([])].exists(es, ` + ne + `.filter(k, k < size(es))` +
		`.exists(k, k in cands[j] && ` + celSecretLooking(`es[k].value`) + `))).map(j, cs[j].name)`
	perSpec := `variables.` + governance.VarPodSpecs + `.map(s, [` + governance.CELContainersOf("s", false) + `].map(cs, ` + beyondGuard + ` ? [] : ` +
		`[` + cands + `].map(cands, cands.map(l, size(l)).sum() > ` + strconv.Itoa(sensitiveEnvMaxCandidates) + ` ? [] : ` + flagged + `)[0])[0])`
	return &governance.Admission{
		Rules: governance.PodAdmissionRules(),
		Variables: append(governance.PodSpecsAdmissionVariables()[:1], // podSpecs
			admissionregistrationv1.Variable{Name: "ascii", Expression: celASCIINonSpace()},
			admissionregistrationv1.Variable{Name: "clog", Expression: celCLog2CTable(sensitiveEnvMaxValueLen)},
			admissionregistrationv1.Variable{Name: "sensitiveEnvContainers", Expression: perSpec}),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `variables.sensitiveEnvContainers.all(names, names.size() == 0)`,
			Message:    "env values under a credential's name must not be literal, secret-looking values (" + secrets.IDLiteralSensitiveName + ")",
			MessageExpression: `"container(s) " + variables.sensitiveEnvContainers.map(names, names.map(n, "\"" + n + "\"").join(", ")).filter(l, l != "").join(", ") + ` +
				`" hold a literal, secret-looking env value under a credential's name (` + secrets.IDLiteralSensitiveName + `); the value is not repeated: ` +
				`reference a Secret (valueFrom.secretKeyRef)"`,
		}},
	}
}

// celSensitiveName is secrets.SensitiveName in CEL for the string n: a
// sensitive word in the name lower-cased without separators (and
// "tokenizer"), and no non-sensitive suffix of the normalised name, which
// a pattern per suffix decides on n itself: the normalisation puts "_"
// before the suffix when a separator precedes it or a camelCase boundary
// starts it, and none inside it when it is lower case, capitalised or
// upper case.
func celSensitiveName(n string) string {
	compact := n + `.lowerAscii()`
	for _, sep := range []string{"_", "-", ".", "/", " ", "tokenizer"} {
		compact += `.replace(` + governance.CELString(sep) + `, "")`
	}
	words := secrets.SensitiveWords()
	var suffixes []string
	for _, suf := range secrets.NonSensitiveSuffixes() {
		w := strings.TrimPrefix(suf, "_")
		lower, capital, upper := w, strings.ToUpper(w[:1])+w[1:], strings.ToUpper(w)
		re := `(?:[-_./ ](?:` + lower + `|` + capital + `|` + upper + `)|[a-z0-9](?:` + capital + `|` + upper + `)|[A-Z]` + capital + `)$`
		suffixes = append(suffixes, `(l.endsWith(`+governance.CELString(w)+`) && `+n+`.matches(`+governance.CELString(re)+`))`)
	}
	return `[` + n + `.lowerAscii()].exists(l, [` + compact + `].exists(c, ` + governance.CELStringList(words) + `.exists(w, c.contains(w))) && !(` +
		strings.Join(suffixes, " || ") + `))`
}

// celSecretLooking is the rule's value test (secretLooking) in CEL for
// the string v, an ASCII candidate of at least 8 characters: no "://",
// no white space (unicode.IsSpace within ASCII), not a placeholder, not
// all digits, not an object reference, entropy above 3 bits (last: the
// costliest).
func celSecretLooking(v string) string {
	const objectRef = `^[a-z0-9.](?:[a-z0-9.-]*[a-z0-9.])?(?:/[a-z0-9.](?:[a-z0-9.-]*[a-z0-9.])?)+$`
	return `(!` + v + `.contains("://") && !` + v + `.matches("[\\t\\n\\v\\f\\r ]") && !` + celPlaceholder(v) +
		` && !` + v + `.matches("^[0-9]+$") && !` + v + `.matches(` + governance.CELString(objectRef) + `) && ` + celEntropyAbove3(v) + `)`
}

// celEntropyAbove3 is the rule's entropy test (n·log2 n − Σ c·log2 c > 3n)
// for the ASCII string v: the counts of the characters of variables.ascii
// (ascending, as the rule sums them), their c·log2 c from variables.clog.
func celEntropyAbove3(v string) string {
	return `[size(` + v + `)].exists(n, variables.clog[n] - variables.ascii.map(ch, n - size(` + v + `.replace(ch, ""))).filter(c, c > 0)` +
		`.map(c, variables.clog[c]).sum() > 3.0 * double(n))`
}

// celASCIINonSpace lists the ASCII characters but white space, in
// ascending order: the characters of a value the entropy test counts.
func celASCIINonSpace() string {
	var chars []string
	for c := 0; c < 128; c++ {
		switch c {
		case '\t', '\n', '\v', '\f', '\r', ' ':
			continue
		}
		chars = append(chars, string(rune(c)))
	}
	return governance.CELStringList(chars)
}

// celCLog2CTable is the CEL list of secrets.CLog2C(c) for c from 0 (0.0)
// to n, each a double literal that parses to the same float64.
func celCLog2CTable(n int) string {
	parts := make([]string, n+1)
	parts[0] = "0.0"
	for c := 1; c <= n; c++ {
		f := strconv.FormatFloat(secrets.CLog2C(c), 'g', -1, 64)
		if !strings.ContainsAny(f, ".e") {
			f += ".0"
		}
		parts[c] = f
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
