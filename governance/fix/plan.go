package fix

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/internal/kubeapi"
	"github.com/aigov/aigov/quota"
	"github.com/aigov/aigov/secrets"
)

// Options tune Plan.
type Options struct {
	// TeamLabel is the label copied from a namespace onto the objects in
	// it that a required-labels finding says lack it; empty means
	// governance.TeamLabel ("team").
	TeamLabel string
}

// Check IDs whose findings Plan resolves or answers with a suggestion.
// Checks of other packages are named here, not imported, where their
// package does not export the ID.
const (
	idRBACUnknownResource = "rbac-unknown-resource"
	idQuotaInvalidKey     = "quota-invalid-key"
	idQuotaInertKey       = "quota-inert-key"
)

// Fixable lists the checks whose findings Plan turns into edits (when the
// edit is safe for the object at hand) or suggestions; findings of other
// checks are left to `aigov check`.
func Fixable() []string {
	return []string{
		catalog.IDAutomountToken, catalog.IDGPUNodeTargeting, catalog.IDKyvernoDeprecatedAction,
		catalog.IDLatestTag, catalog.IDModelImageDigest, catalog.IDPodSecurityLevel,
		catalog.IDPrivilegedContainer, idQuotaInertKey, idQuotaInvalidKey, idRBACUnknownResource,
		catalog.IDRequiredLabels, catalog.IDRunAsNonRoot,
	}
}

// planner collects the edits and suggestions of one Plan.
type planner struct {
	inv       *governance.Inventory
	teamLabel string
	edits     []Edit
	sugg      []Suggestion
	group     int
	seen      map[string]bool // edits already planned, by document, path, op and value
}

// Plan returns the edits that resolve the fixable findings (see Fixable)
// and the suggestions for those it will not edit: digest pinning, and
// findings whose safe edit does not apply to the object (a pod that sets
// automountServiceAccountToken: true says it needs the token). Findings
// of objects not read from a file get suggestions only. Plan reads the
// inventory's objects and edits nothing; Apply makes the edits.
func Plan(inv *governance.Inventory, findings []governance.Finding, opts Options) ([]Edit, []Suggestion) {
	p := &planner{inv: inv, teamLabel: opts.TeamLabel, seen: map[string]bool{}}
	if p.teamLabel == "" {
		p.teamLabel = governance.TeamLabel
	}
	for _, f := range findings {
		o := objectOf(inv, f.Object)
		if o == nil {
			continue
		}
		p.group++
		before := len(p.edits)
		p.plan(f, o)
		if len(p.edits) > before && o.Source.File == "" {
			for _, e := range p.edits[before:] {
				p.suggest(f, e.Path, "not read from a file: "+e.Why)
			}
			p.edits = p.edits[:before]
		}
	}
	// Renumber groups densely in order.
	next, renum := 0, map[int]int{}
	for i := range p.edits {
		g := p.edits[i].Group
		if _, ok := renum[g]; !ok {
			next++
			renum[g] = next
		}
		p.edits[i].Group = renum[g]
	}
	return p.edits, p.sugg
}

// objectOf finds the object a finding names, read where the finding says.
func objectOf(inv *governance.Inventory, ref governance.ObjectRef) *governance.Object {
	group := ""
	if g, _, ok := strings.Cut(ref.APIVersion, "/"); ok {
		group = g
	}
	o := inv.Get(governance.Key{Group: group, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name})
	if o == nil || o.Source.File != ref.Source.File || o.Source.Document != ref.Source.Document || o.Source.Item != ref.Source.Item {
		return nil
	}
	return o
}

func (p *planner) plan(f governance.Finding, o *governance.Object) {
	switch f.Check {
	case catalog.IDAutomountToken, secrets.IDSATokenAutomount:
		p.automountToken(f, o)
	case catalog.IDPrivilegedContainer:
		p.privileged(f, o)
	case catalog.IDPodSecurityLevel:
		p.podSecurity(f, o)
	case catalog.IDRunAsNonRoot:
		p.runAsNonRootFinding(f, o)
	case catalog.IDGPUNodeTargeting:
		p.gpuTolerations(f, o)
	case catalog.IDRequiredLabels:
		p.teamLabelFromNamespace(f, o)
	case idRBACUnknownResource:
		p.rbacResource(f, o)
	case idQuotaInvalidKey, idQuotaInertKey:
		p.quotaKey(f, o)
	case catalog.IDKyvernoDeprecatedAction:
		p.kyverno(f, o)
	case catalog.IDModelImageDigest, catalog.IDLatestTag:
		p.suggest(f, f.Path, f.Remediation+" (aigov cannot know the digest or version you verified: not edited)")
	}
}

// edit plans an edit in the current group, once per document, path, op
// and value: a second finding resolved by the same edit adds nothing.
func (p *planner) edit(f governance.Finding, path string, op Op, old, value any, why string) {
	e := Edit{Check: f.Check, Object: f.Object, Finding: f.Path, Path: path, Op: op, Old: old, Value: value,
		Group: p.group, Why: why}
	src := f.Object.Source
	key := fmt.Sprintf("%s\x00%d\x00%d\x00%s\x00%s\x00%v", src.File, src.Document, src.Item, path, op, value)
	if p.seen[key] {
		return
	}
	p.seen[key] = true
	p.edits = append(p.edits, e)
}

func (p *planner) suggest(f governance.Finding, path, msg string) {
	p.sugg = append(p.sugg, Suggestion{Check: f.Check, Object: f.Object, Path: path, Message: msg})
}

// templateAt returns the pod template of o that holds the field at path.
// Partial templates (a KServe ServingRuntime's) are not edited: their
// pod-level fields are set by the resource that uses them.
func templateAt(o *governance.Object, path string) (governance.PodTemplate, bool) {
	var best governance.PodTemplate
	found := false
	for _, t := range governance.PodTemplatesOf(o) {
		if (path == t.Path || strings.HasPrefix(path, t.Path+".")) && len(t.Path) >= len(best.Path) {
			best, found = t, true
		}
	}
	return best, found && !best.Partial
}

// container is one container of a pod spec and its path.
type container struct {
	c    *corev1.Container
	path string
}

// containers lists the containers, init containers and ephemeral
// containers of a pod spec (every container Pod Security judges).
func containers(t governance.PodTemplate) []container {
	var out []container
	// FieldPath: a container written outside the spec's lists (a KServe
	// predictor's model) is edited where it is written.
	// A container the operator injects (InjectedAt) is in no list of the
	// file: there is nothing to edit (a field it copies is fixed on the
	// container it copies).
	for i := range t.Spec.InitContainers {
		if _, injected := t.InjectedAt(t.Path + ".initContainers[" + strconv.Itoa(i) + "]"); !injected {
			out = append(out, container{&t.Spec.InitContainers[i], t.FieldPath(t.Path + ".initContainers[" + strconv.Itoa(i) + "]")})
		}
	}
	for i := range t.Spec.Containers {
		if _, injected := t.InjectedAt(t.Path + ".containers[" + strconv.Itoa(i) + "]"); !injected {
			out = append(out, container{&t.Spec.Containers[i], t.FieldPath(t.Path + ".containers[" + strconv.Itoa(i) + "]")})
		}
	}
	for i := range t.Spec.EphemeralContainers {
		c := corev1.Container(t.Spec.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, container{&c, t.FieldPath(t.Path + ".ephemeralContainers[" + strconv.Itoa(i) + "]")})
	}
	return out
}

func (p *planner) automountToken(f governance.Finding, o *governance.Object) {
	t, ok := templateAt(o, f.Path)
	if !ok {
		return
	}
	v := t.Spec.AutomountServiceAccountToken
	switch {
	case v != nil && *v:
		p.suggest(f, f.Path, "the pod sets automountServiceAccountToken: true, saying it needs the token; set it to false if it does not call the Kubernetes API (not edited)")
	case v != nil:
		return
	case projectsToken(t.Spec):
		p.suggest(f, f.Path, "the pod mounts a projected service account token volume, so it calls the Kubernetes API; set automountServiceAccountToken: false if that volume is the token it uses (not edited)")
	default:
		p.edit(f, t.Path+".automountServiceAccountToken", OpSet, nil, false,
			"the pod leaves automountServiceAccountToken unset and mounts no projected token: it does not say it needs the token")
	}
}

// projectsToken reports a projected volume with a service account token.
func projectsToken(spec *corev1.PodSpec) bool {
	for _, v := range spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil {
				return true
			}
		}
	}
	return false
}

func (p *planner) privileged(f governance.Finding, o *governance.Object) {
	t, ok := templateAt(o, f.Path)
	if !ok {
		return
	}
	for _, c := range containers(t) {
		if f.Path == c.path+".securityContext.privileged" || t.FieldPath(f.Path) == c.path+".securityContext.privileged" {
			p.setPrivilegedFalse(f, c)
		}
	}
}

func (p *planner) setPrivilegedFalse(f governance.Finding, c container) {
	if sc := c.c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
		p.edit(f, c.path+".securityContext.privileged", OpSet, true, false,
			fmt.Sprintf("container %q runs privileged: every device and capability of the node", c.c.Name))
	}
}

// podSecurity resolves the Pod Security findings that have a safe default;
// the finding's path (see pod-security-level) names the check that forbade
// the pod.
func (p *planner) podSecurity(f governance.Finding, o *governance.Object) {
	t, ok := templateAt(o, f.Path)
	if !ok {
		return
	}
	switch strings.TrimPrefix(f.Path, t.Path+".") {
	case "containers[*].securityContext.privileged":
		for _, c := range containers(t) {
			p.setPrivilegedFalse(f, c)
		}
	case "containers[*].securityContext.allowPrivilegeEscalation":
		for _, c := range containers(t) {
			sc := c.c.SecurityContext
			switch {
			case refusesNoEscalation(sc):
				// The apiserver refuses allowPrivilegeEscalation: false next
				// to privileged: true or capabilities.add CAP_SYS_ADMIN
				// (k8s.io/kubernetes pkg/apis/core/validation, v1.37).
				p.suggest(f, c.path+".securityContext.allowPrivilegeEscalation",
					fmt.Sprintf("container %q is privileged or adds CAP_SYS_ADMIN, which the apiserver refuses with allowPrivilegeEscalation: false; drop those first (not edited)", c.c.Name))
			case sc == nil || sc.AllowPrivilegeEscalation == nil:
				p.edit(f, c.path+".securityContext.allowPrivilegeEscalation", OpSet, nil, false,
					fmt.Sprintf("container %q leaves allowPrivilegeEscalation unset (setuid binaries may gain privileges)", c.c.Name))
			case *sc.AllowPrivilegeEscalation:
				p.suggest(f, c.path+".securityContext.allowPrivilegeEscalation",
					fmt.Sprintf("container %q sets allowPrivilegeEscalation: true; set it to false unless it needs setuid binaries (not edited)", c.c.Name))
			}
		}
	case "containers[*].securityContext.capabilities.drop":
		for _, c := range containers(t) {
			var drop []corev1.Capability
			if sc := c.c.SecurityContext; sc != nil && sc.Capabilities != nil {
				drop = sc.Capabilities.Drop
			}
			switch {
			case slices.Contains(drop, "ALL"):
			case drop == nil:
				p.edit(f, c.path+".securityContext.capabilities.drop", OpSet, nil, []any{"ALL"},
					fmt.Sprintf("container %q keeps the runtime's default capabilities; capabilities.add still grants what it needs", c.c.Name))
			default:
				p.edit(f, c.path+".securityContext.capabilities.drop", OpAppend, nil, "ALL",
					fmt.Sprintf("container %q drops only some capabilities; capabilities.add still grants what it needs", c.c.Name))
			}
		}
	case "securityContext.seccompProfile":
		p.seccomp(f, t)
	case "securityContext.runAsNonRoot":
		p.runAsNonRoot(f, t)
	}
}

// refusesNoEscalation reports whether the apiserver's validation would
// refuse allowPrivilegeEscalation: false on a container with sc: privileged
// true, or CAP_SYS_ADMIN (spelt so) in capabilities.add.
func refusesNoEscalation(sc *corev1.SecurityContext) bool {
	if sc == nil {
		return false
	}
	if sc.Privileged != nil && *sc.Privileged {
		return true
	}
	return sc.Capabilities != nil && slices.Contains(sc.Capabilities.Add, "CAP_SYS_ADMIN")
}

// seccomp sets the pod's seccompProfile to RuntimeDefault where the pod
// sets none; an explicit Unconfined is a choice left to a person.
func (p *planner) seccomp(f governance.Finding, t governance.PodTemplate) {
	unconfined := func(sp *corev1.SeccompProfile) bool {
		return sp != nil && sp.Type == corev1.SeccompProfileTypeUnconfined
	}
	sc := t.Spec.SecurityContext
	if sc != nil && sc.SeccompProfile != nil {
		if unconfined(sc.SeccompProfile) {
			p.suggest(f, t.Path+".securityContext.seccompProfile", "the pod sets seccompProfile Unconfined; use RuntimeDefault (or a Localhost profile) unless it must run without a syscall filter (not edited)")
		}
	} else {
		p.edit(f, t.Path+".securityContext.seccompProfile.type", OpSet, nil, string(corev1.SeccompProfileTypeRuntimeDefault),
			"the pod sets no seccomp profile: the container runtime's default filter blocks syscalls containers do not use")
	}
	for _, c := range containers(t) {
		if c.c.SecurityContext != nil && unconfined(c.c.SecurityContext.SeccompProfile) {
			p.suggest(f, c.path+".securityContext.seccompProfile",
				fmt.Sprintf("container %q sets seccompProfile Unconfined; use RuntimeDefault unless it must run without a syscall filter (not edited)", c.c.Name))
		}
	}
}

func (p *planner) runAsNonRootFinding(f governance.Finding, o *governance.Object) {
	t, ok := templateAt(o, f.Path)
	if !ok {
		return
	}
	switch strings.TrimPrefix(f.Path, t.Path+".") {
	case "securityContext.runAsNonRoot":
		p.runAsNonRoot(f, t)
	case "securityContext.runAsUser":
		p.suggest(f, f.Path, "the pod or a container sets runAsUser: 0; run as a non-root user the image supports (not edited)")
	}
}

// runAsNonRoot sets runAsNonRoot: true only where the user is known to be
// non-root: a runAsUser above 0 set on the container or the pod. Setting it
// on a container whose image defaults to root would keep the container
// from starting, and the image's user is not in the manifest.
func (p *planner) runAsNonRoot(f governance.Finding, t governance.PodTemplate) {
	pod := t.Spec.SecurityContext
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	if pod.RunAsNonRoot != nil && !*pod.RunAsNonRoot {
		p.suggest(f, t.Path+".securityContext.runAsNonRoot", "the pod sets runAsNonRoot: false; set it to true once its images run as a non-root user (not edited)")
		return
	}
	podTrue := pod.RunAsNonRoot != nil
	var known, unknown []container
	for _, c := range containers(t) {
		sc := c.c.SecurityContext
		if sc != nil && sc.RunAsNonRoot != nil {
			if !*sc.RunAsNonRoot {
				p.suggest(f, c.path+".securityContext.runAsNonRoot",
					fmt.Sprintf("container %q sets runAsNonRoot: false; set it to true once its image runs as a non-root user (not edited)", c.c.Name))
			}
			continue
		}
		if podTrue {
			continue
		}
		user := pod.RunAsUser
		if sc != nil && sc.RunAsUser != nil {
			user = sc.RunAsUser
		}
		if user != nil && *user > 0 {
			known = append(known, c)
		} else {
			unknown = append(unknown, c)
		}
	}
	if podTrue {
		return
	}
	if len(unknown) == 0 && len(known) > 0 {
		p.edit(f, t.Path+".securityContext.runAsNonRoot", OpSet, nil, true,
			"every container runs as a non-root runAsUser set in the manifest")
		return
	}
	for _, c := range known {
		p.edit(f, c.path+".securityContext.runAsNonRoot", OpSet, nil, true,
			fmt.Sprintf("container %q runs as a non-root runAsUser set in the manifest", c.c.Name))
	}
	for _, c := range unknown {
		p.suggest(f, c.path+".securityContext.runAsNonRoot",
			fmt.Sprintf("container %q: aigov cannot know whether its image runs as root; set runAsNonRoot: true (and runAsUser) once you know it does not (not edited)", c.c.Name))
	}
}

// gpuTolerations gives a GPU pod that neither tolerates a GPU taint nor
// selects GPU nodes the toleration of the taint GPU nodes carry: the one
// gpu-node-targeting's mutating policy adds (catalog.GPUTolerationKey:
// nvidia.com/gpu for every nvidia.com/ resource, MIG slices included, as
// the NVIDIA GPU Operator taints). A toleration only widens where the pod
// may run, and only nodes that have the GPU can take it.
func (p *planner) gpuTolerations(f governance.Finding, o *governance.Object) {
	t, ok := templateAt(o, f.Path)
	if !ok {
		return
	}
	if f.Path != t.Path+".tolerations" {
		p.suggest(f, f.Path, "remove the GPU toleration from a pod that requests no GPU, so it leaves GPU nodes to GPU pods (not edited: it changes where the pod may run)")
		return
	}
	key, ok := catalog.GPUTolerationKey(t.Spec)
	if !ok {
		return
	}
	res, _ := firstGPUResource(t.Spec)
	p.edit(f, t.Path+".tolerations", OpAppend, nil,
		map[string]any{"key": key, "operator": "Exists", "effect": "NoSchedule"},
		fmt.Sprintf("the pod requests %s: tolerate the %s:NoSchedule taint of GPU nodes", res, key))
}

// firstGPUResource is the first GPU resource (catalog.IsGPUResource) the
// regular and init containers limit or request, by name: the one the
// edit's reason names.
func firstGPUResource(spec *corev1.PodSpec) (corev1.ResourceName, bool) {
	var names []corev1.ResourceName
	for _, cs := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
		for _, c := range cs {
			for _, l := range []corev1.ResourceList{c.Resources.Limits, c.Resources.Requests} {
				for n, q := range l {
					if catalog.IsGPUResource(n) && !q.IsZero() {
						names = append(names, n)
					}
				}
			}
		}
	}
	if len(names) == 0 {
		return "", false
	}
	return slices.Min(names), true
}

// workloadKinds are the built-in controllers whose own labels do not reach
// their pods: a label added to them selects nothing new.
var workloadKinds = map[schema.GroupKind]bool{
	{Group: "apps", Kind: "Deployment"}: true, {Group: "apps", Kind: "StatefulSet"}: true,
	{Group: "apps", Kind: "DaemonSet"}: true, {Group: "apps", Kind: "ReplicaSet"}: true,
	{Group: "batch", Kind: "Job"}: true, {Group: "batch", Kind: "CronJob"}: true,
	{Kind: "ReplicationController"}: true,
}

// teamLabelFromNamespace copies the team label of the namespace onto a
// workload that lacks it.
func (p *planner) teamLabelFromNamespace(f governance.Finding, o *governance.Object) {
	if f.Path != "metadata.labels["+p.teamLabel+"]" {
		return
	}
	if _, has := o.Meta().GetLabels()[p.teamLabel]; has {
		p.suggest(f, f.Path, fmt.Sprintf("label %q has a value the policy does not allow; set the team's name (not edited)", p.teamLabel))
		return
	}
	ns := p.inv.Get(governance.Key{Kind: "Namespace", Name: o.Namespace()})
	team := ""
	if ns != nil {
		team = ns.Meta().GetLabels()[p.teamLabel]
	}
	switch {
	case o.Namespace() == "":
		return
	case !workloadKinds[o.GVK.GroupKind()]:
		p.suggest(f, f.Path, fmt.Sprintf("add label %q; aigov copies it from the namespace only onto built-in workloads, whose labels do not reach their pods (not edited)", p.teamLabel))
	case team == "":
		p.suggest(f, f.Path, fmt.Sprintf("add label %q: namespace %q has none to copy (not edited)", p.teamLabel, o.Namespace()))
	default:
		p.edit(f, f.Path, OpSet, nil, team,
			fmt.Sprintf("namespace %q belongs to team %q", o.Namespace(), team))
	}
}

// rbacResource fixes a subresource spelled in the plural ("pods/logs")
// when the resource serves the singular ("pods/log").
func (p *planner) rbacResource(f governance.Finding, o *governance.Object) {
	var rules []rbacv1.PolicyRule
	switch r := o.Obj.(type) {
	case *rbacv1.Role:
		rules = r.Rules
	case *rbacv1.ClusterRole:
		rules = r.Rules
	default:
		return
	}
	var i, j int
	if n, err := fmt.Sscanf(f.Path, "rules[%d].resources[%d]", &i, &j); n != 2 || err != nil ||
		f.Path != fmt.Sprintf("rules[%d].resources[%d]", i, j) || i >= len(rules) || j >= len(rules[i].Resources) {
		return
	}
	rule := rules[i]
	res := rule.Resources[j]
	resource, sub, hasSub := strings.Cut(res, "/")
	fixed := resource + "/" + strings.TrimSuffix(sub, "s")
	if hasSub && strings.HasSuffix(sub, "s") && !slices.Contains(rule.Resources, fixed) {
		for _, g := range rule.APIGroups {
			if s, ok := kubeapi.Lookup(g, resource); ok && s.HasSubresource(strings.TrimSuffix(sub, "s")) {
				p.edit(f, f.Path, OpSet, res, fixed,
					fmt.Sprintf("%q has no subresource %q; it serves %q", resource, sub, strings.TrimSuffix(sub, "s")))
				return
			}
		}
	}
	p.suggest(f, f.Path, f.Message+" (not edited: no single spelling fix)")
}

// quotaKey renames a ResourceQuota key the apiserver refuses or never
// enforces to the key meant (requests.nvidia.com/gpu for limits.gpu or
// nvidia.com/gpu), when the quota does not have that key already and its
// scopes allow it.
func (p *planner) quotaKey(f governance.Finding, o *governance.Object) {
	rq, ok := o.Obj.(*corev1.ResourceQuota)
	if !ok {
		return
	}
	var key corev1.ResourceName
	for k := range rq.Spec.Hard {
		if f.Path == "spec.hard["+string(k)+"]" {
			key = k
		}
	}
	if key == "" {
		return
	}
	_, _, fixed := quota.ClassifyKey(key)
	if fixed == "" {
		p.suggest(f, f.Path, f.Message+" (not edited: no key to rename it to)")
		return
	}
	to := corev1.ResourceName(fixed)
	if _, taken := rq.Spec.Hard[to]; taken {
		p.suggest(f, f.Path, fmt.Sprintf("the quota already limits %s; remove %s (not edited: which value is meant is yours to say)", to, key))
		return
	}
	renamed := rq.DeepCopy()
	renamed.Spec.Hard[to] = renamed.Spec.Hard[key]
	delete(renamed.Spec.Hard, key)
	had := map[string]bool{}
	for _, e := range quota.ValidateQuota(rq) {
		had[e.Error()] = true
	}
	for _, e := range quota.ValidateQuota(renamed) {
		if e.Field != f.Path && !had[e.Error()] {
			p.suggest(f, f.Path, fmt.Sprintf("rename %s to %s, which the apiserver would refuse: %v (not edited)", key, to, e))
			return
		}
	}
	p.edit(f, f.Path, OpRename, string(key), fixed, fmt.Sprintf("the quota limits GPUs only as %s", fixed))
}

// kyverno moves the deprecated policy-wide validationFailureAction (and
// its overrides) into each validate rule, which Kyverno reads first, and
// capitalizes the deprecated lowercase values. The move is one group: the
// spec field is removed only together with the rules' new fields.
func (p *planner) kyverno(f governance.Finding, o *governance.Object) {
	u, ok := o.Obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	rules, _, _ := unstructured.NestedSlice(u.Object, "spec", "rules")
	switch f.Path {
	case "spec.validationFailureAction":
		v, _, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "validationFailureAction")
		action, ok := kyvernoAction(v)
		if !ok {
			p.suggest(f, f.Path, fmt.Sprintf("spec.validationFailureAction is %v, neither Audit nor Enforce; set validate.failureAction in each rule (not edited)", v))
			return
		}
		for i, r := range rules {
			if validate, ok := validateOf(r); ok {
				if _, has := validate["failureAction"]; !has {
					p.edit(f, fmt.Sprintf("spec.rules[%d].validate.failureAction", i), OpSet, nil, action,
						"the rule takes the policy's action, which Kyverno reads from the rule first")
				}
			}
		}
		p.edit(f, f.Path, OpDelete, v, nil, "deprecated since Kyverno 1.13: each validate rule now says its action")
	case "spec.validationFailureActionOverrides":
		overrides, _, _ := unstructured.NestedSlice(u.Object, "spec", "validationFailureActionOverrides")
		for i := range overrides {
			m, ok := overrides[i].(map[string]any)
			if !ok {
				p.suggest(f, f.Path, "an override is not a mapping (not edited)")
				return
			}
			if a, ok := kyvernoAction(m["action"]); ok {
				m = maps(m)
				m["action"] = a
				overrides[i] = m
			}
		}
		for i, r := range rules {
			if validate, ok := validateOf(r); ok {
				if _, has := validate["failureActionOverrides"]; !has {
					p.edit(f, fmt.Sprintf("spec.rules[%d].validate.failureActionOverrides", i), OpSet, nil, overrides,
						"the rule takes the policy's overrides, which Kyverno reads from the rule first")
				}
			}
		}
		p.edit(f, f.Path, OpDelete, nil, nil, "deprecated since Kyverno 1.13: each validate rule now says its overrides")
	default:
		if strings.HasPrefix(f.Path, "spec.validationFailureActionOverrides[") {
			return // moved, and capitalized, with the overrides
		}
		v, ok := fieldAt(u.Object, f.Path)
		if !ok {
			return
		}
		if action, ok := kyvernoAction(v); ok && action != v {
			p.edit(f, f.Path, OpSet, v, action, fmt.Sprintf("the lowercase %q is deprecated", v))
		}
	}
}

// maps copies a mapping one level deep.
func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func validateOf(rule any) (map[string]any, bool) {
	r, ok := rule.(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := r["validate"].(map[string]any)
	return v, ok
}

// kyvernoAction is the current spelling of a Kyverno failure action.
func kyvernoAction(v any) (string, bool) {
	s, _ := v.(string)
	switch strings.ToLower(s) {
	case "audit":
		return "Audit", true
	case "enforce":
		return "Enforce", true
	}
	return "", false
}

// fieldAt reads the value at a path of an unstructured object.
func fieldAt(obj map[string]any, path string) (any, bool) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, false
	}
	return lookup(any(obj), segs)
}
