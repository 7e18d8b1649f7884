package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const platform = "../../examples/multitenant"

// aigov runs the CLI in-process and returns exit code, stdout and stderr.
func aigov(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

type jsonReport struct {
	SchemaVersion int `json:"schemaVersion"`
	Objects       int `json:"objects"`
	Findings      []struct {
		Check     string `json:"check"`
		Object    string `json:"object"`
		Namespace string `json:"namespace"`
		Path      string `json:"path"`
		Severity  string `json:"severity"`
		Message   string `json:"message"`
		Known     bool   `json:"known"`
	} `json:"findings"`
}

func TestCheckExamplePlatformJSON(t *testing.T) {
	code, out, stderr := aigov(t, "", "check", "-f", platform, "-o", "json")
	require.Equal(t, 1, code, "the platform has deliberate mistakes: %s", stderr)
	var r jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 1, r.SchemaVersion)
	assert.Equal(t, 88, r.Objects)
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Check+" "+f.Namespace+" "+f.Object+" "+f.Path)
	}
	for _, want := range []string{
		"privileged-container cv-team Job/resnet50-finetune spec.template.spec.containers[0].securityContext.privileged",
		"latest-tag cv-team Deployment/cv-notebook spec.template.spec.containers[0].image",
		"container-limits recs-team Deployment/recommender spec.template.spec.containers[0].resources.limits[cpu]",
	} {
		assert.Contains(t, got, want)
	}
}

func TestCheckFixedPlatformPasses(t *testing.T) {
	code, out, stderr := aigov(t, "", "check", "-f", platform+"/fixed")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "no findings; 88 objects loaded")
}

func TestCheckFailOnThreshold(t *testing.T) {
	code, _, _ := aigov(t, "", "check", "-f", platform, "--fail-on", "CRITICAL")
	assert.Equal(t, 1, code, "a critical finding (privileged) fails at critical")
	code, _, _ = aigov(t, "", "check", "-f", platform+"/fixed", "--fail-on", "low")
	assert.Equal(t, 0, code)
	code, _, stderr := aigov(t, "", "check", "-f", platform, "--fail-on", "severe")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown severity "severe"`)
}

func TestCheckBaselineMakesKnownFindingsPass(t *testing.T) {
	_, out, _ := aigov(t, "", "check", "-f", platform, "-o", "json")
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	require.NoError(t, os.WriteFile(baseline, []byte(out), 0o600))
	code, out, stderr := aigov(t, "", "check", "-f", platform, "--baseline", baseline, "-o", "json")
	require.Equal(t, 0, code, stderr)
	var r jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.NotEmpty(t, r.Findings)
	for _, f := range r.Findings {
		assert.True(t, f.Known, "%s %s", f.Check, f.Object)
	}
}

func TestCheckPolicySelectsChecksAndActions(t *testing.T) {
	code, out, stderr := aigov(t, "", "check", "-f", platform, "--policy", "testdata/policy.yaml", "-o", "json")
	require.Equal(t, 1, code, stderr)
	var r jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	checks := map[string]bool{}
	for _, f := range r.Findings {
		checks[f.Check] = true
	}
	assert.Equal(t, map[string]bool{"privileged-container": true, "latest-tag": true}, checks)

	// latest-tag is Warn: on the fixed platform plus a :latest pod nothing fails.
	code, out, stderr = aigov(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}\n",
		"check", "-f", "-", "--policy", "testdata/policy.yaml", "-o", "json")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, `"check": "latest-tag"`)
}

func TestCheckBadInputExits2NamingFileDocumentLine(t *testing.T) {
	code, _, stderr := aigov(t, "", "check", "-f", "testdata/bad.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "testdata/bad.yaml:9 (document 2)", "the line of the field the type cannot hold")
	assert.Contains(t, stderr, "Deployment")
}

func TestCheckUnknownPolicyCheckExits2WithLine(t *testing.T) {
	code, _, stderr := aigov(t, "", "check", "-f", platform, "--policy", "testdata/unknown-check.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "testdata/unknown-check.yaml:7")
	assert.Contains(t, stderr, `unknown check "no-such-check"`)
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"check"},
		{"check", "-f", platform, "-o", "yaml"},
		{"check", "--no-such-flag"},
		{"no-such-command"},
		{"check", "-f", "does-not-exist.yaml"},
	} {
		code, _, stderr := aigov(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
		assert.NotEmpty(t, stderr, "%v", args)
	}
}

func TestCheckSARIFAndPolicyReport(t *testing.T) {
	_, out, _ := aigov(t, "", "check", "-f", platform, "-o", "sarif")
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &sarif))
	assert.Equal(t, "2.1.0", sarif.Version)
	require.Len(t, sarif.Runs, 1)
	assert.NotEmpty(t, sarif.Runs[0].Results)

	_, out, _ = aigov(t, "", "check", "-f", platform, "-o", "report")
	assert.Contains(t, out, "apiVersion: wgpolicyk8s.io/v1alpha2")
	assert.Contains(t, out, "kind: PolicyReport")
}

func TestChecksListsCatalog(t *testing.T) {
	code, out, _ := aigov(t, "", "checks", "-o", "json")
	require.Equal(t, 0, code)
	var r struct {
		SchemaVersion int `json:"schemaVersion"`
		Checks        []struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
		} `json:"checks"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 1, r.SchemaVersion)
	var ids []string
	for _, c := range r.Checks {
		ids = append(ids, c.ID)
	}
	assert.Contains(t, ids, "allowed-registries")
	assert.Contains(t, ids, "privileged-container")

	code, out, _ = aigov(t, "", "checks")
	require.Equal(t, 0, code)
	for _, id := range ids {
		assert.Regexp(t, `(?m)^`+id+` +(critical|high|medium|low|info) +(yes|no) `, out, "every check has its row")
	}
	for i, line := range strings.Split(out, "\n") {
		assert.LessOrEqual(t, len(line), 100, "line %d is wider than 100 columns: %q", i+1, line)
	}
	// A check whose policy decides less than its Go evaluation says what
	// the policy leaves to the scan.
	assert.Regexp(t, `(?m)^rbac-unknown-resource +low +yes .*\n +VAP leaves to the scan:`, out)
}

func TestVersion(t *testing.T) {
	code, out, _ := aigov(t, "", "version")
	require.Equal(t, 0, code)
	assert.Regexp(t, `^aigov \S+ \(k8s.io/api \S+, go1\.\d+`, out)
}

func TestHelpHasExamples(t *testing.T) {
	for _, cmd := range []string{"check", "checks", "version"} {
		code, out, _ := aigov(t, "", cmd, "--help")
		require.Equal(t, 0, code)
		assert.Contains(t, out, "Examples:", cmd)
	}
}

func TestCheckReadsKustomizationStdinAndRecursiveDirs(t *testing.T) {
	code, out, stderr := aigov(t, "", "check", "-k", "../../governance/kustomize/testdata/base", "-o", "json")
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, out, `"namespace": "nlp-team"`, "kustomize's namespace transformer ran")

	manifest, err := os.ReadFile(platform + "/training.yaml")
	require.NoError(t, err)
	code, out, _ = aigov(t, string(manifest), "check", "-f", "-", "-n", "cv-team", "-o", "json")
	require.Equal(t, 1, code)
	assert.Contains(t, out, `"object": "Job/resnet50-finetune"`)

	// Without -R a directory's sub-directories are not read; with it the
	// fixed/ variant is read too, and its objects collide with the
	// platform's: an input error naming both places.
	code, out, _ = aigov(t, "", "check", "-f", platform, "-o", "json")
	var flat jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &flat))
	assert.Equal(t, 88, flat.Objects)
	code, _, stderr = aigov(t, "", "check", "-f", platform, "-R")
	assert.Equal(t, 2, code)
	assert.Regexp(t, `fixed/00-namespaces.yaml:\d+ \(document \d+\): duplicate object Namespace/cv-team: already defined at .*multitenant/00-namespaces.yaml`, stderr)
}
