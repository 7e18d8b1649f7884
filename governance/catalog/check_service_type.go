// service-type keeps Services of the listed types out of the platform,
// typically NodePort and LoadBalancer, which expose a model endpoint or a
// vector database outside the cluster network. It reads spec.type of a
// Service (an omitted type is ClusterIP, the API default) and denies a type
// that the disallowed parameter lists. Its ValidatingAdmissionPolicy matches
// Services and inlines the list as a CEL list constant.

package catalog

import (
	"errors"
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// IDServiceType is the catalog ID of the service-type check.
const IDServiceType = "service-type"

// ServiceTypeParams are the parameters of service-type.
type ServiceTypeParams struct {
	// Disallowed lists Service types (ClusterIP, NodePort, LoadBalancer,
	// ExternalName); ParseServiceTypeParams drops duplicates.
	Disallowed []corev1.ServiceType `json:"disallowed"`
}

// ParseServiceTypeParams parses and validates service-type parameters:
// disallowed is required, not empty, and lists only the four Service types
// (spelled as the API spells them).
func ParseServiceTypeParams(raw any) (ServiceTypeParams, error) {
	var p ServiceTypeParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if len(p.Disallowed) == 0 {
		return p, errors.New("disallowed is required and must list at least one Service type")
	}
	var out []corev1.ServiceType
	seen := map[corev1.ServiceType]bool{}
	for i, t := range p.Disallowed {
		switch t {
		case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeExternalName:
		default:
			return p, fmt.Errorf("disallowed[%d]: unknown Service type %q (want ClusterIP, NodePort, LoadBalancer or ExternalName)", i, t)
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	p.Disallowed = out
	return p, nil
}

// ServiceType returns a Service's type with the API default: ClusterIP when
// spec.type is empty.
func ServiceType(svc *corev1.Service) corev1.ServiceType {
	if svc.Spec.Type == "" {
		return corev1.ServiceTypeClusterIP
	}
	return svc.Spec.Type
}

func serviceTypeDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDServiceType,
		Description: "Services must not have one of the disallowed types (an omitted type is ClusterIP).",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{"Service"},
		Params: []governance.Param{{
			Name: "disallowed", Type: "[]string", Required: true,
			Description: "Service types to deny: ClusterIP, NodePort, LoadBalancer, ExternalName",
		}},
		VAP: true,
		New: NewServiceType,
	}
}

// NewServiceType builds the service-type check from ServiceTypeParams.
func NewServiceType(params any) (governance.Check, error) {
	p, err := ParseServiceTypeParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	denied := map[corev1.ServiceType]bool{}
	names := make([]string, len(p.Disallowed))
	for i, t := range p.Disallowed {
		denied[t] = true
		names[i] = string(t)
	}
	list := strings.Join(names, ", ")
	check := newCheck(serviceTypeDefinition(),
		"use a ClusterIP Service behind the platform's ingress or gateway",
		[]schema.GroupKind{{Kind: "Service"}}, func(o *governance.Object) []governance.Violation {
			svc, ok := o.Obj.(*corev1.Service)
			if !ok {
				return nil
			}
			t := ServiceType(svc)
			if !denied[t] {
				return nil
			}
			return []governance.Violation{{Path: "spec.type",
				Message: fmt.Sprintf("Service type %q is not allowed (disallowed: %s)", t, list)}}
		})
	check.Admission = serviceTypeAdmission(names)
	return check, nil
}

func serviceTypeAdmission(disallowed []string) *governance.Admission {
	typ := `object.spec.?type.orValue("ClusterIP")`
	list := strings.Join(disallowed, ", ")
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"services"})},
		Validations: []admissionregistrationv1.Validation{{
			Expression:        `!(` + typ + ` in ` + governance.CELStringList(disallowed) + `)`,
			Message:           "Service type must not be one of " + list,
			MessageExpression: `"Service type \"" + ` + typ + ` + "\" is not allowed (disallowed: ` + list + `)"`,
		}},
	}
}
