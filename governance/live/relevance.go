package live

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// Which rules a change can touch. An object check judges one object, so a
// change touches it when the check applies to the changed object's kind
// (Check.Kinds). An inventory check reads the facts it requires (Check.
// Requires) and whatever it reads itself; neither declares the kinds it
// reads, so this table says, for the kinds whose readers are known (from
// the analyzers' sources), which facts and inventory checks read them.
// A change of any other kind (pods, workloads, Namespaces, custom
// resources, ...) touches every inventory check and every fact: the
// table can only make a review faster, never let it miss a rule. A fact
// or check added later that reads one of these kinds without being listed
// here would be missed, which is why TestKindReadersCoverTheCatalog pins
// the catalog's inventory checks to the table.
type kindReaders struct {
	kinds []schema.GroupKind
	// facts are the facts that read the kinds (a fact built on one of
	// them, secrets.Exposure on rbac.Graph, follows through Requires).
	facts []string
	// checks are the inventory checks that read the kinds themselves.
	checks []string
}

const (
	rbacGroup    = "rbac.authorization.k8s.io"
	gatewayGroup = "gateway.networking.k8s.io"
)

// knownReaders is the table; a kind appears in one entry at most.
func knownReaders() []kindReaders {
	return []kindReaders{{
		kinds: []schema.GroupKind{{Group: rbacGroup, Kind: "Role"}, {Group: rbacGroup, Kind: "ClusterRole"},
			{Group: rbacGroup, Kind: "RoleBinding"}, {Group: rbacGroup, Kind: "ClusterRoleBinding"}},
		facts: []string{"rbac.Graph"},
	}, {
		kinds: []schema.GroupKind{{Group: "networking.k8s.io", Kind: "NetworkPolicy"},
			{Group: "policy.networking.k8s.io", Kind: "AdminNetworkPolicy"},
			{Group: "policy.networking.k8s.io", Kind: "BaselineAdminNetworkPolicy"},
			{Group: "policy.networking.k8s.io", Kind: "ClusterNetworkPolicy"}},
		facts: []string{"netpol.Graph"},
	}, {
		kinds:  []schema.GroupKind{{Kind: "Service"}},
		facts:  []string{"catalog.GatewayRoutes"},
		checks: []string{"inference-exposure", "route-to-other-team"},
	}, {
		kinds:  []schema.GroupKind{{Group: "networking.k8s.io", Kind: "Ingress"}},
		checks: []string{"inference-exposure"},
	}, {
		kinds: []schema.GroupKind{{Group: gatewayGroup, Kind: "Gateway"}, {Group: gatewayGroup, Kind: "HTTPRoute"},
			{Group: gatewayGroup, Kind: "ReferenceGrant"}, {Group: "inference.networking.k8s.io", Kind: "InferencePool"}},
		facts:  []string{"catalog.GatewayRoutes"},
		checks: []string{"inference-exposure", "route-to-other-team", "inference-pool-selects-non-model-servers"},
	}, {
		kinds:  []schema.GroupKind{{Kind: "ResourceQuota"}, {Kind: "LimitRange"}},
		facts:  []string{"quota.Ledger"},
		checks: []string{"gpu-limitrange-cap", "gpu-without-quota", "gpu-request-limit-mismatch", "gpu-above-limitrange-max"},
	}, {
		kinds:  []schema.GroupKind{{Kind: "Secret"}},
		facts:  []string{"secrets.Exposure"},
		checks: []string{"ai-serviceaccount-permissions", "provider-key-secret-exposure"},
	}}
}

// readsEverything reports a fact that reads every object whatever its
// kind: the secrets scan looks for credentials in any field.
func readsEverything(fact string) bool { return strings.HasPrefix(fact, "secrets.Scan") }

// Closed readers are the other way round: facts and inventory checks
// whose every read is known (from their sources), so that a change of a
// kind they do not read, a kind of no entry of knownReaders included
// (Pods, workloads), leaves them alone. Without them a Pod change would
// build the RBAC graph again and run the RBAC checks at every review,
// although nothing there reads a pod. A Namespace change touches every
// rule whatever they say: scopes read namespaces' labels.
var (
	namespaceKind = schema.GroupKind{Kind: "Namespace"}
	rbacKinds     = []schema.GroupKind{{Group: rbacGroup, Kind: "Role"}, {Group: rbacGroup, Kind: "ClusterRole"},
		{Group: rbacGroup, Kind: "RoleBinding"}, {Group: rbacGroup, Kind: "ClusterRoleBinding"}}
)

// closedFacts are, by fact, the only kinds the fact reads (besides the
// facts it requires, which follow through Requires): rbac.New reads the
// roles and bindings, and the ServiceAccounts and Namespaces there are
// (for its lint checks).
func closedFacts() map[string][]schema.GroupKind {
	return map[string][]schema.GroupKind{
		"rbac.Graph": append(slices.Clone(rbacKinds), schema.GroupKind{Kind: "ServiceAccount"}, namespaceKind),
	}
}

// closedChecks are, by check ID, the only kinds an inventory check reads
// itself besides the facts it requires: the rbac package's checks read
// nothing but the graph (their lint context is built from it alone);
// team-group-risks reads the graph's risks, the RoleBindings and
// Namespaces (team groups) and RBAC objects by key (the finding's object).
func closedChecks() map[string][]schema.GroupKind {
	out := map[string][]schema.GroupKind{"team-group-risks": append(slices.Clone(rbacKinds), namespaceKind)}
	for _, id := range []string{"rbac-binding-missing-role", "rbac-empty-rule", "rbac-invalid-nonresourceurls",
		"rbac-missing-serviceaccount", "rbac-resourcenames-verb", "rbac-unknown-resource", "rbac-unknown-verb",
		"rbac-wildcard-team-grant"} {
		out[id] = nil
	}
	return out
}

// relevance answers, for one engine's rules, which rules and facts a
// change of a kind touches.
type relevance struct {
	rules []governance.Rule
	// closure[i] are the names of the facts rule i reads, with those they
	// are built from.
	closure [][]string
	facts   map[string]governance.FactRef
	byKind  map[schema.GroupKind]kindReaders
	// closedFacts and closedChecks are the closed readers (see above).
	closedFacts, closedChecks map[string][]schema.GroupKind
}

func newRelevance(rules []governance.Rule) *relevance {
	r := &relevance{rules: rules, facts: map[string]governance.FactRef{}, byKind: map[schema.GroupKind]kindReaders{},
		closedFacts: closedFacts(), closedChecks: closedChecks()}
	for _, kr := range knownReaders() {
		for _, k := range kr.kinds {
			r.byKind[k] = kr
		}
	}
	for _, rule := range rules {
		var names []string
		var walk func(f governance.FactRef)
		walk = func(f governance.FactRef) {
			if _, seen := r.facts[f.FactName()]; !seen {
				r.facts[f.FactName()] = f
			}
			names = append(names, f.FactName())
			for _, dep := range f.FactRequires() {
				walk(dep)
			}
		}
		for _, f := range rule.Check.Requires {
			walk(f)
		}
		r.closure = append(r.closure, names)
	}
	return r
}

// factTouched reports whether a change of kind gk can change the fact
// named name.
func (r *relevance) factTouched(gk schema.GroupKind, name string) bool {
	if readsEverything(name) {
		return true
	}
	if kinds, closed := r.closedFacts[name]; closed {
		return slices.Contains(kinds, gk) || r.requiredTouched(gk, name)
	}
	kr, known := r.byKind[gk]
	if !known || slices.Contains(kr.facts, name) {
		return true
	}
	return r.requiredTouched(gk, name)
}

// requiredTouched reports whether a change of kind gk can change a fact
// that the fact named name is built from.
func (r *relevance) requiredTouched(gk schema.GroupKind, name string) bool {
	if f, ok := r.facts[name]; ok {
		for _, dep := range f.FactRequires() {
			if r.factTouched(gk, dep.FactName()) {
				return true
			}
		}
	}
	return false
}

// ruleTouched reports whether a change of kind gk can change rule i's
// findings.
func (r *relevance) ruleTouched(gk schema.GroupKind, i int) bool {
	c := r.rules[i].Check
	if c.Object != nil && (len(c.Kinds) == 0 || slices.Contains(c.Kinds, gk)) {
		return true
	}
	if c.Inventory == nil {
		return false
	}
	if kinds, closed := r.closedChecks[c.ID]; closed {
		return gk == namespaceKind || slices.Contains(kinds, gk) || r.closureTouched(gk, i)
	}
	kr, known := r.byKind[gk]
	if !known || slices.Contains(kr.checks, c.ID) {
		return true
	}
	return r.closureTouched(gk, i)
}

// closureTouched reports whether a change of kind gk can change a fact
// rule i reads.
func (r *relevance) closureTouched(gk schema.GroupKind, i int) bool {
	for _, f := range r.closure[i] {
		if r.factTouched(gk, f) {
			return true
		}
	}
	return false
}

// untouchedFacts are the facts of the rules that a change of kind gk
// leaves as they are: a what-if pass takes them from the base pass.
func (r *relevance) untouchedFacts(gk schema.GroupKind) []governance.FactRef {
	var out []governance.FactRef
	for name, f := range r.facts {
		if !r.factTouched(gk, name) {
			out = append(out, f)
		}
	}
	return out
}
