// ai-workload-own-serviceaccount requires every AI workload to run under a
// ServiceAccount of its own, so that what an inference server, a notebook
// or a training job may do in the API (and which cloud identity it is
// federated to) can be granted to it alone and revoked without touching
// others. A workload is an AI workload when it is classified (Classify) or
// requests a GPU. The check reads spec.serviceAccountName (else the
// deprecated serviceAccount) of the stored pod template of every workload
// (governance.Inventory.Workloads) and denies a pod that runs as "default"
// (the field unset or "default"), and a ServiceAccount that several AI
// workloads of the namespace share (one finding per workload, naming the
// others). Its ValidatingAdmissionPolicy enforces the half one object
// decides alone: it classifies the Pod or workload in CEL (as
// model-image-digest does), reads its GPU requests and denies an AI
// workload that runs as "default"; sharing a ServiceAccount is a question
// about several workloads, which only the Go check answers. Its policy on
// AI operators' resources (-operators) judges the pods each operator
// derives from the resource (derivedPodsCEL: an InferenceService's are
// inference servers and a Kubeflow job's training jobs by the labels the
// operator sets, a RayJob's or JobSet's by their templates' labels and
// images) and the ServiceAccount each runs as; the runtimes and TrainJobs,
// whose pods a single object does not decide, are not matched.

package catalog

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDAIWorkloadOwnServiceAccount is the catalog ID of the
// ai-workload-own-serviceaccount check.
const IDAIWorkloadOwnServiceAccount = "ai-workload-own-serviceaccount"

func aiWorkloadOwnServiceAccountDefinition() governance.Definition {
	return governance.Definition{
		ID:            IDAIWorkloadOwnServiceAccount,
		Description:   "AI workloads (classified, or requesting GPUs) must each run under their own ServiceAccount, never default.",
		Severity:      governance.SeverityMedium,
		Kinds:         []string{PodsAndWorkloads + " classified as AI or requesting GPUs"},
		Requires:      []governance.FactRef{ClassificationFact},
		VAP:           true,
		AdmissionNote: "VAP judges what one object decides (a ServiceAccount several AI workloads share is left to the scan); " + derivedPodsAdmissionNote(),
		New:           NewAIWorkloadOwnServiceAccount,
	}
}

// aiWorkload is a workload that is an AI asset or uses GPUs.
type aiWorkload struct {
	w     governance.Workload
	class Classification
	// what names it in messages: `inference-server Deployment "llm"`.
	what string
}

// aiWorkloads lists the workloads that are classified or request GPUs,
// from the inventory's ClassificationFact.
func aiWorkloads(classified []ClassifiedWorkload) []aiWorkload {
	var out []aiWorkload
	for _, cw := range classified {
		w, c := cw.Workload, cw.Classification
		gpu := w.Pod != nil && usesGPU(&w.Pod.Spec)
		if c.Class == ClassNone && !gpu {
			continue
		}
		what := fmt.Sprintf("GPU workload %s %q", w.Kind, w.Name)
		if c.Class != ClassNone {
			what = describeWorkload(c.Class, w.Kind, w.Name)
		}
		out = append(out, aiWorkload{w: w, class: c, what: what})
	}
	return out
}

// NewAIWorkloadOwnServiceAccount builds the ai-workload-own-serviceaccount
// check. It takes no parameters. It is an inventory check: sharing is a
// question about several workloads.
func NewAIWorkloadOwnServiceAccount(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	d := aiWorkloadOwnServiceAccountDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "create a ServiceAccount for the workload (automountServiceAccountToken: false unless it calls the API) and set spec.serviceAccountName",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			ai := aiWorkloads(ClassificationFact.Of(pass))
			users := map[[2]string][]string{}
			for _, a := range ai {
				sa := serviceAccountOf(&a.w.Pod.Spec)
				k := [2]string{a.w.Namespace, sa}
				// The pods of one custom resource (a RayCluster's head and
				// workers) are one user of the account.
				users[k] = appendMissing(users[k], a.w.Kind+"/"+a.w.Name)
			}
			var out []governance.Finding
			for _, a := range ai {
				sa := serviceAccountOf(&a.w.Pod.Spec)
				path := a.w.SpecPath + ".serviceAccountName"
				if sa == "default" {
					out = append(out, governance.Finding{Object: a.w.Object.Ref(), Path: path,
						Message: fmt.Sprintf("%s runs as the namespace's default ServiceAccount", a.what)})
					continue
				}
				self := a.w.Kind + "/" + a.w.Name
				var others []string
				for _, u := range users[[2]string{a.w.Namespace, sa}] {
					if u != self {
						others = append(others, u)
					}
				}
				if len(others) > 0 {
					out = append(out, governance.Finding{Object: a.w.Object.Ref(), Path: path,
						Message: fmt.Sprintf("%s shares ServiceAccount %q with %s", a.what, sa, strings.Join(others, ", "))})
				}
			}
			return out
		},
		Admission: aiWorkloadOwnServiceAccountAdmission(),
	}, nil
}

// aiWorkloadOwnServiceAccountAdmission denies an AI workload (classified,
// or requesting a GPU) whose pod runs as "default": serviceAccountName,
// else the deprecated serviceAccount, unset or "default"
// (serviceAccountOf).
func aiWorkloadOwnServiceAccountAdmission() *governance.Admission {
	spec := `variables.` + governance.VarPodSpec
	sa := `(` + spec + `.?serviceAccountName.orValue("") != "" ? ` + spec + `.serviceAccountName : ` +
		`(` + spec + `.?serviceAccount.orValue("") != "" ? ` + spec + `.serviceAccount : "default"))`
	what := `(variables.` + varAIClass + ` != "" ? variables.` + varAIClass + ` : "GPU workload") + " " + object.kind + " \"" + object.metadata.name + "\""`
	return &governance.Admission{
		Rules:     governance.PodAdmissionRules(),
		Variables: aiClassAdmissionVariables(true),
		Validations: []admissionregistrationv1.Validation{{
			Expression:        `!(variables.` + varAIClass + ` != "" || variables.` + varUsesGPU + `) || ` + sa + ` != "default"`,
			Message:           "AI workloads (classified, or requesting GPUs) must run under their own ServiceAccount, not default",
			MessageExpression: what + ` + " runs as the namespace's default ServiceAccount"`,
		}},
		Operators: aiWorkloadOwnServiceAccountOperatorsAdmission(),
	}
}

// aiWorkloadOwnServiceAccountOperatorsAdmission is the policy over the AI
// operators' resources that derive pods (derivedPodsAdmissionRules): it
// denies a resource one of whose derived pods is an AI workload
// (classified, or requesting a GPU) that runs as "default".
func aiWorkloadOwnServiceAccountOperatorsAdmission() *governance.Admission {
	v := func(name string) string { return `variables.` + name + `[i]` }
	bad := `(` + v(varDerivedClasses) + ` != "" || ` + v(varDerivedGPU) + `) && ` + v(varDerivedSAs) + ` == "default"`
	return &governance.Admission{
		Rules:     derivedPodsAdmissionRules(),
		Variables: derivedPodsAdmissionVariables(),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `!` + derivedIndexesCEL() + `.exists(i, ` + bad + `)`,
			Message:    "AI workloads (classified, or requesting GPUs) must run under their own ServiceAccount, not default",
			MessageExpression: derivedIndexesCEL() + `.filter(i, ` + bad + `).map(i, ` + v(varDerivedClasses) + ` != "" ? ` + v(varDerivedClasses) + ` : "GPU workload")[0] + ` +
				`" " + object.kind + " \"" + object.metadata.name + "\" runs pods as the namespace's default ServiceAccount"`,
		}},
	}
}
