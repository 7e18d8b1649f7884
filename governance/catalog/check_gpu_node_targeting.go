// gpu-node-targeting keeps GPU pods and GPU nodes matched: GPU nodes are
// normally tainted (nvidia.com/gpu:NoSchedule) so that only GPU pods land on
// them, so a GPU pod must tolerate that taint or select GPU nodes, and a pod
// that requests no GPU must not tolerate GPU taints, or it can occupy a
// GPU node's CPU and memory and leave its GPUs stranded. It reads the
// resources of the regular and init containers, spec.tolerations,
// spec.nodeSelector and the required node affinity of a Pod or of a
// workload's pod template (the stored object). A GPU is an extended
// resource named "*/gpu" or "nvidia.com/*"; a GPU taint key is one of
// those names too; a GPU node label key contains "gpu" or "accelerator", or
// is the NVIDIA or AMD PCI feature label of node-feature-discovery
// (feature.node.kubernetes.io/pci-10de.present, pci-1002.present). It denies
// a GPU pod with neither a toleration of a GPU taint (or of every taint) nor
// a GPU node selector or required affinity term, and, on a pod without
// GPUs, every toleration of a GPU taint key.

package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDGPUNodeTargeting is the catalog ID of the gpu-node-targeting check.
const IDGPUNodeTargeting = "gpu-node-targeting"

func gpuNodeTargetingDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDGPUNodeTargeting,
		Description: "GPU pods must tolerate GPU taints or select GPU nodes; pods without GPUs must not tolerate GPU taints.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{PodsAndWorkloads},
		VAP:         true,
		New:         NewGPUNodeTargeting,
	}
}

// isGPUTaintKey reports whether a taint key names a GPU resource.
func isGPUTaintKey(key string) bool { return key != "" && IsGPUResource(corev1.ResourceName(key)) }

// isGPUNodeLabelKey reports whether a node label key selects GPU nodes.
func isGPUNodeLabelKey(key string) bool {
	k := lowerASCII(key) // label keys are ASCII; CEL's lowerAscii folds the same letters
	return strings.Contains(k, "gpu") || strings.Contains(k, "accelerator") || slices.Contains(gpuPCIFeatureLabels(), k)
}

// gpuPCIFeatureLabels are the node-feature-discovery labels of NVIDIA and
// AMD PCI devices.
func gpuPCIFeatureLabels() []string {
	return []string{"feature.node.kubernetes.io/pci-10de.present", "feature.node.kubernetes.io/pci-1002.present"}
}

// gpuNodeLabelKeyCEL is isGPUNodeLabelKey of the string expression key.
func gpuNodeLabelKeyCEL(key string) string {
	k := key + `.lowerAscii()`
	return `(` + k + `.contains("gpu") || ` + k + `.contains("accelerator") || ` + k + ` in ` + governance.CELStringList(gpuPCIFeatureLabels()) + `)`
}

// targetsGPUNodes reports whether a pod spec tolerates a GPU taint (or
// every taint) or selects GPU nodes by nodeSelector or required node
// affinity.
func targetsGPUNodes(spec *corev1.PodSpec) bool {
	for _, t := range spec.Tolerations {
		if isGPUTaintKey(t.Key) || (t.Key == "" && t.Operator == corev1.TolerationOpExists) {
			return true
		}
	}
	for k := range spec.NodeSelector {
		if isGPUNodeLabelKey(k) {
			return true
		}
	}
	if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		terms := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
		all := len(terms) > 0
		for _, term := range terms {
			found := false
			for _, e := range term.MatchExpressions {
				if isGPUNodeLabelKey(e.Key) && e.Operator != corev1.NodeSelectorOpNotIn && e.Operator != corev1.NodeSelectorOpDoesNotExist {
					found = true
				}
			}
			all = all && found
		}
		// Terms are ORed: every term must select GPU nodes.
		if all {
			return true
		}
	}
	return false
}

// NewGPUNodeTargeting builds the gpu-node-targeting check. It takes no
// parameters.
func NewGPUNodeTargeting(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	check := newCheck(gpuNodeTargetingDefinition(),
		"give GPU pods a toleration of the GPU taint (key nvidia.com/gpu, operator Exists, effect NoSchedule) or a GPU node selector; remove GPU tolerations from pods that request no GPU",
		PodKinds(), podCheck(func(pv podView) []governance.Violation {
			path, res, _, gpu := firstGPU(pv.spec, pv.path)
			if gpu {
				if targetsGPUNodes(pv.spec) {
					return nil
				}
				return []governance.Violation{{Path: pv.path + ".tolerations",
					Message: fmt.Sprintf("pod requests %s (%s) but neither tolerates a GPU taint nor selects GPU nodes", res, path)}}
			}
			var out []governance.Violation
			for i, t := range pv.spec.Tolerations {
				if isGPUTaintKey(t.Key) {
					out = append(out, governance.Violation{Path: pv.path + ".tolerations[" + strconv.Itoa(i) + "]",
						Message: fmt.Sprintf("pod requests no GPU but tolerates the GPU taint %q", t.Key)})
				}
			}
			return out
		}))
	check.Admission = gpuNodeTargetingAdmission()
	return check, nil
}

// gpuNodeTargetingAdmission decides as targetsGPUNodes and the GPU
// detection of firstGPU (the variable usesGPU): a GPU pod must tolerate a
// GPU taint (or every taint), select GPU nodes, or require them in every
// node selector term; a pod without GPUs must tolerate no GPU taint.
func gpuNodeTargetingAdmission() *governance.Admission {
	spec := `variables.` + governance.VarPodSpec
	gpuToleration := gpuResourceCEL(`t.?key.orValue("")`)
	tolerations := spec + `.?tolerations.orValue([])`
	return &governance.Admission{
		Rules:     governance.PodAdmissionRules(),
		Variables: governance.PodAdmissionVariables(usesGPUVariable()),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `variables.` + varUsesGPU + ` ? (` + gpuTargetsCEL(spec) + `) : !` + tolerations + `.exists(t, ` + gpuToleration + `)`,
			Message:    "GPU pods must tolerate GPU taints or select GPU nodes; pods without GPUs must not tolerate GPU taints",
			MessageExpression: `variables.` + varUsesGPU + ` ? "pod requests a GPU but neither tolerates a GPU taint nor selects GPU nodes" : ` +
				`"pod requests no GPU but tolerates the GPU taints " + ` + tolerations + `.filter(t, ` + gpuToleration + `).map(t, "\"" + t.key + "\"").join(", ")`,
		}},
		Mutations: []admissionregistrationv1.Mutation{gpuTolerationMutation()},
	}
}

// gpuTargetsCEL is targetsGPUNodes of the pod spec expression spec.
func gpuTargetsCEL(spec string) string {
	terms := spec + `.?affinity.?nodeAffinity.?requiredDuringSchedulingIgnoredDuringExecution.?nodeSelectorTerms.orValue([])`
	return spec + `.?tolerations.orValue([]).exists(t, ` + gpuResourceCEL(`t.?key.orValue("")`) + ` || (t.?key.orValue("") == "" && t.?operator.orValue("") == "Exists"))` +
		` || ` + spec + `.?nodeSelector.orValue({}).exists(k, ` + gpuNodeLabelKeyCEL("k") + `)` +
		` || (size(` + terms + `) > 0 && ` + terms + `.all(term, term.?matchExpressions.orValue([]).exists(e, ` +
		gpuNodeLabelKeyCEL("e.key") + ` && !(e.operator in ["NotIn", "DoesNotExist"]))))`
}

// The NVIDIA GPU Operator (and GKE and EKS) taint the nodes serving any
// nvidia.com/ resource, MIG slices included, with nvidia.com/gpu.
const (
	nvidiaResourcePrefix = "nvidia.com/"
	nvidiaGPUTaintKey    = "nvidia.com/gpu"
)

// GPUTolerationKey is the key of the toleration gpu-node-targeting's
// mutation gives a GPU pod, so that aigov fix writes the same one: the
// taint of the nodes serving the GPU resources (IsGPUResource, a non-zero
// quantity) the regular and init containers limit or request,
// nvidia.com/gpu for every nvidia.com/ resource and the resource itself
// otherwise (amd.com/gpu), the least by name when they differ. ok is
// false for a pod without GPUs.
func GPUTolerationKey(spec *corev1.PodSpec) (key string, ok bool) {
	for _, cs := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
		for _, c := range cs {
			for _, l := range []corev1.ResourceList{c.Resources.Limits, c.Resources.Requests} {
				for n, q := range l {
					if !IsGPUResource(n) || q.IsZero() {
						continue
					}
					k := string(n)
					if strings.HasPrefix(k, nvidiaResourcePrefix) {
						k = nvidiaGPUTaintKey
					}
					if !ok || k < key {
						key, ok = k, true
					}
				}
			}
		}
	}
	return key, ok
}

// gpuTolerationMutation is the safe default of gpu-node-targeting: a GPU
// pod that neither tolerates a GPU taint (nor every taint) nor selects GPU
// nodes gets the toleration {key, operator: Exists, effect: NoSchedule} of
// the taint of the nodes serving the GPUs its containers and init
// containers request or limit. The key is nvidia.com/gpu for every
// nvidia.com/ resource (the NVIDIA GPU Operator, GKE and EKS taint GPU
// nodes, MIG-partitioned ones included, with nvidia.com/gpu), else the
// resource itself (amd.com/gpu); a pod asking for GPUs of two vendors,
// which no node serves, gets the least key by name only (one GPU
// toleration is what the check asks). The toleration is inserted before
// the pod's own: the apiserver's DefaultTolerationSeconds plugin, which
// runs before admission policies, appends its own to Pods, so inserting
// first gives the Pod the apiserver makes of the manifest written with the
// toleration first. A toleration only lets the pod onto tainted nodes, it
// selects none. A pod without GPUs, or one that already targets GPU nodes,
// is left alone; the GPU tolerations of a pod without GPUs (which the
// check reports) are not removed. Each pod spec of the object is judged
// and patched on its own (an operator's resource holds several).
func gpuTolerationMutation() admissionregistrationv1.Mutation {
	return celPodSpecPatch(func(s, p, _ string) string {
		containers := `(` + governance.CELContainersOf(s, false) + `)`
		usesGPU := containers + `.exists(c, ` + gpuFieldCEL("limits") + ` || ` + gpuFieldCEL("requests") + `)`
		resources := func(field string) string {
			q := `quantity(c.resources.` + field + `[k])`
			return `c.?resources.?` + field + `.orValue({}).filter(k, ` + gpuResourceCEL("k") +
				` && (` + q + `.isGreaterThan(quantity("0")) || ` + q + `.isLessThan(quantity("0"))))`
		}
		// string(): the apiserver's CEL wants one value type in a map literal.
		// GPUTolerationKey in CEL.
		key := `string(` + containers + `.map(c, ` + resources("limits") + ` + ` + resources("requests") + `).flatten()` +
			`.map(k, k.startsWith("` + nvidiaResourcePrefix + `") ? "` + nvidiaGPUTaintKey + `" : k).min())`
		toleration := `{"key": ` + key + `, "operator": "Exists", "effect": "NoSchedule"}`
		path := p + ` + "/tolerations"`
		return `!(` + usesGPU + `) || (` + gpuTargetsCEL(s) + `) ? [] : ` +
			`(!has(` + s + `.tolerations) ? [JSONPatch{op: "add", path: ` + path + `, value: [` + toleration + `]}] : ` +
			`[JSONPatch{op: "add", path: ` + path + ` + "/0", value: ` + toleration + `}])`
	})
}
