package governance_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aigov/aigov/governance"
)

// parallelRules are checks enough to keep several workers busy: object
// checks, and inventory checks reading two facts of which one requires
// the other. Each inventory check fails the test if it runs before its
// fact is built.
func parallelRules(t *testing.T, builds *atomic.Int32) []governance.Rule {
	var namesBuilt atomic.Bool
	names := governance.NewFact("names", func(p *governance.Pass) []string {
		builds.Add(1)
		var out []string
		for _, o := range p.Inventory.Objects() {
			out = append(out, o.Name())
		}
		namesBuilt.Store(true)
		return out
	})
	var longBuilt atomic.Bool
	long := governance.NewFact("long-names", func(p *governance.Pass) []string {
		builds.Add(1)
		if !namesBuilt.Load() {
			t.Error("long-names built before the names it requires")
		}
		var out []string
		for _, n := range names.Of(p) {
			if len(n) > 4 {
				out = append(out, n)
			}
		}
		longBuilt.Store(true)
		return out
	}, names)
	var rules []governance.Rule
	for i := range 12 {
		id := fmt.Sprintf("inv-%02d", i)
		rules = append(rules, governance.Rule{Check: governance.Check{ID: id, Severity: governance.Severity(i % 5),
			Requires: []governance.FactRef{long},
			Inventory: func(p *governance.Pass) []governance.Finding {
				if !longBuilt.Load() {
					t.Errorf("%s ran before the fact it requires was built", id)
				}
				var out []governance.Finding
				for _, n := range long.Of(p) {
					if o := p.Inventory.Get(governance.Key{Kind: "ConfigMap", Namespace: "ai", Name: n}); o != nil {
						out = append(out, governance.Finding{Object: o.Ref(), Message: id + " " + n})
					}
				}
				return out
			}}})
		rules = append(rules, governance.Rule{Check: governance.Check{ID: fmt.Sprintf("obj-%02d", i),
			Severity: governance.Severity(4 - i%5),
			Object: func(o *governance.Object) []governance.Violation {
				if len(o.Name())%3 == i%3 {
					return []governance.Violation{{Path: "metadata.name", Message: fmt.Sprint("obj ", i)}}
				}
				return nil
			}}})
	}
	return rules
}

// configMaps is n ConfigMaps of namespace ai named prefix and a number.
func configMaps(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s%d, namespace: ai}\n", prefix, i*37%1000)
	}
	return b.String()
}

// TestRunOnSeveralCoresIsSequentialRun: the findings of a run on several
// goroutines equal, in order, those of a run on one, and each fact is
// built once per run.
func TestRunOnSeveralCoresIsSequentialRun(t *testing.T) {
	var builds atomic.Int32
	e, err := governance.NewEngine(parallelRules(t, &builds)...)
	if err != nil {
		t.Fatal(err)
	}
	inv := loadString(t, "cms.yaml", configMaps("cm", 40))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	sequential := e.Run(inv)
	if len(sequential) < 100 {
		t.Fatalf("%d findings, want enough to tell orders apart", len(sequential))
	}
	for _, procs := range []int{2, 4, 8} {
		runtime.GOMAXPROCS(procs)
		builds.Store(0)
		got := e.Run(inv)
		if !reflect.DeepEqual(got, sequential) {
			t.Errorf("GOMAXPROCS %d: findings differ from the sequential run:\n%s\nwant\n%s", procs, findingLines(got), findingLines(sequential))
		}
		if n := builds.Load(); n != 2 {
			t.Errorf("GOMAXPROCS %d: %d fact builds, want 2 (each fact once)", procs, n)
		}
	}
}

// TestRunProgress: the engine reports the facts being built and the checks
// done, one report at a time, ending with everything done.
func TestRunProgress(t *testing.T) {
	var builds atomic.Int32
	rules := parallelRules(t, &builds)
	var reports []governance.Progress
	base, err := governance.NewEngine(rules...)
	if err != nil {
		t.Fatal(err)
	}
	e := base.WithProgress(func(p governance.Progress) { reports = append(reports, p) })
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	e.Run(loadString(t, "cms.yaml", configMaps("cm", 10)))
	if len(reports) < 2 {
		t.Fatalf("%d reports", len(reports))
	}
	first, last := reports[0], reports[len(reports)-1]
	want := governance.Progress{Phase: governance.PhaseRun, Facts: 2, Checks: len(rules)}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first report %+v, want %+v", first, want)
	}
	want.FactsDone, want.ChecksDone = 2, len(rules)
	if !reflect.DeepEqual(last, want) {
		t.Errorf("last report %+v, want %+v", last, want)
	}
	var building []string
	for i, p := range reports[1:] {
		prev := reports[i]
		if p.FactsDone < prev.FactsDone || p.ChecksDone < prev.ChecksDone {
			t.Errorf("report %d goes back: %+v after %+v", i+1, p, prev)
		}
		for _, name := range p.Building {
			if !slices.Contains(building, name) {
				building = append(building, name)
			}
		}
	}
	if strings.Join(building, ",") != "names,long-names" {
		t.Errorf("facts reported as being built: %v, want names then long-names", building)
	}
	// The engine with progress is a copy: the original reports nothing.
	n := len(reports)
	base.Run(loadString(t, "cms.yaml", configMaps("cm", 3)))
	if len(reports) != n {
		t.Errorf("the engine WithProgress was called on reported %d times", len(reports)-n)
	}
}

// TestRunPanicReachesTheCaller: a check that panics on a worker goroutine
// panics RunPass's caller with its value, as a sequential run would.
func TestRunPanicReachesTheCaller(t *testing.T) {
	var builds atomic.Int32
	rules := append(parallelRules(t, &builds), governance.Rule{Check: governance.Check{ID: "boom",
		Severity: governance.SeverityLow, Inventory: func(*governance.Pass) []governance.Finding { panic("boom") }}})
	e, err := governance.NewEngine(rules...)
	if err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("recovered %v, want the check's panic", p)
		}
	}()
	e.Run(loadString(t, "cms.yaml", configMaps("cm", 5)))
	t.Error("Run returned")
}

// TestLoaderProgress: the loader reports each file as it starts reading it
// and once decoded, with the files and objects read since the last Build.
func TestLoaderProgress(t *testing.T) {
	dir := t.TempDir()
	for name, n := range map[string]int{"a.yaml": 2, "b.yaml": 1} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(configMaps(strings.TrimSuffix(name, ".yaml"), n)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l := newLoader(t)
	var got []string
	l.Progress = func(p governance.Progress) {
		if p.Phase != governance.PhaseLoad {
			t.Errorf("phase %v", p.Phase)
		}
		got = append(got, fmt.Sprintf("%s %d %d", filepath.Base(p.File), p.Files, p.Objects))
	}
	if _, err := l.Load(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Load(filepath.Join(dir, "b.yaml")); err != nil {
		t.Fatal(err)
	}
	want := []string{"a.yaml 0 0", "a.yaml 1 2", "b.yaml 1 2", "b.yaml 2 3", // the directory
		"b.yaml 0 0", "b.yaml 1 1"} // a new Load counts anew
	if !slices.Equal(got, want) {
		t.Errorf("reports\n%q\nwant\n%q", got, want)
	}
}
