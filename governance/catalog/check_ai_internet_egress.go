// ai-internet-egress keeps inference servers and training jobs off the
// internet unless their namespace allows it: a pod of a workload of the
// listed classes (default inference-server and training-job) that may
// open a connection (netpol reachability, any port) to an external range
// holding public addresses — the "rest of the internet" endpoint, or an
// ipBlock outside the private, loopback and link-local ranges — is a
// finding, unless its namespace is labelled
// aigov.dev/allow-internet-egress=true. A model server that can call out
// can exfiltrate prompts and weights, and a poisoned model can fetch its
// payload (OWASP LLM03/LLM02).

package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
)

// IDAIInternetEgress is the catalog ID of the ai-internet-egress check.
const IDAIInternetEgress = "ai-internet-egress"

// AllowInternetEgressLabel is the namespace label (value "true") that
// allows AI workloads to reach the internet.
const AllowInternetEgressLabel = "aigov.dev/allow-internet-egress"

// AIInternetEgressParams are the parameters of ai-internet-egress.
type AIInternetEgressParams struct {
	// Classes are the AI classes judged (default inference-server,
	// training-job).
	Classes []string `json:"classes,omitempty"`
}

func aiInternetEgressDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDAIInternetEgress,
		Description: "Inference and training pods reach the internet only in namespaces labelled " + AllowInternetEgressLabel + "=true.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{PodsAndWorkloads + " classified inference-server or training-job (inventory: network policies)"},
		Params: []governance.Param{{Name: "classes", Type: "[]string", Default: "[inference-server, training-job]",
			Description: "AI classes whose pods must not reach the internet"}},
		Requires: []governance.FactRef{netpol.GraphFact, ClassificationFact, netEdgesFact},
		New:      NewAIInternetEgress,
	}
}

// NewAIInternetEgress builds the ai-internet-egress check.
func NewAIInternetEgress(params any) (governance.Check, error) {
	p := AIInternetEgressParams{Classes: []string{string(ClassInferenceServer), string(ClassTrainingJob)}}
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	classes, err := parseClasses("classes", p.Classes)
	if err != nil {
		return governance.Check{}, err
	}
	d := aiInternetEgressDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "restrict the pods' egress to the cluster (and a model mirror or proxy), or label the namespace " + AllowInternetEgressLabel + "=true where internet access is an accepted risk",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			type target struct {
				w     governance.Workload
				class AIClass
			}
			ai := map[string]target{}
			for _, cw := range ClassificationFact.Of(pass) {
				w := cw.Workload
				if classes[cw.Classification.Class] && namespaceLabelsOf(inv, w.Namespace)[AllowInternetEgressLabel] != "true" {
					ai[w.Namespace+"/"+w.Kind+"/"+w.Name] = target{w, cw.Classification.Class}
				}
			}
			if len(ai) == 0 {
				return nil
			}
			g := netpol.GraphFact.Of(pass)
			// Sources: the judged workloads' endpoints of a class;
			// destinations: its external endpoints with public addresses.
			sources := newByClass(g, func(ms []*netpol.Endpoint) []*netpol.Endpoint {
				var out []*netpol.Endpoint
				for _, e := range ms {
					if _, ok := ai[e.Namespace+"/"+e.Workload]; ok {
						out = append(out, e)
					}
				}
				return out
			})
			internet := newByClass(g, func(ms []*netpol.Endpoint) []*netpol.Endpoint {
				var out []*netpol.Endpoint
				for _, e := range ms {
					if isInternet(e) {
						out = append(out, e)
					}
				}
				return out
			})
			type finding struct {
				e   netEdge
				why string // the class pair's
			}
			var found []finding
			for _, ce := range netEdgesFact.Of(pass) {
				srcs := sources.get(ce.FromClass, ce.From)
				if len(srcs) == 0 {
					continue
				}
				dsts := internet.get(ce.ToClass, ce.To)
				if len(dsts) == 0 {
					continue
				}
				w := why(g, netEdge{src: srcs[0], dst: dsts[0], ports: ce.Ports})
				for _, src := range srcs {
					for _, dst := range dsts {
						found = append(found, finding{netEdge{src: src, dst: dst, ports: ce.Ports}, w})
					}
				}
			}
			slices.SortFunc(found, func(a, b finding) int { return compareEdges(a.e, b.e) })
			var out []governance.Finding
			for _, f := range found {
				e, t := f.e, ai[f.e.src.Namespace+"/"+f.e.src.Workload]
				out = append(out, governance.Finding{Object: t.w.Object.Ref(), Path: t.w.SpecPath,
					Message: fmt.Sprintf("%s (pods %s) reaches %s on %s, and namespace %s is not labelled %s=true; %s",
						describeWorkload(t.class, t.w.Kind, t.w.Name), e.src.Name, internetText(e.dst), e.ports,
						t.w.Namespace, AllowInternetEgressLabel, f.why)})
			}
			return out
		},
	}, nil
}

// parseClasses validates a list of AI class names.
func parseClasses(param string, names []string) (map[AIClass]bool, error) {
	if err := validateDistinct(param, names); err != nil {
		return nil, err
	}
	out := map[AIClass]bool{}
	for i, n := range names {
		c, err := ParseAIClass(n)
		if err != nil || c == ClassNone {
			return nil, fmt.Errorf("%s[%d]: unknown AI class %q (want one of %s)", param, i, n, joinClasses(AIClasses()))
		}
		out[c] = true
	}
	return out, nil
}

// internetText names an external endpoint with a public address in a
// message: netpol's label for the internet, else its first ranges.
func internetText(e *netpol.Endpoint) string {
	if e.IsInternet() {
		return e.Label()
	}
	return "the internet (" + abbreviateRanges(e.Ranges) + ")"
}

// abbreviateRanges renders at most three ranges.
func abbreviateRanges(rs []string) string {
	if len(rs) <= 3 {
		return strings.Join(rs, ", ")
	}
	return fmt.Sprintf("%s and %d more ranges", strings.Join(rs[:3], ", "), len(rs)-3)
}
