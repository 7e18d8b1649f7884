// host-namespaces keeps pods out of the node's namespaces: a pod with
// hostNetwork sees and binds the node's interfaces (and bypasses
// NetworkPolicy), hostPID sees and signals every process of the node, and
// hostIPC shares its System V IPC and shared memory. It reads
// hostNetwork, hostPID and hostIPC of a Pod's spec or a workload's pod
// template (the stored object) and denies each one that is true, with one
// finding per field.

package catalog

import (
	"github.com/aigov/aigov/governance"
)

// IDHostNamespaces is the catalog ID of the host-namespaces check.
const IDHostNamespaces = "host-namespaces"

func hostNamespacesDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDHostNamespaces,
		Description: "Pods must not set hostNetwork, hostPID or hostIPC to true.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{PodsAndWorkloads},
		VAP:         true,
		New:         NewHostNamespaces,
	}
}

// NewHostNamespaces builds the host-namespaces check. It takes no
// parameters.
func NewHostNamespaces(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return newCheck(hostNamespacesDefinition(),
		"remove hostNetwork, hostPID and hostIPC (or set them to false); expose ports through a Service instead of the host network",
		PodKinds(), podCheck(checkHostNamespaces)), nil
}

func checkHostNamespaces(p podView) []governance.Violation {
	var out []governance.Violation
	for _, f := range []struct {
		field, what string
		set         bool
	}{
		{"hostNetwork", "network", p.spec.HostNetwork},
		{"hostPID", "process ID", p.spec.HostPID},
		{"hostIPC", "IPC", p.spec.HostIPC},
	} {
		if f.set {
			out = append(out, governance.Violation{
				Path:    p.path + "." + f.field,
				Message: "the pod shares the node's " + f.what + " namespace (" + f.field + ": true)",
			})
		}
	}
	return out
}
