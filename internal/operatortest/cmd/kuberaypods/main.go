// Command kuberaypods prints, as JSON, the pods the KubeRay operator
// (github.com/ray-project/kuberay/ray-operator v1.5.0) builds for the
// RayCluster, RayJob and RayService resources in the YAML files given as
// arguments, by calling the operator's own exported builders. aigov's
// governance/internal/operator/kuberay_proof_test.go runs it and compares
// the result with the pods aigov derives.
//
// The builders are the ones the reconcilers call: common.DefaultHeadPodTemplate,
// common.DefaultWorkerPodTemplate and common.BuildPod, with the glue of the
// unexported RayClusterReconciler.buildHeadPod and buildWorkerPod
// (controllers/ray/raycluster_controller.go: pod name prefix from
// utils.PodName, head service FQDN, head port, creator CRD type from the
// ray.io/originated-from-crd label) and of setDefaults (nil rayStartParams
// become empty maps; the builders write into them, so each pod is built
// from a deep copy of the cluster). The pod counts come from
// utils.GetWorkerGroupDesiredReplicas, utils.CalculateMinReplicas and
// utils.CalculateMaxReplicas (each on a one-group cluster); a suspended
// cluster or RayJob runs no pods (the reconcilers delete them).
//
// What the apiserver would do first is done here by hand: the CRD's
// defaults (apis/ray/v1 +kubebuilder:default markers: replicas 0,
// minReplicas 0, maxReplicas 2147483647, numOfHosts 1, submissionMode
// K8sJobMode), applied only where a field is absent.
//
// A RayJob's and a RayService's cluster is built as
// constructRayClusterForRayJob and constructRayClusterForRayService build
// it, except that it is named after the resource instead of
// <name>-<random> (aigov does the same; see ray.go). A RayJob in
// SidecarMode gets common.GetDefaultSubmitterContainer in its head pod and
// restartPolicy Never; in K8sJobMode its submitter Job's pod template is
// common.GetSubmitterTemplate, and the pods carry the job-name labels the
// Job API adds (k8s.io/kubernetes pkg/registry/batch/job/strategy.go).
//
// This module is test-only: it does not import aigov.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/internal/operatortest/internal/podio"
	rayv1 "github.com/ray-project/kuberay/ray-operator/apis/ray/v1"
	"github.com/ray-project/kuberay/ray-operator/controllers/ray/common"
	"github.com/ray-project/kuberay/ray-operator/controllers/ray/utils"
)

// Resource is one input resource with the pods KubeRay builds for it.
type Resource struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Pods      []Pod  `json:"pods"`
}

// Pod is one kind of pod: Replicas pods alike.
type Pod struct {
	Role        string     `json:"role"`
	Replicas    int32      `json:"replicas"`
	MinReplicas *int32     `json:"minReplicas,omitempty"`
	MaxReplicas *int32     `json:"maxReplicas,omitempty"`
	Pod         corev1.Pod `json:"pod"`
}

func main() {
	// KubeRay's name helpers (utils.CheckName, CheckLabel) print to
	// standard output when they shorten a name; the JSON goes to the
	// original standard output and their chatter to standard error.
	stdout := os.Stdout
	os.Stdout = os.Stderr
	podio.Main("kuberaypods", stdout, func(files []string) (any, error) { return run(files) })
}

func run(files []string) ([]Resource, error) {
	ctx := context.Background()
	var out []Resource
	err := podio.EachDocument(files, func(doc []byte) error {
		r, err := podsOf(ctx, doc)
		out = append(out, r)
		return err
	})
	return out, err
}

func podsOf(ctx context.Context, doc []byte) (Resource, error) {
	var u unstructured.Unstructured
	if err := yaml.Unmarshal(doc, &u.Object); err != nil {
		return Resource{}, err
	}
	r := Resource{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
	switch u.GetKind() {
	case "RayCluster":
		defaultClusterSpec(u.Object, "spec")
		var rc rayv1.RayCluster
		if err := fromMap(u.Object, &rc); err != nil {
			return r, err
		}
		r.Pods = clusterPods(ctx, rc, ptr.Deref(rc.Spec.Suspend, false))
	case "RayService":
		defaultClusterSpec(u.Object, "spec", "rayClusterConfig")
		var svc rayv1.RayService
		if err := fromMap(u.Object, &svc); err != nil {
			return r, err
		}
		rc := originatedCluster(svc.Name, svc.Namespace, utils.RayServiceCRD, &svc.Spec.RayClusterSpec)
		r.Pods = clusterPods(ctx, rc, ptr.Deref(rc.Spec.Suspend, false))
	case "RayJob":
		defaultClusterSpec(u.Object, "spec", "rayClusterSpec")
		var job rayv1.RayJob
		if err := fromMap(u.Object, &job); err != nil {
			return r, err
		}
		if job.Spec.SubmissionMode == "" {
			job.Spec.SubmissionMode = rayv1.K8sJobMode
		}
		if len(job.Spec.ClusterSelector) != 0 || job.Spec.RayClusterSpec == nil {
			return r, errors.New("only RayJobs that create their cluster are supported")
		}
		rc := originatedCluster(job.Name, job.Namespace, utils.RayJobCRD, job.Spec.RayClusterSpec)
		if job.Spec.SubmissionMode == rayv1.SidecarMode {
			head := &rc.Spec.HeadGroupSpec.Template.Spec
			head.Containers = append(head.Containers, common.GetDefaultSubmitterContainer(&rc.Spec))
			head.RestartPolicy = corev1.RestartPolicyNever
		}
		r.Pods = clusterPods(ctx, rc, job.Spec.Suspend || ptr.Deref(rc.Spec.Suspend, false))
		if job.Spec.SubmissionMode == rayv1.K8sJobMode {
			tmpl := common.GetSubmitterTemplate(&job.Spec, &rc.Spec)
			pod := corev1.Pod{ObjectMeta: tmpl.ObjectMeta, Spec: tmpl.Spec}
			pod.Name, pod.Namespace = job.Name, job.Namespace
			if pod.Labels == nil {
				pod.Labels = map[string]string{}
			}
			pod.Labels["batch.kubernetes.io/job-name"] = job.Name
			pod.Labels["job-name"] = job.Name
			replicas := int32(1)
			if job.Spec.Suspend {
				replicas = 0
			}
			r.Pods = append(r.Pods, Pod{Role: "submitter", Replicas: replicas, Pod: pod})
		}
	default:
		return r, fmt.Errorf("kind %q is not a KubeRay kind", u.GetKind())
	}
	return r, nil
}

// originatedCluster is the RayCluster a RayService or RayJob creates
// from spec, named after the resource and labelled with where it
// originated.
func originatedCluster(name, namespace string, crd utils.CRDType, spec *rayv1.RayClusterSpec) rayv1.RayCluster {
	rc := rayv1.RayCluster{}
	rc.Name, rc.Namespace = name, namespace
	rc.Labels = map[string]string{
		utils.RayOriginatedFromCRNameLabelKey: name,
		utils.RayOriginatedFromCRDLabelKey:    utils.RayOriginatedFromCRDLabelValue(crd),
	}
	rc.Spec = *spec.DeepCopy()
	return rc
}

// clusterPods builds the head pod and one pod per worker group of rc.
func clusterPods(ctx context.Context, rc rayv1.RayCluster, suspended bool) []Pod {
	setDefaults(&rc)
	headReplicas := int32(1)
	if suspended {
		headReplicas = 0
	}
	out := []Pod{{Role: "head", Replicas: headReplicas, Pod: buildHeadPod(ctx, *rc.DeepCopy())}}
	for i := range rc.Spec.WorkerGroupSpecs {
		group := rc.Spec.WorkerGroupSpecs[i]
		one := rc.DeepCopy()
		one.Spec.WorkerGroupSpecs = []rayv1.WorkerGroupSpec{*group.DeepCopy()}
		replicas := utils.GetWorkerGroupDesiredReplicas(ctx, group)
		if suspended {
			replicas = 0
		}
		out = append(out, Pod{
			Role:        "worker group " + group.GroupName,
			Replicas:    replicas,
			MinReplicas: ptr.To(utils.CalculateMinReplicas(one)),
			MaxReplicas: ptr.To(utils.CalculateMaxReplicas(one)),
			Pod:         buildWorkerPod(ctx, *rc.DeepCopy(), *group.DeepCopy()),
		})
	}
	return out
}

// buildHeadPod is RayClusterReconciler.buildHeadPod without the operator's
// own configuration (head sidecars, default env) and the owner reference.
func buildHeadPod(ctx context.Context, rc rayv1.RayCluster) corev1.Pod {
	podName := utils.PodName(rc.Name, rayv1.HeadNode, !utils.IsDeterministicHeadPodNameEnabled())
	fqdnRayIP := utils.GenerateFQDNServiceName(ctx, rc, rc.Namespace)
	headPort := common.GetHeadPort(rc.Spec.HeadGroupSpec.RayStartParams)
	autoscaling := utils.IsAutoscalingEnabled(&rc.Spec)
	tmpl := common.DefaultHeadPodTemplate(ctx, rc, rc.Spec.HeadGroupSpec, podName, headPort)
	creator := utils.GetCRDType(rc.Labels[utils.RayOriginatedFromCRDLabelKey])
	return common.BuildPod(ctx, tmpl, rayv1.HeadNode, rc.Spec.HeadGroupSpec.RayStartParams, headPort, autoscaling, creator, fqdnRayIP, nil)
}

// buildWorkerPod is RayClusterReconciler.buildWorkerPod likewise, for the
// first pod of a group (replica and host index 0).
func buildWorkerPod(ctx context.Context, rc rayv1.RayCluster, group rayv1.WorkerGroupSpec) corev1.Pod {
	podName := utils.PodName(fmt.Sprintf("%s-%s", rc.Name, group.GroupName), rayv1.WorkerNode, true)
	fqdnRayIP := utils.GenerateFQDNServiceName(ctx, rc, rc.Namespace)
	headPort := common.GetHeadPort(rc.Spec.HeadGroupSpec.RayStartParams)
	autoscaling := utils.IsAutoscalingEnabled(&rc.Spec)
	tmpl := common.DefaultWorkerPodTemplate(ctx, rc, group, podName, fqdnRayIP, headPort, "", 0, 0)
	creator := utils.GetCRDType(rc.Labels[utils.RayOriginatedFromCRDLabelKey])
	return common.BuildPod(ctx, tmpl, rayv1.WorkerNode, group.RayStartParams, headPort, autoscaling, creator, fqdnRayIP, nil)
}

// setDefaults is the reconciler's setDefaults: the builders write into
// rayStartParams.
func setDefaults(rc *rayv1.RayCluster) {
	if rc.Spec.HeadGroupSpec.RayStartParams == nil {
		rc.Spec.HeadGroupSpec.RayStartParams = map[string]string{}
	}
	for i := range rc.Spec.WorkerGroupSpecs {
		if rc.Spec.WorkerGroupSpecs[i].RayStartParams == nil {
			rc.Spec.WorkerGroupSpecs[i].RayStartParams = map[string]string{}
		}
	}
}

// defaultClusterSpec applies the CRD's worker group defaults, where the
// fields are absent, to the RayCluster spec at keys of obj.
func defaultClusterSpec(obj map[string]any, keys ...string) {
	groups, _, _ := unstructured.NestedSlice(obj, append(keys, "workerGroupSpecs")...)
	for _, g := range groups {
		m, ok := g.(map[string]any)
		if !ok {
			continue
		}
		for field, def := range map[string]int64{"replicas": 0, "minReplicas": 0, "maxReplicas": math.MaxInt32, "numOfHosts": 1} {
			if _, set := m[field]; !set {
				m[field] = def
			}
		}
	}
	if len(groups) > 0 {
		_ = unstructured.SetNestedSlice(obj, groups, append(keys, "workerGroupSpecs")...)
	}
}

// fromMap converts unstructured content into a typed object.
func fromMap(m map[string]any, into any) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, into)
}
