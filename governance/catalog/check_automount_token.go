// automount-token requires pods to opt out of the service account token
// mount: most AI workloads (inference servers, training jobs, vector
// databases) never call the Kubernetes API, and a mounted token is a
// credential any code execution in the pod can steal. It reads
// automountServiceAccountToken of a Pod's spec or a workload's pod template
// (the stored object) and denies unless it is explicitly false; absent and
// true both fail. The ServiceAccount's own automountServiceAccountToken is
// not consulted, so that the verdict depends on the object alone, as its
// ValidatingAdmissionPolicy's does (one validation, the message telling
// absent from true).
//
// sa-token-automount, the secrets rule about the same field, is an alias:
// a run of the catalog reports the cause once, as automount-token, and a
// policy entry or an exemption annotation naming sa-token-automount means
// this check. The rule itself (which also honours the ServiceAccount's
// automountServiceAccountToken) stays in `aigov secrets scan`.

package catalog

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// IDAutomountToken is the catalog ID of the automount-token check.
const IDAutomountToken = "automount-token"

func automountTokenDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDAutomountToken,
		Aliases:     []string{secrets.IDSATokenAutomount},
		Description: "Pod specs must set automountServiceAccountToken: false.",
		Severity:    governance.SeverityLow,
		Kinds:       []string{PodsAndWorkloads},
		VAP:         true,
		New:         NewAutomountToken,
	}
}

// NewAutomountToken builds the automount-token check. It takes no
// parameters.
func NewAutomountToken(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	check := newCheck(automountTokenDefinition(),
		"set automountServiceAccountToken: false in the pod spec; pods that call the API can mount a projected token volume explicitly",
		PodKinds(), podCheck(checkAutomountToken))
	check.Aliases = automountTokenDefinition().Aliases
	check.Admission = automountTokenAdmission()
	return check, nil
}

func automountTokenAdmission() *governance.Admission {
	// A ServingRuntime's template is partial: the InferenceService sets
	// the token (VarPodFieldSpecs leaves it out).
	specs := `variables.` + governance.VarPodFieldSpecs
	return governance.WithOperators(&governance.Admission{
		Mutations: automountTokenMutations(),
		Rules:     governance.PodAdmissionRules(),
		Variables: append(governance.PodSpecsAdmissionVariables()[:1], governance.PodFieldSpecsVariable()), // podSpecs, podFieldSpecs
		Validations: []admissionregistrationv1.Validation{{
			Expression: specs + `.all(s, s.?automountServiceAccountToken.orValue(true) == false)`,
			Message:    "automountServiceAccountToken must be false: the service account token is mounted into the pod",
			MessageExpression: specs + `.exists(s, s.?automountServiceAccountToken.orValue(false) == true) ? ` +
				`"automountServiceAccountToken is true: the service account token is mounted into the pod" : ` +
				`"automountServiceAccountToken is not set: the service account token is mounted into the pod"`,
		}},
	})
}

func checkAutomountToken(p podView) []governance.Violation {
	if p.partial {
		return nil // a KServe runtime: the InferenceService sets the token
	}
	v := p.spec.AutomountServiceAccountToken
	if v != nil && !*v {
		return nil
	}
	msg := "automountServiceAccountToken is not set: the service account token is mounted into the pod"
	if v != nil {
		msg = "automountServiceAccountToken is true: the service account token is mounted into the pod"
	}
	return []governance.Violation{{Path: p.path + ".automountServiceAccountToken", Message: msg}}
}

// automountTokenMutations set automountServiceAccountToken: false where
// the pod spec leaves it unset. A pod that needs the API says so, with
// true or with a projected serviceAccountToken volume of its own, and is
// left alone: the mutation is a safe default, not the check's verdict.
//
// A Pod reaches the policy after the apiserver's ServiceAccount admission
// plugin, which (the token being unset) has already added a projected
// token volume named kube-api-access-<random> and mounted it at
// /var/run/secrets/kubernetes.io/serviceaccount in every container and
// init container (plugin/pkg/admission/serviceaccount/admission.go,
// Kubernetes v1.37.2). That volume is not the pod's own: the mutation
// removes it and its mounts, leaving the Pod the apiserver makes of the
// same manifest with automountServiceAccountToken: false. A Pod whose
// containers mount such a volume more than once is left alone.
func automountTokenMutations() []admissionregistrationv1.Mutation {
	const injected = `"kube-api-access-"`
	return []admissionregistrationv1.Mutation{celPodSpecPatch(func(s, p, _ string) string {
		volumes := s + `.?volumes.orValue([])`
		isInjected := `(object.kind == "Pod" && v.name.startsWith(` + injected + `))`
		ownToken := volumes + `.exists(v, !` + isInjected + ` && v.?projected.?sources.orValue([]).exists(src, has(src.serviceAccountToken)))`
		mounts := func(c string) string {
			return c + `.?volumeMounts.orValue([]).filter(m, m.name.startsWith(` + injected + `))`
		}
		onePerContainer := `(` + s + `.?containers.orValue([]) + ` + s + `.?initContainers.orValue([])).all(c, ` + mounts("c") + `.size() <= 1)`
		removeMounts := func(field string) string {
			return s + `.?` + field + `.orValue([]).transformList(i, c, ` + mounts("c") + `.size() == 1, ` +
				`JSONPatch{op: "remove", path: "/spec/` + field + `/" + string(i) + "/volumeMounts/" + ` +
				`string(c.volumeMounts.transformList(j, m, m.name.startsWith(` + injected + `), j)[0])})`
		}
		removeInjected := `(object.kind != "Pod" ? [] : ` + removeMounts("initContainers") + ` + ` + removeMounts("containers") + ` + ` +
			volumes + `.transformList(j, v, v.name.startsWith(` + injected + `), JSONPatch{op: "remove", path: "/spec/volumes/" + string(j)}))`
		return `!has(` + s + `.automountServiceAccountToken) && !(` + ownToken + `) && ` +
			volumes + `.filter(v, ` + isInjected + `).size() <= 1 && ` + onePerContainer + ` ? ` +
			`[JSONPatch{op: "add", path: ` + p + ` + "/automountServiceAccountToken", value: false}] + ` + removeInjected + ` : []`
	})}
}

// celPodSpecPatch is a JSONPatch mutation over every pod spec of the
// object (governance.VarPodSpecRefs, which package cel declares in the
// mutating policies: the built-in workloads' form, and the AI operators'
// in their own policy); body returns a CEL list of JSONPatch values given
// the CEL of one pod spec (s), of its JSON pointer (p) and of its pod
// template's metadata (meta). An object without a pod spec (a
// ReplicationController without a template) is not patched. A mutation
// that reads no other variable is applied to the operators' resources too
// (cel.GenerateMutating). (The apiserver's CEL has no cel.bind: the
// expressions are substituted.)
func celPodSpecPatch(body func(s, p, meta string) string) admissionregistrationv1.Mutation {
	return admissionregistrationv1.Mutation{
		PatchType: admissionregistrationv1.PatchTypeJSONPatch,
		JSONPatch: &admissionregistrationv1.JSONPatch{Expression: `variables.` + governance.VarPodSpecRefs + `.map(r, ` + body(`r.spec`, `string(r.path)`, `r.meta`) + `).flatten()`},
	}
}
