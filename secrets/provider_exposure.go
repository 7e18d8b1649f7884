package secrets

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// ProviderLabel marks a Secret as holding an AI provider credential (as a
// label or annotation; the value names the provider).
const ProviderLabel = "aigov.dev/provider"

// TeamPolicy says which subjects belong to which team, for
// ProviderKeysOutsideTeam.
type TeamPolicy struct {
	// TeamLabel is the namespace label naming the team; "" means
	// governance.TeamLabel.
	TeamLabel string
	// AllowedSubjects may read every provider key (a ServiceAccount with
	// its namespace; Group and User by kind and name).
	AllowedSubjects []rbacv1.Subject
	// TeamMembers maps a team to its Groups and Users, overriding what the
	// RoleBindings say.
	TeamMembers map[string][]rbacv1.Subject
}

// ProviderKeyExposure is one provider-key Secret and the accesses to it
// from outside the team that owns it.
type ProviderKeyExposure struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Provider is what ProviderKeySecrets says ("openai", ...).
	Provider string `json:"provider"`
	// Team is the team label of the Secret's namespace; "" when none (then
	// every subject is outside).
	Team string `json:"team,omitempty"`
	// Outside are the accesses (as Exposure reports them) of subjects
	// outside Team, neither system:masters nor allowed.
	Outside []Access `json:"outside"`
}

// ProviderKeySecrets returns the Secrets of inv that hold an AI provider
// credential, keyed by (namespace, name), with the provider: the
// aigov.dev/provider label or annotation, the provider the Secret's name or
// one of its data or stringData keys names (ProviderHint), else the
// provider a container's env variable reading the Secret names
// (OPENAI_API_KEY from a secretKeyRef).
func ProviderKeySecrets(inv *governance.Inventory) map[[2]string]string {
	out := map[[2]string]string{}
	for _, s := range governance.Typed[*corev1.Secret](inv) {
		k := [2]string{s.Namespace, s.Name}
		switch {
		case s.Labels[ProviderLabel] != "":
			out[k] = DisplayName(s.Labels[ProviderLabel])
		case s.Annotations[ProviderLabel] != "":
			out[k] = DisplayName(s.Annotations[ProviderLabel]) // reported: never a credential whole
		case ProviderHint(s.Name) != "":
			out[k] = ProviderHint(s.Name)
		default:
			names := append(sortedKeys(s.Data), sortedKeys(s.StringData)...)
			slices.Sort(names)
			for _, name := range names {
				if h := ProviderHint(name); h != "" {
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
					if h := ProviderHint(e.Name); h != "" {
						out[k] = h
					}
				}
			}
		}
	}
	return out
}

// ProviderKeysOutsideTeam returns, for every provider-key Secret
// (ProviderKeySecrets) of exposures (Exposure of inv), the accesses of
// subjects outside the owning team, sorted as exposures; Secrets without
// such access are left out. The owning team is the policy's team label of
// the Secret's namespace. A ServiceAccount is inside when its namespace
// has that team; a Group or User when TeamMembers lists it for the team,
// else when RoleBindings bind it only in namespaces of that one team.
// system:masters and AllowedSubjects are never outside; a Secret of no
// team has no inside.
func ProviderKeysOutsideTeam(inv *governance.Inventory, exposures []SecretExposure, p TeamPolicy) []ProviderKeyExposure {
	keys := ProviderKeySecrets(inv)
	if len(keys) == 0 {
		return nil
	}
	label := p.TeamLabel
	if label == "" {
		label = governance.TeamLabel
	}
	teamOf := func(ns string) string { return namespaceTeam(inv, ns, label) }
	members := teamsOfSubjects(inv, label)
	for k, v := range members {
		if len(v) != 1 {
			delete(members, k) // bound in several teams: nobody's
		}
	}
	explicit := map[rbacv1.Subject][]string{}
	for team, subjects := range p.TeamMembers {
		for _, s := range subjects {
			k := rbacv1.Subject{Kind: s.Kind, Name: s.Name}
			explicit[k] = appendNew(explicit[k], team)
		}
	}
	for k, v := range explicit {
		members[k] = v
	}
	allowed := func(s rbacv1.Subject) bool {
		for _, a := range p.AllowedSubjects {
			if a.Kind == s.Kind && a.Name == s.Name && (s.Kind != rbacv1.ServiceAccountKind || a.Namespace == s.Namespace) {
				return true
			}
		}
		return false
	}
	inside := func(s rbacv1.Subject, owner string) bool {
		if owner == "" {
			return false
		}
		if s.Kind == rbacv1.ServiceAccountKind {
			return teamOf(s.Namespace) == owner
		}
		return slices.Contains(members[rbacv1.Subject{Kind: s.Kind, Name: s.Name}], owner)
	}
	var out []ProviderKeyExposure
	for _, e := range exposures {
		provider, ok := keys[[2]string{e.Namespace, e.Name}]
		if !ok {
			continue
		}
		pe := ProviderKeyExposure{Namespace: e.Namespace, Name: e.Name, Provider: provider, Team: teamOf(e.Namespace)}
		for _, a := range e.Access {
			if a.Superuser || allowed(a.Subject) || inside(a.Subject, pe.Team) {
				continue
			}
			pe.Outside = append(pe.Outside, a)
		}
		if len(pe.Outside) > 0 {
			out = append(out, pe)
		}
	}
	return out
}

// namespaceTeam is the team label value of namespace ns ("" when the
// namespace or its label is missing).
func namespaceTeam(inv *governance.Inventory, ns, teamLabel string) string {
	if o := inv.Get(governance.Key{Kind: "Namespace", Name: ns}); o != nil {
		if n, ok := o.Obj.(*corev1.Namespace); ok {
			return n.Labels[teamLabel]
		}
	}
	return ""
}

// teamsOfSubjects maps each Group or User that a RoleBinding binds in a
// namespace carrying teamLabel to the teams of those namespaces, in
// binding order. A subject with one team belongs to it; one with several
// belongs to none.
func teamsOfSubjects(inv *governance.Inventory, teamLabel string) map[rbacv1.Subject][]string {
	out := map[rbacv1.Subject][]string{}
	for _, rb := range governance.Typed[*rbacv1.RoleBinding](inv) {
		team := namespaceTeam(inv, rb.Namespace, teamLabel)
		if team == "" {
			continue
		}
		for _, s := range rb.Subjects {
			if s.Kind != rbacv1.GroupKind && s.Kind != rbacv1.UserKind {
				continue
			}
			k := rbacv1.Subject{Kind: s.Kind, Name: s.Name}
			out[k] = appendNew(out[k], team)
		}
	}
	return out
}
