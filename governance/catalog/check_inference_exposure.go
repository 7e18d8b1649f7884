// inference-exposure keeps inference servers off the outside of the
// cluster: a Service of type LoadBalancer or NodePort whose selector
// selects the pods of an inference server (a workload classified
// inference-server, or of the listed classes), an Ingress whose rule
// or default backend names a Service selecting them, and an HTTPRoute
// attached to a Gateway listener whose backendRef (or request mirror)
// leads to a Service or InferencePool selecting them (the route graph of
// gateway.go; every listener counts as outside-facing, like a
// LoadBalancer), are findings unless the namespace is labelled
// aigov.dev/allow-external-inference=true. An exposed model endpoint is
// open to prompt injection, model extraction and denial of wallet (OWASP
// LLM01, LLM10; MITRE ATLAS AML.T0040). The finding is on the Service,
// Ingress or HTTPRoute (at the backendRef), naming the Gateway and its
// listeners and the inference workloads.

package catalog

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// IDInferenceExposure is the catalog ID of the inference-exposure check.
const IDInferenceExposure = "inference-exposure"

// AllowExternalInferenceLabel is the namespace label (value "true") that
// allows exposing inference servers outside the cluster.
const AllowExternalInferenceLabel = "aigov.dev/allow-external-inference"

// InferenceExposureParams are the parameters of inference-exposure.
type InferenceExposureParams struct {
	// Classes are the AI classes judged (default inference-server).
	Classes []string `json:"classes,omitempty"`
}

func inferenceExposureDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDInferenceExposure,
		Description: "Inference servers are not exposed through LoadBalancer or NodePort Services, Ingresses or HTTPRoutes attached to a Gateway unless the namespace is labelled " + AllowExternalInferenceLabel + "=true.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{"Services, Ingresses, HTTPRoutes leading to inference servers (inventory)"},
		Params: []governance.Param{{Name: "classes", Type: "[]string", Default: "[inference-server]",
			Description: "AI classes whose pods must not be exposed"}},
		Requires: []governance.FactRef{ClassificationFact, gatewayRoutesFact},
		New:      NewInferenceExposure,
	}
}

// NewInferenceExposure builds the inference-exposure check.
func NewInferenceExposure(params any) (governance.Check, error) {
	p := InferenceExposureParams{Classes: []string{string(ClassInferenceServer)}}
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	classes, err := parseClasses("classes", p.Classes)
	if err != nil {
		return governance.Check{}, err
	}
	d := inferenceExposureDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "serve the model through a ClusterIP Service behind an authenticating gateway, or label the namespace " + AllowExternalInferenceLabel + "=true if external access is intended",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			// inference workloads per namespace
			byNS := map[string][]ClassifiedWorkload{}
			for _, cw := range ClassificationFact.Of(pass) {
				w := cw.Workload
				if classes[cw.Classification.Class] && w.Pod != nil && namespaceLabelsOf(inv, w.Namespace)[AllowExternalInferenceLabel] != "true" {
					byNS[w.Namespace] = append(byNS[w.Namespace], cw)
				}
			}
			if len(byNS) == 0 {
				return nil
			}
			selected := func(svc *corev1.Service) []string {
				if len(svc.Spec.Selector) == 0 {
					return nil
				}
				sel := labels.SelectorFromSet(svc.Spec.Selector)
				var names []string
				for _, cw := range byNS[svc.Namespace] {
					if w := cw.Workload; sel.Matches(labels.Set(w.Pod.Labels)) {
						names = append(names, describeWorkload(cw.Classification.Class, w.Kind, w.Name))
					}
				}
				return names
			}
			var out []governance.Finding
			services := map[[2]string]*corev1.Service{}
			for _, o := range inv.OfKind(schema.GroupKind{Kind: "Service"}) {
				svc, ok := o.Obj.(*corev1.Service)
				if !ok {
					continue
				}
				services[[2]string{svc.Namespace, svc.Name}] = svc
				t := svc.Spec.Type
				if t != corev1.ServiceTypeLoadBalancer && t != corev1.ServiceTypeNodePort {
					continue
				}
				if names := selected(svc); len(names) > 0 {
					out = append(out, governance.Finding{Object: o.Ref(), Path: "spec.type",
						Message: fmt.Sprintf("%s Service %q exposes %s outside the cluster, and namespace %s is not labelled %s=true",
							t, svc.Name, strings.Join(names, ", "), svc.Namespace, AllowExternalInferenceLabel)})
				}
			}
			for _, o := range inv.OfKind(schema.GroupKind{Group: "networking.k8s.io", Kind: "Ingress"}) {
				ing, ok := o.Obj.(*networkingv1.Ingress)
				if !ok {
					continue
				}
				check := func(path string, b *networkingv1.IngressBackend) {
					if b == nil || b.Service == nil {
						return
					}
					svc := services[[2]string{ing.Namespace, b.Service.Name}]
					if svc == nil {
						return
					}
					if names := selected(svc); len(names) > 0 {
						out = append(out, governance.Finding{Object: o.Ref(), Path: path + ".service.name",
							Message: fmt.Sprintf("Ingress %q routes to Service %q, exposing %s outside the cluster, and namespace %s is not labelled %s=true",
								ing.Name, svc.Name, strings.Join(names, ", "), ing.Namespace, AllowExternalInferenceLabel)})
					}
				}
				check("spec.defaultBackend", ing.Spec.DefaultBackend)
				for i, r := range ing.Spec.Rules {
					if r.HTTP == nil {
						continue
					}
					for j := range r.HTTP.Paths {
						check(fmt.Sprintf("spec.rules[%d].http.paths[%d].backend", i, j), &r.HTTP.Paths[j].Backend)
					}
				}
			}
			for _, r := range gatewayRoutesFact.Of(pass).routes {
				if !r.attached() {
					continue
				}
				for _, b := range r.backends {
					var names []string
					for _, cw := range b.workloads {
						if w := cw.Workload; classes[cw.Classification.Class] &&
							namespaceLabelsOf(inv, w.Namespace)[AllowExternalInferenceLabel] != "true" {
							// The pod kinds of one custom resource are one server.
							names = appendUnique(names, describeWorkload(cw.Classification.Class, w.Kind, w.Name))
						}
					}
					if len(names) == 0 {
						continue
					}
					out = append(out, governance.Finding{Object: r.object.Ref(), Path: b.path,
						Message: fmt.Sprintf("HTTPRoute %q, attached to %s, routes to %s, exposing %s outside the cluster, and namespace %s is not labelled %s=true",
							r.object.Name(), describeListeners(r.listeners), b.targetName(), strings.Join(names, ", "), b.namespace, AllowExternalInferenceLabel)})
				}
			}
			return out
		},
	}, nil
}
