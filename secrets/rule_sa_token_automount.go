// sa-token-automount finds pods that get a service account token mounted:
// most AI workloads never call the Kubernetes API, and a mounted token is a
// credential any code execution in the pod (a notebook, a model server's
// deserializer) can steal. It reads the pod spec's
// automountServiceAccountToken; when unset, the named ServiceAccount's
// (serviceAccountName, else "default") if the inventory has it and it sets
// the field; else the token is mounted. It reports
// <podSpec>.automountServiceAccountToken of each workload (a Pod or an
// unowned controller), saying where the effective value came from. Unlike
// the catalog's automount-token check it honours the ServiceAccount.

package secrets

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDSATokenAutomount is the ID of the sa-token-automount rule.
const IDSATokenAutomount = "sa-token-automount"

func saTokenAutomountRule() Rule {
	return Rule{
		ID:          IDSATokenAutomount,
		Severity:    sevLow,
		Default:     true,
		Description: "The pod gets a service account token mounted (pod field, else its ServiceAccount's, else true).",
		Remediation: "set automountServiceAccountToken: false on the pod spec or its ServiceAccount; pods that call the API can mount a short-lived projected token explicitly",
		Object:      checkSATokenAutomount,
	}
}

func checkSATokenAutomount(c *Context, o *governance.Object) []Finding {
	if !c.IsWorkload(o) {
		return nil
	}
	var out []Finding
	for _, t := range governance.PodTemplatesOf(o) {
		if t.Partial {
			continue // the resource that uses the template sets the token
		}
		if mounted, why := EffectiveAutomount(c, o.Namespace(), t.Spec); mounted {
			out = append(out, Finding{Path: t.Path + ".automountServiceAccountToken",
				Message: "the service account token is mounted into the pod: " + why})
		}
	}
	return out
}

// EffectiveAutomount reports whether the token is mounted into pods of spec
// in namespace ns, and why.
func EffectiveAutomount(c *Context, ns string, spec *corev1.PodSpec) (bool, string) {
	if v := spec.AutomountServiceAccountToken; v != nil {
		if *v {
			return true, "automountServiceAccountToken is true in the pod spec"
		}
		return false, "automountServiceAccountToken is false in the pod spec"
	}
	name := spec.ServiceAccountName
	if name == "" {
		name = spec.DeprecatedServiceAccount
	}
	if name == "" {
		name = "default"
	}
	if sa := c.ServiceAccount(ns, name); sa != nil && sa.AutomountServiceAccountToken != nil {
		if *sa.AutomountServiceAccountToken {
			return true, "ServiceAccount " + name + " sets automountServiceAccountToken: true and the pod spec does not override it"
		}
		return false, "ServiceAccount " + name + " sets automountServiceAccountToken: false"
	}
	return true, "neither the pod spec nor ServiceAccount " + name + " sets automountServiceAccountToken: false"
}
