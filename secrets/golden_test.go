package secrets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aigov/aigov/internal/golden"
)

// goldenManifests renders testdata/golden/manifests.yaml.tmpl with the fake
// keys.
func goldenManifests(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", "manifests.yaml.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	keys := fakeKeys()
	keys["pem"] = strings.ReplaceAll(pem("RSA ", fake("golden-pem", 200, b64)), "\n", `\n`)
	var pairs []string
	for id, k := range keys {
		raw := strings.ReplaceAll(k, `\n`, "\n")
		pairs = append(pairs, "@@"+id+"@@", k, "@@b64:"+id+"@@", b64enc(raw))
	}
	return strings.NewReplacer(pairs...).Replace(string(b))
}

type goldenFinding struct {
	Rule      string `json:"rule"`
	Severity  string `json:"severity"`
	Object    string `json:"object"`
	Namespace string `json:"namespace"`
	Path      string `json:"path"`
	Provider  string `json:"provider"`
	Message   string `json:"message"`
}

// TestGolden runs every rule over the golden manifests in both origins and
// compares with testdata/golden/findings-<origin>.json. Run
// `go test -run TestGolden -update` to rewrite after an intended change.
func TestGolden(t *testing.T) {
	inv := mustLoad(t, goldenManifests(t))
	s, err := NewScanner(Config{Rules: AllRules()})
	if err != nil {
		t.Fatal(err)
	}
	for _, origin := range []Origin{OriginSource, OriginCluster} {
		findings := s.Scan(inv, origin)
		failing := map[string]bool{}
		var out []goldenFinding
		for _, f := range findings {
			if strings.HasPrefix(f.Object.Name, "pass-") && f.Rule != IDEnvReference && f.Rule != IDNotImmutable && f.Rule != IDDataInSource {
				t.Errorf("%s: %s passes by name but has %s at %s", origin, f.Object, f.Rule, f.Path)
			}
			failing[f.Object.String()] = true
			out = append(out, goldenFinding{f.Rule, f.Severity.String(), f.Object.String(), f.Object.Namespace, f.Path, f.Provider, f.Message})
		}
		for _, o := range inv.Objects() {
			if strings.HasPrefix(o.Name(), "fail-") && !failing[o.Kind()+"/"+o.Name()] {
				t.Errorf("%s: %s/%s fails by name but has no finding", origin, o.Kind(), o.Name())
			}
		}
		got, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		golden.Assert(t, filepath.Join("testdata", "golden", "findings-"+origin.String()+".json"), got)
	}
}
