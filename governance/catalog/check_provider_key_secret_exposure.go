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
// are exempt.

package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// IDProviderKeySecretExposure is the catalog ID of the
// provider-key-secret-exposure check.
const IDProviderKeySecretExposure = "provider-key-secret-exposure"

// ProviderLabel marks a Secret as holding an AI provider credential (as a
// label or annotation; the value names the provider).
const ProviderLabel = "aigov.dev/provider"

// ProviderKeySecretExposureParams are the parameters of
// provider-key-secret-exposure.
type ProviderKeySecretExposureParams struct {
	// TeamLabel is the namespace label naming the team (default "team").
	TeamLabel string `json:"teamLabel,omitempty"`
	// AllowedSubjects may read every provider key: "Group/NAME",
	// "User/NAME" or "ServiceAccount/NAMESPACE/NAME".
	AllowedSubjects []string `json:"allowedSubjects,omitempty"`
	// TeamMembers maps a team to its Groups and Users ("Group/NAME",
	// "User/NAME"), overriding what the RoleBindings say.
	TeamMembers map[string][]string `json:"teamMembers,omitempty"`
}

func providerKeySecretExposureDefinition(ax *analyses) governance.Definition {
	return governance.Definition{
		ID:          IDProviderKeySecretExposure,
		Description: "Provider-key Secrets are readable (RBAC read, pod creation, exec) only inside the owning team.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{"Secrets holding AI provider keys (inventory: RBAC, workloads)"},
		Params: []governance.Param{
			{Name: "teamLabel", Type: "string", Default: "team", Description: "namespace label naming the owning team"},
			{Name: "allowedSubjects", Type: "[]string", Description: `subjects allowed to read every provider key: "Group/NAME", "User/NAME", "ServiceAccount/NAMESPACE/NAME"`},
			{Name: "teamMembers", Type: "map[string][]string", Description: `team → its "Group/NAME" and "User/NAME" subjects; default: a Group or User bound only in one team's namespaces is that team's`},
		},
		New: func(p json.RawMessage) (governance.Check, error) { return newProviderKeySecretExposure(ax, p) },
	}
}

// NewProviderKeySecretExposure builds the provider-key-secret-exposure check.
func NewProviderKeySecretExposure(params json.RawMessage) (governance.Check, error) {
	return newProviderKeySecretExposure(newAnalyses(), params)
}

func newProviderKeySecretExposure(ax *analyses, params json.RawMessage) (governance.Check, error) {
	p := ProviderKeySecretExposureParams{TeamLabel: "team"}
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	if err := validateLabelKey("teamLabel", p.TeamLabel); err != nil {
		return governance.Check{}, err
	}
	for i, s := range p.AllowedSubjects {
		kind, rest, _ := strings.Cut(s, "/")
		ok := rest != "" && (kind == "Group" || kind == "User" || (kind == rbacv1.ServiceAccountKind && strings.Count(rest, "/") == 1))
		if !ok {
			return governance.Check{}, fmt.Errorf("allowedSubjects[%d] %q is not Group/NAME, User/NAME or ServiceAccount/NAMESPACE/NAME", i, s)
		}
	}
	explicit := map[rbacv1.Subject][]string{}
	for team, subjects := range p.TeamMembers {
		for i, sub := range subjects {
			kind, name, _ := strings.Cut(sub, "/")
			if (kind != rbacv1.GroupKind && kind != rbacv1.UserKind) || name == "" {
				return governance.Check{}, fmt.Errorf("teamMembers[%s][%d] %q is not Group/NAME or User/NAME", team, i, sub)
			}
			k := rbacv1.Subject{Kind: kind, Name: name}
			explicit[k] = append(explicit[k], team)
		}
	}
	d := providerKeySecretExposureDefinition(ax)
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity,
		Remediation: "remove the grant that lets the subject read the Secret, create pods or exec in its namespace (or narrow it with resourceNames); share a provider key through the gateway, not the Secret",
		Inventory: func(inv *governance.Inventory) []governance.Finding {
			keys := ProviderKeySecrets(inv)
			if len(keys) == 0 {
				return nil
			}
			members := groupTeams(inv, p.TeamLabel)
			for k, v := range members {
				if len(v) != 1 {
					delete(members, k)
				}
			}
			for k, v := range explicit {
				members[k] = v
			}
			var out []governance.Finding
			for _, e := range ax.secretExposure(inv) {
				provider, ok := keys[[2]string{e.Namespace, e.Name}]
				if !ok {
					continue
				}
				owner := teamOf(inv, e.Namespace, p.TeamLabel)
				o := inv.Get(governance.Key{Kind: "Secret", Namespace: e.Namespace, Name: e.Name})
				if o == nil {
					continue
				}
				type agg struct {
					ways   []string
					grants []string
				}
				bySubject := map[string]*agg{}
				var order []string
				for _, a := range e.Access {
					if a.Superuser || slices.Contains(p.AllowedSubjects, subjectKey(a.Subject)) {
						continue
					}
					if insideTeam(inv, a.Subject, owner, p.TeamLabel, members) {
						continue
					}
					k := a.SubjectString()
					g, ok := bySubject[k]
					if !ok {
						g = &agg{}
						bySubject[k] = g
						order = append(order, k)
					}
					way := a.Via
					if a.Workload != "" {
						way += " into " + a.Workload
					}
					if !slices.Contains(g.ways, way) {
						g.ways = append(g.ways, way)
					}
					for _, gr := range a.Grants {
						if !slices.Contains(g.grants, gr) {
							g.grants = append(g.grants, gr)
						}
					}
				}
				ownerText := "no team"
				if owner != "" {
					ownerText = "team " + owner
				}
				for _, k := range order {
					g := bySubject[k]
					out = append(out, governance.Finding{Object: o.Ref(),
						Message: fmt.Sprintf("%s provider key Secret %s/%s (owned by %s) is readable by %s, outside the owning team (%s): %s",
							provider, e.Namespace, e.Name, ownerText, k, strings.Join(g.ways, ", "), strings.Join(g.grants, "; "))})
				}
			}
			return out
		},
	}, nil
}

// subjectKey renders "Group/NAME", "User/NAME" or
// "ServiceAccount/NAMESPACE/NAME".
func subjectKey(s rbacv1.Subject) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return s.Kind + "/" + s.Namespace + "/" + s.Name
	}
	return s.Kind + "/" + s.Name
}

// insideTeam reports whether a subject belongs to team owner: a
// ServiceAccount of a namespace of that team, or a Group or User bound by
// a RoleBinding in a namespace of that team. A Secret of no team has no
// inside.
func insideTeam(inv *governance.Inventory, s rbacv1.Subject, owner, teamLabel string, members map[rbacv1.Subject][]string) bool {
	if owner == "" {
		return false
	}
	if s.Kind == rbacv1.ServiceAccountKind {
		return teamOf(inv, s.Namespace, teamLabel) == owner
	}
	return slices.Contains(members[rbacv1.Subject{Kind: s.Kind, Name: s.Name}], owner)
}

// ProviderKeySecrets returns the Secrets of inv that hold an AI provider
// credential, keyed by (namespace, name), with the provider: the
// aigov.dev/provider label or annotation, the provider a container's env
// variable reading the Secret names (OPENAI_API_KEY), the provider the
// Secret's name or one of its data or stringData keys names.
func ProviderKeySecrets(inv *governance.Inventory) map[[2]string]string {
	out := map[[2]string]string{}
	for _, s := range governance.Typed[*corev1.Secret](inv) {
		k := [2]string{s.Namespace, s.Name}
		switch {
		case s.Labels[ProviderLabel] != "":
			out[k] = s.Labels[ProviderLabel]
		case s.Annotations[ProviderLabel] != "":
			out[k] = s.Annotations[ProviderLabel]
		case secrets.ProviderHint(s.Name) != "":
			out[k] = secrets.ProviderHint(s.Name)
		default:
			for _, name := range secretKeyNames(s) {
				if h := secrets.ProviderHint(name); h != "" {
					out[k] = h
					break
				}
			}
		}
	}
	for _, w := range inv.Workloads() {
		if w.Pod == nil {
			continue
		}
		spec := &w.Pod.Spec
		for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
			for _, c := range cs {
				for _, e := range c.Env {
					if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
						continue
					}
					k := [2]string{w.Namespace, e.ValueFrom.SecretKeyRef.Name}
					if _, known := out[k]; known {
						continue
					}
					if inv.Get(governance.Key{Kind: "Secret", Namespace: k[0], Name: k[1]}) == nil {
						continue
					}
					if h := secrets.ProviderHint(e.Name); h != "" {
						out[k] = h
					}
				}
			}
		}
	}
	return out
}

func secretKeyNames(s *corev1.Secret) []string {
	var names []string
	for n := range s.Data {
		names = append(names, n)
	}
	for n := range s.StringData {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
