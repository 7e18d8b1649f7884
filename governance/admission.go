package governance

import (
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance/internal/operator"
)

// Admission is the native admission form of a configured check: what a
// ValidatingAdmissionPolicy needs to decide, in the kube-apiserver, the
// same verdict the check's Go evaluation decides. It is built from
// k8s.io/api types only; package cel compiles it for a target version,
// adds the policy's name, failure policy and binding, and evaluates it.
type Admission struct {
	// Rules are the resources and operations the policy matches; nil
	// means the policy entry's match.resources (custom-cel).
	Rules []admissionregistrationv1.NamedRuleWithOperations
	// Variables are the policy's variables, in order.
	Variables []admissionregistrationv1.Variable
	// Validations are the policy's validations.
	Validations []admissionregistrationv1.Validation
	// FailurePolicy is Fail when empty.
	FailurePolicy admissionregistrationv1.FailurePolicyType
	// Mutations are the check's safe defaults, as the JSONPatch mutations
	// of a MutatingAdmissionPolicy over the same Rules (package cel,
	// GenerateMutating): applied in order, each to the result of the one
	// before, and each adding only what is absent, so that an object that
	// already complies (or opts out) is left unchanged and reinvocation
	// changes nothing. nil when the check has no safe default.
	Mutations []admissionregistrationv1.Mutation
	// Operators is the admission form of the same check over the custom
	// resources of AI operators whose pod templates it judges (a second
	// policy, see WithOperators); nil when the check is not enforced on
	// them natively.
	Operators *Admission
}

// AdmissionRule matches CREATE and UPDATE of the resources in the groups
// and versions given.
func AdmissionRule(groups, versions, resources []string) admissionregistrationv1.NamedRuleWithOperations {
	return admissionregistrationv1.NamedRuleWithOperations{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
		Rule: admissionregistrationv1.Rule{
			APIGroups: slices.Clone(groups), APIVersions: slices.Clone(versions), Resources: slices.Clone(resources),
		},
	}}
}

// PodAdmissionRules match Pods (with the pods/ephemeralcontainers
// subresource) and every built-in workload with a pod template.
func PodAdmissionRules() []admissionregistrationv1.NamedRuleWithOperations {
	return []admissionregistrationv1.NamedRuleWithOperations{
		AdmissionRule([]string{""}, []string{"v1"}, []string{"pods", "pods/ephemeralcontainers", "replicationcontrollers"}),
		AdmissionRule([]string{"apps"}, []string{"v1"}, []string{"daemonsets", "deployments", "replicasets", "statefulsets"}),
		AdmissionRule([]string{"batch"}, []string{"v1"}, []string{"cronjobs", "jobs"}),
	}
}

// NamespaceAdmissionRules match Namespaces.
func NamespaceAdmissionRules() []admissionregistrationv1.NamedRuleWithOperations {
	return []admissionregistrationv1.NamedRuleWithOperations{AdmissionRule([]string{""}, []string{"v1"}, []string{"namespaces"})}
}

// KindAdmissionRules match the given kinds, any version, by the resource
// each is served as (the lower-case plural).
func KindAdmissionRules(kinds []schema.GroupKind) []admissionregistrationv1.NamedRuleWithOperations {
	byGroup := map[string][]string{}
	var groups []string
	for _, gk := range kinds {
		plural, _ := meta.UnsafeGuessKindToResource(gk.WithVersion("v1"))
		if _, ok := byGroup[gk.Group]; !ok {
			groups = append(groups, gk.Group)
		}
		if !slices.Contains(byGroup[gk.Group], plural.Resource) {
			byGroup[gk.Group] = append(byGroup[gk.Group], plural.Resource)
		}
	}
	slices.Sort(groups)
	var out []admissionregistrationv1.NamedRuleWithOperations
	for _, g := range groups {
		res := byGroup[g]
		slices.Sort(res)
		out = append(out, AdmissionRule([]string{g}, []string{"*"}, res))
	}
	return out
}

// The variables PodAdmissionVariables declares.
const (
	// VarPodSpec is the pod spec of a Pod, a CronJob's job template or any
	// other workload's template ({} for a ReplicationController without
	// one).
	VarPodSpec = "podSpec"
	// VarAllContainers is containers, initContainers and
	// ephemeralContainers.
	VarAllContainers = "allContainers"
	// VarContainersAndInit is containers and initContainers.
	VarContainersAndInit = "containersAndInit"
)

// PodAdmissionVariables returns the podSpec variable and the container
// lists of the pod checks, followed by extra.
func PodAdmissionVariables(extra ...admissionregistrationv1.Variable) []admissionregistrationv1.Variable {
	return append([]admissionregistrationv1.Variable{
		{Name: VarPodSpec, Expression: `object.kind == "Pod" ? object.spec : ` +
			`(object.kind == "CronJob" ? object.spec.jobTemplate.spec.template.spec : object.spec.?template.?spec.orValue({}))`},
		{Name: VarAllContainers, Expression: `variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([]) + variables.podSpec.?ephemeralContainers.orValue([])`},
		{Name: VarContainersAndInit, Expression: `variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([])`},
	}, extra...)
}

// CELString renders a Go string as a CEL string literal.
func CELString(s string) string { return strconv.Quote(s) }

// CELStringList renders a CEL list of string literals.
func CELStringList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = CELString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// CELQuotedNames renders a CEL expression joining the names of the
// containers of list that satisfy cond (which names the container c) as
// `"a", "b"`.
func CELQuotedNames(list, cond string) string {
	return list + `.filter(c, ` + cond + `).map(c, "\"" + c.name + "\"").join(", ")`
}

// The variables of the list form of the pod checks (PodSpecsAdmissionVariables):
// one object may hold several pod specs (a RayCluster's head and worker
// groups), and CEL before Kubernetes 1.34 cannot flatten a list of lists,
// so the containers are kept per pod spec.
const (
	// VarPodSpecs is the list of the object's pod specs: one for a Pod or
	// a built-in workload (none for a ReplicationController without a
	// template), every template written in an AI operator's resource,
	// then one pod spec per template holding the containers the operator
	// injects into its pods (KubeRay's, celRayInjected).
	VarPodSpecs = "podSpecs"
	// VarPodFieldSpecs is the pod specs whose pod-level fields (service
	// account token, ...) are their own: all of VarPodSpecs but a KServe
	// ServingRuntime's, whose pods get those fields from the
	// InferenceService that uses the runtime (PodTemplate.Partial).
	VarPodFieldSpecs = "podFieldSpecs"
	// VarPodContainers holds, per pod spec of VarPodSpecs, its
	// containers, initContainers and ephemeralContainers.
	VarPodContainers = "podContainers"
	// VarPodContainersAndInit holds, per pod spec, its containers and
	// initContainers.
	VarPodContainersAndInit = "podContainersAndInit"
)

// PodSpecsAdmissionVariables returns the list-form pod variables of a
// policy over Pods and built-in workloads (VarPodSpecs, VarPodContainers,
// VarPodContainersAndInit), followed by extra. A check
// whose validations read only these (and its own extra variables) can be
// enforced on AI operators' resources too: see WithOperators.
func PodSpecsAdmissionVariables(extra ...admissionregistrationv1.Variable) []admissionregistrationv1.Variable {
	return append([]admissionregistrationv1.Variable{
		{Name: VarPodSpecs, Expression: `object.kind == "Pod" ? [object.spec] : ` +
			`(object.kind == "CronJob" ? [object.spec.jobTemplate.spec.template.spec] : ` +
			`(object.spec.?template.?spec.hasValue() ? [object.spec.template.spec] : []))`},
		{Name: VarPodContainers, Expression: `variables.` + VarPodSpecs + `.map(s, ` + CELContainersOf("s", true) + `)`},
		{Name: VarPodContainersAndInit, Expression: `variables.` + VarPodSpecs + `.map(s, ` + CELContainersOf("s", false) + `)`},
	}, extra...)
}

// PodFieldSpecsVariable is VarPodFieldSpecs, to follow VarPodSpecs: on
// Pods and built-in workloads every pod spec holds its pod-level fields.
func PodFieldSpecsVariable() admissionregistrationv1.Variable {
	return admissionregistrationv1.Variable{Name: VarPodFieldSpecs, Expression: `variables.` + VarPodSpecs}
}

// CELContainersOf is the CEL list of the containers and initContainers
// (and, with ephemeral, ephemeralContainers) of the pod spec named spec.
func CELContainersOf(spec string, ephemeral bool) string {
	out := spec + `.?containers.orValue([]) + ` + spec + `.?initContainers.orValue([])`
	if ephemeral {
		out += ` + ` + spec + `.?ephemeralContainers.orValue([])`
	}
	return out
}

// CELAnyContainer is true when a container of the per-pod-spec lists
// variable (VarPodContainers, VarPodContainersAndInit) satisfies cond,
// which names the container c.
func CELAnyContainer(lists, cond string) string {
	return `variables.` + lists + `.exists(cs, cs.exists(c, ` + cond + `))`
}

// CELEveryContainer is true when every container of the per-pod-spec
// lists variable satisfies cond (naming the container c).
func CELEveryContainer(lists, cond string) string {
	return `variables.` + lists + `.all(cs, cs.all(c, ` + cond + `))`
}

// CELQuotedNamesIn renders, like CELQuotedNames, the names of the
// containers of the per-pod-spec lists variable that satisfy cond as
// `"a", "b"`.
func CELQuotedNamesIn(lists, cond string) string {
	return `variables.` + lists + `.map(cs, ` + CELQuotedNames("cs", cond) + `).filter(n, n != "").join(", ")`
}

// CELJoinIn renders, for the containers of the per-pod-spec lists
// variable that satisfy cond, the text item (a CEL string expression
// naming the container c), joined with sep.
func CELJoinIn(lists, cond, item, sep string) string {
	q := CELString(sep)
	return `variables.` + lists + `.map(cs, cs.filter(c, ` + cond + `).map(c, ` + item + `).join(` + q + `)).filter(n, n != "").join(` + q + `)`
}

// operatorTemplates is, per AI operator kind whose resources hold pod
// templates (see internal/operator), the CEL list of the pod specs written
// in the object, in the order the operator package decodes them, and
// whether they are partial. A TrainJob holds no template (its pods come
// from its runtime, itself enforced) and is not listed.
type operatorTemplates struct {
	kind     string
	podSpecs string
	partial  bool
	// refs is the CEL list of the same pod specs as podSpecs, each with
	// its JSON pointer and metadata (see VarPodSpecRefs).
	refs string
	// injected is the CEL list of pod specs holding the containers the
	// operator injects into the pods of the templates (celRayInjected), ""
	// when it injects none. They join VarPodSpecs after podSpecs, so the
	// checks judge them with the templates, as the Go checks judge
	// operator.Template.Injected; they stay out of VarPodFieldSpecs and
	// VarPodSpecRefs (no pod-level field of their own, nothing to patch).
	injected string
}

// celOptional is the CEL list holding the value at the dotted path under
// object when it is set, else empty.
func celOptional(path string) string {
	return `(object.?` + strings.ReplaceAll(path, ".", ".?") + `.hasValue() ? [object.` + path + `] : [])`
}

// celListTemplates is the CEL list of the pod specs at item path spec
// under each element of the list at the dotted path under object.
func celListTemplates(list, spec string) string {
	return `object.?` + strings.ReplaceAll(list, ".", ".?") + `.orValue([])` +
		`.filter(e, e.?` + strings.ReplaceAll(spec, ".", ".?") + `.hasValue()).map(e, e.` + spec + `)`
}

// celMapTemplates is the CEL list of the pod specs at item path spec
// under each value of the map at the dotted path under object (Kubeflow's
// replica specs, keyed by replica type).
func celMapTemplates(m, spec string) string {
	return `(object.?` + strings.ReplaceAll(m, ".", ".?") + `.hasValue() ? object.` + m +
		`.filter(k, object.` + m + `[k].?` + strings.ReplaceAll(spec, ".", ".?") + `.hasValue()).map(k, object.` + m + `[k].` + spec + `) : [])`
}

// The pod spec references of VarPodSpecRefs, written at the same paths as
// celOptional, celListTemplates and celMapTemplates read: {"path": the
// JSON pointer of the pod spec, "spec": the pod spec, "meta": the pod
// template's metadata (the object's own when the spec is not in a pod
// template)}, values typed dyn because the apiserver's CEL wants one value
// type in a map literal. Path segments hold no "/" or "~" but map keys,
// which are escaped (RFC 6901).
func celRef(path, spec, meta string) string {
	return `{"path": dyn(` + path + `), "spec": dyn(` + spec + `), "meta": dyn(` + meta + `)}`
}

// celPointer is the JSON pointer of a dotted path.
func celPointer(path string) string { return "/" + strings.ReplaceAll(path, ".", "/") }

// celTemplateMeta is the CEL metadata of the pod template whose spec is at
// the dotted path under base (a pod template's ".spec"), else the object's.
func celTemplateMeta(base, spec string) string {
	if t, ok := strings.CutSuffix(spec, ".spec"); ok && strings.HasSuffix(strings.ToLower(t), "template") {
		return base + `.` + strings.ReplaceAll(t, ".", ".?") + `.?metadata.orValue({})`
	}
	return `object.metadata`
}

func refOptional(path string) string {
	return `(object.?` + strings.ReplaceAll(path, ".", ".?") + `.hasValue() ? [` +
		celRef(CELString(celPointer(path)), `object.`+path, celTemplateMeta("object", path)) + `] : [])`
}

func refListTemplates(list, spec string) string {
	return `object.?` + strings.ReplaceAll(list, ".", ".?") + `.orValue([]).transformList(i, e, e.?` + strings.ReplaceAll(spec, ".", ".?") + `.hasValue(), ` +
		celRef(CELString(celPointer(list)+"/")+` + string(i) + `+CELString(celPointer(spec)), `e.`+spec, celTemplateMeta("e", spec)) + `)`
}

func refMapTemplates(m, spec string) string {
	key := `k.replace("~", "~0").replace("/", "~1")`
	return `(object.?` + strings.ReplaceAll(m, ".", ".?") + `.hasValue() ? object.` + m + `.transformList(k, v, v.?` + strings.ReplaceAll(spec, ".", ".?") + `.hasValue(), ` +
		celRef(CELString(celPointer(m)+"/")+` + `+key+` + `+CELString(celPointer(spec)), `v.`+spec, celTemplateMeta("v", spec)) + `) : [])`
}

func refRayCluster(prefix string) string {
	return refOptional(prefix+".headGroupSpec.template.spec") + ` + ` + refListTemplates(prefix+".workerGroupSpecs", "template.spec")
}

func celRayCluster(prefix string) string {
	return celOptional(prefix+".headGroupSpec.template.spec") + ` + ` + celListTemplates(prefix+".workerGroupSpecs", "template.spec")
}

// celRayInjected is the CEL list of pod specs holding the containers
// KubeRay v1.5.0 injects into the pods of the RayCluster spec at the
// dotted path prefix under object, as internal/operator ray.go
// (rayClusterSpec.inject) adds them to the templates for the Go checks:
// into a template with at least one container, the first (the Ray
// container) being the one copied from. Each is a pod spec of its own
// holding its template's securityContext and hostUsers, the pod-level
// fields that judge a container (run-as-non-root), and the injected
// containers in the list they have in the pods:
//
//   - wait-gcs-ready in initContainers: the Ray container's fields of
//     operator.RayWaitGCSCopies (an absent one as its empty value) with
//     the fixed operator.RayWaitGCSResources. The operator injects it into
//     every worker group's pods; the policy models it once, from the
//     first group with a container, and the verdicts are the same: what
//     it copies is judged as its group's Ray container is (that container
//     is in the group's template, under the same pod-level fields), and
//     what it does not copy (its name, resources, no probes) is the same
//     in every group. One spec per group would double the estimated size
//     of VarPodSpecs and the worst-case cost of every validation reading it;
//   - on the head, in containers: with sidecarSubmitter (a RayJob whose
//     spec.submissionMode is SidecarMode), ray-job-submitter running the
//     Ray container's image with operator.RaySubmitterResources; then,
//     when enableInTreeAutoscaling is true, the autoscaler: the image,
//     imagePullPolicy and resources of autoscalerOptions, else the Ray
//     container's image, operator.RayAutoscalerPullPolicy and
//     operator.RayAutoscalerResources, with autoscalerOptions' env,
//     envFrom, volumeMounts and securityContext (absent: empty).
//
// Not modelled, on both sides: the injected containers' command, fixed
// env and probes (the operator writes none), and what the operator's own
// configuration adds or removes (head and worker sidecar containers of
// its config file; ENABLE_INIT_CONTAINER_INJECTION=false, which drops
// wait-gcs-ready): the object does not show them, and the Go side takes
// the operator's defaults as this does.
func celRayInjected(prefix string, sidecarSubmitter bool) string {
	at := `object.?` + strings.ReplaceAll(prefix, ".", ".?")
	opt := func(field string) string { return at + `.?autoscalerOptions.?` + field }
	// present is the dyn of optional o's value, else of the CEL empty.
	present := func(o, empty string) string {
		return `(` + o + `.hasValue() ? dyn(` + o + `.value()) : dyn(` + empty + `))`
	}
	podFields := func(s string) string {
		return `"securityContext": ` + present(s+`.?securityContext`, `{}`) + `, "hostUsers": dyn(` + s + `.?hostUsers.orValue(true))`
	}
	ray := func(s string) string { return s + `.containers[0]` }
	image := func(s string) string { return `dyn(` + ray(s) + `.?image.orValue(""))` }

	empty := map[string]string{"image": `""`, "imagePullPolicy": `""`, "securityContext": `{}`, "env": `[]`, "volumeMounts": `[]`}
	waitGCS := []string{`"name": dyn(` + CELString(operator.RayWaitGCSContainer) + `)`}
	for _, f := range operator.RayWaitGCSCopies() {
		e, ok := empty[f]
		if !ok {
			// A field ray.go starts copying needs its empty value here:
			// failing at the first policy built keeps the two sides from
			// drifting apart silently.
			panic("celRayInjected: no empty value for the copied field " + f)
		}
		waitGCS = append(waitGCS, CELString(f)+`: `+present(ray("t")+`.?`+f, e))
	}
	waitGCS = append(waitGCS, `"resources": dyn(`+celFixedResources(operator.RayWaitGCSResources)+`)`)
	groups := at + `.?workerGroupSpecs.orValue([]).filter(g, g.?template.?spec.?containers.orValue([]).size() > 0)`
	workers := `(` + groups + `.size() > 0 ? [` + groups + `[0].template.spec] : [])` +
		`.map(t, {` + podFields("t") + `, "initContainers": dyn([{` + strings.Join(waitGCS, ", ") + `}])})`

	var head []string
	if sidecarSubmitter {
		head = append(head, `(object.spec.?submissionMode.orValue("") == `+CELString(operator.RaySidecarMode)+` ? [{"name": dyn(`+
			CELString(operator.RaySubmitterContainer)+`), "image": `+image("t")+`, "resources": dyn(`+celFixedResources(operator.RaySubmitterResources)+`)}] : [])`)
	}
	autoscaler := `{"name": dyn(` + CELString(operator.RayAutoscalerContainer) + `), ` +
		`"image": (` + opt("image") + `.hasValue() ? dyn(` + opt("image") + `.value()) : ` + image("t") + `), ` +
		`"imagePullPolicy": ` + present(opt("imagePullPolicy"), CELString(string(operator.RayAutoscalerPullPolicy))) + `, ` +
		`"resources": ` + present(opt("resources"), celFixedResources(operator.RayAutoscalerResources)) + `, ` +
		`"env": ` + present(opt("env"), `[]`) + `, "envFrom": ` + present(opt("envFrom"), `[]`) + `, ` +
		`"volumeMounts": ` + present(opt("volumeMounts"), `[]`) + `, "securityContext": ` + present(opt("securityContext"), `{}`) + `}`
	head = append(head, `(`+at+`.?enableInTreeAutoscaling.orValue(false) == true ? [`+autoscaler+`] : [])`)
	headSpec := at + `.?headGroupSpec.?template.?spec`
	heads := `(` + headSpec + `.?containers.orValue([]).size() > 0 ? [` + headSpec + `.value()] : [])` +
		`.map(t, {` + podFields("t") + `, "containers": dyn(` + strings.Join(head, ` + `) + `)}).filter(s, s.containers.size() > 0)`
	return `(` + heads + ` + ` + workers + `)`
}

// celFixedResources is the CEL map of an injected container's fixed
// resources.
func celFixedResources(r operator.FixedResources) string {
	return `{"requests": {"cpu": ` + CELString(r.RequestCPU) + `, "memory": ` + CELString(r.RequestMemory) + `}, ` +
		`"limits": {"cpu": ` + CELString(r.LimitCPU) + `, "memory": ` + CELString(r.LimitMemory) + `}}`
}

// operatorTemplateTable lists the template paths of each AI operator kind,
// following internal/operator: ray.go (RayCluster, RayJob, RayService),
// kubeflow.go (the training jobs' replica spec maps, MPIJob, Notebook),
// trainer.go and jobset.go (a runtime's JobSet template, a JobSet's
// replicated jobs), lws.go, kserve.go (an InferenceService's components,
// a ServingRuntime's spec, an LLMInferenceService's templates).
func operatorTemplateTable() []operatorTemplates {
	replicated := func(prefix string) string {
		return celListTemplates(prefix+".replicatedJobs", "template.spec.template.spec")
	}
	replicatedRefs := func(prefix string) string {
		return refListTemplates(prefix+".replicatedJobs", "template.spec.template.spec")
	}
	kubeflow := func(field string) (string, string) {
		return celMapTemplates("spec."+field, "template.spec"), refMapTemplates("spec."+field, "template.spec")
	}
	serving := celOptional("spec") + ` + ` + celOptional("spec.workerSpec")
	rows := []operatorTemplates{
		{kind: "RayCluster", podSpecs: celRayCluster("spec"), refs: refRayCluster("spec"), injected: celRayInjected("spec", false)},
		{kind: "RayJob", podSpecs: celRayCluster("spec.rayClusterSpec") + ` + ` + celOptional("spec.submitterPodTemplate.spec"),
			refs:     refRayCluster("spec.rayClusterSpec") + ` + ` + refOptional("spec.submitterPodTemplate.spec"),
			injected: celRayInjected("spec.rayClusterSpec", true)},
		{kind: "RayService", podSpecs: celRayCluster("spec.rayClusterConfig"), refs: refRayCluster("spec.rayClusterConfig"),
			injected: celRayInjected("spec.rayClusterConfig", false)},
		{kind: "PyTorchJob"}, {kind: "TFJob"}, {kind: "XGBoostJob"}, {kind: "PaddleJob"}, {kind: "JAXJob"}, {kind: "MPIJob"},
		{kind: "Notebook", podSpecs: celOptional("spec.template.spec"), refs: refOptional("spec.template.spec")},
		{kind: "TrainingRuntime", podSpecs: replicated("spec.template.spec"), refs: replicatedRefs("spec.template.spec")},
		{kind: "ClusterTrainingRuntime", podSpecs: replicated("spec.template.spec"), refs: replicatedRefs("spec.template.spec")},
		{kind: "JobSet", podSpecs: replicated("spec"), refs: replicatedRefs("spec")},
		{kind: "LeaderWorkerSet", podSpecs: celOptional("spec.leaderWorkerTemplate.leaderTemplate.spec") + ` + ` +
			celOptional("spec.leaderWorkerTemplate.workerTemplate.spec"),
			refs: refOptional("spec.leaderWorkerTemplate.leaderTemplate.spec") + ` + ` + refOptional("spec.leaderWorkerTemplate.workerTemplate.spec")},
		{kind: "InferenceService", podSpecs: celOptional("spec.predictor") + ` + ` + celOptional("spec.predictor.workerSpec") + ` + ` +
			celOptional("spec.transformer") + ` + ` + celOptional("spec.explainer"),
			refs: refOptional("spec.predictor") + ` + ` + refOptional("spec.predictor.workerSpec") + ` + ` +
				refOptional("spec.transformer") + ` + ` + refOptional("spec.explainer")},
		{kind: "ServingRuntime", podSpecs: serving, partial: true},
		{kind: "ClusterServingRuntime", podSpecs: serving, partial: true},
		{kind: "LLMInferenceService", podSpecs: celOptional("spec.template") + ` + ` + celOptional("spec.worker") + ` + ` +
			celOptional("spec.prefill.template") + ` + ` + celOptional("spec.prefill.worker"),
			refs: refOptional("spec.template") + ` + ` + refOptional("spec.worker") + ` + ` +
				refOptional("spec.prefill.template") + ` + ` + refOptional("spec.prefill.worker")},
	}
	for i, field := range map[int]string{3: "pytorchReplicaSpecs", 4: "tfReplicaSpecs", 5: "xgbReplicaSpecs", 6: "paddleReplicaSpecs", 7: "jaxReplicaSpecs", 8: "mpiReplicaSpecs"} {
		rows[i].podSpecs, rows[i].refs = kubeflow(field)
	}
	return rows
}

// VarPodSpecRefs is the list of the object's pod specs with where they
// are, for mutations: each a map {"path": the spec's JSON pointer, "spec":
// the pod spec, "meta": its pod template's metadata, the object's own for a
// Pod or a spec written outside a pod template}. Pod specs whose pod-level
// fields are not their own (a ServingRuntime's) are left out.
const VarPodSpecRefs = "podSpecRefs"

// PodSpecRefsVariable is VarPodSpecRefs over Pods and built-in workloads.
func PodSpecRefsVariable() admissionregistrationv1.Variable {
	return admissionregistrationv1.Variable{Name: VarPodSpecRefs, Expression: `object.kind == "Pod" ? [` + celRef(`"/spec"`, `object.spec`, `object.metadata`) + `] : ` +
		`(object.kind == "CronJob" ? [` + celRef(`"/spec/jobTemplate/spec/template/spec"`, `object.spec.jobTemplate.spec.template.spec`, `object.spec.jobTemplate.spec.template.?metadata.orValue({})`) + `] : ` +
		`(object.spec.?template.?spec.hasValue() ? [` + celRef(`"/spec/template/spec"`, `object.spec.template.spec`, `object.spec.template.?metadata.orValue({})`) + `] : []))`}
}

// OperatorPodSpecRefsVariable is VarPodSpecRefs over the resources of
// OperatorTemplateKinds, at the template paths the operators read.
func OperatorPodSpecRefsVariable() admissionregistrationv1.Variable {
	var b strings.Builder
	for _, t := range operatorTemplateTable() {
		if !t.partial {
			b.WriteString(`object.kind == ` + CELString(t.kind) + ` ? (` + t.refs + `) : `)
		}
	}
	b.WriteString(`[]`)
	return admissionregistrationv1.Variable{Name: VarPodSpecRefs, Expression: b.String()}
}

// OperatorTemplateKinds lists the AI operator kinds whose pod templates
// the operator policies of WithOperators read, with their supported
// versions: every kind of OperatorVersionKinds that holds templates.
func OperatorTemplateKinds() []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	for _, gvk := range OperatorVersionKinds() {
		if slices.ContainsFunc(operatorTemplateTable(), func(t operatorTemplates) bool { return t.kind == gvk.Kind }) {
			out = append(out, gvk)
		}
	}
	return out
}

// OperatorAdmissionRules match CREATE and UPDATE of the resources of
// OperatorTemplateKinds in their supported versions, one rule per group
// and set of versions, each resource the lower-case plural of its kind as
// the operators' CRDs name them.
func OperatorAdmissionRules() []admissionregistrationv1.NamedRuleWithOperations {
	type key struct{ group, versions string }
	resources := map[key][]string{}
	var keys []key
	versions := map[schema.GroupKind][]string{}
	var kinds []schema.GroupKind
	for _, gvk := range OperatorTemplateKinds() {
		if _, ok := versions[gvk.GroupKind()]; !ok {
			kinds = append(kinds, gvk.GroupKind())
		}
		versions[gvk.GroupKind()] = append(versions[gvk.GroupKind()], gvk.Version)
	}
	for _, gk := range kinds {
		vs := slices.Clone(versions[gk])
		slices.Sort(vs)
		k := key{gk.Group, strings.Join(vs, ",")}
		if _, ok := resources[k]; !ok {
			keys = append(keys, k)
		}
		plural, _ := meta.UnsafeGuessKindToResource(gk.WithVersion(vs[0]))
		resources[k] = append(resources[k], plural.Resource)
	}
	slices.SortFunc(keys, func(a, b key) int { return strings.Compare(a.group+" "+a.versions, b.group+" "+b.versions) })
	var out []admissionregistrationv1.NamedRuleWithOperations
	for _, k := range keys {
		res := resources[k]
		slices.Sort(res)
		out = append(out, AdmissionRule([]string{k.group}, strings.Split(k.versions, ","), res))
	}
	return out
}

// operatorPodSpecsExpression chooses the pod specs by object.kind: with
// partialToo (VarPodSpecs), every template and the specs of the injected
// containers; without (VarPodFieldSpecs), the templates that hold their
// pod-level fields.
func operatorPodSpecsExpression(partialToo bool) string {
	var b strings.Builder
	var partial []string
	for _, t := range operatorTemplateTable() {
		switch {
		case t.partial && !partialToo:
			partial = append(partial, t.kind)
		case !partialToo:
			if t.injected != "" {
				b.WriteString(`object.kind == ` + CELString(t.kind) + ` ? (` + t.podSpecs + `) : `)
			}
		case t.injected != "":
			b.WriteString(`object.kind == ` + CELString(t.kind) + ` ? (` + t.podSpecs + `) + ` + t.injected + ` : `)
		default:
			b.WriteString(`object.kind == ` + CELString(t.kind) + ` ? (` + t.podSpecs + `) : `)
		}
	}
	if !partialToo {
		return `object.kind in ` + CELStringList(partial) + ` ? [] : ` + b.String() + `variables.` + VarPodSpecs
	}
	b.WriteString(`[]`)
	return b.String()
}

// WithOperators returns a with Operators set: the same validations over
// the pod templates of the AI operators' resources (OperatorAdmissionRules),
// VarPodSpecs and VarPodFieldSpecs read from each kind's template paths,
// VarPodSpecs with the containers the operator injects into the
// templates' pods (operatorTemplates.injected), as the Go checks judge
// them.
// The validations must read the pod specs only through the list-form
// variables of PodSpecsAdmissionVariables, which a's Variables declare.
func WithOperators(a *Admission) *Admission {
	op := &Admission{Rules: OperatorAdmissionRules(), Validations: slices.Clone(a.Validations), FailurePolicy: a.FailurePolicy}
	for _, v := range a.Variables {
		switch v.Name {
		case VarPodSpecs:
			v.Expression = operatorPodSpecsExpression(true)
		case VarPodFieldSpecs:
			v.Expression = operatorPodSpecsExpression(false)
		}
		op.Variables = append(op.Variables, v)
	}
	a.Operators = op
	return a
}
