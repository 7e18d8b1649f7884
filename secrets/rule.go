package secrets

import (
	"fmt"
	"regexp"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// Rule is one secrets rule: a stable kebab-case ID, a severity, whether it
// runs by default, and a pure evaluation. Exactly one of Value and Object
// is set. Rules return findings, never errors; the scanner fills in a
// finding's Rule, Severity, Object and Remediation when the rule leaves them
// empty.
type Rule struct {
	ID          string
	Severity    governance.Severity
	Default     bool
	Description string
	Remediation string
	// AdmissionNote says why the rule has no ValidatingAdmissionPolicy
	// ("no VAP: ..."); empty for the rules whose policy the catalog
	// builds (governance/catalog, check_secrets_rules*.go), where the
	// note that says what the policy leaves to the scan lives with its
	// CEL. One source per rule: Checks copies it into the Definition.
	AdmissionNote string
	// Value inspects one scalar (see Values).
	Value func(c *Context, v Value) []Finding
	// Object inspects one object.
	Object func(c *Context, o *governance.Object) []Finding
}

var ruleIDRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate reports a malformed rule.
func (r Rule) Validate() error {
	switch {
	case !ruleIDRE.MatchString(r.ID):
		return fmt.Errorf("rule ID %q is not kebab-case", r.ID)
	case (r.Value == nil) == (r.Object == nil):
		return fmt.Errorf("rule %s: exactly one of Value and Object must be set", r.ID)
	case r.Severity < governance.SeverityInfo || r.Severity > governance.SeverityCritical:
		return fmt.Errorf("rule %s: invalid severity %d", r.ID, r.Severity)
	}
	return nil
}

// Context is what rules read besides the value or object: the origin, the
// inventory, the detectors and indexes built once per scan. A Context
// belongs to one Scan call.
type Context struct {
	Origin    Origin
	Inventory *governance.Inventory
	Detectors *DetectorSet

	values          []Value // of the object being scanned
	serviceAccounts map[[2]string]*corev1.ServiceAccount
	workloads       map[*governance.Object]bool
}

// Siblings returns every value of the object being scanned (Values of it),
// e.g. to pair an AWS secret access key with its key ID.
func (c *Context) Siblings() []Value { return c.values }

// ServiceAccount returns the ServiceAccount ns/name of the inventory, or
// nil.
func (c *Context) ServiceAccount(ns, name string) *corev1.ServiceAccount {
	if c.serviceAccounts == nil {
		c.serviceAccounts = map[[2]string]*corev1.ServiceAccount{}
		if c.Inventory != nil {
			for _, sa := range governance.Typed[*corev1.ServiceAccount](c.Inventory) {
				c.serviceAccounts[[2]string{sa.Namespace, sa.Name}] = sa
			}
		}
	}
	return c.serviceAccounts[[2]string{ns, name}]
}

// IsWorkload reports whether o runs pods of its own: a Pod or a controller
// that no other controller of the inventory owns (governance's
// Workloads). Pod-level hygiene rules report only these, so that a
// Deployment, its ReplicaSet and its Pods read from a cluster yield one
// finding.
func (c *Context) IsWorkload(o *governance.Object) bool {
	if c.Inventory == nil {
		return len(governance.PodTemplatesOf(o)) > 0
	}
	if c.workloads == nil {
		c.workloads = map[*governance.Object]bool{}
		for _, w := range c.Inventory.Workloads() {
			c.workloads[w.Object] = true
		}
	}
	return c.workloads[o]
}
