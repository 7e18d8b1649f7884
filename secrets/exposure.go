package secrets

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
	// ViaCreateWorkloads: create a pod controller (Deployment, ReplicaSet,
	// StatefulSet, DaemonSet, Job, CronJob, ReplicationController) in the
	// Secret's namespace: its pods mount the Secret as a pod of one's own
	// would. Access.Resources names the controllers.
	ViaCreateWorkloads = "create-workloads"
	// ViaUpdateWorkloads: update or patch a pod controller of the inventory
	// in the Secret's namespace whose pod template may change after
	// creation (Deployment, ReplicaSet, StatefulSet, DaemonSet, CronJob,
	// ReplicationController; a Job's template is immutable): its next pods
	// mount the Secret. Access.Resources names the controllers' resources;
	// Access.Workload is set when the grant names that one controller
	// (resourceNames), and empty when the subject may change every
	// controller of the resource in the namespace.
	ViaUpdateWorkloads = "update-workloads"
	// ViaExec: exec into the pods of a workload that mounts it (rules
	// limited by resourceNames count for the pods they name: a Pod of the
	// inventory, a StatefulSet's ordinal pods, pods of the inventory owned
	// by the workload).
	ViaExec = "exec"
	// ViaImpersonate: impersonate (users, groups or serviceaccounts) a
	// subject that can read the Secret one of the ways above, when the
	// impersonator has no such way itself. Access.Impersonates names the
	// subject, Access.Through says how it reads.
	ViaImpersonate = "impersonate"
	// ViaMintToken: create a token (serviceaccounts/token) for a
	// ServiceAccount that can read the Secret, and act as it (again only
	// for subjects with no direct way).
	ViaMintToken = "mint-token"
)

// podControllers are the resources whose creation runs pods in a
// namespace, as apiGroup and resource.
func podControllers() [7][2]string {
	return [...][2]string{
		{"apps", "deployments"}, {"apps", "replicasets"}, {"apps", "statefulsets"}, {"apps", "daemonsets"},
		{"batch", "jobs"}, {"batch", "cronjobs"}, {"", "replicationcontrollers"},
	}
}

// maxOrdinalPods bounds the StatefulSet pod names asked about per workload.
const maxOrdinalPods = 64

// Access is one subject that can read a Secret, one way, with the grants
// that allow it.
type Access struct {
	Subject rbacv1.Subject `json:"subject"`
	// Via is ViaRead, ViaCreatePods, ViaCreateWorkloads, ViaExec,
	// ViaImpersonate or ViaMintToken.
	Via string `json:"via"`
	// Verbs are the allowed verbs (get, list, watch for ViaRead;
	// impersonate for ViaImpersonate; update, patch for
	// ViaUpdateWorkloads; create otherwise).
	Verbs []string `json:"verbs"`
	// Resources are, for ViaCreateWorkloads and ViaUpdateWorkloads, the
	// controllers the subject may create or change ("jobs.batch",
	// "deployments.apps").
	Resources []string `json:"resources,omitempty"`
	// Workload is, for ViaExec, the workload ("Kind/name") whose pods the
	// subject may exec into; for ViaUpdateWorkloads, the one controller a
	// resourceNames-limited grant lets it change.
	Workload string `json:"workload,omitempty"`
	// Pods are, for ViaExec, the pod names asked about by name (so that
	// rules limited by resourceNames count); empty when only the
	// unrestricted rules could be asked (a Deployment's pod names are not
	// known in advance).
	Pods []string `json:"pods,omitempty"`
	// Impersonates is, for ViaImpersonate and ViaMintToken, the subject
	// acted as; Through lists the ways it can read the Secret itself
	// (ViaRead, ...).
	Impersonates *rbacv1.Subject `json:"impersonates,omitempty"`
	Through      []string        `json:"through,omitempty"`
	// Superuser marks system:masters.
	Superuser bool `json:"superuser,omitempty"`
	// Grants are the apiserver's reason texts: `RoleBinding "b/ns" of Role
	// "r" to Group "g"`. For ViaImpersonate and ViaMintToken the chain:
	// the grants that allow impersonation, then those of the impersonated
	// subject.
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

// exposureUse is one workload using a Secret, with the pod names known.
type exposureUse struct {
	ref  string
	pods []string
}

// Exposure returns, for every Secret of the inventory (sorted by namespace
// and name), the subjects that can read it directly, create pods or pod
// controllers in its namespace, change the pod template of a controller
// there, exec into the pods of workloads that use it, or impersonate (or
// mint a token for) a subject that can do one of these. Impersonation is
// followed one hop, and listed only for subjects that have no direct way
// (a cluster admin reads the Secret itself; one entry per subject it could
// also act as would be noise, and quadratic); impersonating a group is
// counted without checking that the subject may also impersonate a user
// (kubectl --as-group needs --as).
func Exposure(inv *governance.Inventory, authz Authorizer) []SecretExposure {
	return exposure(inv, authz, nil)
}

// exposure is Exposure of the Secrets keep accepts (every Secret when keep
// is nil). Each Secret's answer depends on the inventory and that Secret
// only, never on which other Secrets are asked about.
func exposure(inv *governance.Inventory, authz Authorizer, keep func(namespace, name string) bool) []SecretExposure {
	var out []SecretExposure
	exposureEach(inv, authz, keep, func(e SecretExposure) { out = append(out, e) })
	sortExposures(out)
	return out
}

// sortExposures sorts by namespace and name.
func sortExposures(out []SecretExposure) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
}

// exposureEach is exposure handing each Secret's answer to emit as it is
// made (in the inventory's order), so that a caller that folds them need
// not hold every list.
func exposureEach(inv *governance.Inventory, authz Authorizer, keep func(namespace, name string) bool, emit func(SecretExposure)) {
	uses := map[[2]string][]exposureUse{}
	runsAs := map[[2]string][]string{}
	changeable := map[string][]governance.Workload{} // per namespace
	for _, w := range inv.Workloads() {
		if _, _, ok := mutableTemplate(w.Kind); ok {
			changeable[w.Namespace] = append(changeable[w.Namespace], w)
		}
		spec := &w.Pod.Spec
		sa := spec.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		ref := w.Kind + "/" + w.Name
		runsAs[[2]string{w.Namespace, sa}] = append(runsAs[[2]string{w.Namespace, sa}], ref)
		for _, name := range SecretsUsed(spec) {
			k := [2]string{w.Namespace, name}
			uses[k] = append(uses[k], exposureUse{ref: ref, pods: knownPodNames(w)})
		}
	}
	// Pods of the inventory owned by a controller (read from a cluster):
	// their names let resourceNames-limited exec rules count.
	for _, p := range governance.Typed[*corev1.Pod](inv) {
		owner := topOwner(inv, p)
		if owner == "" {
			continue // a workload of its own, handled above
		}
		for _, name := range SecretsUsed(&p.Spec) {
			k := [2]string{p.Namespace, name}
			i := slices.IndexFunc(uses[k], func(u exposureUse) bool { return u.ref == owner })
			if i < 0 {
				uses[k] = append(uses[k], exposureUse{ref: owner})
				i = len(uses[k]) - 1
			}
			if !slices.Contains(uses[k][i].pods, p.Name) {
				uses[k][i].pods = append(uses[k][i].pods, p.Name)
			}
		}
	}
	// Per-namespace and per-subject answers are asked once.
	createPods := map[string][]rbac.SubjectAccess{}
	createWorkloads := map[string][][]rbac.SubjectAccess{}
	updateWorkloads := map[string][]grantedAccess{}
	hops := map[rbacv1.Subject][]hopAccess{}
	// Per namespace: who may exec into any pod there, and whether a
	// grant names pods (else asking by pod name gives the same answer).
	execAny := map[string][]rbac.SubjectAccess{}
	execNamed := map[string]bool{}
	// Per namespace: the subjects that reach every Secret there (list,
	// create pods or controllers, change templates), and per subject the
	// impersonators that are none of them (see addImpersonation).
	nsReaders := map[string]map[rbacv1.Subject]bool{}
	nsHops := map[string]map[rbacv1.Subject][]hopAccess{}
	texts := grantTexts{}
	listSecrets := map[string][]rbac.SubjectAccess{}
	for _, s := range governance.Typed[*corev1.Secret](inv) {
		if keep != nil && !keep(s.Namespace, s.Name) {
			continue
		}
		e := SecretExposure{Namespace: s.Namespace, Name: s.Name}
		acc := newAccessList(runsAs, texts)
		add := func(na Access, sas []rbac.SubjectAccess) {
			for _, sa := range sas {
				acc.merge(sa, na)
			}
		}
		for _, verb := range []string{"get", "list", "watch"} {
			a := rbac.Attributes{Verb: verb, Namespace: s.Namespace, Resource: "secrets"}
			if verb == "list" { // lists every Secret of the namespace: asked once
				if _, asked := listSecrets[s.Namespace]; !asked {
					listSecrets[s.Namespace] = authz.WhoCan(a)
				}
				add(Access{Via: ViaRead, Verbs: []string{verb}}, listSecrets[s.Namespace])
				continue
			}
			a.Name = s.Name
			add(Access{Via: ViaRead, Verbs: []string{verb}}, authz.WhoCan(a))
		}
		cp, ok := createPods[s.Namespace]
		if !ok {
			cp = authz.WhoCan(rbac.Attributes{Verb: "create", Namespace: s.Namespace, Resource: "pods"})
			createPods[s.Namespace] = cp
		}
		add(Access{Via: ViaCreatePods, Verbs: []string{"create"}}, cp)
		controllers := podControllers()
		cw, ok := createWorkloads[s.Namespace]
		if !ok {
			for _, gr := range controllers {
				cw = append(cw, authz.WhoCan(rbac.Attributes{Verb: "create", Namespace: s.Namespace, APIGroup: gr[0], Resource: gr[1]}))
			}
			createWorkloads[s.Namespace] = cw
		}
		for i, sas := range cw {
			res := controllers[i][1]
			if controllers[i][0] != "" {
				res += "." + controllers[i][0]
			}
			add(Access{Via: ViaCreateWorkloads, Verbs: []string{"create"}, Resources: []string{res}}, sas)
		}
		uw, ok := updateWorkloads[s.Namespace]
		if !ok {
			uw = templateChanges(changeable[s.Namespace], authz)
			updateWorkloads[s.Namespace] = uw
		}
		for _, g := range uw {
			add(g.access, g.subjects)
		}
		readers, ok := nsReaders[s.Namespace]
		if !ok {
			readers = map[rbacv1.Subject]bool{}
			for _, sas := range append([][]rbac.SubjectAccess{listSecrets[s.Namespace], cp}, cw...) {
				for _, sa := range sas {
					readers[sa.Subject] = true
				}
			}
			for _, g := range uw {
				for _, sa := range g.subjects {
					readers[sa.Subject] = true
				}
			}
			nsReaders[s.Namespace] = readers
			nsHops[s.Namespace] = map[rbacv1.Subject][]hopAccess{}
		}
		for _, u := range uses[[2]string{s.Namespace, s.Name}] {
			if !slices.Contains(e.UsedBy, u.ref) {
				e.UsedBy = append(e.UsedBy, u.ref)
			}
			exec := rbac.Attributes{Verb: "create", Namespace: s.Namespace, Resource: "pods", Subresource: "exec"}
			anyPod, ok := execAny[s.Namespace]
			if !ok {
				anyPod = authz.WhoCan(exec)
				execAny[s.Namespace] = anyPod
				execNamed[s.Namespace] = mayNameObjects(authz, exec)
			}
			add(Access{Via: ViaExec, Verbs: []string{"create"}, Workload: u.ref}, anyPod)
			for _, pod := range u.pods {
				byName := anyPod
				if execNamed[s.Namespace] {
					exec.Name = pod
					byName = authz.WhoCan(exec)
				}
				add(Access{Via: ViaExec, Verbs: []string{"create"}, Workload: u.ref, Pods: []string{pod}}, byName)
			}
		}
		addImpersonation(acc, authz, hops, readers, nsHops[s.Namespace])
		e.Access = acc.list
		sortAccess(e.Access)
		emit(e)
	}
}

// grantedAccess is a way in and the subjects it is open to.
type grantedAccess struct {
	access   Access
	subjects []rbac.SubjectAccess
}

// templateChanges returns who may update or patch the controllers of one
// namespace (all of mutable template kinds): per resource, the subjects
// allowed on every object, then per controller those whose grant names it.
func templateChanges(controllers []governance.Workload, authz Authorizer) []grantedAccess {
	type answer struct {
		all   []rbac.SubjectAccess // allowed on every object
		named bool                 // some grant names objects: ask per name
	}
	var out []grantedAccess
	answers := map[string]answer{} // by verb and resource
	for _, w := range controllers {
		group, resource, _ := mutableTemplate(w.Kind)
		res := resource
		if group != "" {
			res += "." + group
		}
		for _, verb := range []string{"update", "patch"} {
			a := rbac.Attributes{Verb: verb, Namespace: w.Namespace, APIGroup: group, Resource: resource}
			ans, asked := answers[verb+" "+res]
			if !asked {
				ans = answer{all: authz.WhoCan(a), named: mayNameObjects(authz, a)}
				answers[verb+" "+res] = ans
				out = append(out, grantedAccess{Access{Via: ViaUpdateWorkloads, Verbs: []string{verb}, Resources: []string{res}}, ans.all})
			}
			if !ans.named {
				continue // by name would ask the same
			}
			a.Name = w.Name
			var named []rbac.SubjectAccess
			for _, sa := range authz.WhoCan(a) {
				if !slices.ContainsFunc(ans.all, func(x rbac.SubjectAccess) bool { return x.Subject == sa.Subject }) {
					named = append(named, sa)
				}
			}
			if len(named) > 0 {
				out = append(out, grantedAccess{Access{Via: ViaUpdateWorkloads, Verbs: []string{verb}, Resources: []string{res},
					Workload: w.Kind + "/" + w.Name}, named})
			}
		}
	}
	return out
}

// namedGrants is implemented by authorizers that can tell whether a grant
// for requests like a is limited by resourceNames (*rbac.Graph does).
type namedGrants interface {
	NamesObjects(a rbac.Attributes) bool
}

// mayNameObjects reports whether WhoCan about one object by name might
// find subjects that WhoCan without a name does not: always, unless the
// authorizer says no grant names objects.
func mayNameObjects(authz Authorizer, a rbac.Attributes) bool {
	ng, ok := authz.(namedGrants)
	return !ok || ng.NamesObjects(a)
}

// mutableTemplate returns the API group and resource of a controller kind
// whose pod template can be changed after creation. Not a Job's: upstream
// validation (batch ValidateJobSpecUpdate) keeps its template immutable
// but for scheduling fields, and container resources while suspended —
// neither mounts a Secret. Nor a Pod's, whose volumes and env are
// immutable.
func mutableTemplate(kind string) (group, resource string, ok bool) {
	switch kind {
	case "Deployment":
		return "apps", "deployments", true
	case "ReplicaSet":
		return "apps", "replicasets", true
	case "StatefulSet":
		return "apps", "statefulsets", true
	case "DaemonSet":
		return "apps", "daemonsets", true
	case "CronJob":
		return "batch", "cronjobs", true
	case "ReplicationController":
		return "", "replicationcontrollers", true
	}
	return "", "", false
}

// knownPodNames are the pod names of a workload known before it runs: a
// Pod's own name and a StatefulSet's ordinal pods (name-0 …).
func knownPodNames(w governance.Workload) []string {
	switch w.Kind {
	case "Pod":
		return []string{w.Name}
	case "StatefulSet":
		n := min(max(int(w.Replicas), 1), maxOrdinalPods)
		out := make([]string, n)
		for i := range out {
			out[i] = w.Name + "-" + strconv.Itoa(i)
		}
		return out
	}
	return nil
}

// ownerGroup returns the API group of a controller kind whose pods and
// children the cluster creates.
func ownerGroup(kind string) (string, bool) {
	switch kind {
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
		return "apps", true
	case "Job", "CronJob":
		return "batch", true
	case "ReplicationController":
		return "", true
	}
	return "", false
}

// namingParent is the controller kind that names its children
// "<parent>-<suffix>": a Deployment its ReplicaSets, a CronJob its Jobs.
func namingParent(kind string) string {
	switch kind {
	case "ReplicaSet":
		return "Deployment"
	case "Job":
		return "CronJob"
	}
	return ""
}

// topOwner returns "Kind/name" of the outermost controller of the
// inventory that owns pod p (following controller owner references, and a
// ReplicaSet's or Job's name to its Deployment or CronJob when the
// intermediate object is missing), or "" when p has no owner there.
func topOwner(inv *governance.Inventory, p *corev1.Pod) string {
	found := ""
	refs := p.OwnerReferences
	for depth := 0; depth < 4 && len(refs) > 0; depth++ {
		var next []metav1.OwnerReference
		for _, ref := range refs {
			group, ok := ownerGroup(ref.Kind)
			if !ok {
				continue
			}
			if o := inv.Get(governance.Key{Group: group, Kind: ref.Kind, Namespace: p.Namespace, Name: ref.Name}); o != nil {
				found = ref.Kind + "/" + ref.Name
				next = o.Meta().GetOwnerReferences()
				break
			}
			parent := namingParent(ref.Kind)
			if i := strings.LastIndex(ref.Name, "-"); parent != "" && i > 0 {
				if inv.Get(governance.Key{Group: group, Kind: parent, Namespace: p.Namespace, Name: ref.Name[:i]}) != nil {
					found = parent + "/" + ref.Name[:i]
					break
				}
			}
		}
		refs = next
	}
	return found
}

// hopAccess is one subject that can act as another: impersonate it or
// mint a token for it.
type hopAccess struct {
	via string
	sa  rbac.SubjectAccess
}

// hopAttributes are the requests that let a subject act as target.
func hopAttributes(target rbacv1.Subject) []struct {
	via   string
	attrs rbac.Attributes
} {
	type hop = struct {
		via   string
		attrs rbac.Attributes
	}
	switch target.Kind {
	case rbacv1.ServiceAccountKind:
		return []hop{
			{ViaImpersonate, rbac.Attributes{Verb: "impersonate", Namespace: target.Namespace, Resource: "serviceaccounts", Name: target.Name}},
			{ViaMintToken, rbac.Attributes{Verb: "create", Namespace: target.Namespace, Resource: "serviceaccounts", Subresource: "token", Name: target.Name}},
		}
	case rbacv1.GroupKind:
		return []hop{{ViaImpersonate, rbac.Attributes{Verb: "impersonate", Resource: "groups", Name: target.Name}}}
	}
	return []hop{{ViaImpersonate, rbac.Attributes{Verb: "impersonate", Resource: "users", Name: target.Name}}}
}

// addImpersonation adds to acc, for every subject of its direct accesses
// (one may read the Secret without acting as someone else), the subjects
// that can impersonate it or mint a token for it, one hop — those that
// cannot read the Secret a direct way themselves. readers are subjects
// with a direct way to every Secret of the namespace (nil: none known);
// nsHops memoizes, per target subject, its impersonators that are not
// readers nor system:masters, the only ones a Secret of the namespace can
// list: with 100 cluster admins impersonating each other, asking every
// admin about every admin for every Secret was the quadratic part.
func addImpersonation(acc *accessList, authz Authorizer, hops map[rbacv1.Subject][]hopAccess,
	readers map[rbacv1.Subject]bool, nsHops map[rbacv1.Subject][]hopAccess) {
	direct := acc.list[:len(acc.list):len(acc.list)]
	type target struct {
		through []string
		grants  []string
	}
	targets := map[rbacv1.Subject]*target{}
	var order []rbacv1.Subject
	for _, a := range direct {
		t, ok := targets[a.Subject]
		if !ok {
			t = &target{}
			targets[a.Subject] = t
			order = append(order, a.Subject)
		}
		if !slices.Contains(t.through, a.Via) {
			t.through = append(t.through, a.Via)
		}
		for _, g := range a.Grants {
			if !slices.Contains(t.grants, g) {
				t.grants = append(t.grants, g)
			}
		}
	}
	for _, subj := range order {
		hs, ok := nsHops[subj]
		if !ok {
			all, ok := hops[subj]
			if !ok {
				for _, h := range hopAttributes(subj) {
					for _, sa := range authz.WhoCan(h.attrs) {
						all = append(all, hopAccess{via: h.via, sa: sa})
					}
				}
				hops[subj] = all
			}
			hs = nil
			for _, h := range all {
				if !readers[h.sa.Subject] && !h.sa.Superuser {
					hs = append(hs, h)
				}
			}
			if nsHops != nil {
				nsHops[subj] = hs
			}
		}
		t := targets[subj]
		for _, h := range hs {
			if _, reads := targets[h.sa.Subject]; reads || h.sa.Superuser {
				// It has a way of its own (system:masters reads
				// directly): listing every subject it could also act as
				// would add subjects × impersonators entries and no
				// reader.
				continue
			}
			verb := "impersonate"
			if h.via == ViaMintToken {
				verb = "create"
			}
			imp := subj
			acc.merge(h.sa, Access{Via: h.via, Verbs: []string{verb}, Impersonates: &imp,
				Through: t.through, Grants: t.grants})
		}
	}
}

// accessList collects the accesses to one Secret, one entry per subject,
// way, workload and impersonated subject. Subjects bound cluster-wide are
// in the list of every Secret, so finding an entry must not mean scanning
// the list.
type accessList struct {
	list   []Access
	index  map[accessKey]int
	runsAs map[[2]string][]string
	texts  grantTexts
}

// accessKey is what makes two accesses one entry; imp is the zero Subject
// when nobody is impersonated.
type accessKey struct {
	subject, imp  rbacv1.Subject
	via, workload string
}

func newAccessList(runsAs map[[2]string][]string, texts grantTexts) *accessList {
	return &accessList{index: map[accessKey]int{}, runsAs: runsAs, texts: texts}
}

// merge adds subject sa's access na (Via, Verbs, Workload, Resources, Pods,
// Impersonates, Through, and Grants after sa's), merging it into the entry
// of the same subject, way, workload and impersonated subject.
func (l *accessList) merge(sa rbac.SubjectAccess, na Access) {
	k := accessKey{subject: sa.Subject, via: na.Via, workload: na.Workload}
	if na.Impersonates != nil {
		k.imp = *na.Impersonates
	}
	if i, ok := l.index[k]; ok {
		a := &l.list[i]
		a.Verbs = appendNew(a.Verbs, na.Verbs...)
		a.Resources = appendNew(a.Resources, na.Resources...)
		a.Pods = appendNew(a.Pods, na.Pods...)
		a.Through = appendNew(a.Through, na.Through...)
		a.Grants = l.texts.appendGrants(a.Grants, sa.Grants)
		a.Grants = appendNew(a.Grants, na.Grants...)
		return
	}
	na.Subject = sa.Subject
	na.Superuser = sa.Superuser
	na.Verbs = slices.Clone(na.Verbs)
	na.Resources = slices.Clone(na.Resources)
	na.Pods = slices.Clone(na.Pods)
	na.Through = slices.Clone(na.Through)
	na.Grants = appendNew(l.texts.appendGrants(nil, sa.Grants), na.Grants...)
	if sa.Subject.Kind == rbacv1.ServiceAccountKind {
		na.RunsAs = l.runsAs[[2]string{sa.Subject.Namespace, sa.Subject.Name}]
	}
	l.index[k] = len(l.list)
	l.list = append(l.list, na)
}

func appendNew(dst []string, items ...string) []string {
	for _, s := range items {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

// grantTexts formats each grant once: a few bindings (cluster admins,
// namespace roles) grant most accesses, to every Secret in reach.
type grantTexts map[grantKey]string

// grantKey is what Grant.String reads.
type grantKey struct {
	binding, role rbac.Ref
	subject       rbacv1.Subject
}

func (t grantTexts) text(g rbac.Grant) string {
	k := grantKey{binding: g.Binding, role: g.Role, subject: g.Subject}
	s, ok := t[k]
	if !ok {
		s = g.String()
		t[k] = s
	}
	return s
}

// appendGrants appends the texts of gs that dst lacks.
func (t grantTexts) appendGrants(dst []string, gs []rbac.Grant) []string {
	for _, g := range gs {
		s := t.text(g)
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

// viaRank orders the ways in: direct reads first, acting as another last.
func viaRank(via string) int {
	return slices.Index([]string{ViaRead, ViaCreatePods, ViaCreateWorkloads, ViaUpdateWorkloads, ViaExec, ViaImpersonate, ViaMintToken}, via)
}

func sortAccess(as []Access) {
	sort.SliceStable(as, func(i, j int) bool { return accessLess(as[i], as[j]) })
}

// accessLess orders accesses by way in, workload, impersonated subject and
// subject: a total order on the entries of one Secret's list.
func accessLess(a, b Access) bool {
	if a.Via != b.Via {
		return viaRank(a.Via) < viaRank(b.Via)
	}
	if a.Workload != b.Workload {
		return a.Workload < b.Workload
	}
	if ai, bi := impersonated(a), impersonated(b); ai != bi {
		return ai < bi
	}
	if a.Subject.Kind != b.Subject.Kind {
		return a.Subject.Kind < b.Subject.Kind
	}
	if a.Subject.Namespace != b.Subject.Namespace {
		return a.Subject.Namespace < b.Subject.Namespace
	}
	return a.Subject.Name < b.Subject.Name
}

func impersonated(a Access) string {
	if a.Impersonates == nil {
		return ""
	}
	return subjectString(*a.Impersonates)
}

// SecretsUsed lists the Secrets a pod spec mounts or reads through env,
// envFrom or a projected volume (regular and init containers),
// deduplicated, in order.
func SecretsUsed(spec *corev1.PodSpec) []string {
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

// subjectString names a subject as every text output does: Kind/name or
// ServiceAccount/namespace/name.
func subjectString(s rbacv1.Subject) string {
	return governance.DisplayName(s.Kind, s.Namespace, s.Name)
}

// SubjectString renders an Access's subject for text reports.
func (a Access) SubjectString() string { return subjectString(a.Subject) }
