// secret-not-immutable (opt-in) reports Secrets without immutable: true.
// An immutable Secret cannot be changed in place (rotation is delete and
// recreate), which protects against accidental or malicious updates and
// spares the apiserver the kubelets' watches. It reads the Secret's
// immutable field and reports the field "immutable".

package secrets

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDNotImmutable is the ID of the secret-not-immutable rule.
const IDNotImmutable = "secret-not-immutable"

func notImmutableRule() Rule {
	return Rule{
		ID:          IDNotImmutable,
		Severity:    sevInfo,
		Description: "A Secret does not set immutable: true.",
		Remediation: "set immutable: true and rotate by creating a new Secret (for example with a content hash in its name)",
		Object:      checkNotImmutable,
	}
}

func checkNotImmutable(_ *Context, o *governance.Object) []Finding {
	s, ok := o.Obj.(*corev1.Secret)
	if !ok || (s.Immutable != nil && *s.Immutable) {
		return nil
	}
	return []Finding{{Path: "immutable", Message: "the Secret is mutable (immutable is not true)"}}
}
