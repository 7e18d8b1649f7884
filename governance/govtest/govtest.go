package govtest

import (
	"errors"
	"fmt"
	"slices"
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

// HasFinding asserts that findings hold one of check about object.
//
// check is a check ID or alias of catalog.Definitions() (an alias means
// its check: "sa-token-automount" is automount-token), the exemption
// check's ID, "custom-cel" or "custom-cel/NAME" for a named policy entry,
// or the ID of a check that produced one of findings. Any other ID fails
// the test: a misspelt ID would otherwise make NoFinding pass whatever
// the findings. To assert on checks outside the catalog that may have no
// finding (custom definitions, opt-in secrets rules), or to have
// custom-cel entry names checked, use Run, whose Result knows the rules
// it ran.
//
// object is written in any form aigov prints: "Kind/namespace/name" (the
// text reports), "namespace/Kind/name", or "Kind/name" (the JSON "object"
// field; any namespace, and the whole name of cluster-scoped objects). An
// object in none of these forms fails the test.
func HasFinding(t T, findings []governance.Finding, check, object string) bool {
	t.Helper()
	return hasFinding(t, catalogKnown(findings), findings, check, object)
}

// NoFinding asserts that findings hold nothing of check about object (see
// HasFinding for the IDs and object forms accepted; an unknown ID or a
// malformed object fails the test rather than pass vacuously).
func NoFinding(t T, findings []governance.Finding, check, object string) bool {
	t.Helper()
	return noFinding(t, catalogKnown(findings), findings, check, object)
}

// FindingsOf returns the findings of check (an ID or a catalog alias, see
// HasFinding) about object (any form HasFinding accepts); an empty check
// or object matches any. It does not judge its arguments: an unknown ID
// or a malformed object matches nothing. The assertions do judge them.
func FindingsOf(findings []governance.Finding, check, object string) []governance.Finding {
	return findingsOf(catalogKnown(findings), findings, check, object)
}

// Result is a run of rules over an inventory (see Run): the findings, and
// the IDs, aliases and entry names of the rules that ran, against which
// its assertions judge a check ID.
type Result struct {
	Findings []governance.Finding
	known    known
}

// Run runs rules over inv (default: catalog.Default()) and returns the
// result, whose HasFinding and NoFinding accept exactly the checks that
// ran: their IDs, their aliases, "ID/NAME" for named entries (custom-cel
// rules of a policy file), and the exemption check.
func Run(t T, inv *governance.Inventory, rules ...governance.Rule) *Result {
	t.Helper()
	if len(rules) == 0 {
		var err error
		rules, err = catalog.Default()
		require.NoError(t, err)
	}
	k := known{ids: map[string]string{governance.ExemptionCheckID: governance.ExemptionCheckID}, names: map[string]bool{}}
	for _, r := range rules {
		k.ids[r.Check.ID] = r.Check.ID
		for _, a := range r.Check.Aliases {
			k.ids[a] = r.Check.ID
		}
		if r.Name != "" {
			k.names[r.Check.ID+"/"+r.Name] = true
		}
	}
	return &Result{Findings: Findings(t, inv, rules...), known: k}
}

// HasFinding asserts that the result holds one of check about object (see
// the package function HasFinding for the object forms); check must be
// one of the checks that ran.
func (r *Result) HasFinding(t T, check, object string) bool {
	t.Helper()
	return hasFinding(t, r.known, r.Findings, check, object)
}

// NoFinding asserts that the result holds nothing of check about object;
// check must be one of the checks that ran.
func (r *Result) NoFinding(t T, check, object string) bool {
	t.Helper()
	return noFinding(t, r.known, r.Findings, check, object)
}

// FindingsOf returns the result's findings of check about object (see the
// package function FindingsOf).
func (r *Result) FindingsOf(check, object string) []governance.Finding {
	return findingsOf(r.known, r.Findings, check, object)
}

// known is what an assertion accepts as a check: ids maps every ID and
// alias to its check's ID; names holds "ID/NAME" of named entries; anyName
// accepts "custom-cel/NAME" for every NAME (the package functions, which
// do not know the policy's entries).
type known struct {
	ids     map[string]string
	names   map[string]bool
	anyName bool
}

// customCEL is the ID of cel's custom-cel check, which the catalog does
// not hold (it needs the CEL environment).
const customCEL = "custom-cel"

// catalogKnown accepts the catalog's definitions and aliases, the
// exemption check, custom-cel, and the checks of findings.
func catalogKnown(findings []governance.Finding) known {
	k := known{ids: map[string]string{governance.ExemptionCheckID: governance.ExemptionCheckID, customCEL: customCEL},
		names: map[string]bool{}, anyName: true}
	for _, d := range catalog.Definitions() {
		k.ids[d.ID] = d.ID
		for _, a := range d.Aliases {
			k.ids[a] = d.ID
		}
	}
	for _, f := range findings {
		if _, ok := k.ids[f.Check]; !ok {
			k.ids[f.Check] = f.Check
		}
		if f.Name != "" {
			k.names[f.Check+"/"+f.Name] = true
		}
	}
	return k
}

// resolve returns the check ID and entry name check means, or an error
// for a check the run does not know.
func (k known) resolve(check string) (id, name string, err error) {
	if id, ok := k.ids[check]; ok {
		return id, "", nil
	}
	if k.names[check] {
		id, name, _ = strings.Cut(check, "/")
		return id, name, nil
	}
	if base, name, ok := strings.Cut(check, "/"); ok && name != "" {
		if id, ok := k.ids[base]; ok && (k.anyName && id == customCEL) {
			return id, name, nil
		}
	}
	msg := fmt.Sprintf("unknown check %q: no check of the run has this ID, alias or entry name", check)
	if near := k.nearest(check); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return "", "", errors.New(msg)
}

// nearest returns the known ID or entry name s is a slip of, if any: the
// one that differs from s in a single stretch of at most two characters
// (a typo, a transposition, a letter left out or doubled).
func (k known) nearest(s string) string {
	best := ""
	consider := func(c string) {
		if slip(s, c) && (best == "" || c < best) {
			best = c
		}
	}
	for id := range k.ids {
		consider(id)
	}
	for n := range k.names {
		consider(n)
	}
	return best
}

// slip reports whether a and b differ only in one stretch of at most two
// characters on either side.
func slip(a, b string) bool {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	q := 0
	for q < len(a)-p && q < len(b)-p && a[len(a)-1-q] == b[len(b)-1-q] {
		q++
	}
	return a != b && len(a)-p-q <= 2 && len(b)-p-q <= 2
}

// objectForm is a parsed object argument: the readings it allows.
type objectForm struct {
	readings []governance.ObjectRef // Namespace "*" = any namespace
}

// parseObject reads "Kind/name", "Kind/namespace/name" or
// "namespace/Kind/name". Kubernetes names hold no "/", so the parts are
// unambiguous up to which of the two three-part forms is meant; both are
// tried.
func parseObject(object string) (objectForm, error) {
	parts := strings.Split(object, "/")
	if slices.Contains(parts, "") || len(parts) < 2 || len(parts) > 3 {
		return objectForm{}, fmt.Errorf("object %q is not Kind/name, Kind/namespace/name or namespace/Kind/name", object)
	}
	if len(parts) == 2 {
		return objectForm{[]governance.ObjectRef{{Kind: parts[0], Namespace: "*", Name: parts[1]}}}, nil
	}
	return objectForm{[]governance.ObjectRef{
		{Kind: parts[0], Namespace: parts[1], Name: parts[2]},
		{Kind: parts[1], Namespace: parts[0], Name: parts[2]},
	}}, nil
}

func (o objectForm) matches(r governance.ObjectRef) bool {
	for _, w := range o.readings {
		if w.Kind == r.Kind && w.Name == r.Name && (w.Namespace == "*" || w.Namespace == r.Namespace) {
			return true
		}
	}
	return false
}

// selector is a resolved (check, object) pair; empty parts match any.
type selector struct {
	id, name string
	object   *objectForm
}

func (k known) selector(check, object string) (selector, error) {
	var s selector
	if check != "" {
		var err error
		if s.id, s.name, err = k.resolve(check); err != nil {
			return s, err
		}
	}
	if object != "" {
		o, err := parseObject(object)
		if err != nil {
			return s, err
		}
		s.object = &o
	}
	return s, nil
}

func (s selector) matches(f governance.Finding) bool {
	if s.id != "" && (f.Check != s.id || (s.name != "" && f.Name != s.name)) {
		return false
	}
	return s.object == nil || s.object.matches(f.Object)
}

func findingsOf(k known, findings []governance.Finding, check, object string) []governance.Finding {
	s, err := k.selector(check, object)
	if err != nil {
		return nil
	}
	var out []governance.Finding
	for _, f := range findings {
		if s.matches(f) {
			out = append(out, f)
		}
	}
	return out
}

func hasFinding(t T, k known, findings []governance.Finding, check, object string) bool {
	t.Helper()
	if _, err := k.selector(check, object); err != nil {
		return assert.Fail(t, "govtest.HasFinding: "+err.Error())
	}
	if len(findingsOf(k, findings, check, object)) > 0 {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("no %s finding about %s", check, object), "findings:\n%s", Format(findings))
}

func noFinding(t T, k known, findings []governance.Finding, check, object string) bool {
	t.Helper()
	if _, err := k.selector(check, object); err != nil {
		return assert.Fail(t, "govtest.NoFinding: "+err.Error())
	}
	got := findingsOf(k, findings, check, object)
	if len(got) == 0 {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("unexpected %s finding about %s", check, object), Format(got))
}

// Format renders findings one per line, "severity check Kind/namespace/name
// path: message" (the object as the text reports print it), for failure
// messages.
func Format(findings []governance.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		check := f.Check
		if f.Name != "" {
			check += "/" + f.Name
		}
		fmt.Fprintf(&b, "%s %s %s %s: %s\n", f.Severity, check, f.Object.Display(), f.Path, f.Message)
	}
	return b.String()
}
