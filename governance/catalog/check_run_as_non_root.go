// run-as-non-root requires containers to run as a non-root user, with
// exactly the semantics of the Pod Security "restricted" level's
// runAsNonRoot and runAsUser checks (k8s.io/pod-security-admission/policy,
// policy version v1.37): the pod or every container must set
// securityContext.runAsNonRoot: true and none may set it to false, and
// neither the pod nor any container may set runAsUser: 0; a pod with
// hostUsers: false (a user namespace) passes both. It reads
// spec.hostUsers, spec.securityContext.runAsNonRoot/runAsUser and the
// securityContext.runAsNonRoot/runAsUser of every container, init container
// and ephemeral container of a Pod or of a workload's pod template (the
// stored object), and denies with one finding per failing Pod Security
// check, on the pod-level field, with Pod Security's own reason and detail;
// a KServe model, merged into its runtime's container, is judged on its
// own runAsNonRoot and runAsUser, at its own field, and so is each
// container of a KServe ServingRuntime or ClusterServingRuntime: a
// runtime is a partial template whose containers KServe puts into the
// predictor pod of every InferenceService that uses it, under that
// InferenceService's pod-level securityContext and hostUsers (kserve
// v0.20.0 pkg/controller/v1beta1/inferenceservice/components/predictor.go
// buildPodSpec, utils.MergePodSpec: the runtime gives the pod only
// volumes, scheduling and pull secrets), so a runtime container that
// leaves runAsNonRoot unset is not root by itself, while one that sets
// runAsNonRoot: false or runAsUser: 0 is, in every such pod. What no one
// object shows, an InferenceService's predictor pod built with its
// runtime's containers where one of them and the pod level leave
// runAsNonRoot unset, the check's inventory part reports on the
// InferenceService's pod-level field (inheritedRunAsRoot).
// Its ValidatingAdmissionPolicy expresses the same two checks in CEL, one
// validation each, with the same reason. Its MutatingAdmissionPolicy sets
// runAsNonRoot: true where the user is known not to be root; the
// nonRootImages parameter (images the platform knows run as a non-root
// USER) widens only that.

package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/aigov/aigov/governance"
)

// IDRunAsNonRoot is the catalog ID of the run-as-non-root check.
const IDRunAsNonRoot = "run-as-non-root"

// PodSecurityVersion is the Pod Security policy version run-as-non-root
// evaluates: the cluster version aigov is pinned to.
const PodSecurityVersion = "v1.37"

func runAsNonRootDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDRunAsNonRoot,
		Description: `Pods must pass the Pod Security "restricted" runAsNonRoot and runAsUser checks: runAsNonRoot true for every container, never runAsUser 0 (pods with hostUsers: false pass).`,
		Severity:    governance.SeverityMedium,
		Kinds:       []string{PodsAndWorkloads},
		Params: []governance.Param{{
			Name: "nonRootImages", Type: "[]string",
			Description: `images the platform knows run as a non-root USER, for the MutatingAdmissionPolicy only: a repository ("registry.example/llm/server", any tag or digest) or a prefix ending in "/" or "*" ("registry.example/llm/", "registry.example/llm-*")`,
		}},
		VAP: true,
		New: NewRunAsNonRoot,
	}
}

// podSecurityCheck is one Pod Security check at PodSecurityVersion and the
// pod spec field its findings point at.
type podSecurityCheck struct {
	fn    policy.CheckPodFn
	field string
}

// versionedCheck picks the implementation of c that applies at v: the one
// with the highest minimum version not newer than v, as policy.Evaluator
// does.
func versionedCheck(c policy.Check, v api.Version) (policy.CheckPodFn, error) {
	var fn policy.CheckPodFn
	for _, vc := range c.Versions {
		if !v.Older(vc.MinimumVersion) {
			fn = vc.CheckPod
		}
	}
	if fn == nil {
		return nil, fmt.Errorf("pod security check %s has no implementation for %s", c.ID, v)
	}
	return fn, nil
}

// RunAsNonRootParams are the parameters of run-as-non-root.
type RunAsNonRootParams struct {
	// NonRootImages are images whose USER the platform knows is not root,
	// as ParseRunAsNonRootParams accepts them. They only widen the
	// MutatingAdmissionPolicy: the check and its validating policy judge
	// the manifest alone, as Pod Security does.
	NonRootImages []string `json:"nonRootImages,omitempty"`
}

// ParseRunAsNonRootParams parses and validates run-as-non-root
// parameters. Each nonRootImages entry is either a repository
// ("registry.example/llm/server"), matching the image written exactly
// or followed by a tag (":...", no "/" after it) or a digest ("@..."), or
// a prefix: an entry ending in "/" matches every image it starts, one
// ending in "*" every image starting with what precedes the "*". Images
// are compared as written (no Docker Hub normalization). Empty entries,
// whitespace, a "*" anywhere but at the end, "*" alone (which would claim
// every image), a leading "/" and duplicates are errors.
func ParseRunAsNonRootParams(raw any) (RunAsNonRootParams, error) {
	var p RunAsNonRootParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	seen := map[string]bool{}
	for i, e := range p.NonRootImages {
		switch {
		case e == "":
			return p, fmt.Errorf("nonRootImages[%d]: empty image", i)
		case strings.ContainsAny(e, " \t\r\n\v\f"):
			return p, fmt.Errorf("nonRootImages[%d]: %q contains whitespace", i, e)
		case strings.Contains(strings.TrimSuffix(e, "*"), "*"):
			return p, fmt.Errorf("nonRootImages[%d]: %q: \"*\" is allowed only at the end, as a prefix", i, e)
		case e == "*":
			return p, fmt.Errorf("nonRootImages[%d]: %q would match every image", i, e)
		case strings.HasPrefix(e, "/"):
			return p, fmt.Errorf("nonRootImages[%d]: %q does not start with a registry or repository", i, e)
		case seen[e]:
			return p, fmt.Errorf("nonRootImages[%d]: %q is listed twice", i, e)
		}
		seen[e] = true
	}
	return p, nil
}

// nonRootImageCEL is a CEL condition on the image img (a string
// expression) that holds when it matches one of entries, with the
// matching rule of ParseRunAsNonRootParams, the entries inlined as
// constants; "" when there are none.
func nonRootImageCEL(img string, entries []string) string {
	var terms []string
	for _, e := range entries {
		switch {
		case strings.HasSuffix(e, "*"):
			terms = append(terms, img+`.startsWith(`+governance.CELString(strings.TrimSuffix(e, "*"))+`)`)
		case strings.HasSuffix(e, "/"):
			terms = append(terms, img+`.startsWith(`+governance.CELString(e)+`)`)
		default:
			terms = append(terms, `(`+img+` == `+governance.CELString(e)+` || `+img+`.startsWith(`+governance.CELString(e+"@")+`) || `+
				img+`.startsWith(`+governance.CELString(e+":")+`) && !`+img+`.substring(`+strconv.Itoa(utf8.RuneCountInString(e))+`).contains("/"))`)
		}
	}
	return strings.Join(terms, " || ")
}

// NewRunAsNonRoot builds the run-as-non-root check from
// RunAsNonRootParams.
func NewRunAsNonRoot(params any) (governance.Check, error) {
	p, err := ParseRunAsNonRootParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	v, err := api.ParseVersion(PodSecurityVersion)
	if err != nil {
		return governance.Check{}, err
	}
	var checks []podSecurityCheck
	for _, c := range []struct {
		check policy.Check
		field string
	}{
		{policy.CheckRunAsNonRoot(), "securityContext.runAsNonRoot"},
		{policy.CheckRunAsUser(), "securityContext.runAsUser"},
	} {
		fn, err := versionedCheck(c.check, v)
		if err != nil {
			return governance.Check{}, err
		}
		checks = append(checks, podSecurityCheck{fn: fn, field: c.field})
	}
	level := fmt.Sprintf("%s:%s", api.LevelRestricted, PodSecurityVersion)
	// judge returns the failing checks of a pod, each at the field under
	// at that the check names.
	judge := func(meta *metav1.ObjectMeta, spec *corev1.PodSpec, at string) []governance.Violation {
		var out []governance.Violation
		for _, c := range checks {
			r := c.fn(meta, spec)
			if r.Allowed {
				continue
			}
			reason := r.ForbiddenReason
			if reason == "" {
				reason = policy.UnknownForbiddenReason
			}
			msg := fmt.Sprintf("violates PodSecurity %q: %s", level, reason)
			if r.ForbiddenDetail != "" {
				msg += " (" + r.ForbiddenDetail + ")"
			}
			out = append(out, governance.Violation{Path: at + "." + c.field, Message: msg})
		}
		return out
	}
	pods := podCheck(func(pv podView) []governance.Violation {
		if pv.partial {
			return runtimeRunsAsRoot(pv, judge)
		}
		return judge(pv.meta, pv.spec, pv.path)
	})
	check := newCheck(runAsNonRootDefinition(),
		"set securityContext.runAsNonRoot: true on the pod (and a non-zero runAsUser where the image defaults to root), or run the pod in a user namespace with hostUsers: false",
		PodKinds(), func(o *governance.Object) []governance.Violation {
			return append(pods(o), overlaysRunAsRoot(o, judge)...)
		})
	check.Inventory = inheritedRunAsRoot(judge)
	check.Admission = runAsNonRootAdmission(p)
	return check, nil
}

// inheritedRunAsRoot judges what no single object shows: the pod of a
// workload whose containers come partly from another object, a KServe
// predictor's with the containers of its ServingRuntime (the model merged
// into one of them). Each object is judged on what it writes (the runtime
// and the model by judgeAlone, an unset runAsNonRoot passing), so a
// container that leaves runAsNonRoot unset in the pod KServe builds takes
// it from the pod-level securityContext, the InferenceService's; when that
// is unset too, the pod fails Pod Security. The finding is on the
// workload's object at its pod-level field, naming those containers. A pod
// in a user namespace, one whose pod level sets runAsNonRoot (true covers
// every container, false is the object check's finding) and one whose
// written template already fails at that field (its own containers need
// the same pod-level field) are left to the object check: one cause, one
// finding.
func inheritedRunAsRoot(judge func(*metav1.ObjectMeta, *corev1.PodSpec, string) []governance.Violation) func(*governance.Pass) []governance.Finding {
	const field = ".securityContext.runAsNonRoot"
	return func(pass *governance.Pass) []governance.Finding {
		var out []governance.Finding
		for _, w := range pass.Inventory.Workloads() {
			// Only an operator's resource (decoded unstructured) has
			// containers written elsewhere; the built-in kinds' pods, most
			// of a large inventory, need no template lookup.
			if w.Object == nil || w.Object.Typed {
				continue
			}
			t, ok := w.Template()
			if !ok {
				continue
			}
			written, overlays := t.Written()
			pod := &w.Pod.Spec
			if !overlays || pod.HostUsers != nil && !*pod.HostUsers ||
				pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil {
				continue
			}
			own := map[string]bool{}
			for _, ref := range containersOf(written.Spec, t.Path, allContainers) {
				own[ref.c.Name] = true
			}
			inherited := &corev1.PodSpec{SecurityContext: pod.SecurityContext}
			for _, ref := range containersOf(pod, t.Path, allContainers) {
				if !own[ref.c.Name] && (ref.c.SecurityContext == nil || ref.c.SecurityContext.RunAsNonRoot == nil) {
					inherited.Containers = append(inherited.Containers, corev1.Container{Name: ref.c.Name})
				}
			}
			if len(inherited.Containers) == 0 || slices.ContainsFunc(judge(written.Meta, written.Spec, t.Path), func(v governance.Violation) bool {
				return v.Path == t.Path+field
			}) {
				continue
			}
			for _, v := range judge(t.Meta, inherited, t.Path) {
				if v.Path == t.Path+field {
					out = append(out, governance.Finding{Object: w.Object.Ref(), Path: v.Path, Message: v.Message})
				}
			}
		}
		return out
	}
}

// overlaysRunAsRoot judges the containers written outside a template's
// lists (a KServe model, merged into its runtime's container) on what
// they write: a model's own runAsNonRoot: false or runAsUser: 0 is its
// runtime container's, whatever the runtime says, while one it leaves
// out comes from the runtime (judged by its own policy). Each is judged
// as the only container of a pod without pod-level fields, its unset
// runAsNonRoot taken as true, so that only its own fields fail, at its
// own field (PodTemplate.FieldPath). A pod with hostUsers: false passes.
func overlaysRunAsRoot(o *governance.Object, judge func(*metav1.ObjectMeta, *corev1.PodSpec, string) []governance.Violation) []governance.Violation {
	var out []governance.Violation
	for _, t := range governance.PodTemplatesOf(o) {
		written, overlays := t.Written()
		if !overlays || t.Spec.HostUsers != nil && !*t.Spec.HostUsers {
			continue
		}
		for i := len(written.Spec.Containers); i < len(t.Spec.Containers); i++ {
			for _, v := range judgeAlone(t.Meta, t.Spec.Containers[i], fmt.Sprintf("%s.containers[%d]", t.Path, i), judge) {
				v.Path = t.FieldPath(v.Path)
				out = append(out, v)
			}
		}
	}
	return out
}

// runtimeRunsAsRoot judges the containers of a partial template (a KServe
// ServingRuntime's, PodTemplate.Partial) on what they write, each as
// judgeAlone does, at its own field: the pod-level fields that decide
// the rest are the InferenceService's.
func runtimeRunsAsRoot(pv podView, judge func(*metav1.ObjectMeta, *corev1.PodSpec, string) []governance.Violation) []governance.Violation {
	var out []governance.Violation
	for _, ref := range containersOf(pv.spec, pv.path, allContainers) {
		out = append(out, judgeAlone(pv.meta, *ref.c, fmt.Sprintf("%s.%s[%d]", ref.specPath, ref.list, ref.index), judge)...)
	}
	return out
}

// judgeAlone judges container c, at field path at, on its own
// runAsNonRoot and runAsUser: as the only container of a pod without
// pod-level fields, its unset runAsNonRoot taken as true, so that only
// its own runAsNonRoot: false or runAsUser: 0 fails, at its own field.
func judgeAlone(meta *metav1.ObjectMeta, c corev1.Container, at string, judge func(*metav1.ObjectMeta, *corev1.PodSpec, string) []governance.Violation) []governance.Violation {
	nonRoot := true
	sc := &corev1.SecurityContext{RunAsNonRoot: &nonRoot}
	if c.SecurityContext != nil {
		sc.RunAsUser = c.SecurityContext.RunAsUser
		if c.SecurityContext.RunAsNonRoot != nil {
			sc.RunAsNonRoot = c.SecurityContext.RunAsNonRoot
		}
	}
	alone := &corev1.PodSpec{Containers: []corev1.Container{{Name: c.Name, SecurityContext: sc}}}
	return judge(meta, alone, at)
}

// modelRunAsRoot is what the operators' policy judges of a KServe model
// (overlaysRunAsRoot): its own runAsNonRoot, true when unset, and its own
// runAsUser, 1 when unset.
var modelRunAsRoot = governance.CELModelContainer(`"securityContext": dyn({` +
	`"runAsNonRoot": dyn(m.?securityContext.?runAsNonRoot.orValue(true)), ` +
	`"runAsUser": dyn(m.?securityContext.?runAsUser.orValue(1))})`)

// runtimeKinds are the kinds whose pod spec is a partial template
// (PodTemplate.Partial): a KServe runtime's containers run under the
// pod-level fields of the InferenceService that uses it.
var runtimeKinds = []string{"ServingRuntime", "ClusterServingRuntime"}

// runAsNonRootAdmission: a pod with hostUsers: false passes both checks;
// otherwise neither the pod nor any container may set runAsNonRoot: false,
// every container without its own runAsNonRoot needs the pod's
// runAsNonRoot: true, and nobody may set runAsUser: 0. The operators'
// policy judges a KServe runtime's containers on their own fields only
// (runtimeRunsAsRoot): one without runAsNonRoot gets it, or not, from
// the InferenceService's pod.
func runAsNonRootAdmission(p RunAsNonRootParams) *governance.Admission {
	// Each pod spec s is judged with its own containers: the pod-level
	// fields of one template do not cover another's containers.
	podNonRoot := `s.?securityContext.?runAsNonRoot`
	containerOK := `(c.?securityContext.?runAsNonRoot.hasValue() ? c.securityContext.runAsNonRoot == true : ` + podNonRoot + `.orValue(false) == true)`
	runtimeContainerOK := `(c.?securityContext.?runAsNonRoot.hasValue() ? c.securityContext.runAsNonRoot == true : ` +
		`(variables.runtime || ` + podNonRoot + `.orValue(false) == true))`
	rootUser := `c.?securityContext.?runAsUser.orValue(1) == 0`
	podRoot := `s.?securityContext.?runAsUser.orValue(1) == 0`
	containers := `(` + governance.CELContainersOf("s", true) + `)`
	level := `violates PodSecurity "restricted:` + PodSecurityVersion + `": `
	// judged are the pod specs without a user namespace (hostUsers: false
	// passes both checks).
	judged := `variables.` + governance.VarPodSpecs + `.filter(s, s.?hostUsers.orValue(true) != false)`
	userOK := `!(` + podRoot + `) && !` + containers + `.exists(c, ` + rootUser + `)`
	names := func(cond string) string {
		return `variables.judged.map(s, ` + governance.CELQuotedNames(containers, cond) + `).filter(n, n != "").join(", ")`
	}
	validations := func(containerOK string) []admissionregistrationv1.Validation {
		nonRootOK := podNonRoot + `.orValue(true) != false && ` + containers + `.all(c, ` + containerOK + `)`
		return []admissionregistrationv1.Validation{
			{
				Expression: `variables.judged.all(s, ` + nonRootOK + `)`,
				Message:    level + "runAsNonRoot != true",
				MessageExpression: governance.CELString(level+"runAsNonRoot != true (") + ` + (variables.judged.exists(s, ` + podNonRoot + `.orValue(true) == false) ? "pod must not set securityContext.runAsNonRoot=false" : ` +
					`"containers " + ` + names("!"+containerOK) + ` + " must set securityContext.runAsNonRoot=true or inherit it from the pod") + ")"`,
			},
			{
				Expression: `variables.judged.all(s, ` + userOK + `)`,
				Message:    level + "runAsUser=0",
				MessageExpression: governance.CELString(level+"runAsUser=0 (") + ` + (variables.judged.exists(s, ` + podRoot + `) ? "pod" : ` +
					`"containers " + ` + names(rootUser) + `) + " must not set runAsUser=0)"`,
			},
		}
	}
	a := withModels(modelRunAsRoot, &governance.Admission{
		Rules: governance.PodAdmissionRules(),
		Variables: governance.PodSpecsAdmissionVariables(
			admissionregistrationv1.Variable{Name: "judged", Expression: judged},
		),
		Mutations:   []admissionregistrationv1.Mutation{runAsNonRootMutation(p.NonRootImages)},
		Validations: validations(containerOK),
	})
	// On the operators' resources, a runtime's pod spec (it has no
	// pod-level fields) leaves an unset runAsNonRoot to the
	// InferenceService.
	a.Operators.Variables = append(a.Operators.Variables, admissionregistrationv1.Variable{
		Name: "runtime", Expression: `object.kind in ` + governance.CELStringList(runtimeKinds)})
	a.Operators.Validations = validations(runtimeContainerOK)
	return a
}

// runAsNonRootMutation sets runAsNonRoot: true only where the user is
// known not to be root: a container whose runAsUser (its own, else the
// pod's) is above 0, or, without a runAsUser of its own or the pod's,
// whose image matches one of nonRootImages (the platform's word on the
// image's USER). The image's user is not in the object, and runAsNonRoot
// on a container whose image runs as root keeps it from starting; with a
// non-zero runAsUser the kubelet's check passes whatever the image says. A pod that sets runAsNonRoot itself (true or false), a
// pod in a user namespace (hostUsers: false, which passes the check) and a
// container that sets its own are left alone. When every container and
// init container without its own runAsNonRoot runs as such a user, the
// pod's securityContext gets it, else each such container's does (the
// others still fail the check), as aigov fix writes it.
func runAsNonRootMutation(nonRootImages []string) admissionregistrationv1.Mutation {
	return celPodSpecPatch(func(s, p, _ string) string {
		unset := `!c.?securityContext.?runAsNonRoot.hasValue()`
		podUser := s + `.?securityContext.?runAsUser`
		// An image listed as non-root counts only where no runAsUser is
		// written: runAsUser 0 makes the container root whatever its image.
		known := `(c.?securityContext.?runAsUser.hasValue() ? c.securityContext.runAsUser > 0 : ` + podUser + `.orValue(0) > 0)`
		if images := nonRootImageCEL(`string(c.?image.orValue(""))`, nonRootImages); images != "" {
			known = `(c.?securityContext.?runAsUser.hasValue() ? c.securityContext.runAsUser > 0 : ` +
				podUser + `.hasValue() ? ` + podUser + `.orValue(0) > 0 : (` + images + `))`
		}
		cs := `(` + governance.CELContainersOf(s, false) + `)`
		set := func(base, sc string) string {
			return `(has(` + sc + `) ? [JSONPatch{op: "add", path: ` + base + ` + "/securityContext/runAsNonRoot", value: true}] : ` +
				`[JSONPatch{op: "add", path: ` + base + ` + "/securityContext", value: {"runAsNonRoot": true}}])`
		}
		perContainer := func(field string) string {
			return s + `.?` + field + `.orValue([]).transformList(i, c, ` + unset + ` && ` + known + `, ` +
				set(p+` + "/`+field+`/" + string(i)`, `c.securityContext`) + `).flatten()`
		}
		return s + `.?securityContext.?runAsNonRoot.hasValue() || ` + s + `.?hostUsers.orValue(true) == false ? [] : ` +
			`(` + cs + `.exists(c, ` + unset + `) && ` + cs + `.all(c, !(` + unset + `) || ` + known + `) ? ` + set(p, s+`.securityContext`) + ` : ` +
			perContainer("initContainers") + ` + ` + perContainer("containers") + `)`
	})
}
