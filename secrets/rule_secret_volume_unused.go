// secret-volume-unused finds secret volumes that no container or init
// container mounts: the kubelet still fetches the Secret for the pod, so
// the pod's node can read a credential nothing uses, and the manifest
// suggests a dependency that is not there. It reads a workload's
// spec.volumes[i].secret and the volumeMounts of containers and
// initContainers and reports <podSpec>.volumes[i].

package secrets

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDVolumeUnused is the ID of the secret-volume-unused rule.
const IDVolumeUnused = "secret-volume-unused"

func volumeUnusedRule() Rule {
	return Rule{
		ID:          IDVolumeUnused,
		Severity:    sevLow,
		Default:     true,
		Description: "A secret volume is mounted by no container or init container.",
		Remediation: "remove the volume, or mount it where it is needed",
		Object:      checkVolumeUnused,
	}
}

func checkVolumeUnused(c *Context, o *governance.Object) []Finding {
	if !c.IsWorkload(o) {
		return nil
	}
	var out []Finding
	for _, t := range governance.PodTemplatesOf(o) {
		out = append(out, unusedSecretVolumes(t.Spec, t.Path)...)
	}
	return out
}

// unusedSecretVolumes reports the secret volumes of one pod spec at
// specPath that no container mounts.
func unusedSecretVolumes(spec *corev1.PodSpec, specPath string) []Finding {
	var out []Finding
	for i, vol := range spec.Volumes {
		if vol.Secret == nil {
			continue
		}
		used := false
		for _, cs := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
			for _, ctr := range cs {
				for _, m := range ctr.VolumeMounts {
					used = used || m.Name == vol.Name
				}
			}
		}
		if !used {
			out = append(out, Finding{Path: fmt.Sprintf("%s.volumes[%d]", specPath, i),
				Message: fmt.Sprintf("secret volume %q (Secret %s) is mounted by no container", DisplayName(vol.Name), DisplayName(vol.Secret.SecretName))})
		}
	}
	return out
}
