// sensitive-workload-classification keeps the AI assets that hold an
// organisation's data — vector databases (embedded documents), model
// registries (weights) and training jobs (training data) — in namespaces
// classified for it, so that the namespace's access, network and retention
// controls match the data. It classifies every workload and custom resource
// (Classify) and, for the classes parameter (default vector-database,
// model-registry, training-job), reads the data-classification label of the
// workload's Namespace object in the input and denies when the label is
// missing, the Namespace is not in the input, the value is not in the order
// parameter, or it ranks below the minimum parameter (default confidential,
// in the order public < internal < confidential < restricted). Its
// ValidatingAdmissionPolicy classifies Pods and built-in workloads in CEL
// (aiClassAdmissionVariables, GPU requests included) and reads the label
// from namespaceObject, which the apiserver always has. Its policy on AI
// operators' resources (-operators) classifies a resource as the asset
// table does: by the first classified pod the operator derives from it
// (derivedPodsCEL, in the operator package's order), and a resource that
// derives none by its override or kind; custom resources of other kinds
// are not matched (their kinds are only known to the Go check).

package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDSensitiveWorkloadClassification is the catalog ID of the
// sensitive-workload-classification check.
const IDSensitiveWorkloadClassification = "sensitive-workload-classification"

// SensitiveWorkloadClassificationParams are the parameters of
// sensitive-workload-classification.
type SensitiveWorkloadClassificationParams struct {
	// Classes are the AI classes that hold sensitive data (default
	// vector-database, model-registry, training-job).
	Classes []AIClass `json:"classes,omitempty"`
	// Label is the namespace label (default DataClassificationLabel).
	Label string `json:"label,omitempty"`
	// Order lists the classification values from least to most strict
	// (default DefaultDataClassifications).
	Order []string `json:"order,omitempty"`
	// Minimum is the least strict value sensitive workloads accept
	// (default confidential); it must be in Order.
	Minimum string `json:"minimum,omitempty"`
}

// ParseSensitiveWorkloadClassificationParams parses and validates the
// parameters and fills in the defaults.
func ParseSensitiveWorkloadClassificationParams(raw any) (SensitiveWorkloadClassificationParams, error) {
	var p SensitiveWorkloadClassificationParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if p.Classes == nil {
		p.Classes = []AIClass{ClassVectorDatabase, ClassModelRegistry, ClassTrainingJob}
	}
	if len(p.Classes) == 0 {
		return p, fmt.Errorf("classes must list at least one class")
	}
	for i, c := range p.Classes {
		if c == ClassNone || !slices.Contains(AIClasses(), c) {
			return p, fmt.Errorf("classes[%d]: unknown AI class %q (want one of %s)", i, c, joinClasses(AIClasses()))
		}
	}
	if p.Label == "" {
		p.Label = DataClassificationLabel
	}
	if err := validateLabelKey("label", p.Label); err != nil {
		return p, err
	}
	if p.Order == nil {
		p.Order = DefaultDataClassifications()
	}
	if err := validateDistinct("order", p.Order); err != nil {
		return p, err
	}
	if p.Minimum == "" {
		p.Minimum = "confidential"
	}
	if !slices.Contains(p.Order, p.Minimum) {
		return p, fmt.Errorf("minimum %q is not in order (%s)", p.Minimum, strings.Join(p.Order, ", "))
	}
	return p, nil
}

func sensitiveWorkloadClassificationDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDSensitiveWorkloadClassification,
		Description: "Vector databases, model registries and training jobs must run in namespaces classified confidential or stricter.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{PodsAndWorkloads, "AI custom resources", "Namespace (read)"},
		Params: []governance.Param{
			{Name: "classes", Type: "[]string", Default: "vector-database, model-registry, training-job",
				Description: "AI classes that hold sensitive data: " + joinClasses(AIClasses())},
			{Name: "label", Type: "string", Default: DataClassificationLabel, Description: "the namespace label holding the data classification"},
			{Name: "order", Type: "[]string", Default: strings.Join(DefaultDataClassifications(), ", "),
				Description: "classification values from least to most strict"},
			{Name: "minimum", Type: "string", Default: "confidential", Description: "least strict classification sensitive workloads may run in (a value of order)"},
		},
		Requires: []governance.FactRef{AssetsFact},
		VAP:      true,
		AdmissionNote: "VAP on AI operators' resources (-operators) classifies a resource by the first classified pod the operator derives " +
			"from it alone (of the first " + strconv.Itoa(operatorMaxTemplates) + "), and one that derives none by its aigov.dev/ai-class override or kind " +
			"(a TrainJob, an InferenceService whose predictor names a model); it leaves to the scan the pods that need another object " +
			"(a TrainJob's from its runtime, a predictor's built from a model and its ServingRuntime), what the operator adds to a pod " +
			"beyond its labels (KubeRay's autoscaler image from autoscalerOptions) and custom resources of other kinds",
		New: NewSensitiveWorkloadClassification,
	}
}

// NewSensitiveWorkloadClassification builds the
// sensitive-workload-classification check from
// SensitiveWorkloadClassificationParams. It is an inventory check: it reads
// the workload's Namespace object.
func NewSensitiveWorkloadClassification(params any) (governance.Check, error) {
	p, err := ParseSensitiveWorkloadClassificationParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	d := sensitiveWorkloadClassificationDefinition()
	minRank := slices.Index(p.Order, p.Minimum)
	stricter := strings.Join(p.Order[minRank:], " or ")
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: fmt.Sprintf("run the workload in a namespace labelled %s=%s, or raise its namespace's classification after reviewing who can reach it",
			p.Label, strings.Join(p.Order[minRank:], "|")),
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			var out []governance.Finding
			for _, a := range AssetsFact.Of(pass) {
				if !slices.Contains(p.Classes, AIClass(a.Class)) || a.Namespace == "" {
					continue
				}
				what := describeWorkload(AIClass(a.Class), a.Kind, a.Name)
				var problem string
				ns := namespaceOf(inv, a.Namespace)
				value, labelled := "", false
				if ns != nil {
					value, labelled = ns.Labels[p.Label]
				}
				switch rank := slices.Index(p.Order, value); {
				case ns == nil:
					problem = fmt.Sprintf("namespace %q is not in the input, so its %s is unknown", a.Namespace, p.Label)
				case !labelled:
					problem = fmt.Sprintf("namespace %q has no %s label", a.Namespace, p.Label)
				case rank < 0:
					problem = fmt.Sprintf("namespace %q has %s=%q, which is not in the order %s", a.Namespace, p.Label, value, strings.Join(p.Order, " < "))
				case rank < minRank:
					problem = fmt.Sprintf("namespace %q is classified %s", a.Namespace, value)
				default:
					continue
				}
				out = append(out, governance.Finding{Object: a.Object.Ref(), Path: "metadata.namespace",
					Message: fmt.Sprintf("%s needs a namespace classified %s: %s (recognised by %s)", what, stricter, problem, a.Reason)})
			}
			return out
		},
		Admission: sensitiveWorkloadClassificationAdmission(p),
	}, nil
}

// sensitiveWorkloadClassificationAdmission denies a workload of a
// sensitive class whose namespace's label is not one of the values from
// the minimum on (the values are never empty, so an absent label, read as
// "", is not one of them).
func sensitiveWorkloadClassificationAdmission(p SensitiveWorkloadClassificationParams) *governance.Admission {
	classes := make([]string, len(p.Classes))
	for i, c := range p.Classes {
		classes[i] = string(c)
	}
	accepted := p.Order[slices.Index(p.Order, p.Minimum):]
	value := `namespaceObject.metadata.?labels[?` + governance.CELString(p.Label) + `]`
	validation := func(class, guard string) admissionregistrationv1.Validation {
		return admissionregistrationv1.Validation{
			Expression: guard + `!(` + class + ` in ` + governance.CELStringList(classes) + `) || ` + value + `.orValue("") in ` + governance.CELStringList(accepted),
			Message:    "vector databases, model registries and training jobs must run in namespaces classified " + strings.Join(accepted, " or "),
			MessageExpression: class + ` + " " + object.kind + " \"" + object.metadata.name + "\" needs a namespace classified " + ` +
				governance.CELString(strings.Join(accepted, " or ")) + ` + ": namespace \"" + namespaceObject.metadata.name + "\" has " + ` +
				`(` + value + `.hasValue() ? ` + governance.CELString(p.Label) + ` + "=\"" + ` + value + `.value() + "\"" : "no " + ` + governance.CELString(p.Label) + ` + " label")`,
		}
	}
	return &governance.Admission{
		Rules:       governance.PodAdmissionRules(),
		Variables:   aiClassAdmissionVariables(true),
		Validations: []admissionregistrationv1.Validation{validation(`variables.`+varAIClass, "")},
		// The asset table skips an asset without a namespace (a cluster
		// training or serving runtime); namespaceObject is null for it.
		Operators: &governance.Admission{
			Rules: append(governance.OperatorAdmissionRules(), trainJobAdmissionRule()),
			Variables: append(derivedPodsAdmissionVariables(),
				admissionregistrationv1.Variable{Name: varOperatorClass, Expression: operatorClassCEL()},
				admissionregistrationv1.Variable{Name: varAssetClass, Expression: assetClassCEL()}),
			Validations: []admissionregistrationv1.Validation{validation(`variables.`+varAssetClass, `object.metadata.?namespace.orValue("") == "" || `)},
		},
	}
}

// varAssetClass is the class of an AI operator's resource in the asset
// table ("" when it is no AI asset; assetClassCEL).
const varAssetClass = "assetClass"

// assetClassCEL is varAssetClass as the asset table (classifier.assets)
// decides it: a resource whose operator derives pods from it is the
// class of its first classified pod (none when no pod is classified); one
// that derives none, its aigov.dev/ai-class override or its kind's class.
func assetClassCEL() string {
	derived := `variables.` + varDerivedClasses
	return `size(variables.` + varDerivedSAs + `) > 0 ? (` + derived + `.exists(c, c != "") ? ` + derived + `.filter(c, c != "")[0] : "") : ` +
		`(variables.` + varOperatorClass + ` == ` + governance.CELString(AIClassNone) + ` ? "" : variables.` + varOperatorClass + `)`
}
