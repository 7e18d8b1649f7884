package rbac_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

func lintKeys(fs []governance.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check+" "+f.Object.Kind+"/"+f.Object.Namespace+"/"+f.Object.Name+" "+f.Path)
	}
	return out
}

// TestLintFail: every rule fires on its case in testdata/lint/fail.yaml,
// and nothing else is reported.
func TestLintFail(t *testing.T) {
	fs := rbac.Lint(load(t, "testdata/lint/fail.yaml"))
	want := []string{
		"rbac-empty-rule Role/llm/typos rules[2]",
		"rbac-invalid-nonresourceurls Role/llm/typos rules[3].nonResourceURLs",
		"rbac-binding-missing-role RoleBinding/llm/dangling roleRef.name",
		"rbac-missing-serviceaccount ClusterRoleBinding//nsless subjects[0]",
		"rbac-resourcenames-verb Role/llm/typos rules[1].verbs[1]",
		"rbac-resourcenames-verb Role/llm/typos rules[1].verbs[2]",
		"rbac-resourcenames-verb Role/llm/typos rules[1].verbs[3]",
		"rbac-unknown-resource Role/llm/typos rules[0].resources[0]",
		"rbac-unknown-resource Role/llm/typos rules[0].resources[1]",
		"rbac-unknown-resource Role/llm/typos rules[0].resources[2]",
		"rbac-unknown-verb Role/llm/typos rules[0].verbs[1]",
		"rbac-unknown-verb Role/llm/typos rules[0].verbs[2]",
		"rbac-missing-serviceaccount RoleBinding/llm/dangling subjects[0]",
		"rbac-missing-serviceaccount RoleBinding/llm/dangling subjects[3]",
		"rbac-empty-rule ClusterRole//empty rules",
	}
	got := lintKeys(fs)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lint findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	msgs := map[string]string{}
	for _, f := range fs {
		msgs[f.Path+" "+f.Check] = f.Message
		if f.Object.Source.File == "" || f.Remediation == "" {
			t.Errorf("finding without source or remediation: %+v", f)
		}
	}
	for path, sub := range map[string]string{
		"rules[0].resources[0] rbac-unknown-resource": `did you mean "log"?`,
		"rules[0].resources[1] rbac-unknown-resource": "is not a wildcard",
		"rules[0].resources[2] rbac-unknown-resource": `served in group "apps"`,
		"rules[0].verbs[1] rbac-unknown-verb":         `did you mean "get"?`,
		"rules[0].verbs[2] rbac-unknown-verb":         `carry "create"`,
	} {
		if !strings.Contains(msgs[path], sub) {
			t.Errorf("%s: message %q lacks %q", path, msgs[path], sub)
		}
	}
}

// TestLintPass: valid rules — kubelet and impersonation subresources,
// custom verbs of extension groups, named subresource creates, the default
// service account — are true negatives.
func TestLintPass(t *testing.T) {
	if fs := rbac.Lint(load(t, "testdata/lint/pass.yaml")); len(fs) != 0 {
		t.Errorf("unexpected findings:\n%s", strings.Join(lintKeys(fs), "\n"))
	}
}

// TestChecks: every check is an inventory check with an rbac- ID, a
// description, a remediation and the kinds it reads, takes no parameters,
// and builds a check that matches its definition; the definitions are
// fresh on every call.
func TestChecks(t *testing.T) {
	defs := rbac.Checks()
	if len(defs) != 8 {
		t.Errorf("%d checks, want 8", len(defs))
	}
	seen := map[string]bool{}
	for i, d := range defs {
		// The checks that judge a role alone have a ValidatingAdmissionPolicy.
		perRole := []string{"rbac-empty-rule", "rbac-invalid-nonresourceurls", "rbac-resourcenames-verb", "rbac-unknown-resource", "rbac-unknown-verb"}
		if seen[d.ID] || !strings.HasPrefix(d.ID, "rbac-") || d.Description == "" || len(d.Kinds) == 0 || d.VAP != slices.Contains(perRole, d.ID) || len(d.Requires) == 0 {
			t.Errorf("bad definition %+v", d)
		}
		if i > 0 && defs[i-1].ID >= d.ID {
			t.Errorf("%s after %s: not in ID order", d.ID, defs[i-1].ID)
		}
		seen[d.ID] = true
		c, err := d.New(nil)
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		if err := c.Validate(); err != nil || c.Inventory == nil || c.ID != d.ID || c.Severity != d.Severity ||
			c.Remediation == "" || !slices.Equal(c.Aliases, d.Aliases) || d.VAP != (c.Admission != nil) {
			t.Errorf("%s: check %+v (%v) does not match its definition", d.ID, c, err)
		}
		if _, err := d.New(json.RawMessage(`{"max": 1}`)); err == nil {
			t.Errorf("%s: accepted params", d.ID)
		}
	}
	defs[0].Kinds[0] = "changed"
	if rbac.Checks()[0].Kinds[0] == "changed" {
		t.Error("Checks shares state between calls")
	}
}

// TestUnknownResourceAbsorbsNonexistentSubresource: the former catalog
// check rbac-nonexistent-subresource is an alias of rbac-unknown-resource:
// a policy naming it runs rbac-unknown-resource, whose findings carry the
// surviving ID, and an exemption naming it exempts the role.
func TestUnknownResourceAbsorbsNonexistentSubresource(t *testing.T) {
	d, err := governance.Lookup(rbac.Checks(), "rbac-nonexistent-subresource")
	if err != nil || d.ID != "rbac-unknown-resource" {
		t.Fatalf("Lookup(rbac-nonexistent-subresource) = %q, %v", d.ID, err)
	}
	c, err := d.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := governance.NewEngine(governance.Rule{Check: c})
	if err != nil {
		t.Fatal(err)
	}
	role := func(name, annotations string) string {
		return "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: " + name + ", namespace: ml" + annotations +
			"}\nrules:\n- {apiGroups: [\"\"], resources: [pods/logs], verbs: [get]}\n"
	}
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.LoadBytes("roles.yaml", []byte(role("plain", "")+"---\n"+
		role("exempt", ", annotations: {aigov.dev/exempt: rbac-nonexistent-subresource, aigov.dev/exempt-reason: reviewed}")))
	if err != nil {
		t.Fatal(err)
	}
	got := lintKeys(e.Run(inv))
	if want := []string{"rbac-unknown-resource Role/ml/plain rules[0].resources[0]"}; !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}
