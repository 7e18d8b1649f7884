package catalog

import (
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
	"github.com/aigov/aigov/quota"
	"github.com/aigov/aigov/rbac"
	"github.com/aigov/aigov/secrets"
)

// loadExample loads examples/multitenant/dir. The platform (dir ".") has
// a vector database, provider-key Secrets, team RoleBindings and network
// policies, so every catalog fact has a non-empty value.
func loadExample(t *testing.T, dir string) *governance.Inventory {
	t.Helper()
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.Load(filepath.Join("..", "..", "examples", "multitenant", dir))
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// catalogFacts are the facts the catalog's checks may read.
func catalogFacts() []governance.FactRef {
	return []governance.FactRef{netpol.GraphFact, rbac.GraphFact, secrets.ExposureFact,
		secrets.ScanFact(secrets.OriginSource), secrets.ScanFact(secrets.OriginCluster),
		ClassificationFact, AssetsFact, workloadEndpointsFact, netEdgesFact, gatewayRoutesFact, quota.LedgerFact}
}

// factIdentity returns the address of a catalog fact's value in pass
// (its pointer, or the backing array of a slice or map): two builds of a
// fact give two addresses as long as the first is alive (the caller keeps
// v). It computes the fact if needed.
func factIdentity(t *testing.T, pass *governance.Pass, f governance.FactRef) (id uintptr, v any) {
	t.Helper()
	switch f {
	case netpol.GraphFact:
		v = netpol.GraphFact.Of(pass)
	case rbac.GraphFact:
		v = rbac.GraphFact.Of(pass)
	case secrets.ExposureFact:
		v = secrets.ExposureFact.Of(pass)
	case secrets.ScanFact(secrets.OriginSource):
		v = secrets.ScanFact(secrets.OriginSource).Of(pass)
	case secrets.ScanFact(secrets.OriginCluster):
		v = secrets.ScanFact(secrets.OriginCluster).Of(pass)
	case ClassificationFact:
		v = ClassificationFact.Of(pass)
	case AssetsFact:
		v = AssetsFact.Of(pass)
	case workloadEndpointsFact:
		v = workloadEndpointsFact.Of(pass)
	case netEdgesFact:
		v = netEdgesFact.Of(pass)
	case gatewayRoutesFact:
		v = gatewayRoutesFact.Of(pass)
	case quota.LedgerFact:
		v = quota.LedgerFact.Of(pass)
	default:
		t.Fatalf("fact %s is not a catalog fact", f.FactName())
	}
	return reflect.ValueOf(v).Pointer(), v
}

// requiresClosure is the facts fs name and the facts those require.
func requiresClosure(fs []governance.FactRef) map[governance.FactRef]bool {
	out := map[governance.FactRef]bool{}
	var visit func(f governance.FactRef)
	visit = func(f governance.FactRef) {
		if out[f] {
			return
		}
		out[f] = true
		for _, d := range f.FactRequires() {
			visit(d)
		}
	}
	for _, f := range fs {
		visit(f)
	}
	return out
}

// TestFactsComputedOncePerRun runs the default catalog twice over one
// inventory, every inventory check wrapped to record the value of each
// fact it requires: within a run, every check sees the same value (one
// build however many checks require it), and the second run builds its
// own (no cache outlives a run). Every value seen is kept until the end:
// a freed value's address may be reused by the next run's build, which
// would then look like the same value.
func TestFactsComputedOncePerRun(t *testing.T) {
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[governance.FactRef]map[uintptr]int{} // identity → checks that saw it
	var alive []any                                  // every value seen, so that no address is reused
	for i := range rules {
		c := &rules[i].Check
		if c.Inventory == nil {
			continue
		}
		inner, requires := c.Inventory, c.Requires
		c.Inventory = func(pass *governance.Pass) []governance.Finding {
			for f := range requiresClosure(requires) {
				id, v := factIdentity(t, pass, f)
				mu.Lock()
				alive = append(alive, v)
				if seen[f] == nil {
					seen[f] = map[uintptr]int{}
				}
				seen[f][id]++
				mu.Unlock()
			}
			return inner(pass)
		}
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		t.Fatal(err)
	}
	inv := loadExample(t, ".")
	defer runtime.KeepAlive(&alive)
	for run := 1; run <= 2; run++ {
		if len(engine.Run(inv)) == 0 {
			t.Fatal("no findings")
		}
		for _, f := range catalogFacts() {
			if f == secrets.ScanFact(secrets.OriginCluster) {
				continue // no default check reads the cluster scan
			}
			ids := seen[f]
			if len(ids) != run {
				t.Errorf("run %d: fact %s has %d values, want %d (one per run)", run, f.FactName(), len(ids), run)
			}
			readers := 0
			for id, n := range ids {
				if id == 0 {
					t.Errorf("fact %s is empty over examples/multitenant", f.FactName())
				}
				readers += n
			}
			want := run // secrets.Exposure and the endpoint index have one reader
			if f == netpol.GraphFact || f == rbac.GraphFact || f == ClassificationFact || f == netEdgesFact ||
				f == secrets.ScanFact(secrets.OriginSource) {
				want = 2 * run
			}
			if readers < want {
				t.Errorf("run %d: fact %s read by %d checks, want at least %d", run, f.FactName(), readers, want)
			}
		}
	}
}

// TestDirectCheckWithNewPass: a check built by its exported constructor,
// outside any Definitions list and engine, computes the facts it needs in
// the pass it is given.
func TestDirectCheckWithNewPass(t *testing.T) {
	c, err := NewVectorDBIsolation(nil)
	if err != nil {
		t.Fatal(err)
	}
	inv := loadExample(t, ".")
	pass := governance.NewPass(inv)
	got := c.Inventory(pass)
	if len(got) == 0 || got[0].Object.Name != "redis-stack" || !strings.Contains(got[0].Message, "cv-team/cv-notebook") {
		t.Errorf("findings %+v, want redis-stack reachable from cv-team/cv-notebook", got)
	}
	for _, f := range c.Requires {
		if !pass.Computed(f) {
			t.Errorf("fact %s not computed in the pass", f.FactName())
		}
	}
	if pass.Computed(rbac.GraphFact) {
		t.Error("rbac.Graph computed for a network check")
	}
	// The same check over another pass sees that pass's inventory.
	if fs := c.Inventory(governance.NewPass(loadExample(t, "fixed"))); len(fs) != 0 {
		t.Errorf("fixed platform: %d findings, want none: %+v", len(fs), fs)
	}
}

// requiresViolations runs c over pass and lists the facts of known it
// computed that its requires do not name (directly or through the facts
// they require).
func requiresViolations(c governance.Check, requires []governance.FactRef, pass *governance.Pass, known []governance.FactRef) []string {
	c.Inventory(pass)
	allowed := requiresClosure(requires)
	var out []string
	for _, f := range known {
		if pass.Computed(f) && !allowed[f] {
			out = append(out, f.FactName())
		}
	}
	return out
}

// TestDefinitionsRequireTruthfully runs every inventory check of the
// catalog (defaults of each definition) on a fresh pass and asserts that
// it computed only facts its definition requires, and that the check's
// Requires are among the definition's; object checks require nothing.
func TestDefinitionsRequireTruthfully(t *testing.T) {
	inv := loadExample(t, ".")
	known := catalogFacts()
	defs := Definitions()
	for _, d := range defs {
		for f := range requiresClosure(d.Requires) {
			if !slices.Contains(known, f) {
				known = append(known, f)
			}
		}
	}
	for _, d := range defs {
		if requiresParams(d) {
			continue
		}
		c, err := d.New(nil)
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		declared := requiresClosure(d.Requires)
		for _, f := range c.Requires {
			if !declared[f] {
				t.Errorf("%s: the check requires %s, its definition does not", d.ID, f.FactName())
			}
		}
		if c.Inventory == nil {
			if len(c.Requires) > 0 || len(d.Requires) > 0 {
				t.Errorf("%s: an object check requires facts", d.ID)
			}
			continue
		}
		if bad := requiresViolations(c, d.Requires, governance.NewPass(inv), known); len(bad) > 0 {
			t.Errorf("%s computed %v, which its definition does not require", d.ID, bad)
		}
	}
	// The test would see an undeclared read.
	liar := governance.Check{ID: "liar", Inventory: func(p *governance.Pass) []governance.Finding {
		rbac.GraphFact.Of(p)
		return nil
	}}
	if bad := requiresViolations(liar, nil, governance.NewPass(inv), known); !slices.Equal(bad, []string{"rbac.Graph"}) {
		t.Errorf("undeclared read of rbac.Graph: violations %v", bad)
	}
	if bad := requiresViolations(liar, []governance.FactRef{secrets.ExposureFact}, governance.NewPass(inv), known); len(bad) != 0 {
		t.Errorf("rbac.Graph required through secrets.Exposure: violations %v", bad)
	}
}
