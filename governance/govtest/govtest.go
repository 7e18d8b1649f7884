package govtest

import (
	"fmt"
	"strings"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// T is what the helpers need of a test: *testing.T and *testing.B satisfy
// it, and so does any testify TestingT with Helper.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// Load reads manifests (files, directories, "-" is not useful in tests)
// the way `aigov check -f` does and fails the test, naming file, document
// and line, when any document does not load.
func Load(t T, paths ...string) *governance.Inventory {
	t.Helper()
	require.NotEmpty(t, paths, "govtest.Load: no paths")
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.Load(paths...)
	require.NoError(t, err, "loading %s", strings.Join(paths, ", "))
	return inv
}

// LoadRecursive is Load with sub-directories (kubectl -R).
func LoadRecursive(t T, paths ...string) *governance.Inventory {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	loader.Recursive = true
	inv, err := loader.Load(paths...)
	require.NoError(t, err, "loading %s", strings.Join(paths, ", "))
	return inv
}

// Findings runs rules over inv and returns the sorted findings. Without
// rules it runs catalog.Default(), as `aigov check` does.
func Findings(t T, inv *governance.Inventory, rules ...governance.Rule) []governance.Finding {
	t.Helper()
	if len(rules) == 0 {
		var err error
		rules, err = catalog.Default()
		require.NoError(t, err)
	}
	engine, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	return engine.Run(inv)
}

// NoFindings asserts that rules (default: catalog.Default()) find nothing
// in inv, listing every finding otherwise.
func NoFindings(t T, inv *governance.Inventory, rules ...governance.Rule) bool {
	t.Helper()
	fs := Findings(t, inv, rules...)
	if len(fs) == 0 {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("%d findings, want none", len(fs)), Format(fs))
}

// HasFinding asserts that findings hold one of check (a catalog ID, or
// "custom-cel/NAME" for a named entry) about object, written "Kind/name"
// or "namespace/Kind/name".
func HasFinding(t T, findings []governance.Finding, check, object string) bool {
	t.Helper()
	if len(FindingsOf(findings, check, object)) > 0 {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("no %s finding about %s", check, object), "findings:\n%s", Format(findings))
}

// NoFinding asserts that findings hold nothing of check about object (see
// HasFinding for the forms).
func NoFinding(t T, findings []governance.Finding, check, object string) bool {
	t.Helper()
	got := FindingsOf(findings, check, object)
	if len(got) == 0 {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("unexpected %s finding about %s", check, object), Format(got))
}

// FindingsOf returns the findings of check about object (see HasFinding);
// an empty check or object matches any.
func FindingsOf(findings []governance.Finding, check, object string) []governance.Finding {
	var out []governance.Finding
	for _, f := range findings {
		if check != "" && f.Check != check && f.Check+"/"+f.Name != check {
			continue
		}
		if object != "" && f.Object.String() != object && f.Object.Namespace+"/"+f.Object.String() != object {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Format renders findings one per line, "severity check namespace/Kind/name
// path: message", for failure messages.
func Format(findings []governance.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		check := f.Check
		if f.Name != "" {
			check += "/" + f.Name
		}
		fmt.Fprintf(&b, "%s %s %s/%s %s: %s\n", f.Severity, check, f.Object.Namespace, f.Object, f.Path, f.Message)
	}
	return b.String()
}
