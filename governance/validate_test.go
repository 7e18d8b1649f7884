package governance_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/aigov/aigov/governance"
)

// loadMode loads one in-memory file under a validation mode.
func loadMode(t *testing.T, mode governance.ValidationMode, name, data string) (*governance.Inventory, error) {
	t.Helper()
	l := newLoader(t)
	l.Validation = mode
	return l.LoadBytes(name, []byte(data))
}

const protsPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: ai}
spec:
  podSelector: {matchLabels: {app: vectordb}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: llm}}}]
    prots:
    - port: 5432
`

const containerzDeployment = `apiVersion: v1
kind: ConfigMap
metadata: {name: first, namespace: ai}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: llm, namespace: ai}
spec:
  selector: {matchLabels: {app: llm}}
  template:
    metadata: {labels: {app: llm}}
    spec:
      containerz:
      - name: server
        image: vllm/vllm-openai:v0.6.0
`

const protsPolicyJSON = `{
  "apiVersion": "networking.k8s.io/v1",
  "kind": "NetworkPolicy",
  "metadata": {"name": "db", "namespace": "ai"},
  "spec": {
    "podSelector": {},
    "ingress": [
      {"from": [{"podSelector": {}}],
       "prots": [{"port": 5432}]}
    ]
  }
}
`

const protsPolicyList = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: first, namespace: ai}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: db, namespace: ai}
  spec:
    podSelector: {}
    ingress:
    - prots: [{port: 5432}]
`

// Unknown fields under kubectl's three --validate modes: an error at the
// field's line, a warning with the object loaded, or nothing.
func TestUnknownFieldsByValidationMode(t *testing.T) {
	tests := []struct {
		name, file, input string
		key               governance.Key
		want              string // the error (strict) or warning (warn)
		field             string
	}{{
		name: "NetworkPolicy prots", file: "np.yaml", input: protsPolicy,
		key:   governance.Key{Group: "networking.k8s.io", Kind: "NetworkPolicy", Namespace: "ai", Name: "db"},
		want:  `np.yaml:8 (document 1): NetworkPolicy: unknown field "spec.ingress[0].prots"`,
		field: "spec.ingress[0].prots",
	}, {
		name: "Deployment containerz in the second document", file: "deploy.yaml", input: containerzDeployment,
		key:   governance.Key{Group: "apps", Kind: "Deployment", Namespace: "ai", Name: "llm"},
		want:  `deploy.yaml:13 (document 2): Deployment: unknown field "spec.template.spec.containerz"`,
		field: "spec.template.spec.containerz",
	}, {
		name: "JSON", file: "np.json", input: protsPolicyJSON,
		key:   governance.Key{Group: "networking.k8s.io", Kind: "NetworkPolicy", Namespace: "ai", Name: "db"},
		want:  `np.json:9 (document 1): NetworkPolicy: unknown field "spec.ingress[0].prots"`,
		field: "spec.ingress[0].prots",
	}, {
		name: "List item", file: "list.yaml", input: protsPolicyList,
		key:   governance.Key{Group: "networking.k8s.io", Kind: "NetworkPolicy", Namespace: "ai", Name: "db"},
		want:  `list.yaml:13 (document 1, item 1): NetworkPolicy: unknown field "spec.ingress[0].prots"`,
		field: "spec.ingress[0].prots",
	}, {
		name: "misspelt metadata of a custom resource", file: "cr.yaml",
		input: "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: llama\n  namespace: ai\n  lables: {team: a}\nspec: {anything: goes}\n",
		key:   governance.Key{Group: "serving.kserve.io", Kind: "InferenceService", Namespace: "ai", Name: "llama"},
		want:  `cr.yaml:6 (document 1): InferenceService: unknown field "metadata.lables"`,
		field: "metadata.lables",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := loadMode(t, governance.ValidationStrict, tc.file, tc.input)
			if got := strings.Join(errorLines(err), "\n"); got != tc.want {
				t.Errorf("strict: error\n%s\nwant\n%s", got, tc.want)
			}
			if !governance.IsInputError(err) {
				t.Errorf("strict: %T is not an input error", err)
			}
			var fe *governance.FieldError
			if !errors.As(err, &fe) || fe.Path != tc.field || fe.Duplicate {
				t.Errorf("strict: field error %+v", fe)
			}

			inv, err = loadMode(t, governance.ValidationWarn, tc.file, tc.input)
			if err != nil {
				t.Fatalf("warn: %v", err)
			}
			if fmt.Sprint(inv.Warnings) != fmt.Sprint([]string{tc.want}) {
				t.Errorf("warn: warnings %q, want %q", inv.Warnings, tc.want)
			}
			o := mustGet(t, inv, tc.key)
			if fmt.Sprint(o.UnknownFields) != fmt.Sprint([]string{tc.field}) {
				t.Errorf("warn: unknown fields %q", o.UnknownFields)
			}

			inv, err = loadMode(t, governance.ValidationIgnore, tc.file, tc.input)
			if err != nil || len(inv.Warnings) > 0 {
				t.Fatalf("ignore: %v, warnings %q", err, inv.Warnings)
			}
			if o := mustGet(t, inv, tc.key); fmt.Sprint(o.UnknownFields) != fmt.Sprint([]string{tc.field}) {
				t.Errorf("ignore: unknown fields %q", o.UnknownFields)
			}
		})
	}
}

// What the misspelt NetworkPolicy means once loaded leniently: its rule has
// no ports, so it admits every port — the reason strict is the default.
func TestProtsOpensEveryPort(t *testing.T) {
	inv, err := loadMode(t, governance.ValidationIgnore, "np.yaml", protsPolicy)
	if err != nil {
		t.Fatal(err)
	}
	np := governance.Typed[*networkingv1.NetworkPolicy](inv)[0]
	if len(np.Spec.Ingress[0].Ports) != 0 {
		t.Errorf("ports %v", np.Spec.Ingress[0].Ports)
	}
	if _, err := newLoader(t).LoadBytes("np.yaml", []byte(protsPolicy)); err == nil {
		t.Error("the default loader accepted the misspelt NetworkPolicy")
	}
	inv, err = loadMode(t, governance.ValidationIgnore, "deploy.yaml", containerzDeployment)
	if err != nil {
		t.Fatal(err)
	}
	if d := governance.Typed[*appsv1.Deployment](inv)[0]; len(d.Spec.Template.Spec.Containers) != 0 {
		t.Errorf("containers %v", d.Spec.Template.Spec.Containers)
	}
}

func TestCustomResourceBodyIsExempt(t *testing.T) {
	for _, mode := range []governance.ValidationMode{governance.ValidationStrict, governance.ValidationWarn} {
		inv, err := loadMode(t, mode, "cr.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: ai}\nspec: {predictor: {anything: goes}}\n")
		if err != nil || len(inv.Warnings) > 0 || inv.Len() != 1 {
			t.Errorf("%s: %v, warnings %q, %d objects", mode, err, inv.Warnings, inv.Len())
		}
	}
}

// The pod templates of an AI operator's custom resource have a known
// schema (the core pod spec): a misspelt field in them is a field error
// like one in a Deployment, while the rest of the body stays exempt.
func TestOperatorPodTemplateIsValidated(t *testing.T) {
	const input = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: llama, namespace: ai}\nspec:\n  predictor:\n    containerz: []\n"
	_, err := loadMode(t, governance.ValidationStrict, "cr.yaml", input)
	want := `cr.yaml:6 (document 1): InferenceService: unknown field "spec.predictor.containerz"`
	if got := strings.Join(errorLines(err), "\n"); got != want {
		t.Errorf("strict: error %q, want %q", got, want)
	}
	inv, err := loadMode(t, governance.ValidationWarn, "cr.yaml", input)
	if err != nil || len(inv.Warnings) != 1 || inv.Len() != 1 {
		t.Errorf("warn: %v, warnings %q, %d objects", err, inv.Warnings, inv.Len())
	}
}

// The kube-apiserver refuses an EncryptionConfiguration with a field it
// does not know (metadata included: the type has none), whatever kubectl
// would do with an API object.
func TestEncryptionConfigurationIsAlwaysStrict(t *testing.T) {
	const input = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
metadata:
  name: enc
resources:
- resources: [secrets]
  providers:
  - aescbc:
      keys: [{name: key1, secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==}]
  - identity: {}
`
	for _, mode := range []governance.ValidationMode{governance.ValidationStrict, governance.ValidationWarn, governance.ValidationIgnore} {
		_, err := loadMode(t, mode, "enc.yaml", input)
		want := `enc.yaml:3 (document 1): EncryptionConfiguration: unknown field "metadata"`
		if got := strings.Join(errorLines(err), "\n"); got != want {
			t.Errorf("%s: error %q, want %q", mode, got, want)
		}
	}
	inv, err := loadMode(t, governance.ValidationStrict, "enc.yaml", strings.Replace(input, "metadata:\n  name: enc\n", "", 1))
	if err != nil || inv.Len() != 1 {
		t.Errorf("valid EncryptionConfiguration: %v", err)
	}
}

// An audit Policy is read as the kube-apiserver reads it: strictly, then
// leniently with a warning; its unknown fields stay recorded for
// audit-policy-lint.
func TestAuditPolicyFallsBackToLenient(t *testing.T) {
	const input = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  users: [system:kube-proxy]
- level: Metadata
  namespaceSelector:
    matchLabels: {team: ml}
`
	want := `audit.yaml:7 (document 1): Policy: unknown field "rules[1].namespaceSelector" (the kube-apiserver decodes the policy leniently and ignores it)`
	for _, mode := range []governance.ValidationMode{governance.ValidationStrict, governance.ValidationWarn, governance.ValidationIgnore} {
		inv, err := loadMode(t, mode, "audit.yaml", input)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		var wantWarnings []string
		if mode != governance.ValidationIgnore {
			wantWarnings = []string{want}
		}
		if fmt.Sprint(inv.Warnings) != fmt.Sprint(wantWarnings) {
			t.Errorf("%s: warnings %q, want %q", mode, inv.Warnings, wantWarnings)
		}
		if inv.Len() != 1 || fmt.Sprint(inv.Objects()[0].UnknownFields) != "[rules[1].namespaceSelector]" {
			t.Errorf("%s: objects %d, unknown fields %v", mode, inv.Len(), inv.Objects()[0].UnknownFields)
		}
	}
}

// Duplicate keys follow the mode too; under warn and ignore the last value
// counts, as in kubectl's lenient decoding.
func TestDuplicateFieldsByValidationMode(t *testing.T) {
	for _, tc := range []struct{ file, input, want string }{
		{"dup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: ai}\ndata:\n  k: one\n  k: two\n",
			`dup.yaml:1 (document 1): invalid YAML: line 6: key "k" already set in map`},
		{"dup.json", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n \"metadata\": {\"name\": \"cm\", \"namespace\": \"ai\"},\n \"data\": {\"k\": \"one\",\n  \"k\": \"two\"}}\n",
			`dup.json:4 (document 1): duplicate field "data.k"`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := loadMode(t, governance.ValidationStrict, tc.file, tc.input)
			if got := strings.Join(errorLines(err), "\n"); got != tc.want {
				t.Errorf("strict: %q, want %q", got, tc.want)
			}
			for _, mode := range []governance.ValidationMode{governance.ValidationWarn, governance.ValidationIgnore} {
				inv, err := loadMode(t, mode, tc.file, tc.input)
				if err != nil {
					t.Fatalf("%s: %v", mode, err)
				}
				o := mustGet(t, inv, governance.Key{Kind: "ConfigMap", Namespace: "ai", Name: "cm"})
				if got := o.Obj.(interface{ GetName() string }).GetName(); got != "cm" {
					t.Errorf("name %q", got)
				}
				if data := fmt.Sprint(o.Obj); !strings.Contains(data, "k: two") {
					t.Errorf("%s: the last value does not count: %s", mode, data)
				}
				if (mode == governance.ValidationWarn) != (len(inv.Warnings) == 1) {
					t.Errorf("%s: warnings %q", mode, inv.Warnings)
				}
			}
		})
	}
}

func TestParseValidationMode(t *testing.T) {
	for in, want := range map[string]governance.ValidationMode{
		"strict": governance.ValidationStrict, "true": governance.ValidationStrict, "STRICT": governance.ValidationStrict,
		"warn": governance.ValidationWarn, "ignore": governance.ValidationIgnore, "false": governance.ValidationIgnore,
	} {
		if got, err := governance.ParseValidationMode(in); err != nil || got != want {
			t.Errorf("%q: %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "lenient", "1"} {
		if _, err := governance.ParseValidationMode(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if governance.ValidationWarn.String() != "warn" {
		t.Errorf("String %q", governance.ValidationWarn.String())
	}
}

// Names, namespaces and labels the kube-apiserver refuses are input errors
// at the field's line, quoted, and the object does not load; the rule is
// the kind's.
func TestInvalidNames(t *testing.T) {
	obj := func(apiVersion, kind, meta string) string {
		return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n" + meta
	}
	const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters"
	tests := []struct {
		name, input string
		want        string // "" is valid
	}{
		{"newline", obj("v1", "ConfigMap", "  namespace: ai\n  name: \"evil\\nname\"\n"),
			`names.yaml:5 (document 1): ConfigMap: metadata.name: Invalid value: "evil\nname": ` + subdomainMsg},
		{"escape sequence", obj("v1", "Secret", "  name: \"a\\e[31mred\"\n"),
			`names.yaml:4 (document 1): Secret: metadata.name: Invalid value: "a\x1b[31mred": ` + subdomainMsg},
		{"uppercase", obj("apps/v1", "Deployment", "  name: LLM\n"),
			`names.yaml:4 (document 1): Deployment: metadata.name: Invalid value: "LLM": ` + subdomainMsg},
		{"dotted subdomain", obj("apps/v1", "Deployment", "  name: llm.v2\n"), ""},
		{"namespace is a label", obj("v1", "Namespace", "  name: team.a\n"),
			`names.yaml:4 (document 1): Namespace: metadata.name: Invalid value: "team.a": must not contain dots`},
		{"service is a DNS-1035 label", obj("v1", "Service", "  name: 1api\n"),
			`names.yaml:4 (document 1): Service: metadata.name: Invalid value: "1api": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`},
		{"statefulset is a label", obj("apps/v1", "StatefulSet", "  name: db.primary\n"), "StatefulSet: metadata.name: Invalid value"},
		{"role may have a colon", obj("rbac.authorization.k8s.io/v1", "ClusterRole", "  name: system:aggregate-to-view\n"), ""},
		{"role may not have a slash", obj("rbac.authorization.k8s.io/v1", "Role", "  name: a/b\n"),
			`names.yaml:4 (document 1): Role: metadata.name: Invalid value: "a/b": may not contain '/'`},
		{"role may not be ..", obj("rbac.authorization.k8s.io/v1", "RoleBinding", "  name: ..\n"),
			`names.yaml:4 (document 1): RoleBinding: metadata.name: Invalid value: "..": may not be '..'`},
		// A path segment may hold a control character: the apiserver
		// accepts it, so must the loader (output escapes it).
		{"role with a newline", obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "  name: \"a\\nb\"\n"), ""},
		{"custom resource", obj("serving.kserve.io/v1beta1", "InferenceService", "  name: Llama\n"), "InferenceService: metadata.name: Invalid value: \"Llama\""},
		{"generateName may end in a dash", obj("batch/v1", "Job", "  generateName: train-\n"), ""},
		{"generateName", obj("batch/v1", "Job", "  generateName: \"Train\\n\"\n"), "Job: metadata.generateName: Invalid value: \"Train\\n\""},
		{"namespace", obj("v1", "Pod", "  name: p\n  namespace: \"ai\\n\"\n"),
			`names.yaml:5 (document 1): Pod: metadata.namespace: Invalid value: "ai\n": a lowercase RFC 1123 label`},
		{"namespace of a cluster-scoped object is cleared", obj("rbac.authorization.k8s.io/v1", "ClusterRole", "  name: r\n  namespace: Whatever\n"), ""},
		{"label value", obj("v1", "ConfigMap", "  name: c\n  labels:\n    team: \"a b\"\n"),
			`names.yaml:5 (document 1): ConfigMap: metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters`},
		{"label key", obj("v1", "ConfigMap", "  name: c\n  labels:\n    \"Example.com/team\": a\n"),
			`names.yaml:5 (document 1): ConfigMap: metadata.labels: Invalid value: "Example.com/team": prefix part a lowercase RFC 1123 subdomain`},
		{"valid labels", obj("v1", "ConfigMap", "  name: c\n  labels: {app.kubernetes.io/name: vllm, team: \"\", A_b.c-D: X}\n"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := loadMode(t, governance.ValidationIgnore, "names.yaml", tc.input)
			if tc.want == "" {
				if err != nil || inv.Len() != 1 {
					t.Fatalf("valid name refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n%s\nwant it to contain\n%s", err, tc.want)
			}
			if strings.ContainsAny(err.Error(), "\n\x1b") {
				t.Errorf("raw control character in %q", err)
			}
			if inv.Len() != 0 {
				t.Errorf("the object loaded")
			}
		})
	}
}

// writeFile writes a file under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The input budget bounds the bytes of all files read between two Builds;
// the file that crosses it is named, and no further file is read.
func TestInputBudget(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	b := writeFile(t, dir, "b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
	writeFile(t, dir, "c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	size := int64(len("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"))

	l := newLoader(t)
	l.MaxInputBytes = 2*size - 1
	inv, err := l.Load(dir)
	if err == nil {
		t.Fatal("no error")
	}
	var list governance.ErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Source.File != b || !strings.Contains(err.Error(), "--max-input-bytes") {
		t.Fatalf("error %v, want one naming %s", err, b)
	}
	if inv.Len() != 1 || inv.Objects()[0].Name() != "a" {
		t.Errorf("loaded %d objects", inv.Len())
	}
	// The budget is per load, exactly inclusive.
	l.MaxInputBytes = 2 * size
	if _, err := l.Load(a, b); err != nil {
		t.Errorf("two files within the budget: %v", err)
	}
	if _, err := l.Load(a, b); err != nil {
		t.Errorf("the budget was not reset by the last load: %v", err)
	}
	// Standard input counts too.
	l.MaxInputBytes = size - 1
	l.Stdin = strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	if _, err := l.Load("-"); err == nil || !strings.HasPrefix(err.Error(), "-: ") {
		t.Errorf("stdin over the budget: %v", err)
	}
}

// A JSON file may start with a byte order mark, as a YAML file may.
func TestByteOrderMark(t *testing.T) {
	for name, input := range map[string]string{
		"bom.json":   "\ufeff{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}\n",
		"list.json":  "\ufeff[{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}]",
		"bom.yaml":   "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"space.json": "\ufeff\n  {\"apiVersion\": \"v1\",\n \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}, \"dataz\": {}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			inv, err := loadMode(t, governance.ValidationWarn, name, input)
			if err != nil || inv.Len() != 1 {
				t.Fatalf("%v", err)
			}
			if name == "space.json" && fmt.Sprint(inv.Warnings) != `[space.json:3 (document 1): ConfigMap: unknown field "dataz"]` {
				t.Errorf("warnings %q", inv.Warnings)
			}
		})
	}
}

// --policy files are bounded as manifest documents are.
func TestPolicyFileLimit(t *testing.T) {
	dir := t.TempDir()
	big := writeFile(t, dir, "big.yaml", policyHead+"  checks: []\n#"+strings.Repeat("x", governance.MaxDocumentBytes)+"\n")
	_, err := governance.LoadPolicyFile(big)
	var ie *governance.InputError
	if !errors.As(err, &ie) || ie.Source.File != big || !strings.Contains(err.Error(), "larger than 16777216 bytes") {
		t.Errorf("error %v", err)
	}
	ok := writeFile(t, dir, "ok.yaml", policyHead+"  checks: []\n")
	if _, err := governance.LoadPolicyFile(ok); err != nil {
		t.Errorf("%v", err)
	}
	if _, err := governance.LoadPolicyFile(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
}
