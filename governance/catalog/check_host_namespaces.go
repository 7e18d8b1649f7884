// host-namespaces keeps pods out of the node's namespaces: a pod with
// hostNetwork sees and binds the node's interfaces (and bypasses
// NetworkPolicy), hostPID sees and signals every process of the node, and
// hostIPC shares its System V IPC and shared memory. It reads
// hostNetwork, hostPID and hostIPC of a Pod's spec or a workload's pod
// template (the stored object) and denies each one that is true, with one
// finding per field; its ValidatingAdmissionPolicy has one validation per
// field.

package catalog

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

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
	check := newCheck(hostNamespacesDefinition(),
		"remove hostNetwork, hostPID and hostIPC (or set them to false); expose ports through a Service instead of the host network",
		PodKinds(), podCheck(checkHostNamespaces))
	check.Admission = hostNamespacesAdmission()
	return check, nil
}

func hostNamespacesAdmission() *governance.Admission {
	a := &governance.Admission{Rules: governance.PodAdmissionRules(), Variables: governance.PodSpecsAdmissionVariables()[:1]} // podSpecs
	for _, f := range hostNamespaceFields {
		a.Validations = append(a.Validations, admissionregistrationv1.Validation{
			Expression: `variables.` + governance.VarPodSpecs + `.all(s, s.?` + f.field + `.orValue(false) != true)`,
			Message:    hostNamespaceMessage(f.field, f.what),
		})
	}
	return governance.WithOperators(a)
}

// hostNamespaceFields are the pod spec fields host-namespaces reads and
// the namespace each shares.
var hostNamespaceFields = []struct{ field, what string }{
	{"hostNetwork", "network"}, {"hostPID", "process ID"}, {"hostIPC", "IPC"},
}

func hostNamespaceMessage(field, what string) string {
	return "the pod shares the node's " + what + " namespace (" + field + ": true)"
}

func checkHostNamespaces(p podView) []governance.Violation {
	var out []governance.Violation
	for i, set := range []bool{p.spec.HostNetwork, p.spec.HostPID, p.spec.HostIPC} {
		if f := hostNamespaceFields[i]; set {
			out = append(out, governance.Violation{
				Path:    p.path + "." + f.field,
				Message: hostNamespaceMessage(f.field, f.what),
			})
		}
	}
	return out
}
