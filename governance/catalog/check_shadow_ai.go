// shadow-ai finds AI workloads running outside the namespaces the platform
// approved for AI: a GPU job or a model server started in an ordinary team
// namespace escapes the AI platform's review (model provenance, data
// classification, GPU quota, egress). A workload is an AI workload when it
// is classified (Classify: images, labels, custom resource kinds) or any
// regular or init container requests or limits a GPU (an extended resource
// named "*/gpu" or "nvidia.com/*"). The check reads the labels of the
// workload's Namespace object in the input and denies an AI workload or AI
// custom resource whose Namespace lacks the approvalLabel parameter
// (default aigov.dev/ai-approved=true; a bare key means any value) or is not
// in the input. Its ValidatingAdmissionPolicy classifies Pods and built-in
// workloads in CEL (aiClassAdmissionVariables, GPU requests included) and
// reads the approval label from namespaceObject; AI custom resources are
// matched by the -operators policy below, other custom resources are not
// (their kinds are only known to the Go check), and the
// apiserver always has the namespace. Its policy on AI operators'
// resources (-operators) judges the pods each operator derives
// (derivedPodsCEL), and a resource that derives none by its override or
// kind.

package catalog

import (
	"fmt"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/aigov/aigov/governance"
)

// IDShadowAI is the catalog ID of the shadow-ai check.
const IDShadowAI = "shadow-ai"

// DefaultAIApprovalLabel is the label shadow-ai expects on namespaces
// approved for AI workloads.
const DefaultAIApprovalLabel = "aigov.dev/ai-approved=true"

// ShadowAIParams are the parameters of shadow-ai.
type ShadowAIParams struct {
	// ApprovalLabel is "key=value" (the namespace label must have that
	// value) or "key" (any value); default DefaultAIApprovalLabel.
	ApprovalLabel string `json:"approvalLabel,omitempty"`
	// Key and Value are ApprovalLabel parsed; HasValue is false for a bare
	// key. They are not parameters.
	Key      string `json:"-"`
	Value    string `json:"-"`
	HasValue bool   `json:"-"`
}

// ParseShadowAIParams parses and validates the parameters: approvalLabel
// is a valid label key, optionally followed by "=" and a valid label value.
func ParseShadowAIParams(raw any) (ShadowAIParams, error) {
	var p ShadowAIParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if p.ApprovalLabel == "" {
		p.ApprovalLabel = DefaultAIApprovalLabel
	}
	p.Key, p.Value, p.HasValue = strings.Cut(p.ApprovalLabel, "=")
	if err := validateLabelKey("approvalLabel", p.Key); err != nil {
		return p, err
	}
	if errs := validation.IsValidLabelValue(p.Value); p.HasValue && len(errs) > 0 {
		return p, fmt.Errorf("approvalLabel value %q: %s", p.Value, strings.Join(errs, "; "))
	}
	return p, nil
}

func shadowAIDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDShadowAI,
		Description: "AI workloads (classified, or requesting GPUs) may run only in namespaces labelled as approved for AI.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{PodsAndWorkloads, "AI custom resources", "Namespace (read)"},
		Params: []governance.Param{{Name: "approvalLabel", Type: "string", Default: DefaultAIApprovalLabel,
			Description: `namespace label of approval, "key=value" or "key" (any value)`}},
		Requires: []governance.FactRef{ClassificationFact, AssetsFact},
		VAP:      true,
		AdmissionNote: "VAP on AI operators' resources (-operators) judges the pods each operator derives from the resource alone, the first " + strconv.Itoa(operatorMaxTemplates) + " of them, " +
			"and a resource that derives none by its aigov.dev/ai-class override or kind (a TrainJob, an InferenceService whose predictor names a model, " +
			"a runtime labelled with a class); it leaves to the scan what the operator adds to a pod beyond its labels (KubeRay's autoscaler image and " +
			"resources from autoscalerOptions) and custom resources of other kinds (SeldonDeployment, Model, ModelRegistry, InferenceGraph)",
		New: NewShadowAI,
	}
}

// NewShadowAI builds the shadow-ai check from ShadowAIParams. It is an
// inventory check: it reads each workload's Namespace.
func NewShadowAI(params any) (governance.Check, error) {
	p, err := ParseShadowAIParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	d := shadowAIDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: fmt.Sprintf("move the workload to a namespace approved for AI, or have the platform team review the namespace and label it %s", p.ApprovalLabel),
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			approved := func(ns string) (bool, string) {
				n := namespaceOf(inv, ns)
				if n == nil {
					return false, fmt.Sprintf("namespace %q is not in the input", ns)
				}
				v, ok := n.Labels[p.Key]
				if ok && (!p.HasValue || v == p.Value) {
					return true, ""
				}
				return false, fmt.Sprintf("namespace %q is not labelled %s", ns, p.ApprovalLabel)
			}
			var out []governance.Finding
			reported := map[*governance.Object]bool{}
			for _, a := range aiWorkloads(ClassificationFact.Of(pass)) {
				ok, why := approved(a.w.Namespace)
				if ok {
					continue
				}
				path, evidence := a.class.Path, a.class.Reason
				if a.class.Class == ClassNone {
					spec := &a.w.Pod.Spec
					if stored, ok := a.w.Template(); ok {
						spec = stored.Spec
					}
					gpuPath, res, q, _ := firstGPU(spec, a.w.SpecPath)
					path, evidence = gpuPath, fmt.Sprintf("%s: %s", res, q.String())
				}
				out = append(out, governance.Finding{Object: a.w.Object.Ref(), Path: path,
					Message: fmt.Sprintf("%s runs outside the AI-approved namespaces: %s (recognised by %s)", a.what, why, evidence)})
				reported[a.w.Object] = true
			}
			for _, a := range AssetsFact.Of(pass) {
				// A custom resource whose pods are derived was judged
				// above, by its workloads.
				if a.Object.Typed || a.Namespace == "" || reported[a.Object] {
					continue
				}
				if ok, why := approved(a.Namespace); !ok {
					out = append(out, governance.Finding{Object: a.Object.Ref(), Path: a.Path,
						Message: fmt.Sprintf("%s runs outside the AI-approved namespaces: %s (recognised by %s)",
							describeWorkload(AIClass(a.Class), a.Kind, a.Name), why, a.Reason)})
				}
			}
			return out
		},
		Admission: shadowAIAdmission(p),
	}, nil
}

// shadowAIAdmission denies an AI workload (classified, or requesting a
// GPU) whose namespace lacks the approval label (or has another value).
func shadowAIAdmission(p ShadowAIParams) *governance.Admission {
	label := `namespaceObject.metadata.?labels[?` + governance.CELString(p.Key) + `]`
	approved := label + `.hasValue()`
	if p.HasValue {
		approved = label + `.orValue("") == ` + governance.CELString(p.Value) + ` && ` + approved
	}
	what := `(variables.` + varAIClass + ` != "" ? variables.` + varAIClass + ` : "GPU workload") + " " + object.kind + " \"" + object.metadata.name + "\""`
	return &governance.Admission{
		Rules:     governance.PodAdmissionRules(),
		Variables: aiClassAdmissionVariables(true),
		Validations: []admissionregistrationv1.Validation{{
			Expression:        `!(variables.` + varAIClass + ` != "" || variables.` + varUsesGPU + `) || (` + approved + `)`,
			Message:           "AI workloads (classified, or requesting GPUs) may run only in namespaces labelled " + p.ApprovalLabel,
			MessageExpression: what + ` + " runs outside the AI-approved namespaces: namespace \"" + namespaceObject.metadata.name + "\" is not labelled " + ` + governance.CELString(p.ApprovalLabel),
		}},
		Operators: shadowAIOperatorsAdmission(p, approved),
	}
}

// shadowAIOperatorsAdmission is the policy over every AI operator kind
// (TrainJob included): outside an approved namespace it denies a resource
// one of whose derived pods (derivedPodsCEL) is an AI workload, and a
// resource that derives no pod from itself alone but is an AI asset by
// its aigov.dev/ai-class override or its kind (a TrainJob, an
// InferenceService whose predictor names a model, a runtime labelled with
// a class), as the Go check reports the asset table's custom resources;
// like the Go check, it skips the cluster-wide runtimes, which have no
// namespace.
func shadowAIOperatorsAdmission(p ShadowAIParams, approved string) *governance.Admission {
	i := func(name string) string { return `variables.` + name + `[i]` }
	pods := derivedIndexesCEL() + `.filter(i, ` + i(varDerivedClasses) + ` != "" || ` + i(varDerivedGPU) + `)`
	class := `(size(variables.` + varDerivedSAs + `) > 0 ? ` + pods + `.map(i, ` + i(varDerivedClasses) + ` != "" ? ` + i(varDerivedClasses) + ` : "GPU workload") : ` +
		`(variables.` + varOperatorClass + ` in ["", ` + governance.CELString(AIClassNone) + `] ? [] : [variables.` + varOperatorClass + `]))`
	vars := append(derivedPodsAdmissionVariables(),
		admissionregistrationv1.Variable{Name: varOperatorClass, Expression: operatorClassCEL()},
		admissionregistrationv1.Variable{Name: varShadowClasses, Expression: class})
	return &governance.Admission{
		Rules:     append(governance.OperatorAdmissionRules(), trainJobAdmissionRule()),
		Variables: vars,
		Validations: []admissionregistrationv1.Validation{{
			// A cluster-wide runtime has no namespace (and the apiserver
			// no namespaceObject for it); the Go check skips it.
			Expression: `object.metadata.?namespace.orValue("") == "" || size(variables.` + varShadowClasses + `) == 0 || (` + approved + `)`,
			Message:    "AI workloads (classified, or requesting GPUs) may run only in namespaces labelled " + p.ApprovalLabel,
			MessageExpression: `variables.` + varShadowClasses + `[0] + " " + object.kind + " \"" + object.metadata.name + "\" runs outside the AI-approved namespaces: namespace \"" + ` +
				`namespaceObject.metadata.name + "\" is not labelled " + ` + governance.CELString(p.ApprovalLabel),
		}},
	}
}

// varShadowClasses lists the classes of a resource's AI pods ("GPU
// workload" for an unclassified one requesting a GPU), or its own class
// when it derives no pod; empty when it is no AI asset.
const varShadowClasses = "aiClasses"
