// secret-env-reference (opt-in) reports Secrets consumed through
// environment variables (CIS Kubernetes Benchmark 5.4.1): env values leak
// into crash dumps, child processes, `kubectl describe`-style debugging and
// logs more easily than mounted files. It reads env[i].valueFrom.secretKeyRef
// and envFrom[j].secretRef of containers, initContainers and
// ephemeralContainers of each workload and reports those fields.

package secrets

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDEnvReference is the ID of the secret-env-reference rule.
const IDEnvReference = "secret-env-reference"

func envReferenceRule() Rule {
	return Rule{
		ID:          IDEnvReference,
		Severity:    sevInfo,
		Description: "A container reads a Secret through environment variables (CIS 5.4.1).",
		Remediation: "mount the Secret as a file (a secret volume) and read it from there",
		Object:      checkEnvReference,
	}
}

func checkEnvReference(c *Context, o *governance.Object) []Finding {
	if !c.IsWorkload(o) {
		return nil
	}
	var out []Finding
	for _, t := range governance.PodTemplatesOf(o) {
		for _, f := range envReferences(t.Spec, t.Path) {
			f.Path = t.FieldPath(f.Path)
			out = append(out, f)
		}
	}
	return out
}

// envReferences reports the env and envFrom Secret references of the
// containers of one pod spec at specPath.
func envReferences(spec *corev1.PodSpec, specPath string) []Finding {
	var out []Finding
	visit := func(ctr *corev1.Container, path string) {
		for i, e := range ctr.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				out = append(out, Finding{Path: fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef", path, i),
					Message: fmt.Sprintf("env %s reads key %s of Secret %s", DisplayName(e.Name), DisplayName(e.ValueFrom.SecretKeyRef.Key), e.ValueFrom.SecretKeyRef.Name)})
			}
		}
		for j, ef := range ctr.EnvFrom {
			if ef.SecretRef != nil {
				out = append(out, Finding{Path: fmt.Sprintf("%s.envFrom[%d].secretRef", path, j),
					Message: "envFrom reads every key of Secret " + ef.SecretRef.Name})
			}
		}
	}
	for i := range spec.InitContainers {
		visit(&spec.InitContainers[i], fmt.Sprintf("%s.initContainers[%d]", specPath, i))
	}
	for i := range spec.Containers {
		visit(&spec.Containers[i], fmt.Sprintf("%s.containers[%d]", specPath, i))
	}
	for i := range spec.EphemeralContainers {
		visit((*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon),
			fmt.Sprintf("%s.ephemeralContainers[%d]", specPath, i))
	}
	return out
}
