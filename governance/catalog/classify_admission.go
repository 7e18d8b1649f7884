// The AI classification as CEL: the variables that let a
// ValidatingAdmissionPolicy decide the class of a Pod or built-in workload
// the way ClassifyObject decides it. They are compiled from the tables the
// Go classifier reads (operatorLabels, componentClasses, imagePatterns), in
// the same order of evidence: the aigov.dev/ai-class override on the object
// then on its pod template, operator labels, the component label, the
// images of the regular and init containers (exact repository suffixes
// first, then the wildcard patterns in table order), and a Job, CronJob or
// Pod of a Job requesting a GPU. Custom resources are not matched by these
// policies (the Go checks classify them by kind).

package catalog

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
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
	type step struct{ cond, class string }
	var steps []step
	valid := []string{AIClassNone}
	for _, c := range AIClasses() {
		valid = append(valid, string(c))
	}
	override := governance.CELString(AIClassLabel)
	for _, labels := range []string{varObjectLabels, varTemplateLabels} {
		l := "variables." + labels
		cond := override + ` in ` + l + ` && ` + l + `[` + override + `] in ` + governance.CELStringList(valid)
		if labels == varTemplateLabels {
			cond = `object.kind != "Pod" && ` + cond
		}
		steps = append(steps, step{cond, `(` + l + `[` + override + `] == ` + governance.CELString(AIClassNone) + ` ? "" : ` + l + `[` + override + `])`})
	}
	for _, labels := range []string{varObjectLabels, varTemplateLabels} {
		for _, ol := range operatorLabels() {
			steps = append(steps, step{governance.CELString(ol.key) + ` in variables.` + labels, governance.CELString(string(ol.class))})
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
	for _, labels := range []string{varObjectLabels, varTemplateLabels} {
		v := `variables.` + labels + `[` + component + `].lowerAscii()`
		steps = append(steps, step{component + ` in variables.` + labels + ` && ` + v + ` in ` + compMap, compMap + `[` + v + `]`})
	}
	steps = append(steps, step{`size(variables.` + varImageClasses + `) > 0`, `variables.` + varImageClasses + `[0]`})
	if gpu {
		jobLike := `(object.kind in ["Job", "CronJob"] || (object.kind == "Pod" && object.metadata.?ownerReferences.orValue([]).exists(r, r.kind == "Job")))`
		steps = append(steps, step{jobLike + ` && variables.` + varUsesGPU, governance.CELString(string(ClassTrainingJob))})
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
