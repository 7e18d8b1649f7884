package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestVAPGenerateWritesOnlyPoliciesAndBindings(t *testing.T) {
	code, out, errOut := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/policy.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	docs := strings.Split(out, "\n---\n")
	// allowed-registries and latest-tag also get their policy on the AI
	// operators' custom resources; custom-cel and the six checks of
	// RBAC, Kyverno, quota and secrets one each.
	if len(docs) != 22 {
		t.Fatalf("want 11 policies + 11 bindings, got %d documents", len(docs))
	}
	for i, d := range docs {
		want := "kind: ValidatingAdmissionPolicy\n"
		if i%2 == 1 {
			want = "kind: ValidatingAdmissionPolicyBinding\n"
		}
		if !strings.Contains(d, want) {
			t.Errorf("document %d is not a %s", i, want)
		}
	}
	for _, s := range []string{"validationActions:\n  - Warn", "operator: NotIn", "pods/ephemeralcontainers", "failurePolicy: Fail", "matchPolicy: Equivalent"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

func TestVAPGenerateCompileErrorExits2NamingRuleAndVersion(t *testing.T) {
	code, out, errOut := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/needs-1.33.yaml")
	if code != 2 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, s := range []string{`semver-rule`, "needs Kubernetes 1.33 or newer (target 1.30)", "needs-1.33.yaml:6"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
	if code, _, errOut := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/needs-1.33.yaml", "--kube-version", "1.33"); code != 0 {
		t.Errorf("--kube-version 1.33: exit %d: %s", code, errOut)
	}
	if code, _, _ := aigov(t, "", "check", "--policy", "testdata/vap/needs-1.33.yaml", "-f", "testdata/vap/objects.yaml"); code != 2 {
		t.Errorf("check --policy with a rule too new for the target: exit %d, want 2", code)
	}
}

func TestVAPTestJSON(t *testing.T) {
	code, out, errOut := aigov(t, "", "vap", "test", "--policy", "testdata/vap/policy.yaml", "-f", "testdata/vap/objects.yaml", "-o", "json")
	if code != 1 {
		t.Fatalf("exit %d (want 1: a pod is denied): %s", code, errOut)
	}
	var got struct {
		SchemaVersion int `json:"schemaVersion"`
		Results       []struct {
			Object, Namespace, Decision string
			Warnings, Messages          []string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	decisions := map[string]string{}
	for _, r := range got.Results {
		decisions[r.Object] = r.Decision
		if r.Object == "Pod/web" && (len(r.Messages) != 1 || !strings.Contains(r.Messages[0], `registry "docker.io"`) || len(r.Warnings) != 1) {
			t.Errorf("Pod/web: messages %q warnings %q", r.Messages, r.Warnings)
		}
	}
	// One failing and one passing object per check (kyverno-deprecated-
	// action warns: its entry's action is Warn).
	want := map[string]string{"Namespace/team-a": "allow", "Pod/ok": "allow", "Pod/web": "deny",
		"Role/log-reader-typo": "deny", "Role/log-reader": "allow",
		"ClusterPolicy/require-owner-deprecated": "allow", "ClusterPolicy/require-owner": "allow",
		"ResourceQuota/gpu-typo": "deny", "ResourceQuota/gpu": "allow",
		"Secret/hf-token": "deny", "Secret/settings": "allow",
		"ConfigMap/db-url": "deny", "ConfigMap/db-url-from-env": "allow",
		"ConfigMap/ssh-key": "deny", "ConfigMap/ssh-public-key": "allow"}
	denialBy := map[string]string{"Role/log-reader-typo": "rbac-unknown-resource", "ResourceQuota/gpu-typo": "quota-invalid-key",
		"Secret/hf-token": "secret-literal-provider-key", "ConfigMap/db-url": "secret-url-credentials", "ConfigMap/ssh-key": "secret-private-key-material"}
	for _, r := range got.Results {
		if id, ok := denialBy[r.Object]; ok && (len(r.Messages) != 1 || !strings.Contains(r.Messages[0], "'aigov-ai-platform-"+id+"'")) {
			t.Errorf("%s: messages %q, want one of %s's policy", r.Object, r.Messages, id)
		}
		if want := r.Object == "ClusterPolicy/require-owner-deprecated"; want != (len(r.Warnings) == 1 && strings.Contains(r.Warnings[0], "kyverno-deprecated-action")) && r.Object != "Pod/web" {
			t.Errorf("%s: warnings %q", r.Object, r.Warnings)
		}
	}
	if got.SchemaVersion != 1 || len(decisions) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for k, v := range want {
		if decisions[k] != v {
			t.Errorf("%s: %s, want %s", k, decisions[k], v)
		}
	}
}

func TestVAPTestWithGeneratedYAML(t *testing.T) {
	_, vaps, _ := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/policy.yaml")
	dir := t.TempDir()
	path := dir + "/vaps.yaml"
	if err := writeFile(path, vaps); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := aigov(t, "", "vap", "test", "--policy", path, "-f", "testdata/vap/objects.yaml")
	if code != 1 || !strings.Contains(out, "deny\tPod/team-a/web") || !strings.Contains(out, "allow\tPod/team-a/ok") {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}
}

func writeFile(path, data string) error { return os.WriteFile(path, []byte(data), 0o600) }

func TestVAPGenerateCostComments(t *testing.T) {
	code, out, errOut := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/policy.yaml", "--cost")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "# aigov estimated cost: "); n != 11 {
		t.Errorf("%d cost comments, want one per policy:\n%s", n, out)
	}
	for _, s := range []string{"validations[0].expression: ", "runtime budget 10000000", "# warning: "} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
	if _, plain, _ := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/policy.yaml"); strings.Contains(plain, "# aigov") {
		t.Error("cost comments without --cost")
	}
}
