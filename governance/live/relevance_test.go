package live

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// catalogRules builds every catalog check with its defaults, with the
// definitions they come from.
func catalogRules(t *testing.T) ([]governance.Definition, []governance.Rule) {
	t.Helper()
	var defs []governance.Definition
	var rules []governance.Rule
	for _, d := range catalog.Definitions() {
		c, err := d.New(nil)
		if err != nil {
			continue // needs parameters; its check is built the same way with them
		}
		defs = append(defs, d)
		rules = append(rules, governance.Rule{Check: c})
	}
	return defs, rules
}

// kindWord matches a kind's name in a definition's Kinds text, singular
// or plural ("Service", "Services", "NetworkPolicies").
func kindWord(kind string) *regexp.Regexp {
	plural := kind + "s"
	switch {
	case strings.HasSuffix(kind, "y"):
		plural = strings.TrimSuffix(kind, "y") + "ies"
	case strings.HasSuffix(kind, "s"):
		plural = kind + "es"
	}
	return regexp.MustCompile(`\b(` + regexp.QuoteMeta(kind) + `|` + regexp.QuoteMeta(plural) + `)\b`)
}

// TestKindReadersCoverTheCatalog pins knownReaders to the catalog: every
// name the table gives exists, a kind appears in one entry at most, an
// inventory check whose Definition.Kinds names a kind of the table is
// touched by a change of that kind, and the catalog's inventory checks
// are the ones reviewed against the table (a new one fails here until it
// is added to the table or to reviewed).
func TestKindReadersCoverTheCatalog(t *testing.T) {
	defs, rules := catalogRules(t)
	r := newRelevance(rules)

	inventory := map[string]bool{}
	for _, rule := range rules {
		if rule.Check.Inventory != nil {
			inventory[rule.Check.ID] = true
		}
	}
	seen := map[schema.GroupKind]bool{}
	for _, kr := range knownReaders() {
		for _, gk := range kr.kinds {
			if seen[gk] {
				t.Errorf("kind %v is in two entries of knownReaders", gk)
			}
			seen[gk] = true
		}
		for _, f := range kr.facts {
			if _, ok := r.facts[f]; !ok {
				t.Errorf("knownReaders names fact %q, which no catalog check requires", f)
			}
		}
		for _, id := range kr.checks {
			if !inventory[id] {
				t.Errorf("knownReaders names check %q, which is not an inventory check of the catalog", id)
			}
		}
	}

	// The closed readers name facts and checks of the catalog, and list
	// every kind whose entry of knownReaders names them.
	for name, kinds := range closedFacts() {
		if _, ok := r.facts[name]; !ok {
			t.Errorf("closedFacts names fact %q, which no catalog check requires", name)
		}
		for _, kr := range knownReaders() {
			for _, gk := range kr.kinds {
				if slices.Contains(kr.facts, name) && !slices.Contains(kinds, gk) {
					t.Errorf("knownReaders says %v is read by %s, closedFacts does not list it", gk, name)
				}
			}
		}
	}
	for id, kinds := range closedChecks() {
		if !inventory[id] {
			t.Errorf("closedChecks names check %q, which is not an inventory check of the catalog", id)
		}
		for _, kr := range knownReaders() {
			for _, gk := range kr.kinds {
				if slices.Contains(kr.checks, id) && !slices.Contains(kinds, gk) {
					t.Errorf("knownReaders says %v is read by %s, closedChecks does not list it", gk, id)
				}
			}
		}
	}

	for i, d := range defs {
		if rules[i].Check.Inventory == nil {
			continue
		}
		text := strings.Join(d.Kinds, " ")
		for gk := range seen {
			if kindWord(gk.Kind).MatchString(text) && !r.ruleTouched(gk, i) {
				t.Errorf("check %s names %s in its kinds (%q) but a %v change does not touch it", d.ID, gk.Kind, text, gk)
			}
		}
	}

	// reviewed are the catalog's inventory checks, each read against the
	// analyzers' sources when the table was last changed.
	reviewed := []string{
		"ai-internet-egress", "ai-serviceaccount-permissions", "ai-workload-own-serviceaccount",
		"cross-team-reachability", "encryption-identity-first", "encryption-secrets-not-covered",
		"gpu-above-limitrange-max", "gpu-limitrange-cap", "gpu-request-limit-mismatch", "gpu-without-quota",
		"inference-exposure", "inference-pool-selects-non-model-servers", "namespace-default-deny",
		"pod-security-level", "provider-key-secret-exposure", "ray-dashboard-exposure",
		"rbac-binding-missing-role", "rbac-empty-rule", "rbac-invalid-nonresourceurls",
		"rbac-missing-serviceaccount", "rbac-resourcenames-verb", "rbac-unknown-resource",
		"rbac-unknown-verb", "rbac-wildcard-team-grant", "route-to-other-team",
		// run-as-non-root's inventory part reads workloads (pods and
		// custom resources, in no entry of the table).
		"run-as-non-root",
		"secret-data-in-source", "secret-data-invalid-base64", "secret-in-last-applied-annotation",
		"secret-literal-provider-key", "secret-literal-sensitive-name", "secret-private-key-material",
		"secret-stringdata-in-source", "secret-type-keys-missing", "secret-url-credentials",
		"secret-volume-unused", "sensitive-workload-classification", "shadow-ai",
		"team-group-risks", "vector-db-isolation",
	}
	var got []string
	for id := range inventory {
		got = append(got, id)
	}
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(reviewed, "\n") {
		t.Errorf("the catalog's inventory checks changed; check which kinds each new one reads, update knownReaders, then reviewed:\ngot  %q\nwant %q", got, reviewed)
	}
}

// TestQuotaLedgerFollowsQuotas: the quota ledger adds up ResourceQuotas
// and LimitRanges, so a change of either builds it again (a ledger carried
// over would judge the old quotas); a Secret change carries it.
func TestQuotaLedgerFollowsQuotas(t *testing.T) {
	_, rules := catalogRules(t)
	r := newRelevance(rules)
	for _, gk := range []schema.GroupKind{{Kind: "ResourceQuota"}, {Kind: "LimitRange"}, {Kind: "Pod"}, {Kind: "Namespace"}} {
		if !r.factTouched(gk, "quota.Ledger") {
			t.Errorf("a %s change does not touch quota.Ledger", gk.Kind)
		}
	}
	if r.factTouched(schema.GroupKind{Kind: "Secret"}, "quota.Ledger") {
		t.Error("a Secret change touches quota.Ledger")
	}
}

// TestRBACReadsNoPods: the RBAC graph and the checks that read only it
// are closed readers, so a Pod or Deployment change neither builds the
// graph again nor runs them; a change of a kind they read (RBAC objects,
// ServiceAccounts, Namespaces) does both.
func TestRBACReadsNoPods(t *testing.T) {
	_, rules := catalogRules(t)
	r := newRelevance(rules)
	rbacRules := map[string]int{}
	for i, rule := range rules {
		if rule.Check.ID == "team-group-risks" || strings.HasPrefix(rule.Check.ID, "rbac-") {
			rbacRules[rule.Check.ID] = i
		}
	}
	require.Contains(t, rbacRules, "team-group-risks")
	require.Contains(t, rbacRules, "rbac-missing-serviceaccount")
	for _, gk := range []schema.GroupKind{{Kind: "Pod"}, {Group: "apps", Kind: "Deployment"}, {Kind: "ConfigMap"}, {Kind: "Service"}} {
		if r.factTouched(gk, "rbac.Graph") {
			t.Errorf("a %s change touches rbac.Graph", gk.Kind)
		}
		for id, i := range rbacRules {
			if r.ruleTouched(gk, i) {
				t.Errorf("a %s change touches %s", gk.Kind, id)
			}
		}
	}
	for _, gk := range append(slices.Clone(rbacKinds), schema.GroupKind{Kind: "ServiceAccount"}, namespaceKind) {
		if !r.factTouched(gk, "rbac.Graph") {
			t.Errorf("a %s change does not touch rbac.Graph", gk.Kind)
		}
		for id, i := range rbacRules {
			if !r.ruleTouched(gk, i) {
				t.Errorf("a %s change does not touch %s", gk.Kind, id)
			}
		}
	}
}
