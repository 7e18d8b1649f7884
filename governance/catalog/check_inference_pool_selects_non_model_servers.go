// inference-pool-selects-non-model-servers denies an InferencePool
// (inference.networking.k8s.io/v1) whose selector.matchLabels also
// selects pods that are not model servers: workloads of the pool's
// namespace not classified inference-server. The endpoint picker sends
// inference requests to every pod the pool selects, so a broad selector
// (app: chat, shared by the model server and its web front end) delivers
// prompts to a workload that was never meant to receive them, and
// publishes it on the pool's target ports wherever a route leads to the
// pool. One finding per pool, on spec.selector.matchLabels, with the
// counts of workloads and pods of each side.

package catalog

import (
	"fmt"
	"strings"

	"github.com/aigov/aigov/governance"
)

// IDInferencePoolSelectsNonModelServers is the catalog ID of the
// inference-pool-selects-non-model-servers check.
const IDInferencePoolSelectsNonModelServers = "inference-pool-selects-non-model-servers"

func inferencePoolSelectsNonModelServersDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDInferencePoolSelectsNonModelServers,
		Description: "An InferencePool's selector selects only the pods of model servers (workloads classified inference-server).",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{"InferencePool (inventory)"},
		Requires:    []governance.FactRef{ClassificationFact, gatewayRoutesFact},
		New:         NewInferencePoolSelectsNonModelServers,
	}
}

// NewInferencePoolSelectsNonModelServers builds the
// inference-pool-selects-non-model-servers check.
func NewInferencePoolSelectsNonModelServers(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	d := inferencePoolSelectsNonModelServersDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "add a label only the model server's pods carry to the pool's selector.matchLabels",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			var out []governance.Finding
			for _, p := range gatewayRoutesFact.Of(pass).pools {
				var servers, others workloadCount
				for _, cw := range p.workloads {
					if cw.Classification.Class == ClassInferenceServer {
						servers.add(cw.Workload)
					} else {
						others.add(cw.Workload)
					}
				}
				if others.workloads == 0 {
					continue
				}
				servesAlso := "and no model server"
				if servers.workloads > 0 {
					servesAlso = "besides " + servers.String() + " of model servers"
				}
				out = append(out, governance.Finding{Object: p.object.Ref(), Path: "spec.selector.matchLabels",
					Message: fmt.Sprintf("InferencePool %q selects %s that %s (%s) %s; inference requests reach them",
						p.object.Name(), others.String(), plural(others.workloads, "is not a model server", "are not model servers"),
						strings.Join(others.names, ", "), servesAlso)})
			}
			return out
		},
	}, nil
}

// workloadCount counts workloads and the pods they run.
type workloadCount struct {
	workloads int
	pods      int32
	names     []string
}

func (c *workloadCount) add(w governance.Workload) {
	c.workloads++
	c.pods += w.Replicas
	c.names = append(c.names, w.DisplayName())
}

// String renders "2 workloads (5 pods)".
func (c workloadCount) String() string {
	return fmt.Sprintf("%d %s (%d %s)", c.workloads, plural(c.workloads, "workload", "workloads"),
		c.pods, plural(int(c.pods), "pod", "pods"))
}
