// namespace-team-labels requires every Namespace to name the team that owns
// it and the environment it belongs to, so that findings, GPU quota and
// cross-team reachability can be attributed to a team. It reads the
// Namespace's metadata.labels and denies, once per label, a label of the
// labels parameter (default team, environment) that is missing or empty.

package catalog

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDNamespaceTeamLabels is the catalog ID of the namespace-team-labels
// check.
const IDNamespaceTeamLabels = "namespace-team-labels"

// DefaultNamespaceTeamLabels returns the labels namespace-team-labels
// requires by default: team and environment.
func DefaultNamespaceTeamLabels() []string { return []string{"team", "environment"} }

// NamespaceTeamLabelsParams are the parameters of namespace-team-labels.
type NamespaceTeamLabelsParams struct {
	// Labels are the required label keys (default
	// DefaultNamespaceTeamLabels).
	Labels []string `json:"labels,omitempty"`
}

// ParseNamespaceTeamLabelsParams parses and validates the parameters and
// fills in the default: labels are distinct valid label keys.
func ParseNamespaceTeamLabelsParams(raw any) (NamespaceTeamLabelsParams, error) {
	var p NamespaceTeamLabelsParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if p.Labels == nil {
		p.Labels = DefaultNamespaceTeamLabels()
	}
	if err := validateDistinct("labels", p.Labels); err != nil {
		return p, err
	}
	for i, k := range p.Labels {
		if err := validateLabelKey(fmt.Sprintf("labels[%d]", i), k); err != nil {
			return p, err
		}
	}
	return p, nil
}

func namespaceTeamLabelsDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDNamespaceTeamLabels,
		Description: "Namespaces must carry non-empty team and environment labels.",
		Severity:    governance.SeverityLow,
		Kinds:       []string{"Namespace"},
		VAP:         true,
		Params: []governance.Param{{Name: "labels", Type: "[]string",
			Default:     strings.Join(DefaultNamespaceTeamLabels(), ", "),
			Description: "label keys every Namespace needs, with a non-empty value"}},
		New: NewNamespaceTeamLabels,
	}
}

// NewNamespaceTeamLabels builds the namespace-team-labels check from
// NamespaceTeamLabelsParams.
func NewNamespaceTeamLabels(params any) (governance.Check, error) {
	p, err := ParseNamespaceTeamLabelsParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	check := newCheck(namespaceTeamLabelsDefinition(),
		"label the namespace with the owning team and its environment (e.g. team=nlp, environment=production)",
		namespaceKinds(), func(o *governance.Object) []governance.Violation {
			labels := o.Meta().GetLabels()
			var out []governance.Violation
			for _, k := range p.Labels {
				v, ok := labels[k]
				switch {
				case !ok:
					out = append(out, governance.Violation{Path: labelPath("metadata", k),
						Message: fmt.Sprintf("Namespace %q has no label %q", o.Name(), k)})
				case v == "":
					out = append(out, governance.Violation{Path: labelPath("metadata", k),
						Message: fmt.Sprintf("Namespace %q has an empty label %q", o.Name(), k)})
				}
			}
			return out
		})
	check.Admission = namespaceTeamLabelsAdmission(p)
	return check, nil
}

// namespaceTeamLabelsAdmission denies a Namespace with a required label
// missing or empty: one validation per label, so that the apiserver names
// each.
func namespaceTeamLabelsAdmission(p NamespaceTeamLabelsParams) *governance.Admission {
	a := &governance.Admission{Rules: governance.NamespaceAdmissionRules()}
	for _, k := range p.Labels {
		key := governance.CELString(k)
		value := `object.metadata.?labels[?` + key + `]`
		a.Validations = append(a.Validations, admissionregistrationv1.Validation{
			Expression:        value + `.orValue("") != ""`,
			Message:           "namespaces must carry a non-empty label " + k,
			MessageExpression: `"Namespace \"" + object.metadata.name + "\" has " + (` + value + `.hasValue() ? "an empty label \"" : "no label \"") + ` + key + ` + "\""`,
		})
	}
	return a
}
