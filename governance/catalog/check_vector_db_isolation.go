// vector-db-isolation requires every vector database (a workload
// classified vector-database) to be reachable only from its declared
// consumers. It asks the reachability graph (netpol), never the policies
// by eye: every pod or external range that may open a connection to the
// vector database's pods on some port, and is not a declared consumer, is
// reported with the ports and the rules that allow it: one finding per
// vector database and set of ports, its sources aggregated by workload,
// namespace and team as cross-team-reachability's are.
//
// Consumers are declared on the vector database workload with the key
// aigov.dev/consumers, as an annotation (a comma-separated list) or a
// label (one entry, since label values cannot hold "/" or ","), or by the
// consumers parameter keyed by "namespace/name" of the vector database.
// An entry "namespace/name" is the workload of that name; any other entry
// is an `app` label value of pods in the vector database's namespace.
// Without any declaration the consumers are the pods of the vector
// database's own namespace.

package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
)

// IDVectorDBIsolation is the catalog ID of the vector-db-isolation check.
const IDVectorDBIsolation = "vector-db-isolation"

// ConsumersKey is the label or annotation that declares the consumers of a
// vector database.
const ConsumersKey = "aigov.dev/consumers"

// VectorDBIsolationParams are the parameters of vector-db-isolation.
type VectorDBIsolationParams struct {
	// Consumers maps "namespace/name" of a vector database workload to its
	// consumers ("namespace/name" workloads or app label values); added to
	// those the workload declares.
	Consumers map[string][]string `json:"consumers,omitempty"`
}

func vectorDBIsolationDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDVectorDBIsolation,
		Description: "Vector databases are reachable (NetworkPolicy reachability) only from their declared consumers.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{PodsAndWorkloads + " classified vector-database (inventory: network policies)"},
		Params: []governance.Param{{Name: "consumers", Type: "map[string][]string",
			Description: `consumers per vector database "namespace/name": "namespace/name" workloads or app label values of the vector database's namespace, added to the workload's ` + ConsumersKey + " label or annotation; without any, the pods of its own namespace"}},
		Requires: []governance.FactRef{netpol.GraphFact, ClassificationFact, workloadEndpointsFact, netEdgesFact},
		New:      NewVectorDBIsolation,
	}
}

// NewVectorDBIsolation builds the vector-db-isolation check.
func NewVectorDBIsolation(params any) (governance.Check, error) {
	var p VectorDBIsolationParams
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	for k, v := range p.Consumers {
		if ns, name, ok := strings.Cut(k, "/"); !ok || ns == "" || name == "" {
			return governance.Check{}, fmt.Errorf("consumers: key %q is not namespace/name", k)
		}
		if err := validateDistinct("consumers["+k+"]", v); err != nil {
			return governance.Check{}, err
		}
	}
	d := vectorDBIsolationDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "narrow the vector database's ingress NetworkPolicy (and the sources' egress) to its consumers, or declare the source in the " + ConsumersKey + " annotation",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			byWorkload := workloadEndpointsFact.Of(pass)
			dbs := map[*netpol.Endpoint]*vectorDB{}
			for _, cw := range ClassificationFact.Of(pass) {
				if cw.Classification.Class != ClassVectorDatabase {
					continue
				}
				w := cw.Workload
				v := &vectorDB{w: w, consumers: declaredConsumers(w, p.Consumers[w.Namespace+"/"+w.Name])}
				for _, e := range endpointsOf(byWorkload, w) {
					dbs[e] = v
				}
			}
			if len(dbs) == 0 {
				return nil
			}
			g := netpol.GraphFact.Of(pass)
			// One finding per vector database and ports; the sources
			// aggregate as cross-team-reachability's do (sourceList).
			type path struct {
				v     *vectorDB
				ports string
			}
			type reach struct {
				ports   netpol.PortSet
				sources *sourceList
				edges   []netEdge // a pair per class edge, for whyAll
			}
			// The vector databases' endpoints in a class.
			dbsIn := newByClass(g, func(ms []*netpol.Endpoint) []endpointGroup[*vectorDB] {
				return groupEndpoints(ms, func(e *netpol.Endpoint) (*vectorDB, bool) {
					v, ok := dbs[e]
					return v, ok
				})
			})
			paths := map[path]*reach{}
			var order []path
			for _, ce := range netEdgesFact.Of(pass) {
				dbsTo := dbsIn.get(ce.ToClass, ce.To)
				if len(dbsTo) == 0 {
					continue
				}
				ports := ce.Ports.String()
				for _, de := range dbsTo {
					v := de.key
					var r *reach
					for _, src := range ce.From {
						if dbs[src] == v || v.allows(src) {
							continue
						}
						if r == nil {
							k := path{v: v, ports: ports}
							if r = paths[k]; r == nil {
								r = &reach{ports: ce.Ports, sources: newSourceList()}
								paths[k] = r
								order = append(order, k)
							}
							r.edges = append(r.edges, netEdge{src: src, dst: de.eps[0], ports: ce.Ports})
						}
						// One edge to each of the database's endpoints.
						r.sources.addEdges(src, len(de.eps))
					}
				}
			}
			// Matrix's order: paths by their first pair, rules by the
			// pairs that allow them first.
			for _, r := range paths {
				slices.SortFunc(r.edges, compareEdges)
			}
			slices.SortFunc(order, func(a, b path) int { return compareEdges(paths[a].edges[0], paths[b].edges[0]) })
			if len(order) == 0 {
				return nil
			}
			idx := newSourceWorkloads(g, pass.Inventory.TeamOf)
			out := make([]governance.Finding, 0, len(order))
			for _, k := range order {
				v, r := k.v, paths[k]
				db := describeWorkload(ClassVectorDatabase, v.w.Kind, v.w.Name)
				var msg string
				if from := r.sources.describe(idx, nil); len(from) == 1 {
					msg = fmt.Sprintf("%s is reachable from %s on %s, which is not a declared consumer (%s); %s",
						db, from[0], r.ports, v.describe(), whyAll(g, r.edges))
				} else {
					msg = fmt.Sprintf("%s is reachable from %d sources on %s, which are not declared consumers (%s): %s; %s",
						db, r.sources.workloads(), r.ports, v.describe(), strings.Join(from, ", "), whyAll(g, r.edges))
				}
				out = append(out, governance.Finding{Object: v.w.Object.Ref(), Path: "metadata.annotations[" + ConsumersKey + "]", Message: msg})
			}
			return out
		},
	}, nil
}

type vectorDB struct {
	w         governance.Workload
	consumers []string // nil: its own namespace
}

func declaredConsumers(w governance.Workload, extra []string) []string {
	var out []string
	add := func(s string) {
		for _, c := range strings.Split(s, ",") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	meta := w.Object.Meta()
	if v, ok := meta.GetAnnotations()[ConsumersKey]; ok {
		add(v)
	}
	if v, ok := meta.GetLabels()[ConsumersKey]; ok {
		add(v)
	}
	for _, c := range extra {
		add(c)
	}
	return out
}

func (v *vectorDB) allows(src *netpol.Endpoint) bool {
	if src.Kind == netpol.ExternalEndpoint {
		return false
	}
	if v.consumers == nil {
		return src.Namespace == v.w.Namespace
	}
	for _, c := range v.consumers {
		if ns, name, ok := strings.Cut(c, "/"); ok {
			_, wname, _ := strings.Cut(src.Workload, "/")
			if src.Namespace == ns && (wname == name || src.Name == c) {
				return true
			}
			continue
		}
		if src.Namespace == v.w.Namespace && src.Labels["app"] == c {
			return true
		}
	}
	return false
}

func (v *vectorDB) describe() string {
	if v.consumers == nil {
		return "none declared: pods of namespace " + v.w.Namespace
	}
	return "consumers: " + strings.Join(v.consumers, ", ")
}

// describeEndpoint renders a source: "cv-team/cv-notebook (Deployment)" or
// "external 0.0.0.0-9.255.255.255".
func describeEndpoint(e *netpol.Endpoint) string {
	if e.Kind == netpol.ExternalEndpoint {
		return "external " + e.Name
	}
	if e.Workload != "" {
		kind, _, _ := strings.Cut(e.Workload, "/")
		return e.Name + " (" + kind + ")"
	}
	return e.Name
}
