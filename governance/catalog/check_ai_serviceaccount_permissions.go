// ai-serviceaccount-permissions keeps the API permissions of model-serving
// workloads minimal: the ServiceAccount an inference server or embedding
// service runs as (spec.serviceAccountName, else "default") may not read
// Secrets other than those its own pods mount (volumes, projected volumes,
// env and envFrom), may not exec into or attach to pods, and may not
// create pods or pod controllers — in any namespace of the inventory.
// The answers come from the RBAC authorizer's semantics (rbac.Graph:
// ClusterRoleBindings, RoleBindings of each namespace, aggregation,
// groups system:serviceaccounts[:NS] and system:authenticated), one
// finding per workload and request, naming the grant. A compromised model
// server (prompt injection with tool use, OWASP LLM06) holds exactly these
// permissions.

package catalog

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
	"github.com/aigov/aigov/secrets"
)

// IDAIServiceAccountPermissions is the catalog ID of the
// ai-serviceaccount-permissions check.
const IDAIServiceAccountPermissions = "ai-serviceaccount-permissions"

// AIServiceAccountPermissionsParams are the parameters of
// ai-serviceaccount-permissions.
type AIServiceAccountPermissionsParams struct {
	// Classes are the AI classes judged (default inference-server,
	// embedding-service).
	Classes []string `json:"classes,omitempty"`
}

func aiServiceAccountPermissionsDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDAIServiceAccountPermissions,
		Description: "Inference and embedding ServiceAccounts cannot read Secrets beyond their own mounted ones, exec into pods, or create workloads.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{PodsAndWorkloads + " classified inference-server or embedding-service (inventory: RBAC)"},
		Params: []governance.Param{{Name: "classes", Type: "[]string", Default: "[inference-server, embedding-service]",
			Description: "AI classes whose ServiceAccounts are judged"}},
		Requires: []governance.FactRef{ClassificationFact, rbac.GraphFact},
		New:      NewAIServiceAccountPermissions,
	}
}

// saRequest is one forbidden request shape.
type saRequest struct {
	what  string
	attrs rbac.Attributes
}

func forbiddenSARequests(ns string) []saRequest {
	r := func(what, verb, group, resource, sub string) saRequest {
		return saRequest{what, rbac.Attributes{Verb: verb, Namespace: ns, APIGroup: group, Resource: resource, Subresource: sub}}
	}
	return []saRequest{
		r("read every Secret", "get", "", "secrets", ""),
		r("read every Secret", "list", "", "secrets", ""),
		r("read every Secret", "watch", "", "secrets", ""),
		r("exec into pods", "create", "", "pods", "exec"),
		r("attach to pods", "create", "", "pods", "attach"),
		r("create workloads", "create", "", "pods", ""),
		r("create workloads", "create", "apps", "deployments", ""),
		r("create workloads", "create", "apps", "statefulsets", ""),
		r("create workloads", "create", "apps", "daemonsets", ""),
		r("create workloads", "create", "apps", "replicasets", ""),
		r("create workloads", "create", "batch", "jobs", ""),
		r("create workloads", "create", "batch", "cronjobs", ""),
		r("create workloads", "create", "", "replicationcontrollers", ""),
	}
}

// NewAIServiceAccountPermissions builds the ai-serviceaccount-permissions check.
func NewAIServiceAccountPermissions(params any) (governance.Check, error) {
	p := AIServiceAccountPermissionsParams{Classes: []string{string(ClassInferenceServer), string(ClassEmbeddingService)}}
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	classes, err := parseClasses("classes", p.Classes)
	if err != nil {
		return governance.Check{}, err
	}
	d := aiServiceAccountPermissionsDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "remove the ServiceAccount from the binding (or narrow the role with resourceNames to the Secrets the pods mount); model servers need no write, exec or Secret-list access to the API",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			var targets []ClassifiedWorkload
			for _, cw := range ClassificationFact.Of(pass) {
				if classes[cw.Classification.Class] && cw.Workload.Pod != nil {
					targets = append(targets, cw)
				}
			}
			if len(targets) == 0 {
				return nil
			}
			g := rbac.GraphFact.Of(pass)
			whoCache := map[rbac.Attributes][]rbac.SubjectAccess{}
			who := func(a rbac.Attributes) []rbac.SubjectAccess {
				r, ok := whoCache[a]
				if !ok {
					r = g.WhoCan(a)
					whoCache[a] = r
				}
				return r
			}
			namespaces := inventoryNamespaces(inv)
			secretsByNS := map[string][]string{}
			for _, s := range governance.Typed[*corev1.Secret](inv) {
				secretsByNS[s.Namespace] = append(secretsByNS[s.Namespace], s.Name)
			}
			bySA := map[[2]string][]ClassifiedWorkload{}
			var keys [][2]string
			for _, t := range targets {
				k := [2]string{t.Workload.Namespace, serviceAccountOf(&t.Workload.Pod.Spec)}
				if _, ok := bySA[k]; !ok {
					keys = append(keys, k)
				}
				bySA[k] = append(bySA[k], t)
			}
			index := newServiceAccountIndex(keys)
			var out []governance.Finding
			reported := map[string]bool{}
			// visit reports every target whose ServiceAccount a subject
			// that may make the request a applies to.
			visit := func(a rbac.Attributes, what func(t ClassifiedWorkload) string) {
				for _, s := range who(a) {
					if s.Superuser || len(s.Grants) == 0 {
						continue
					}
					for _, k := range index.affected(s.Subject) {
						for _, t := range bySA[k] {
							msg := what(t)
							if msg == "" {
								continue
							}
							w := t.Workload
							dedup := w.Namespace + "/" + w.Kind + "/" + w.Name + "\x00" + msg
							if reported[dedup] {
								continue
							}
							reported[dedup] = true
							out = append(out, governance.Finding{Object: w.Object.Ref(), Path: w.SpecPath + ".serviceAccountName",
								Message: fmt.Sprintf("%s runs as ServiceAccount %s/%s, which can %s: %s",
									describeWorkload(t.Classification.Class, w.Kind, w.Name), k[0], k[1], msg, s.Grants[0])})
						}
					}
				}
			}
			for _, ns := range namespaces {
				for _, req := range forbiddenSARequests(ns) {
					visit(req.attrs, func(ClassifiedWorkload) string { return fmt.Sprintf("%s (%s)", req.what, req.attrs) })
				}
				// Who may read one Secret depends on its name only where a
				// rule lists it in resourceNames: the namespace's other
				// Secrets share the answer for the first of them.
				read := rbac.Attributes{Verb: "get", Namespace: ns, Resource: "secrets"}
				listed := g.ListedNames(read)
				unlisted, haveUnlisted := "", false
				for _, name := range secretsByNS[ns] {
					a := read
					switch {
					case listed[name]:
						a.Name = name
					case haveUnlisted:
						a.Name = unlisted // same answer, cached
					default:
						unlisted, haveUnlisted = name, true
						a.Name = name
					}
					visit(a, func(t ClassifiedWorkload) string {
						if ns == t.Workload.Namespace && slices.Contains(secrets.SecretsUsed(&t.Workload.Pod.Spec), name) {
							return ""
						}
						return fmt.Sprintf("read Secret %s/%s, which its pods do not mount", ns, name)
					})
				}
			}
			return out
		},
	}, nil
}

// serviceAccountIndex finds the ServiceAccounts (namespace, name) of the
// AI workloads that a binding subject applies to, without scanning them
// all for every subject of every request.
type serviceAccountIndex struct {
	all  [][2]string
	byNS map[string][][2]string
	set  map[[2]string]bool
}

func newServiceAccountIndex(keys [][2]string) serviceAccountIndex {
	x := serviceAccountIndex{all: keys, byNS: map[string][][2]string{}, set: map[[2]string]bool{}}
	for _, k := range keys {
		x.byNS[k[0]] = append(x.byNS[k[0]], k)
		x.set[k] = true
	}
	return x
}

// affected returns the keys a normalized binding subject applies to, in
// the order they were indexed: the ServiceAccount itself, its user name,
// or the groups system:serviceaccounts[:NS] and system:authenticated every
// ServiceAccount token carries.
func (x serviceAccountIndex) affected(s rbacv1.Subject) [][2]string {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		return x.one([2]string{s.Namespace, s.Name})
	case rbacv1.UserKind:
		if ns, name, ok := rbac.SplitServiceAccount(s.Name); ok {
			return x.one([2]string{ns, name})
		}
	case rbacv1.GroupKind:
		switch {
		case s.Name == rbac.GroupServiceAccounts || s.Name == rbac.GroupAuthenticated:
			return x.all
		case strings.HasPrefix(s.Name, rbac.GroupServiceAccounts+":"):
			return x.byNS[strings.TrimPrefix(s.Name, rbac.GroupServiceAccounts+":")]
		}
	}
	return nil
}

func (x serviceAccountIndex) one(k [2]string) [][2]string {
	if x.set[k] {
		return [][2]string{k}
	}
	return nil
}

// inventoryNamespaces lists the namespaces of the inventory: Namespace
// objects and the namespaces of namespaced objects, sorted.
func inventoryNamespaces(inv *governance.Inventory) []string {
	set := map[string]bool{}
	for _, o := range inv.Objects() {
		if o.Kind() == "Namespace" {
			set[o.Name()] = true
		} else if ns := o.Namespace(); ns != "" {
			set[ns] = true
		}
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	slices.Sort(out)
	return out
}
