package cel

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/aigov/aigov/governance"
)

// compiledEntries caches, for the tests of this package, the in-process
// admission of each entry's generated policies: compiling the policies of
// the operators' kinds takes seconds each (the CEL checker over their
// large expressions), and the differential tests judge hundreds of
// objects with the same entry. Keyed by compileKey; an *Admission serves
// any number of requests.
var compiledEntries sync.Map

type compiledEntry struct {
	once sync.Once
	gs   []Generated
	adm  *Admission
	err  error
}

// compileKey identifies what GenerateEntry's output depends on: the
// compiler's target version, the policies' name prefix and the entry (the
// definitions are always testDefinitions()).
func compileKey(t testing.TB, comp *Compiler, prefix string, entry governance.PolicyEntry) string {
	t.Helper()
	b, err := json.Marshal(entry)
	if err != nil {
		t.Fatal(err)
	}
	return comp.target.String() + "\x00" + prefix + "\x00" + string(b)
}

// compiled generates entry's policies with comp, named after prefix, and
// compiles them for in-process admission, once per package run.
func compiled(t testing.TB, comp *Compiler, prefix string, entry governance.PolicyEntry) *compiledEntry {
	t.Helper()
	v, _ := compiledEntries.LoadOrStore(compileKey(t, comp, prefix, entry), &compiledEntry{})
	ce := v.(*compiledEntry)
	ce.once.Do(func() {
		ce.gs, ce.err = comp.GenerateEntry(prefix, entry, testDefinitions())
		if ce.err == nil {
			ce.adm, ce.err = NewAdmission(Policies(ce.gs))
		}
	})
	if ce.err != nil {
		t.Fatalf("%s: %v", entry.ID, ce.err)
	}
	return ce
}

// entryAdmission is the in-process admission of the policies comp
// generates for entry, named after prefix.
func entryAdmission(t testing.TB, comp *Compiler, prefix string, entry governance.PolicyEntry) *Admission {
	t.Helper()
	return compiled(t, comp, prefix, entry).adm
}

// entryPolicies is what comp.GenerateEntry(prefix, entry,
// testDefinitions()) returns, the policies and bindings copied for the
// caller to change.
func entryPolicies(t testing.TB, comp *Compiler, prefix string, entry governance.PolicyEntry) []Generated {
	t.Helper()
	gs := append([]Generated(nil), compiled(t, comp, prefix, entry).gs...)
	for i := range gs {
		gs[i].Policy, gs[i].Binding = gs[i].Policy.DeepCopy(), gs[i].Binding.DeepCopy()
	}
	return gs
}
