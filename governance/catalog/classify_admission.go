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
func gpuFieldCEL(field string) string {
	// sign() needs Kubernetes 1.31; the comparisons are older.
	q := `quantity(c.resources.` + field + `[k])`
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
	var steps []classStep
	override := governance.CELString(AIClassLabel)
	for _, l := range []string{objLabels, tmplLabels} {
		cond := override + ` in ` + l + ` && ` + l + `[` + override + `] in ` + validClassesCEL()
		if l == tmplLabels {
			cond = tmplOverride + ` && ` + cond
		}
		steps = append(steps, classStep{cond, `(` + l + `[` + override + `] == ` + governance.CELString(AIClassNone) + ` ? "" : ` + l + `[` + override + `])`})
	}
	for _, l := range []string{objLabels, tmplLabels} {
		for _, ol := range operatorLabels() {
			steps = append(steps, classStep{governance.CELString(ol.key) + ` in ` + l, governance.CELString(string(ol.class))})
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
	component := governance.CELString(ComponentLabel)
	for _, l := range []string{objLabels, tmplLabels} {
		v := l + `[` + component + `].lowerAscii()`
		steps = append(steps, classStep{component + ` in ` + l + ` && ` + v + ` in ` + compMap, compMap + `[` + v + `]`})
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
// images of the regular and init containers of the pod spec spec.
func templateClassCEL(labels, own, spec string) string {
	images := `(` + governance.CELContainersOf(spec, false) + `).map(c, c.?image.orValue("").split("@")[0].split("/"))` +
		`.map(p, ` + imageClassCEL("p") + `).filter(x, x != "")`
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
// model-serving checks leave to the scan.
func operatorServingAdmissionNote() string {
	return "VAP on AI operators' resources (-operators) leaves to the scan: the pod templates after the first " + strconv.Itoa(operatorMaxTemplates) +
		" of a resource that its kind does not classify (RayCluster, JobSet, training runtimes, LeaderWorkerSet), and containers the operator " +
		"injects (KubeRay's autoscaler and SidecarMode submitter on the head)"
}

// servingSpecsCEL is varServingSpecs: every pod spec of a resource that
// classifies itself as a model server (none when it classifies itself
// otherwise), else the specs of the templates classified as model servers
// (templateClassCEL): those of varOperatorTemplates, and a ServingRuntime's
// pod fields (labels at spec.labels, at the resource's "spec", so without
// an override of their own, as ClassifyWorkload reads a template at
// "spec") and its workerSpec.
func servingSpecsCEL() string {
	serving := func(class string) string { return class + ` in ` + modelServingClassesCEL() }
	class := `variables.` + varOperatorClass
	runtime := func(path, own string) string {
		return `(object.?` + strings.ReplaceAll(path, ".", ".?") + `.hasValue() && ` +
			serving(templateClassCEL(`object.`+path+`.?labels.orValue({})`, own, `object.`+path)) + ` ? [object.` + path + `] : [])`
	}
	return class + ` != "" ? (` + serving(class) + ` ? variables.` + governance.VarPodSpecs + ` : []) : ` +
		`(variables.` + varOperatorTemplates + `.filter(tp, ` + serving(templateClassCEL(`tp.?metadata.?labels.orValue({})`, "true", "tp.spec")) + `).map(tp, tp.spec) + ` +
		`(object.kind in ["ServingRuntime", "ClusterServingRuntime"] ? ` + runtime("spec", "false") + ` + ` + runtime("spec.workerSpec", "true") + ` : []))`
}

// operatorServingAdmissionVariables returns the list-form pod variables
// followed by varOperatorClass, varOperatorTemplates and varServingSpecs:
// a form to pass to governance.WithOperators (or WithOperatorModels, whose
// model containers join VarPodSpecs, so varServingSpecs), which reads
// VarPodSpecs from each operator kind's template paths.
func operatorServingAdmissionVariables() []admissionregistrationv1.Variable {
	return governance.PodSpecsAdmissionVariables(
		admissionregistrationv1.Variable{Name: varOperatorClass, Expression: operatorClassCEL()},
		admissionregistrationv1.Variable{Name: varOperatorTemplates, Expression: operatorTemplatesCEL()},
		admissionregistrationv1.Variable{Name: varServingSpecs, Expression: servingSpecsCEL()},
	)
}
