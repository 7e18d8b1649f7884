// provider-key-secret-exposure keeps AI provider credentials inside the
// team that owns them. A provider-key Secret is one whose name, data or
// stringData key names a provider (secrets.ProviderHint: openai, anthropic,
// huggingface, wandb, litellm, ...), that a container reads into an env
// variable whose name names one (OPENAI_API_KEY from secretKeyRef), or
// that carries the label or annotation aigov.dev/provider. Its owning
// team is the team label of its namespace. Every subject that can read it
// (secrets.Exposure over rbac: get/list/watch, create pods in its
// namespace, exec into a workload that uses it) and is outside the owning
// team is a finding on the Secret: a ServiceAccount of a namespace of
// another team, or a Group or User that is not a member of the owning
// team. Membership comes from the teamMembers parameter, else from the
// RoleBindings: a Group or User bound only in namespaces of one team is
// that team's; one bound in several teams' namespaces, or in none, belongs
// to no team. system:masters and the subjects listed in allowedSubjects
// are exempt, and so (unless includeClusterWide is set) are accesses that
// come only from ClusterRoleBindings: a cluster-wide operator group is no
// team, and its power is what rbac risks and team-group-risks report. The
// evaluation is secrets.ProviderKeysOutsideTeam; the catalog adds the
// parameters and the findings, and reads the exposure from the pass
// (secrets.ExposureFact).

package catalog

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// IDProviderKeySecretExposure is the catalog ID of the
// provider-key-secret-exposure check.
const IDProviderKeySecretExposure = "provider-key-secret-exposure"

// ProviderLabel marks a Secret as holding an AI provider credential (as a
// label or annotation; the value names the provider).
const ProviderLabel = secrets.ProviderLabel

// ProviderKeySecretExposureParams are the parameters of
// provider-key-secret-exposure.
type ProviderKeySecretExposureParams struct {
	// TeamLabel is the namespace label naming the team (default
	// governance.TeamLabel, "team").
	TeamLabel string `json:"teamLabel,omitempty"`
	// AllowedSubjects may read every provider key: "Group/NAME",
	// "User/NAME" or "ServiceAccount/NAMESPACE/NAME".
	AllowedSubjects []string `json:"allowedSubjects,omitempty"`
	// TeamMembers maps a team to its Groups and Users ("Group/NAME",
	// "User/NAME"), overriding what the RoleBindings say.
	TeamMembers map[string][]string `json:"teamMembers,omitempty"`
	// IncludeClusterWide also reports accesses that come only from
	// ClusterRoleBindings (cluster-wide operators).
	IncludeClusterWide bool `json:"includeClusterWide,omitempty"`
}

func providerKeySecretExposureDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDProviderKeySecretExposure,
		Description: "Provider-key Secrets are readable (RBAC read, pod or workload creation, exec, impersonation) only inside the owning team.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{"Secrets holding AI provider keys (inventory: RBAC, workloads)"},
		Params: []governance.Param{
			{Name: "teamLabel", Type: "string", Default: governance.TeamLabel, Description: "namespace label naming the owning team"},
			{Name: "allowedSubjects", Type: "[]string", Description: `subjects allowed to read every provider key: "Group/NAME", "User/NAME", "ServiceAccount/NAMESPACE/NAME"`},
			{Name: "teamMembers", Type: "map[string][]string", Description: `team → its "Group/NAME" and "User/NAME" subjects; default: a Group or User bound only in one team's namespaces is that team's`},
			{Name: "includeClusterWide", Type: "bool", Default: "false", Description: "also report accesses granted only by ClusterRoleBindings (cluster-wide operators)"},
		},
		Requires: []governance.FactRef{secrets.ExposureFact},
		New:      NewProviderKeySecretExposure,
	}
}

// NewProviderKeySecretExposure builds the provider-key-secret-exposure check.
func NewProviderKeySecretExposure(params any) (governance.Check, error) {
	p := ProviderKeySecretExposureParams{TeamLabel: governance.TeamLabel}
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	policy, err := p.teamPolicy()
	if err != nil {
		return governance.Check{}, err
	}
	d := providerKeySecretExposureDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "remove the grant that lets the subject read the Secret, create pods or workloads, exec or impersonate in its namespace (or narrow it with resourceNames); share a provider key through the gateway, not the Secret",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			var out []governance.Finding
			for _, pe := range secrets.ProviderKeysOutsideTeam(inv, secrets.ExposureFact.Of(pass), policy) {
				if o := inv.Get(governance.Key{Kind: "Secret", Namespace: pe.Namespace, Name: pe.Name}); o != nil {
					out = append(out, providerKeyFindings(o, pe, p.IncludeClusterWide)...)
				}
			}
			return out
		},
	}, nil
}

// teamPolicy validates the parameters and turns them into the secrets
// package's TeamPolicy.
func (p ProviderKeySecretExposureParams) teamPolicy() (secrets.TeamPolicy, error) {
	policy := secrets.TeamPolicy{TeamLabel: p.TeamLabel, TeamMembers: map[string][]rbacv1.Subject{}}
	if err := validateLabelKey("teamLabel", p.TeamLabel); err != nil {
		return policy, err
	}
	for i, s := range p.AllowedSubjects {
		kind, rest, _ := strings.Cut(s, "/")
		switch {
		case rest != "" && (kind == rbacv1.GroupKind || kind == rbacv1.UserKind):
			policy.AllowedSubjects = append(policy.AllowedSubjects, rbacv1.Subject{Kind: kind, Name: rest})
		case kind == rbacv1.ServiceAccountKind && strings.Count(rest, "/") == 1:
			ns, name, _ := strings.Cut(rest, "/")
			policy.AllowedSubjects = append(policy.AllowedSubjects, rbacv1.Subject{Kind: kind, Namespace: ns, Name: name})
		default:
			return policy, fmt.Errorf("allowedSubjects[%d] %q is not Group/NAME, User/NAME or ServiceAccount/NAMESPACE/NAME", i, s)
		}
	}
	for team, subjects := range p.TeamMembers {
		for i, sub := range subjects {
			kind, name, _ := strings.Cut(sub, "/")
			if (kind != rbacv1.GroupKind && kind != rbacv1.UserKind) || name == "" {
				return policy, fmt.Errorf("teamMembers[%s][%d] %q is not Group/NAME or User/NAME", team, i, sub)
			}
			policy.TeamMembers[team] = append(policy.TeamMembers[team], rbacv1.Subject{Kind: kind, Name: name})
		}
	}
	return policy, nil
}

// providerKeyFindings reports one finding per outside subject of a
// provider-key Secret, with every way it has and the grants behind them.
func providerKeyFindings(o *governance.Object, pe secrets.ProviderKeyExposure, includeClusterWide bool) []governance.Finding {
	type ways struct{ via, grants []string }
	bySubject := map[string]*ways{}
	var order []string
	for _, a := range pe.Outside {
		if !includeClusterWide && onlyClusterWide(a.Grants) {
			continue
		}
		k := a.SubjectString()
		w, ok := bySubject[k]
		if !ok {
			w = &ways{}
			bySubject[k] = w
			order = append(order, k)
		}
		via := a.Via
		if a.Workload != "" {
			via += " into " + a.Workload
		}
		w.via = appendMissing(w.via, via)
		w.grants = appendMissing(w.grants, a.Grants...)
	}
	owner := "no team"
	if pe.Team != "" {
		owner = "team " + pe.Team
	}
	var out []governance.Finding
	for _, k := range order {
		w := bySubject[k]
		out = append(out, governance.Finding{Object: o.Ref(),
			Message: fmt.Sprintf("%s provider key Secret %s/%s (owned by %s) is readable by %s, outside the owning team (%s): %s",
				pe.Provider, pe.Namespace, pe.Name, owner, k, strings.Join(w.via, ", "), strings.Join(w.grants, "; "))})
	}
	return out
}

// onlyClusterWide reports grants that all come from ClusterRoleBindings
// (the apiserver's reason texts name the binding kind first).
func onlyClusterWide(grants []string) bool {
	for _, g := range grants {
		if !strings.HasPrefix(g, "ClusterRoleBinding/") {
			return false
		}
	}
	return len(grants) > 0
}

// appendMissing appends the values list lacks.
func appendMissing(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// ProviderKeySecrets returns the Secrets of inv that hold an AI provider
// credential, keyed by (namespace, name), with the provider
// (secrets.ProviderKeySecrets).
func ProviderKeySecrets(inv *governance.Inventory) map[[2]string]string {
	return secrets.ProviderKeySecrets(inv)
}
