package fix_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/fix"
)

// FuzzFix runs Plan and Apply on arbitrary manifests: they never panic,
// the fixed manifest still loads, and a check of it has no finding the
// original did not have. Crashers found are kept under
// testdata/fuzz/FuzzFix and run as seeds by every go test.
func FuzzFix(f *testing.F) {
	for _, dir := range []string{filepath.Join("testdata", "platform"), filepath.Join("..", "..", "examples", "multitenant")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					f.Fatal(err)
				}
				f.Add(data)
			}
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, securityContext: {privileged: true}}]\n"))
	engine, err := governance.NewEngine(rules(f)...)
	if err != nil {
		f.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		f.Fatal(err)
	}
	const name = "manifest.yaml"
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		inv, err := loader.LoadBytes(name, data)
		if err != nil {
			return
		}
		before := engine.Run(inv)
		edits, _ := fix.Plan(inv, before, fix.Options{})
		out, applied, _ := fix.Apply(map[string][]byte{name: data}, edits)
		fixed, changed := out[name]
		if !changed {
			if len(applied) > 0 {
				t.Fatalf("%d edits applied and no file changed", len(applied))
			}
			return
		}
		inv2, err := loader.LoadBytes(name, fixed)
		if err != nil {
			t.Fatalf("the fixed manifest does not load: %v\n%s", err, fixed)
		}
		seen := map[string]bool{}
		for _, f := range before {
			seen[identity(f)] = true
		}
		for _, f := range engine.Run(inv2) {
			if !seen[identity(f)] {
				t.Fatalf("new finding after the fix: %s: %s\nfixed:\n%s", identity(f), f.Message, fixed)
			}
		}
	})
}
