// namespace-data-classification requires every Namespace to declare the
// classification of the data its workloads hold, so that prompts, documents,
// embeddings and training data are governed by where they live (and so that
// sensitive-workload-classification can tell where a vector database may
// run). It reads the Namespace's metadata.labels and denies a Namespace that
// lacks the label (parameter label, default "data-classification") or whose
// value is not in the allowed set (parameter allowed, default public,
// internal, confidential, restricted; exact, case-sensitive match).

package catalog

import (
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDNamespaceDataClassification is the catalog ID of the
// namespace-data-classification check.
const IDNamespaceDataClassification = "namespace-data-classification"

// DataClassificationLabel is the default label that classifies a
// Namespace's data.
const DataClassificationLabel = "data-classification"

// DefaultDataClassifications returns the default classification values,
// least to most sensitive: public, internal, confidential, restricted.
func DefaultDataClassifications() []string {
	return []string{"public", "internal", "confidential", "restricted"}
}

// NamespaceDataClassificationParams are the parameters of
// namespace-data-classification.
type NamespaceDataClassificationParams struct {
	// Label is the label key (default DataClassificationLabel).
	Label string `json:"label,omitempty"`
	// Allowed are the allowed values (default DefaultDataClassifications).
	Allowed []string `json:"allowed,omitempty"`
}

// ParseNamespaceDataClassificationParams parses and validates the
// parameters and fills in the defaults: label is a valid label key,
// allowed lists distinct non-empty values.
func ParseNamespaceDataClassificationParams(raw any) (NamespaceDataClassificationParams, error) {
	var p NamespaceDataClassificationParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if p.Label == "" {
		p.Label = DataClassificationLabel
	}
	if err := validateLabelKey("label", p.Label); err != nil {
		return p, err
	}
	if p.Allowed == nil {
		p.Allowed = DefaultDataClassifications()
	}
	if err := validateDistinct("allowed", p.Allowed); err != nil {
		return p, err
	}
	return p, nil
}

func namespaceDataClassificationDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDNamespaceDataClassification,
		Description: "Namespaces must carry a data-classification label with an allowed value.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{"Namespace"},
		VAP:         true,
		Params: []governance.Param{
			{Name: "label", Type: "string", Default: DataClassificationLabel,
				Description: "the label key that classifies the namespace's data"},
			{Name: "allowed", Type: "[]string", Default: strings.Join(DefaultDataClassifications(), ", "),
				Description: "the allowed values, exact match"},
		},
		New: NewNamespaceDataClassification,
	}
}

// NewNamespaceDataClassification builds the namespace-data-classification
// check from NamespaceDataClassificationParams.
func NewNamespaceDataClassification(params any) (governance.Check, error) {
	p, err := ParseNamespaceDataClassificationParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	allowed := strings.Join(p.Allowed, ", ")
	check := newCheck(namespaceDataClassificationDefinition(),
		fmt.Sprintf("label the namespace %s=<one of %s> after deciding which data its workloads hold", p.Label, allowed),
		namespaceKinds(), func(o *governance.Object) []governance.Violation {
			path := labelPath("metadata", p.Label)
			v, ok := o.Meta().GetLabels()[p.Label]
			switch {
			case !ok:
				return []governance.Violation{{Path: path,
					Message: fmt.Sprintf("Namespace %q has no label %q (allowed: %s)", o.Name(), p.Label, allowed)}}
			case !slices.Contains(p.Allowed, v):
				return []governance.Violation{{Path: path,
					Message: fmt.Sprintf("Namespace %q has %s=%q, not one of %s", o.Name(), p.Label, v, allowed)}}
			}
			return nil
		})
	check.Admission = namespaceDataClassificationAdmission(p)
	return check, nil
}

// namespaceDataClassificationAdmission denies a Namespace whose label is
// absent or outside the allowed values; the allowed values are never empty,
// so an absent label (read as "") is outside them.
func namespaceDataClassificationAdmission(p NamespaceDataClassificationParams) *governance.Admission {
	key := governance.CELString(p.Label)
	value := `object.metadata.?labels[?` + key + `]`
	allowed := strings.Join(p.Allowed, ", ")
	return &governance.Admission{
		Rules: governance.NamespaceAdmissionRules(),
		Validations: []admissionregistrationv1.Validation{{
			Expression: value + `.orValue("") in ` + governance.CELStringList(p.Allowed),
			Message:    "namespaces must carry the label " + p.Label + " with one of " + allowed,
			MessageExpression: value + `.hasValue() ? "Namespace \"" + object.metadata.name + "\" has " + ` + key + ` + "=\"" + ` + value + `.value() + "\", not one of " + ` + governance.CELString(allowed) +
				` : "Namespace \"" + object.metadata.name + "\" has no label \"" + ` + key + ` + "\" (allowed: " + ` + governance.CELString(allowed) + ` + ")"`,
		}},
	}
}
