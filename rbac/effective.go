package rbac

import (
	"slices"
	"sort"
	"strings"
)

// Permission is one row of an identity's effective permissions: verbs on
// one resource (Resource may be "*", "pods/log" or "*/scale") of one API
// group, optionally limited to names, or verbs on one non-resource URL.
type Permission struct {
	APIGroup       string   `json:"apiGroup,omitempty"`
	Resource       string   `json:"resource,omitempty"`
	ResourceNames  []string `json:"resourceNames,omitempty"`
	NonResourceURL string   `json:"nonResourceURL,omitempty"`
	Verbs          []string `json:"verbs"`
}

// Effective returns what the identity may do in the namespace ("" =
// cluster-wide, ClusterRoleBindings only), compacted: one row per (group,
// resource, resourceNames) or URL with the union of verbs, wildcards kept
// symbolic. Non-resource URLs come from ClusterRoleBindings and are listed
// in every namespace. A member of system:masters gets rows of "*".
func (g *Graph) Effective(id Identity, namespace string) []Permission {
	if slices.Contains(id.Groups, GroupMasters) {
		return []Permission{{APIGroup: "*", Resource: "*", Verbs: []string{"*"}}, {NonResourceURL: "*", Verbs: []string{"*"}}}
	}
	rows := map[string]*Permission{}
	add := func(key string, p Permission, verbs []string) {
		row := rows[key]
		if row == nil {
			row = &p
			rows[key] = row
		}
		row.Verbs = append(row.Verbs, verbs...)
	}
	visitRules := func(x *bindingIndex, cluster bool) {
		seen := map[*binding]bool{}
		for _, b := range x.all {
			if b.role == nil || seen[b] {
				continue
			}
			if _, ok := b.appliesTo(&id); !ok {
				continue
			}
			seen[b] = true
			for _, r := range b.role.rules {
				for _, u := range r.NonResourceURLs {
					if !cluster {
						break // inert through a RoleBinding
					}
					add("\x01"+u, Permission{NonResourceURL: u}, r.Verbs)
				}
				names := slices.Clone(r.ResourceNames)
				slices.Sort(names)
				names = slices.Compact(names)
				for _, grp := range r.APIGroups {
					for _, res := range r.Resources {
						add(grp+"\x00"+res+"\x00"+strings.Join(names, ","), Permission{APIGroup: grp, Resource: res, ResourceNames: names}, r.Verbs)
					}
				}
			}
		}
	}
	visitRules(g.crbs, true)
	if namespace != "" {
		if x := g.rbs[namespace]; x != nil {
			visitRules(x, false)
		}
	}
	out := make([]Permission, 0, len(rows))
	for _, row := range rows {
		slices.Sort(row.Verbs)
		row.Verbs = slices.Compact(row.Verbs)
		if slices.Contains(row.Verbs, "*") {
			row.Verbs = []string{"*"}
		}
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.NonResourceURL == "") != (b.NonResourceURL == "") {
			return a.NonResourceURL == ""
		}
		if a.NonResourceURL != b.NonResourceURL {
			return a.NonResourceURL < b.NonResourceURL
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.APIGroup != b.APIGroup {
			return a.APIGroup < b.APIGroup
		}
		return strings.Join(a.ResourceNames, ",") < strings.Join(b.ResourceNames, ",")
	})
	return out
}
