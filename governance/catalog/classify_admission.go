// The AI classification as CEL: the variables that let a
// ValidatingAdmissionPolicy decide the class of a Pod or built-in workload
// the way ClassifyObject decides it. They are compiled from the tables the
// Go classifier reads (operatorLabels, componentClasses, imagePatterns), in
// the same order of evidence: the aigov.dev/ai-class override on the object
// then on its pod template, operator labels, the component label, the
// images of the regular and init containers (exact repository suffixes
// first, then the wildcard patterns in table order), and a Job, CronJob or
// Pod of a Job requesting a GPU. The operators' form
// (operatorServingAdmissionVariables) classifies an AI operator's resource
// as the Go checks of pod templates do: by its override or its kind, else
// each template by the same chain over the resource's and the template's
// labels and the template's images.

package catalog

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/internal/operator"
)

// The variables aiClassAdmissionVariables declares, after the pod
// variables of governance.PodAdmissionVariables.
const (
	// varObjectLabels is the object's metadata.labels ({} when absent).
	varObjectLabels = "objectLabels"
	// varTemplateLabels is the pod template's labels (the Pod's own for a
	// Pod).
	varTemplateLabels = "templateLabels"
	// varImageClasses lists the classes of the images of the regular and
	// init containers that classify, in container order.
	varImageClasses = "imageClasses"
	// varUsesGPU is true when a regular or init container requests or
	// limits a non-zero quantity of a GPU resource.
	varUsesGPU = "usesGPU"
	// varAIClass is the class name, "" for none (see
	// aiClassAdmissionVariables).
	varAIClass = "aiClass"
)

// modelServingClassesCEL is the CEL list of the classes ModelServing is
// true for.
func modelServingClassesCEL() string {
	var names []string
	for _, c := range AIClasses() {
		if c.ModelServing() {
			names = append(names, string(c))
		}
	}
	return governance.CELStringList(names)
}

// aiClassAdmissionVariables returns the pod variables followed by the
// classification variables. With gpu, they hold varUsesGPU and the class
// is ClassifyObject's in full; without, the last evidence (a Job, CronJob
// or Pod of a Job requesting a GPU is a training job) is left out: it can
// only make a training job of what would otherwise be no AI asset, which
// does not change the question "model server?", and the GPU comprehension
// is the costliest part of the classification.
func aiClassAdmissionVariables(gpu bool) []admissionregistrationv1.Variable {
	vars := []admissionregistrationv1.Variable{
		{Name: varObjectLabels, Expression: `object.metadata.?labels.orValue({})`},
		{Name: varTemplateLabels, Expression: `object.kind == "Pod" ? object.metadata.?labels.orValue({}) : ` +
			`(object.kind == "CronJob" ? object.spec.jobTemplate.spec.template.?metadata.?labels.orValue({}) : ` +
			`object.spec.?template.?metadata.?labels.orValue({}))`},
		{Name: varImageClasses, Expression: `variables.` + governance.VarContainersAndInit +
			`.map(c, c.?image.orValue("").split("@")[0].split("/"))` +
			`.map(p, ` + imageClassCEL("p") + `).filter(x, x != "")`},
	}
	if gpu {
		vars = append(vars, usesGPUVariable())
	}
	vars = append(vars, admissionregistrationv1.Variable{Name: varAIClass, Expression: aiClassCEL(gpu)})
	return governance.PodAdmissionVariables(vars...)
}

// usesGPUVariable declares varUsesGPU (after the pod variables).
func usesGPUVariable() admissionregistrationv1.Variable {
	return admissionregistrationv1.Variable{Name: varUsesGPU, Expression: `variables.` + governance.VarContainersAndInit + `.exists(c, ` +
		gpuFieldCEL("limits") + ` || ` + gpuFieldCEL("requests") + `)`}
}

// gpuFieldCEL is true when the resources field (limits or requests) of the
// container c holds a GPU resource with a non-zero quantity, as firstGPU
// decides.
func gpuFieldCEL(field string) string { return gpuQuantityCEL(field, `c.resources.`+field+`[k]`) }

// gpuUntypedFieldCEL is gpuFieldCEL for a container of a custom resource,
// whose quantities may be JSON numbers (the CRDs declare them
// int-or-string): each is read as its string.
func gpuUntypedFieldCEL(field string) string {
	return gpuQuantityCEL(field, `string(c.resources.`+field+`[k])`)
}

// gpuQuantityCEL is gpuFieldCEL with the quantity's string expression
// value (of the resource named k).
func gpuQuantityCEL(field, value string) string {
	// sign() needs Kubernetes 1.31; the comparisons are older.
	q := `quantity(` + value + `)`
	return `c.?resources.?` + field + `.orValue({}).exists(k, ` + gpuResourceCEL("k") +
		` && (` + q + `.isGreaterThan(quantity("0")) || ` + q + `.isLessThan(quantity("0"))))`
}

// gpuResourceCEL is IsGPUResource of the string expression name.
func gpuResourceCEL(name string) string {
	return `(` + name + `.endsWith("/gpu") || ` + name + `.startsWith("nvidia.com/"))`
}

// aiClassCEL chains the evidence, strongest first, as ClassifyObject
// tries it for a Pod or built-in workload; the GPU evidence only with gpu
// (see aiClassAdmissionVariables).
func aiClassCEL(gpu bool) string {
	var fallback *classStep
	if gpu {
		jobLike := `(object.kind in ["Job", "CronJob"] || (object.kind == "Pod" && object.metadata.?ownerReferences.orValue([]).exists(r, r.kind == "Job")))`
		fallback = &classStep{jobLike + ` && variables.` + varUsesGPU, governance.CELString(string(ClassTrainingJob))}
	}
	return classChainCEL("variables."+varObjectLabels, "variables."+varTemplateLabels, `object.kind != "Pod"`, "variables."+varImageClasses, fallback)
}

// classStep is one piece of evidence of classChainCEL: when cond holds,
// the class is the CEL string expression class.
type classStep struct{ cond, class string }

// validClassesCEL is the CEL list of the values of AIClassLabel that
// override the classification: the class names and "none".
func validClassesCEL() string {
	valid := []string{AIClassNone}
	for _, c := range AIClasses() {
		valid = append(valid, string(c))
	}
	return governance.CELStringList(valid)
}

// classChainCEL is ClassifyWorkload's chain of evidence in CEL, strongest
// first: the override on the object's labels (the CEL map expression
// objLabels), then on the pod template's (tmplLabels) where tmplOverride
// holds, the operator labels and the component label on each, the first
// class of the CEL list imageClasses (the classes of the images of the
// regular and init containers that classify, in order), and last the
// optional fallback; "" when nothing classifies.
func classChainCEL(objLabels, tmplLabels, tmplOverride, imageClasses string, fallback *classStep) string {
	return labelsChainCEL(mapLabels(objLabels), mapLabels(tmplLabels), tmplOverride, imageClasses, fallback)
}

// celLabels reads a set of labels in CEL: has is the condition that the
// key is set, get its value (where has holds).
type celLabels struct{ has, get func(key string) string }

// mapLabels reads the labels of the CEL map expression l.
func mapLabels(l string) celLabels {
	return celLabels{
		has: func(k string) string { return governance.CELString(k) + ` in ` + l },
		get: func(k string) string { return l + `[` + governance.CELString(k) + `]` },
	}
}

// layeredLabels reads the labels of a pod an operator builds from several
// maps: the CEL list expression layers holds them strongest first (a key
// set in several takes the first one's value).
func layeredLabels(layers string) celLabels {
	return celLabels{
		has: func(k string) string { return layers + `.exists(m, ` + governance.CELString(k) + ` in m)` },
		get: func(k string) string {
			q := governance.CELString(k)
			return layers + `.filter(m, ` + q + ` in m)[0][` + q + `]`
		},
	}
}

// labelsChainCEL is classChainCEL over label readers: obj the object's,
// tmpl the pod's.
func labelsChainCEL(obj, tmpl celLabels, tmplOverride, imageClasses string, fallback *classStep) string {
	var steps []classStep
	override := AIClassLabel
	for i, l := range []celLabels{obj, tmpl} {
		cond := l.has(override) + ` && ` + l.get(override) + ` in ` + validClassesCEL()
		if i == 1 {
			cond = tmplOverride + ` && ` + cond
		}
		steps = append(steps, classStep{cond, `(` + l.get(override) + ` == ` + governance.CELString(AIClassNone) + ` ? "" : ` + l.get(override) + `)`})
	}
	for _, l := range []celLabels{obj, tmpl} {
		for _, ol := range operatorLabels() {
			steps = append(steps, classStep{l.has(ol.key), governance.CELString(string(ol.class))})
		}
	}
	components := componentClasses()
	keys := make([]string, 0, len(components))
	for k := range components {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	entries := make([]string, len(keys))
	for i, k := range keys {
		entries[i] = governance.CELString(k) + ": " + governance.CELString(string(components[k]))
	}
	compMap := "{" + strings.Join(entries, ", ") + "}"
	for _, l := range []celLabels{obj, tmpl} {
		v := l.get(ComponentLabel) + `.lowerAscii()`
		steps = append(steps, classStep{l.has(ComponentLabel) + ` && ` + v + ` in ` + compMap, compMap + `[` + v + `]`})
	}
	steps = append(steps, classStep{`size(` + imageClasses + `) > 0`, imageClasses + `[0]`})
	if fallback != nil {
		steps = append(steps, *fallback)
	}

	expr := `""`
	for i := len(steps) - 1; i >= 0; i-- {
		expr = `(` + steps[i].cond + ` ? ` + steps[i].class + ` : ` + expr + `)`
	}
	return expr
}

// imageClassCEL is ImageClass of an image given as parts, the expression
// of its name (without digest) split at "/": the class name or "".
func imageClassCEL(parts string) string {
	// The registry is the first component when another follows and it
	// holds "." or ":" or is "localhost" (ImageRepository).
	registry := `(size(` + parts + `) > 1 && (` + parts + `[0].contains(".") || ` + parts + `[0].contains(":") || ` + parts + `[0] == "localhost"))`
	repoParts := `(size(` + parts + `) - (` + registry + ` ? 1 : 0))`
	last := parts + `[size(` + parts + `) - 1].split(":")[0].lowerAscii()`
	suffix := map[int]string{
		1: last,
		2: `(` + repoParts + ` >= 2 ? ` + parts + `[size(` + parts + `) - 2].lowerAscii() + "/" + ` + last + ` : "")`,
	}
	// The table as the Go classifier splits it: exact repositories and
	// wildcard patterns in table order.
	cl := newClassifier()
	type wildcard struct{ cond, class string }
	var wildcards []wildcard
	for _, p := range cl.images {
		if p.prefix != "" {
			// The repository starts with the prefix's components and has
			// at least one more.
			comps := strings.Split(strings.TrimSuffix(p.prefix, "/"), "/")
			conds := []string{repoParts + ` > ` + fmt.Sprint(len(comps))}
			for i, c := range comps {
				conds = append(conds, parts+`[(`+registry+` ? 1 : 0) + `+fmt.Sprint(i)+`].lowerAscii() == `+governance.CELString(c))
			}
			wildcards = append(wildcards, wildcard{`(` + strings.Join(conds, " && ") + `)`, string(p.class)})
			continue
		}
		s, ok := suffix[p.parts]
		if !ok {
			continue // the Go classifier never matches it either
		}
		wildcards = append(wildcards, wildcard{`(` + s + ` != "" && ` + s + `.matches(` + governance.CELString(globRegexp(p.pattern)) + `))`, string(p.class)})
	}
	exactKeys := slices.Sorted(maps.Keys(cl.exact))
	entries := make([]string, len(exactKeys))
	for i, k := range exactKeys {
		entries[i] = governance.CELString(k) + ": " + governance.CELString(string(cl.exact[k]))
	}
	exactMap := "{" + strings.Join(entries, ", ") + "}"
	expr := `""`
	for i := len(wildcards) - 1; i >= 0; i-- {
		expr = `(` + wildcards[i].cond + ` ? ` + governance.CELString(wildcards[i].class) + ` : ` + expr + `)`
	}
	for _, n := range []int{2, 1} {
		expr = `(` + suffix[n] + ` in ` + exactMap + ` ? ` + exactMap + `[` + suffix[n] + `] : ` + expr + `)`
	}
	return expr
}

// globRegexp translates a path.Match pattern of the image table (with "*"
// and "?" wildcards, no classes or escapes) into an anchored RE2
// expression matching the same strings.
func globRegexp(pattern string) string {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString("[^/]*")
		case '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return b.String()
}

// The variables of the classification of an AI operator's resource
// (operatorServingAdmissionVariables), after the list-form pod variables
// of governance.PodSpecsAdmissionVariables that governance.WithOperators
// reads from each kind's template paths.
const (
	// varOperatorClass is the class the resource itself decides for all
	// its pods (ClassifyObject): its aigov.dev/ai-class override (a class
	// or "none"), else its kind's class (an InferenceService is an
	// inference server, a PyTorchJob a training job); "" when neither
	// decides and each template is classified as the workload of its pods.
	varOperatorClass = "operatorClass"
	// varOperatorTemplates is, for a kind that its kind does not classify,
	// its pod templates ({metadata, spec}) but a ServingRuntime's
	// (operatorTemplatesCEL).
	varOperatorTemplates = "operatorTemplates"
	// varRayAutoscalerImages is, for a RayCluster whose head gets
	// KubeRay's autoscaler, its image ([] otherwise;
	// rayAutoscalerImagesCEL).
	varRayAutoscalerImages = "rayAutoscalerImages"
	// varServingTemplates lists the indexes in varOperatorTemplates of
	// the templates classified as model servers (servingTemplatesCEL).
	varServingTemplates = "servingTemplates"
	// varServingAutoscalerImages is the image of a model server head's
	// autoscaler, [] when there is none (servingAutoscalerImagesCEL).
	varServingAutoscalerImages = "servingAutoscalerImages"
	// varServingSpecs lists the pod specs (of VarPodSpecs) whose pods are
	// model servers: inference servers and embedding services.
	varServingSpecs = "servingSpecs"
)

// operatorKindClasses maps the AI operator kinds that classify by kind
// (crdClasses) to their class.
func operatorKindClasses() map[string]AIClass {
	out := map[string]AIClass{}
	for gk, c := range crdClasses() {
		if slices.Contains(governance.OperatorKinds(), gk) {
			out[gk.Kind] = c
		}
	}
	return out
}

// operatorClassCEL is varOperatorClass: a valid override on the
// resource's labels, else the class of its kind, else "".
func operatorClassCEL() string {
	classes := operatorKindClasses()
	kinds := slices.Sorted(maps.Keys(classes))
	entries := make([]string, len(kinds))
	for i, k := range kinds {
		entries[i] = governance.CELString(k) + ": " + governance.CELString(string(classes[k]))
	}
	kindMap := "{" + strings.Join(entries, ", ") + "}"
	labels := `object.metadata.?labels.orValue({})`
	override := governance.CELString(AIClassLabel)
	return `(` + override + ` in ` + labels + ` && ` + labels + `[` + override + `] in ` + validClassesCEL() + `) ? ` +
		labels + `[` + override + `] : (object.kind in ` + kindMap + ` ? ` + kindMap + `[object.kind] : "")`
}

// templateClassCEL is, for a pod template written in an AI operator's
// resource that the resource itself does not classify, the class of its
// pods as ClassifyWorkload decides it: the resource's labels, then the
// template's (the CEL map labels; their override only where own holds, a
// template at the resource's "spec" having none of its own), then the
// images of the regular and init containers of the pod spec spec. With
// injected (a CEL list of image strings, "" for none), the images of
// containers the operator adds after the written ones (KubeRay's
// autoscaler) come between the regular and the init containers' images,
// where the Go classifier finds them in the template's Spec.
func templateClassCEL(labels, own, spec, injected string) string {
	images := `(` + governance.CELContainersOf(spec, false) + `).map(c, c.?image.orValue(""))`
	if injected != "" {
		images = `(` + spec + `.?containers.orValue([]).map(c, c.?image.orValue("")) + ` + injected + ` + ` +
			spec + `.?initContainers.orValue([]).map(c, c.?image.orValue("")))`
	}
	images += `.map(i, i.split("@")[0].split("/")).map(p, ` + imageClassCEL("p") + `).filter(x, x != "")`
	return `[` + images + `].map(ics, ` + classChainCEL(`object.metadata.?labels.orValue({})`, labels, own, "ics", nil) + `)[0]`
}

// operatorTemplatesCEL is varOperatorTemplates: per AI operator kind that
// its kind does not classify, the CEL list of its pod templates in the
// order governance.PodTemplatesOf gives them: the Ray head and worker
// groups, the replicated jobs of a JobSet and of a training runtime's
// JobSet template, a LeaderWorkerSet's leader and worker templates. A
// ServingRuntime's pod fields are not a pod template (servingSpecsCEL).
func operatorTemplatesCEL() string {
	optional := func(path string) string {
		return `(object.?` + strings.ReplaceAll(path, ".", ".?") + `.?spec.hasValue() ? [object.` + path + `] : [])`
	}
	list := func(list, tmpl string) string {
		return `object.?` + strings.ReplaceAll(list, ".", ".?") + `.orValue([]).filter(e, e.?` + strings.ReplaceAll(tmpl, ".", ".?") + `.?spec.hasValue())` +
			`.map(e, e.` + tmpl + `)`
	}
	all := `object.kind == "RayCluster" ? (` + optional("spec.headGroupSpec.template") + ` + ` + list("spec.workerGroupSpecs", "template") + `) : ` +
		`(object.kind == "JobSet" ? ` + list("spec.replicatedJobs", "template.spec.template") + ` : ` +
		`(object.kind in ["TrainingRuntime", "ClusterTrainingRuntime"] ? ` + list("spec.template.spec.replicatedJobs", "template.spec.template") + ` : ` +
		`(object.kind == "LeaderWorkerSet" ? (` + optional("spec.leaderWorkerTemplate.leaderTemplate") + ` + ` +
		optional("spec.leaderWorkerTemplate.workerTemplate") + `) : [])))`
	// The size guard: a list literal of indexes bounds the estimated cost
	// of classifying each template, images and all.
	indexes := make([]string, operatorMaxTemplates)
	for i := range indexes {
		indexes[i] = strconv.Itoa(i)
	}
	return `[` + all + `].map(all, [` + strings.Join(indexes, ", ") + `].filter(i, i < size(all)).map(i, all[i]))[0]`
}

// operatorMaxTemplates is the size guard of the operators' policies of the
// model-serving checks: of a resource that its kind does not classify,
// they judge the first operatorMaxTemplates pod templates (a RayCluster's
// head and 15 worker groups); later ones are left to the scan. It bounds
// the cost of classifying every template by its images in CEL.
const operatorMaxTemplates = 16

// operatorServingAdmissionNote is what the operators' policies of the
// model-serving checks leave to the scan. The containers KubeRay injects
// are judged: in VarPodSpecs where the resource classifies itself (a
// RayService, a RayJob with an override), and a RayCluster head's
// autoscaler with its template (varServingAutoscalerImages).
func operatorServingAdmissionNote() string {
	return "VAP on AI operators' resources (-operators) judges the containers KubeRay injects (a model server head's autoscaler, " +
		"a SidecarMode submitter) and leaves to the scan the pod templates after the first " + strconv.Itoa(operatorMaxTemplates) +
		" of a resource that its kind does not classify (RayCluster, JobSet, training runtimes, LeaderWorkerSet)"
}

// servingSpecsCEL is varServingSpecs: every pod spec of a resource that
// classifies itself as a model server (none when it classifies itself
// otherwise), else the specs of the templates classified as model servers
// (templateClassCEL): those of varServingTemplates, and a ServingRuntime's
// pod fields (labels at
// spec.labels, at the resource's "spec", so without an override of their
// own, as ClassifyWorkload reads a template at "spec") and its workerSpec.
func servingSpecsCEL() string {
	serving := func(class string) string { return class + ` in ` + modelServingClassesCEL() }
	class := `variables.` + varOperatorClass
	runtime := func(path, own string) string {
		return `(object.?` + strings.ReplaceAll(path, ".", ".?") + `.hasValue() && ` +
			serving(templateClassCEL(`object.`+path+`.?labels.orValue({})`, own, `object.`+path, "")) + ` ? [object.` + path + `] : [])`
	}
	return class + ` != "" ? (` + serving(class) + ` ? variables.` + governance.VarPodSpecs + ` : []) : ` +
		`(variables.` + varServingTemplates + `.map(i, variables.` + varOperatorTemplates + `[i].spec) + ` +
		`(object.kind in ["ServingRuntime", "ClusterServingRuntime"] ? ` + runtime("spec", "false") + ` + ` + runtime("spec.workerSpec", "true") + ` : []))`
}

// servingTemplatesCEL is varServingTemplates: for a resource that does
// not classify itself, the indexes in varOperatorTemplates of the
// templates classified as model servers. A RayCluster's head, the first
// template when varRayAutoscalerImages is not empty, is classified with
// its autoscaler's image.
func servingTemplatesCEL() string {
	tp := `variables.` + varOperatorTemplates + `[i]`
	class := templateClassCEL(tp+`.?metadata.?labels.orValue({})`, "true", tp+`.spec`, `(i == 0 ? variables.`+varRayAutoscalerImages+` : [])`)
	return `variables.` + varOperatorClass + ` != "" ? [] : [` + guardIndexes() + `].filter(i, i < size(variables.` + varOperatorTemplates + `) && ` +
		class + ` in ` + modelServingClassesCEL() + `)`
}

// servingAutoscalerNamesCEL is, for the images of
// varServingAutoscalerImages that satisfy cond (naming the image img),
// the CEL list of the autoscaler's quoted name, as CELQuotedNames renders
// a container's.
func servingAutoscalerNamesCEL(cond string) string {
	return `variables.` + varServingAutoscalerImages + `.filter(img, ` + cond + `).map(img, ` +
		governance.CELString(`"`+operator.RayAutoscalerContainer+`"`) + `)`
}

// servingAutoscalerImagesCEL is varServingAutoscalerImages: the image of
// the autoscaler KubeRay injects into a RayCluster's head when the head
// is a model server, [] otherwise. It is judged as a container of its
// own, apart from varServingSpecs: a pod spec built in CEL would have no
// size the cost estimator can see.
func servingAutoscalerImagesCEL() string {
	return `0 in variables.` + varServingTemplates + ` ? variables.` + varRayAutoscalerImages + ` : []`
}

// rayAutoscalerImagesCEL is varRayAutoscalerImages: of a RayCluster with
// in-tree autoscaling whose head template holds a container, the image of
// the autoscaler KubeRay v1.5.0 injects into the head's pods
// (internal/operator ray.go, autoscalerContainer):
// spec.autoscalerOptions.image when set, else the Ray container's (the
// head's first); [] otherwise. Of the autoscaler the model-serving checks
// read only its image and its probes, and KubeRay writes none.
func rayAutoscalerImagesCEL() string {
	head := `object.?spec.?headGroupSpec.?template.?spec.?containers.orValue([])`
	return `object.kind == "RayCluster" && object.?spec.?enableInTreeAutoscaling.orValue(false) == true && size(` + head + `) > 0 ? ` +
		`[object.spec.?autoscalerOptions.?image.orValue(object.spec.headGroupSpec.template.spec.containers[0].?image.orValue(""))] : []`
}

// operatorServingAdmissionVariables returns the list-form pod variables
// followed by varOperatorClass, varOperatorTemplates,
// varRayAutoscalerImages, varServingTemplates, varServingSpecs and
// varServingAutoscalerImages:
// a form to pass to governance.WithOperators (or WithOperatorModels, whose
// model containers join VarPodSpecs, so varServingSpecs), which reads
// VarPodSpecs from each operator kind's template paths.
func operatorServingAdmissionVariables() []admissionregistrationv1.Variable {
	return governance.PodSpecsAdmissionVariables(
		admissionregistrationv1.Variable{Name: varOperatorClass, Expression: operatorClassCEL()},
		admissionregistrationv1.Variable{Name: varOperatorTemplates, Expression: operatorTemplatesCEL()},
		admissionregistrationv1.Variable{Name: varRayAutoscalerImages, Expression: rayAutoscalerImagesCEL()},
		admissionregistrationv1.Variable{Name: varServingTemplates, Expression: servingTemplatesCEL()},
		admissionregistrationv1.Variable{Name: varServingSpecs, Expression: servingSpecsCEL()},
		admissionregistrationv1.Variable{Name: varServingAutoscalerImages, Expression: servingAutoscalerImagesCEL()},
	)
}

// The pods AI operators derive from their resources, in CEL: what the
// inventory checks (ai-workload-own-serviceaccount) judge through
// governance.Inventory.Workloads, which runs the operator package's
// derivation (governance/internal/operator). The pods follow the Go
// derivation kind by kind: which templates yield a pod and when none
// does, which labels the operator puts on it (KServe's
// serving.kserve.io/inferenceservice, Kubeflow's
// training.kubeflow.org/job-name, the Notebook's notebook-name, KubeRay's
// ray.io/serve on a RayService's pods) and which field names its
// ServiceAccount. Each pod is given by its label maps, strongest first
// (layeredLabels), the pod spec its images are classified by (as written
// in the resource) and its ServiceAccount; the policy holds one list per
// projection of the pods (podProjection), in the same order, so that
// every value read comes from the object with the size the cost
// estimator knows (a map literal holding the spec would hide it).

// Names of the variables of the derived pods: parallel lists, one item
// per derived pod.
const (
	// varDerivedLayers lists each pod's label maps, strongest first.
	varDerivedLayers = "derivedLayers"
	// varDerivedImages lists the images of each pod's regular and init
	// containers.
	varDerivedImages = "derivedImages"
	// varDerivedGPU tells whether a regular or init container of the pod
	// requests or limits a GPU.
	varDerivedGPU = "derivedGPU"
	// varDerivedSAs is the ServiceAccount each pod runs as.
	varDerivedSAs = "derivedServiceAccounts"
	// varDerivedClasses is each pod's class ("" for none).
	varDerivedClasses = "derivedClasses"
)

// podProjection renders one derived pod, given its label maps (CEL map
// expressions, strongest first), its pod spec and its ServiceAccount (CEL
// expressions), as one item of a projection list.
type podProjection func(layers []string, spec, sa string) string

// The projections of the variables.
var (
	layersProjection podProjection = func(layers []string, _, _ string) string {
		// dyn: the apiserver's CEL wants one type of item in a list
		// literal, and the maps are literals and fields of the object.
		ls := make([]string, len(layers))
		for i, l := range layers {
			ls[i] = `dyn(` + l + `)`
		}
		return `[` + strings.Join(ls, ", ") + `]`
	}
	imagesProjection podProjection = func(_ []string, spec, _ string) string {
		return `(` + governance.CELContainersOf(spec, false) + `).map(c, c.?image.orValue(""))`
	}
	gpuProjection podProjection = func(_ []string, spec, _ string) string {
		return `(` + governance.CELContainersOf(spec, false) + `).exists(c, ` + gpuUntypedFieldCEL("limits") + ` || ` + gpuUntypedFieldCEL("requests") + `)`
	}
	saProjection podProjection = func(_ []string, _, sa string) string { return sa }
)

// derivedNoPodKinds are the AI operator kinds whose resources run no pod
// of their own that a single object decides: the training and serving
// runtimes are templates other resources use (the operator package
// derives no pod from them), and a TrainJob's pods come from its
// runtime, another object the policy does not see (so the Go check of
// the TrainJob alone finds no pod either).
var derivedNoPodKinds = []string{"TrainingRuntime", "ClusterTrainingRuntime", "ServingRuntime", "ClusterServingRuntime", "TrainJob"}

// derivedPodsAdmissionRules match CREATE and UPDATE of the AI operators'
// kinds that derive pods (governance.OperatorAdmissionRules without
// derivedNoPodKinds).
func derivedPodsAdmissionRules() []admissionregistrationv1.NamedRuleWithOperations {
	excluded := map[string]bool{}
	for _, k := range derivedNoPodKinds {
		excluded[strings.ToLower(k)+"s"] = true
	}
	var out []admissionregistrationv1.NamedRuleWithOperations
	for _, r := range governance.OperatorAdmissionRules() {
		var keep []string
		for _, res := range r.Resources {
			if !excluded[res] {
				keep = append(keep, res)
			}
		}
		if len(keep) > 0 {
			r.Resources = keep
			out = append(out, r)
		}
	}
	return out
}

// celPath is the optional chain of a dotted path under base:
// "object.?spec.?predictor".
func celPath(base, path string) string {
	return base + `.?` + strings.ReplaceAll(path, ".", ".?")
}

// serviceAccountCEL is serviceAccountOf of the CEL pod spec spec.
func serviceAccountCEL(spec string) string {
	return `(` + spec + `.?serviceAccountName.orValue("") != "" ? ` + spec + `.serviceAccountName : ` +
		`(` + spec + `.?serviceAccount.orValue("") != "" ? ` + spec + `.serviceAccount : "default"))`
}

// objectLabelsCEL is the resource's labels.
const objectLabelsCEL = `object.metadata.?labels.orValue({})`

// rayPodsCEL is the pods of the Ray cluster spec at the dotted path
// prefix (ray.go, pods): the head's and one per worker group with a
// template. Their labels are the template's under the group's (the
// head's spec.headGroupSpec.labels); a cluster of a RayService (serve,
// a CEL condition) labels them ray.io/serve, which makes every one an
// inference server. With enableInTreeAutoscaling the head runs as the
// template's ServiceAccount, else one named after the cluster (its shape
// by CheckName changes no name into "default" nor "default" into another).
func rayPodsCEL(pod podProjection, prefix, serve string) string {
	head := `object.` + prefix + `.headGroupSpec`
	spec := head + `.template.spec`
	autoscaling := celPath(`object`, prefix) + `.?enableInTreeAutoscaling.orValue(false) == true && size(` + spec + `.?containers.orValue([])) > 0`
	headSA := `(` + autoscaling + ` ? (` + spec + `.?serviceAccountName.orValue("") != "" ? ` + spec + `.serviceAccountName : object.metadata.name) : ` + serviceAccountCEL(spec) + `)`
	serveLabel := func(v string) string { return `(` + serve + ` ? {"ray.io/serve": "` + v + `"} : {})` }
	headPod := `(` + celPath(`object`, prefix+".headGroupSpec.template.spec") + `.hasValue() ? [` +
		pod([]string{serveLabel("false"), head + `.?labels.orValue({})`, head + `.template.?metadata.?labels.orValue({})`}, spec, headSA) + `] : [])`
	workers := celPath(`object`, prefix+".workerGroupSpecs") + `.orValue([]).filter(g, g.?template.?spec.hasValue()).map(g, ` +
		pod([]string{serveLabel("true"), `g.?labels.orValue({})`, `g.template.?metadata.?labels.orValue({})`}, `g.template.spec`, serviceAccountCEL(`g.template.spec`)) + `)`
	return `(` + celPath(`object`, prefix) + `.hasValue() ? ` + headPod + ` + ` + workers + ` : [])`
}

// rayJobPodsCEL is the pods of a RayJob (ray.go, rayJobPods): its
// cluster's unless clusterSelector names an existing cluster, and in
// K8sJobMode (the default) the submitter's: from submitterPodTemplate, else
// the default submitter, which runs the head's first image as "default"
// and carries no label of the template.
func rayJobPodsCEL(pod podProjection) string {
	selector := `object.?spec.?clusterSelector.orValue({})[?"ray.io/cluster"].orValue("") != ""`
	k8sJobMode := `object.?spec.?submissionMode.orValue("") in ["", "K8sJobMode"]`
	sub := `object.spec.submitterPodTemplate`
	headContainers := `object.?spec.?rayClusterSpec.?headGroupSpec.?template.?spec.?containers.orValue([])`
	submitter := `(` + celPath(`object`, "spec.submitterPodTemplate.spec") + `.hasValue() ? [` +
		pod([]string{sub + `.?metadata.?labels.orValue({})`}, sub+`.spec`, serviceAccountCEL(sub+`.spec`)) + `] : ` +
		`(!(` + selector + `) && size(` + headContainers + `) > 0 ? [` +
		pod([]string{`{}`}, `{"containers": [{"image": `+headContainers+`[0].?image.orValue("")}]}`, `"default"`) + `] : []))`
	return `(` + selector + ` ? [] : ` + rayPodsCEL(pod, "spec.rayClusterSpec", "false") + `) + (` + k8sJobMode + ` ? ` + submitter + ` : [])`
}

// kubeflowJob is one Kubeflow training job kind: its replica specs' field,
// its canonical replica types (kubeflow.go, trainingJobKinds) and the
// controller that reconciles it.
type kubeflowJob struct {
	kind, field string
	types       []string
}

// kubeflowJobs are the training operator's kinds but MPIJob.
func kubeflowJobs() []kubeflowJob {
	return []kubeflowJob{
		{"PyTorchJob", "pytorchReplicaSpecs", []string{"Master", "Worker"}},
		{"TFJob", "tfReplicaSpecs", []string{"PS", "Worker", "Chief", "Master", "Evaluator"}},
		{"XGBoostJob", "xgbReplicaSpecs", []string{"Master", "Worker"}},
		{"PaddleJob", "paddleReplicaSpecs", []string{"Master", "Worker"}},
		{"JAXJob", "jaxReplicaSpecs", []string{"Worker"}},
	}
}

// kubeflowReplicaPodCEL is the pod of the replica spec at the CEL
// expression r: the template's labels under the operator's job-name label
// (which makes it a training job).
func kubeflowReplicaPodCEL(pod podProjection, r string) string {
	return pod([]string{`{"training.kubeflow.org/job-name": object.metadata.name}`, r + `.template.?metadata.?labels.orValue({})`},
		r+`.template.spec`, serviceAccountCEL(r+`.template.spec`))
}

// kubeflowPodsCEL is the pods of a training job (kubeflow.go, pods): none
// when runPolicy.managedBy names another controller or an active replica
// spec has no template or no container; else one per active replica
// spec in the operator package's order (readKubeflowReplicas): the
// canonical replica types in the kind's rank order, then the other keys
// in key order, the first 8 of those (a job has at most 5 replica types;
// more keys are typos the scan judges). The order decides which pod is a
// resource's first classified one (sensitive-workload-classification). A
// replica spec is inactive when null, or when another spelling of its
// canonical type (case aside) takes its place: the first such spelling
// in key order replaces the canonical one and the others, so at most one
// key is active per canonical type.
func kubeflowPodsCEL(pod podProjection, j kubeflowJob) string {
	m := `object.spec.` + j.field
	shadowed := make([]string, len(j.types))
	for i, c := range j.types {
		shadowed[i] = `(k.lowerAscii() == ` + governance.CELString(strings.ToLower(c)) + ` && ` + m + `.exists(o, o != ` + governance.CELString(c) +
			` && o.lowerAscii() == ` + governance.CELString(strings.ToLower(c)) + ` && (k == ` + governance.CELString(c) + ` || o < k)))`
	}
	active := m + `.filter(k, ` + m + `[k] != null && !(` + strings.Join(shadowed, " || ") + `))`
	managed := `object.spec.?runPolicy.?managedBy.orValue(null)`
	// A map's items come in no fixed order, and the projections must
	// list the pods in the same one: the active key of each canonical
	// type in rank order, then the other keys sorted, each placed by the
	// count of the keys before it.
	lower := make([]string, len(j.types))
	var ranked []string
	for i, c := range j.types {
		lower[i] = strings.ToLower(c)
		ranked = append(ranked, `keys.filter(k, k.lowerAscii() == `+governance.CELString(lower[i])+`)`)
	}
	others := `keys.filter(k, !(k.lowerAscii() in ` + governance.CELStringList(lower) + `))`
	sorted := strings.Join(ranked, ` + `) + ` + [` + others + `].map(rest, [0, 1, 2, 3, 4, 5, 6, 7].filter(i, i < size(rest))` +
		`.map(i, rest.filter(k, size(rest.filter(o, o < k)) == i)[0]))[0]`
	return `(` + celPath(`object`, "spec."+j.field) + `.hasValue() && (` + managed + ` == null || ` + managed + ` == "kubeflow.org/training-operator") ? ` +
		`[` + active + `].map(keys, keys.all(k, size(` + m + `[k].?template.?spec.?containers.orValue([])) > 0) ? (` + sorted + `).map(k, ` + kubeflowReplicaPodCEL(pod, m+`[k]`) + `) : [])[0] : [])`
}

// mpiJobPodsCEL is the pods of an MPIJob (kubeflow.go, mpiJobPods and
// readMPIJob): its Worker's and Launcher's, none when the MPI operator
// would refuse the job (an unknown mpiImplementation, negative
// slotsPerWorker, a Launcher or Worker without containers or with a
// restartPolicy other than Never and OnFailure, no Launcher or one with
// replicas other than 1, a Worker with no replica, a worker host name
// that is no DNS label) or another controller manages it.
func mpiJobPodsCEL(pod podProjection) string {
	m := `object.spec.mpiReplicaSpecs`
	role := func(key, restart string) (ok, present string) {
		r := m + `[` + governance.CELString(key) + `]`
		present = `(` + governance.CELString(key) + ` in ` + m + ` && ` + r + ` != null)`
		ok = `(!` + present + ` || (size(` + r + `.?template.?spec.?containers.orValue([])) > 0 && ` +
			r + `.?restartPolicy.orValue(` + governance.CELString(restart) + `) in ["Never", "OnFailure"]))`
		return ok, present
	}
	launcherOK, launcher := role("Launcher", "OnFailure")
	workerOK, worker := role("Worker", "Never")
	workers := m + `["Worker"].?replicas.orValue(0)`
	maxHost := `object.metadata.name + "-worker-" + string(` + worker + ` ? ` + workers + ` - 1 : 0)`
	managed := `object.spec.?runPolicy.?managedBy.orValue(null)`
	valid := `(` + managed + ` == null || ` + managed + ` == "kubeflow.org/mpi-operator") && ` +
		`object.spec.?mpiImplementation.orValue("OpenMPI") in ["OpenMPI", "Intel", "MPICH"] && ` +
		`object.spec.?slotsPerWorker.orValue(1) >= 0 && ` + launcherOK + ` && ` + workerOK + ` && ` +
		launcher + ` && ` + m + `["Launcher"].?replicas.orValue(1) == 1 && (!` + worker + ` || ` + workers + ` > 0) && ` +
		`size(` + maxHost + `) <= 63 && (` + maxHost + `).matches("^[a-z]([-a-z0-9]*[a-z0-9])?$")`
	return `(` + celPath(`object`, "spec.mpiReplicaSpecs") + `.hasValue() && ` + valid + ` ? ` +
		`(` + worker + ` ? [` + kubeflowReplicaPodCEL(pod, m+`["Worker"]`) + `] : []) + [` + kubeflowReplicaPodCEL(pod, m+`["Launcher"]`) + `] : [])`
}

// notebookPodsCEL is the pod of a Notebook (kubeflow.go, notebookPods):
// its template's spec (the template's metadata is not read) with at
// least one container, labelled notebook-name under the Notebook's own
// labels, none when its statefulset label names another StatefulSet.
func notebookPodsCEL(pod podProjection) string {
	spec := `object.spec.template.spec`
	return `(size(` + celPath(`object`, "spec.template.spec") + `.?containers.orValue([])) > 0 && ` +
		objectLabelsCEL + `[?"statefulset"].orValue(object.metadata.name) == object.metadata.name ? [` +
		pod([]string{objectLabelsCEL, `{"notebook-name": object.metadata.name}`}, spec, serviceAccountCEL(spec)) + `] : [])`
}

// jobSetPodsCEL is the pods of a JobSet (jobset.go): one per replicated
// job with a Job template, labelled by its pod template.
func jobSetPodsCEL(pod podProjection) string {
	spec := `j.template.?spec.?template.?spec.orValue({})`
	return `object.?spec.?replicatedJobs.orValue([]).filter(j, j.?template.orValue(null) != null).map(j, ` +
		pod([]string{`j.template.?spec.?template.?metadata.?labels.orValue({})`}, spec, serviceAccountCEL(spec)) + `)`
}

// lwsPodsCEL is the pods of a LeaderWorkerSet (lws.go, lwsPods): none
// without a worker template; the leader's from the leader template, else
// the worker template; the workers' when a group has more than one pod
// (leaderWorkerTemplate.size, default 1).
func lwsPodsCEL(pod podProjection) string {
	lwt := `object.spec.leaderWorkerTemplate`
	tmplPod := func(t string) string {
		spec := t + `.?spec.orValue({})`
		return pod([]string{t + `.?metadata.?labels.orValue({})`}, spec, serviceAccountCEL(spec))
	}
	hasWorker := celPath(`object`, "spec.leaderWorkerTemplate.workerTemplate") + `.orValue(null) != null`
	hasLeader := celPath(`object`, "spec.leaderWorkerTemplate.leaderTemplate") + `.orValue(null) != null`
	return `(` + hasWorker + ` ? (` + hasLeader + ` ? [` + tmplPod(lwt+`.leaderTemplate`) + `] : [` + tmplPod(lwt+`.workerTemplate`) + `]) + ` +
		`(` + lwt + `.?size.orValue(1) > 1 ? [` + tmplPod(lwt+`.workerTemplate`) + `] : []) : [])`
}

// kserveFrameworkKeys are the predictor fields that name a model by its
// framework (kserve.go, kserveFrameworks).
var kserveFrameworkKeys = []string{"sklearn", "tensorflow", "xgboost", "pytorch", "triton", "onnx", "huggingface", "pmml", "lightgbm", "paddle"}

// isvcPodsCEL is the pods of an InferenceService (kserve.go, isvcPods):
// none in ModelMesh mode; the predictor's when it names no model (a
// model's pod is built from a ServingRuntime, another object) and holds
// containers, one named kserve-container unless it has one or its first
// is unnamed; the transformer's and the explainer's when they hold
// containers. Each is labelled serving.kserve.io/inferenceservice (an
// inference server) over the component's labels over the resource's.
func isvcPodsCEL(pod podProjection) string {
	mode := `(object.?status.?deploymentMode.orValue("") != "" ? object.status.deploymentMode : ` +
		`object.metadata.?annotations[?"serving.kserve.io/deploymentMode"].orValue(""))`
	component := func(name, cond string) string {
		c := `object.spec.` + name
		return `(` + celPath(`object`, "spec."+name) + `.orValue(null) != null && size(` + c + `.?containers.orValue([])) > 0` + cond + ` ? [` +
			pod([]string{`{"serving.kserve.io/inferenceservice": object.metadata.name}`, c + `.?labels.orValue({})`, objectLabelsCEL}, c, serviceAccountCEL(c)) + `] : [])`
	}
	p := `object.spec.predictor`
	var noModel []string
	for _, k := range append([]string{"model"}, kserveFrameworkKeys...) {
		noModel = append(noModel, p+`.?`+k+`.orValue(null) == null`)
	}
	main := ` && (size(` + p + `.containers) == 1 || ` + p + `.containers[0].?name.orValue("") == "" || ` + p + `.containers.exists(c, c.?name.orValue("") == "kserve-container"))`
	predictor := component("predictor", ` && `+strings.Join(noModel, " && ")+main)
	return `(` + mode + ` == "ModelMesh" ? [] : ` + predictor + ` + ` + component("transformer", "") + ` + ` + component("explainer", "") + `)`
}

// llmPodsCEL is the pods of an LLMInferenceService (kserve.go, llmPods):
// none while the stop annotation is true; the main workload's from
// spec.template unless spec.worker makes it multi-node, the prefill
// workload's from spec.prefill.template unless spec.prefill.worker does.
// Their labels are the workload's labels over the operator's
// app.kubernetes.io/component (a value that classifies nothing).
func llmPodsCEL(pod podProjection) string {
	workload := func(w, tmpl, worker, component string) string {
		spec := `object.` + tmpl
		return `(` + celPath(`object`, w) + `.orValue(null) != null && ` + celPath(`object`, worker) + `.orValue(null) == null && ` +
			celPath(`object`, tmpl) + `.orValue(null) != null ? [` +
			pod([]string{celPath(`object`, w) + `.?labels.orValue({})`, `{"app.kubernetes.io/component": ` + governance.CELString(component) + `}`}, spec, serviceAccountCEL(spec)) + `] : [])`
	}
	stopped := `object.metadata.?annotations[?"serving.kserve.io/stop"].orValue("").lowerAscii() == "true"`
	return `(` + stopped + ` ? [] : ` + workload("spec", "spec.template", "spec.worker", "llminferenceservice-workload") + ` + ` +
		workload("spec.prefill", "spec.prefill.template", "spec.prefill.worker", "llminferenceservice-workload-prefill") + `)`
}

// derivedPodsCEL is one projection of the derived pods: per AI operator
// kind, its pods, the first operatorMaxTemplates of them (the size guard
// of operatorTemplatesCEL, for the same reason).
func derivedPodsCEL(pod podProjection) string {
	var b strings.Builder
	kinds := 0
	kind := func(k, pods string) {
		b.WriteString(`object.kind == ` + governance.CELString(k) + ` ? ` + pods + ` : (`)
		kinds++
	}
	kind("RayCluster", rayPodsCEL(pod, "spec", objectLabelsCEL+`[?"ray.io/originated-from-crd"].orValue("") == "RayService"`))
	kind("RayService", rayPodsCEL(pod, "spec.rayClusterConfig", "true"))
	kind("RayJob", rayJobPodsCEL(pod))
	for _, j := range kubeflowJobs() {
		kind(j.kind, kubeflowPodsCEL(pod, j))
	}
	kind("MPIJob", mpiJobPodsCEL(pod))
	kind("Notebook", notebookPodsCEL(pod))
	kind("JobSet", jobSetPodsCEL(pod))
	kind("LeaderWorkerSet", lwsPodsCEL(pod))
	kind("InferenceService", isvcPodsCEL(pod))
	kind("LLMInferenceService", llmPodsCEL(pod))
	return guardCEL(b.String() + `[]` + strings.Repeat(`)`, kinds))
}

// derivedIndexesCEL is the CEL list of the indexes of the derived pods.
func derivedIndexesCEL() string {
	return `[` + guardIndexes() + `].filter(i, i < size(variables.` + varDerivedSAs + `))`
}

// guardIndexes is "0, 1, …" up to operatorMaxTemplates.
func guardIndexes() string {
	indexes := make([]string, operatorMaxTemplates)
	for i := range indexes {
		indexes[i] = strconv.Itoa(i)
	}
	return strings.Join(indexes, ", ")
}

// guardCEL is the first operatorMaxTemplates items of the CEL list all.
func guardCEL(all string) string {
	return `[` + all + `].map(all, [` + guardIndexes() + `].filter(i, i < size(all)).map(i, all[i]))[0]`
}

// derivedClassesCEL is varDerivedClasses: each derived pod classified as
// ClassifyWorkload classifies the workload of a custom resource (the
// resource's labels, the pod's, the images of its spec's regular and init
// containers; a custom resource is no Job, so a GPU makes no training
// job).
func derivedClassesCEL() string {
	images := `variables.` + varDerivedImages + `[i].map(img, img.split("@")[0].split("/")).map(parts, ` + imageClassCEL("parts") + `).filter(x, x != "")`
	return derivedIndexesCEL() + `.map(i, [` + images + `].map(ics, ` +
		labelsChainCEL(mapLabels(objectLabelsCEL), layeredLabels(`variables.`+varDerivedLayers+`[i]`), "true", "ics", nil) + `)[0])`
}

// derivedPodsAdmissionVariables declares the variables of the derived
// pods.
func derivedPodsAdmissionVariables() []admissionregistrationv1.Variable {
	return []admissionregistrationv1.Variable{
		{Name: varDerivedLayers, Expression: derivedPodsCEL(layersProjection)},
		{Name: varDerivedImages, Expression: derivedPodsCEL(imagesProjection)},
		{Name: varDerivedGPU, Expression: derivedPodsCEL(gpuProjection)},
		{Name: varDerivedSAs, Expression: derivedPodsCEL(saProjection)},
		{Name: varDerivedClasses, Expression: derivedClassesCEL()},
	}
}

// derivedPodsAdmissionNote is what the operators' policies over the
// derived pods leave to the scan, as a clause of an admission note.
func derivedPodsAdmissionNote() string {
	return "on AI operators' resources (-operators) it judges the pods each operator derives from the resource alone, the first " +
		strconv.Itoa(operatorMaxTemplates) + " of them, and leaves to the scan the pods that need another object (a TrainJob's, from its runtime; " +
		"an InferenceService predictor's built from a model and its ServingRuntime, the default submitter of a RayJob whose clusterSelector " +
		"names a cluster), the runtimes (TrainingRuntime, ServingRuntime and their " +
		"cluster twins hold templates, no pod of their own), and what the operator adds to a pod beyond its labels and ServiceAccount " +
		"(KubeRay's autoscaler image and resources from autoscalerOptions, KServe's storage initializer)"
}

// trainJobAdmissionRule matches CREATE and UPDATE of TrainJobs in their
// supported versions (OperatorAdmissionRules leaves the kind out: it holds
// no template).
func trainJobAdmissionRule() admissionregistrationv1.NamedRuleWithOperations {
	var versions []string
	for _, gvk := range governance.OperatorVersionKinds() {
		if gvk.Kind == "TrainJob" {
			versions = append(versions, gvk.Version)
		}
	}
	return governance.AdmissionRule([]string{"trainer.kubeflow.org"}, versions, []string{"trainjobs"})
}
