package secrets

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// Authorizer answers who may make a request, with the grant chain. It is
// what exposure needs of package rbac; *rbac.Graph implements it.
type Authorizer interface {
	WhoCan(a rbac.Attributes) []rbac.SubjectAccess
}

// Ways a subject can read a Secret.
const (
	// ViaRead: get, list or watch on secrets (resourceNames honoured for
	// get and watch).
	ViaRead = "read"
	// ViaCreatePods: create pods in the Secret's namespace, so mount it
	// (or read it through env) in a pod of one's own.
	ViaCreatePods = "create-pods"
	// ViaExec: exec into the pods of a workload that mounts it.
	ViaExec = "exec"
)

// Access is one subject that can read a Secret, one way, with the grants
// that allow it.
type Access struct {
	Subject rbacv1.Subject `json:"subject"`
	// Via is ViaRead, ViaCreatePods or ViaExec.
	Via string `json:"via"`
	// Verbs are the allowed verbs (get, list, watch for ViaRead; create
	// otherwise).
	Verbs []string `json:"verbs"`
	// Workload is, for ViaExec, the workload ("Kind/name") whose pods the
	// subject may exec into.
	Workload string `json:"workload,omitempty"`
	// Superuser marks system:masters.
	Superuser bool `json:"superuser,omitempty"`
	// Grants are the apiserver's reason texts: `RoleBinding "b/ns" of Role
	// "r" to Group "g"`.
	Grants []string `json:"grants,omitempty"`
	// RunsAs lists, for a ServiceAccount subject, the workloads of the
	// inventory that run as it: code in them can read the Secret too.
	RunsAs []string `json:"runsAs,omitempty"`
}

// SecretExposure is who can read one Secret, and which workloads use it.
type SecretExposure struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// UsedBy lists the workloads ("Kind/name") that mount the Secret as a
	// volume or read it through env or envFrom.
	UsedBy []string `json:"usedBy,omitempty"`
	Access []Access `json:"access"`
}

// Exposure returns, for every Secret of the inventory (sorted by namespace
// and name), the subjects that can read it directly, create pods in its
// namespace, or exec into the pods of workloads that use it. Impersonation
// is not followed yet.
func Exposure(inv *governance.Inventory, authz Authorizer) []SecretExposure {
	usedBy := map[[2]string][]governance.Workload{}
	runsAs := map[[2]string][]string{}
	for _, w := range inv.Workloads() {
		spec := &w.Pod.Spec
		sa := spec.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		runsAs[[2]string{w.Namespace, sa}] = append(runsAs[[2]string{w.Namespace, sa}], w.Kind+"/"+w.Name)
		for _, name := range secretsUsed(spec) {
			usedBy[[2]string{w.Namespace, name}] = append(usedBy[[2]string{w.Namespace, name}], w)
		}
	}
	var out []SecretExposure
	for _, s := range governance.Typed[*corev1.Secret](inv) {
		e := SecretExposure{Namespace: s.Namespace, Name: s.Name}
		add := func(via, workload string, verb string, sas []rbac.SubjectAccess) {
			for _, sa := range sas {
				e.Access = mergeAccess(e.Access, sa, via, workload, verb, runsAs)
			}
		}
		for _, verb := range []string{"get", "list", "watch"} {
			a := rbac.Attributes{Verb: verb, Namespace: s.Namespace, Resource: "secrets"}
			if verb != "list" {
				a.Name = s.Name
			}
			add(ViaRead, "", verb, authz.WhoCan(a))
		}
		add(ViaCreatePods, "", "create", authz.WhoCan(rbac.Attributes{Verb: "create", Namespace: s.Namespace, Resource: "pods"}))
		for _, w := range usedBy[[2]string{s.Namespace, s.Name}] {
			ref := w.Kind + "/" + w.Name
			e.UsedBy = append(e.UsedBy, ref)
			add(ViaExec, ref, "create", authz.WhoCan(rbac.Attributes{Verb: "create", Namespace: s.Namespace, Resource: "pods", Subresource: "exec"}))
		}
		sortAccess(e.Access)
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func mergeAccess(list []Access, sa rbac.SubjectAccess, via, workload, verb string, runsAs map[[2]string][]string) []Access {
	for i := range list {
		a := &list[i]
		if a.Subject == sa.Subject && a.Via == via && a.Workload == workload {
			a.Verbs = append(a.Verbs, verb)
			a.Grants = appendGrants(a.Grants, sa.Grants)
			return list
		}
	}
	a := Access{Subject: sa.Subject, Via: via, Verbs: []string{verb}, Workload: workload, Superuser: sa.Superuser,
		Grants: appendGrants(nil, sa.Grants)}
	if sa.Subject.Kind == rbacv1.ServiceAccountKind {
		a.RunsAs = runsAs[[2]string{sa.Subject.Namespace, sa.Subject.Name}]
	}
	return append(list, a)
}

func appendGrants(dst []string, gs []rbac.Grant) []string {
	for _, g := range gs {
		s := g.String()
		dup := false
		for _, d := range dst {
			dup = dup || d == s
		}
		if !dup {
			dst = append(dst, s)
		}
	}
	return dst
}

var viaOrder = map[string]int{ViaRead: 0, ViaCreatePods: 1, ViaExec: 2}

func sortAccess(as []Access) {
	sort.SliceStable(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if a.Via != b.Via {
			return viaOrder[a.Via] < viaOrder[b.Via]
		}
		if a.Workload != b.Workload {
			return a.Workload < b.Workload
		}
		if a.Subject.Kind != b.Subject.Kind {
			return a.Subject.Kind < b.Subject.Kind
		}
		if a.Subject.Namespace != b.Subject.Namespace {
			return a.Subject.Namespace < b.Subject.Namespace
		}
		return a.Subject.Name < b.Subject.Name
	})
}

// secretsUsed lists the Secrets a pod spec mounts or reads through env,
// envFrom or a projected volume, deduplicated, in order.
func secretsUsed(spec *corev1.PodSpec) []string {
	var out []string
	add := func(name string) {
		for _, n := range out {
			if n == name {
				return
			}
		}
		if name != "" {
			out = append(out, name)
		}
	}
	for _, v := range spec.Volumes {
		if v.Secret != nil {
			add(v.Secret.SecretName)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.Secret != nil {
					add(src.Secret.Name)
				}
			}
		}
	}
	visit := func(c *corev1.Container) {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				add(e.ValueFrom.SecretKeyRef.Name)
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.SecretRef != nil {
				add(ef.SecretRef.Name)
			}
		}
	}
	for i := range spec.InitContainers {
		visit(&spec.InitContainers[i])
	}
	for i := range spec.Containers {
		visit(&spec.Containers[i])
	}
	return out
}

// String renders a subject as "Kind name" or "ServiceAccount ns/name".
func subjectString(s rbacv1.Subject) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return fmt.Sprintf("ServiceAccount %s/%s", s.Namespace, s.Name)
	}
	return s.Kind + " " + s.Name
}

// SubjectString renders an Access's subject for text reports.
func (a Access) SubjectString() string { return subjectString(a.Subject) }
