package internal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// forbiddenDep says why importPath may not be in a light package's
// dependencies, or "" when it may.
func forbiddenDep(importPath string) string {
	under := func(prefix string) bool {
		return importPath == prefix || strings.HasPrefix(importPath, prefix+"/")
	}
	switch {
	case under("k8s.io/apiserver/pkg/apis"):
		return "" // types only: audit Policy and Event, EncryptionConfiguration
	case under("k8s.io/apiserver"):
		return "k8s.io/apiserver outside pkg/apis is imported only under cel"
	case under("k8s.io/client-go"):
		return "k8s.io/client-go is imported only by the live-cluster source and the test environment"
	case under("github.com/spf13/cobra"):
		return "cobra is imported only by cmd/aigov"
	case under("github.com/google/cel-go"):
		return "cel-go is imported only under cel"
	case under("sigs.k8s.io/kustomize"):
		return "kustomize is imported only by the kustomize source"
	}
	return ""
}

func TestForbiddenDep(t *testing.T) {
	for path, bad := range map[string]bool{
		"k8s.io/apiserver/pkg/apis/audit/v1":          false,
		"k8s.io/apiserver/pkg/apis/apiserver":         false,
		"k8s.io/apiserver/pkg/apis":                   false,
		"k8s.io/apiserver/pkg/admission":              true,
		"k8s.io/apiserver/pkg/cel/environment":        true,
		"k8s.io/apiserver":                            true,
		"k8s.io/apiserverx/foo":                       false,
		"k8s.io/client-go/kubernetes":                 true,
		"k8s.io/client-go":                            true,
		"github.com/spf13/cobra":                      true,
		"github.com/spf13/pflag":                      false,
		"github.com/google/cel-go/cel":                true,
		"sigs.k8s.io/kustomize/api/krusty":            true,
		"sigs.k8s.io/kustomize/kyaml/yaml":            true,
		"k8s.io/api/core/v1":                          false,
		"k8s.io/apimachinery/pkg/apis/meta/v1":        false,
		"sigs.k8s.io/network-policy-api/apis/v1beta1": false,
		"k8s.io/pod-security-admission/policy":        false,
		"k8s.io/component-helpers/scheduling/corev1":  false,
		"github.com/aigov/aigov/governance":           false,
	} {
		if got := forbiddenDep(path) != ""; got != bad {
			t.Errorf("forbiddenDep(%q) = %v, want %v", path, got, bad)
		}
	}
}

// goListPackage is the part of `go list -json` output the chain search needs.
type goListPackage struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

// TestLightPackagesDeps asserts with `go list -deps` that the light
// packages do not depend on the apiserver (beyond its types), client-go,
// cobra, cel-go or kustomize. A violation names the import chain.
func TestLightPackagesDeps(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	// The packages that must stay light to import (DESIGN principle 7).
	for _, pkg := range []string{"governance", "governance/govtest", "rbac", "netpol", "quota", "secrets", "internal/kubeapi", "internal/redact", "internal/safetext"} {
		t.Run(pkg, func(t *testing.T) {
			full := "github.com/aigov/aigov/" + pkg
			deps := goList(t, "-deps", "-f", "{{.ImportPath}}", full)
			var bad []string
			for _, d := range strings.Fields(deps) {
				if forbiddenDep(d) != "" {
					bad = append(bad, d)
				}
			}
			if len(bad) == 0 {
				return
			}
			chains := importChains(t, full)
			for _, d := range bad {
				t.Errorf("%s depends on %s (%s)\n  import chain: %s", full, d, forbiddenDep(d), strings.Join(chains[d], " -> "))
			}
		})
	}
}

func goList(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out.String()
}

// importChains returns, for every dependency of root, one shortest import
// path from root to it (breadth first over `go list -deps -json`).
func importChains(t *testing.T, root string) map[string][]string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(goList(t, "-deps", "-json", root)))
	imports := map[string][]string{}
	for {
		var p goListPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -json: %v", err)
		}
		imports[p.ImportPath] = p.Imports
	}
	chains := map[string][]string{root: {root}}
	queue := []string{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range imports[cur] {
			if _, seen := chains[next]; seen {
				continue
			}
			chains[next] = append(append([]string{}, chains[cur]...), next)
			queue = append(queue, next)
		}
	}
	return chains
}
