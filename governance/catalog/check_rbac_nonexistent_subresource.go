// rbac-nonexistent-subresource finds Role and ClusterRole rules that name a
// subresource the built-in API does not serve, such as "pods/logs" for
// "pods/log" or "deployments/scales": RBAC does not validate resource
// names, so the rule grants nothing, the people it was written for are
// refused, and the usual "fix" is a broader grant. It reads
// rules[*].apiGroups and rules[*].resources of Roles and ClusterRoles
// (rbac.authorization.k8s.io v1, v1beta1, v1alpha1) and, for every
// "resource/subresource" entry whose API group is built in (the core group
// "" or a group of ServedResources; "*" stands for every built-in group),
// denies it when a group serves the resource but none of those serving it
// serves the subresource or checks it for authorization only (nodes/metrics,
// which the kubelet checks; RESOURCE/finalizers, which owner-reference
// enforcement checks). "resource/*" and "*/subresource" entries are
// judged the same way (the latter: some resource of the group must serve
// the subresource). Resources of other groups (CRDs, aggregated APIs) and
// resource names a group does not serve at all are not judged.

package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1alpha1 "k8s.io/api/rbac/v1alpha1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/kubeapi"
)

// IDRBACNonexistentSubresource is the catalog ID of the
// rbac-nonexistent-subresource check.
const IDRBACNonexistentSubresource = "rbac-nonexistent-subresource"

// ServedResources returns the resources and subresources a v1.37
// kube-apiserver serves, per API group ("" is the core group), as
// resource → subresources (sorted; nil for none), over every version of the
// group. It is internal/kubeapi's table, generated from the discovery
// documents of k8s.io/kubernetes v1.37.2, which list every group and version
// with all of them (alpha and beta included) enabled; apiextensions.k8s.io
// and apiregistration.k8s.io are served by the same binary. The map is
// fresh on every call.
func ServedResources() map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for _, r := range kubeapi.ServedResources() {
		if out[r.Group] == nil {
			out[r.Group] = map[string][]string{}
		}
		out[r.Group][r.Name] = r.SubresourceNames()
	}
	return out
}

// authorizationSubresources reports whether a subresource of a served
// resource exists for authorization only (nodes/metrics and nodes/stats,
// which the kubelet checks; certificatesigningrequests/nodeclient; every
// resource's finalizers, which owner-reference enforcement checks): a rule
// naming it grants something.
func authorizationSubresources() func(group, resource, sub string) bool {
	authz := kubeapi.AuthorizationOnly()
	return func(group, resource, sub string) bool {
		for _, a := range authz {
			if (a.Group == "*" || a.Group == group) && (a.Resource == "*" || a.Resource == resource) &&
				(a.AnySubresource || slices.Contains(a.Subresources, sub)) {
				return true
			}
		}
		return false
	}
}

func rbacNonexistentSubresourceDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDRBACNonexistentSubresource,
		Description: "Role and ClusterRole rules must not name subresources the built-in API does not serve (pods/logs instead of pods/log).",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{"Role", "ClusterRole"},
		New:         NewRBACNonexistentSubresource,
	}
}

// policyRule is the part of a PolicyRule of any RBAC version the check reads.
type policyRule struct {
	apiGroups, resources []string
}

func rulesOf(o *governance.Object) []policyRule {
	switch r := o.Obj.(type) {
	case *rbacv1.Role:
		return policyRulesOf(r.Rules)
	case *rbacv1.ClusterRole:
		return policyRulesOf(r.Rules)
	case *rbacv1beta1.Role:
		return policyRulesOf(r.Rules)
	case *rbacv1beta1.ClusterRole:
		return policyRulesOf(r.Rules)
	case *rbacv1alpha1.Role:
		return policyRulesOf(r.Rules)
	case *rbacv1alpha1.ClusterRole:
		return policyRulesOf(r.Rules)
	}
	return nil
}

// anyPolicyRule is a PolicyRule of any RBAC version: they have the same
// fields, so each converts to rbacv1.PolicyRule.
type anyPolicyRule interface {
	rbacv1.PolicyRule | rbacv1beta1.PolicyRule | rbacv1alpha1.PolicyRule
}

func policyRulesOf[R anyPolicyRule](rules []R) []policyRule {
	var out []policyRule
	for _, x := range rules {
		r := rbacv1.PolicyRule(x)
		out = append(out, policyRule{r.APIGroups, r.Resources})
	}
	return out
}

// NewRBACNonexistentSubresource builds the rbac-nonexistent-subresource
// check. It takes no parameters.
func NewRBACNonexistentSubresource(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	served := ServedResources()
	authzOnly := authorizationSubresources()
	builtin := make([]string, 0, len(served))
	for g := range served {
		builtin = append(builtin, g)
	}
	slices.Sort(builtin)
	const group = "rbac.authorization.k8s.io"
	return newCheck(rbacNonexistentSubresourceDefinition(),
		"spell the subresource as the API serves it (kubectl api-resources; e.g. pods/log, pods/exec, pods/portforward, deployments/scale)",
		[]schema.GroupKind{{Group: group, Kind: "Role"}, {Group: group, Kind: "ClusterRole"}},
		func(o *governance.Object) []governance.Violation {
			var out []governance.Violation
			for i, r := range rulesOf(o) {
				var groups []string
				for _, g := range r.apiGroups {
					if g == "*" {
						groups = builtin
						break
					}
					if _, ok := served[g]; ok {
						groups = append(groups, g)
					}
				}
				if len(groups) == 0 {
					continue
				}
				for j, entry := range r.resources {
					res, sub, hasSub := strings.Cut(entry, "/")
					if !hasSub || sub == "*" || (res == "*" && sub == "*") {
						continue
					}
					if msg, bad := judgeSubresource(served, authzOnly, groups, res, sub); bad {
						out = append(out, governance.Violation{
							Path:    "rules[" + strconv.Itoa(i) + "].resources[" + strconv.Itoa(j) + "]",
							Message: fmt.Sprintf("%s %q rule %d names %q: %s, so the rule grants nothing for it", o.Kind(), o.Name(), i, entry, msg)})
					}
				}
			}
			return out
		}), nil
}

// judgeSubresource decides a "res/sub" entry over the built-in groups a
// rule names.
func judgeSubresource(served map[string]map[string][]string, authzOnly func(group, resource, sub string) bool, groups []string, res, sub string) (string, bool) {
	var servingRes []string // "group/resource" that serve res
	var subs []string
	for _, g := range groups {
		for r, rs := range served[g] {
			if res != "*" && r != res {
				continue
			}
			if slices.Contains(rs, sub) || authzOnly(g, r, sub) {
				return "", false
			}
			servingRes = append(servingRes, r)
			for _, s := range rs {
				if !slices.Contains(subs, s) {
					subs = append(subs, s)
				}
			}
		}
	}
	if len(servingRes) == 0 {
		return "", false // not a built-in resource of these groups: not judged
	}
	slices.Sort(subs)
	if res == "*" {
		return fmt.Sprintf("no resource of API group %s serves a %q subresource", quoteJoin(groups), sub), true
	}
	if len(subs) == 0 {
		return fmt.Sprintf("%s has no subresources", res), true
	}
	return fmt.Sprintf("%s has no %q subresource (it serves %s)", res, sub, strings.Join(subs, ", ")), true
}
