package governance

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance/internal/operator"
)

// Workload is something that runs pods: a Pod, or a controller with a pod
// template. rbac, netpol, quota, secrets and the catalog all read pods
// through it.
type Workload struct {
	Object    *Object
	Kind      string
	Namespace string
	Name      string
	// Labels are the workload object's own labels.
	Labels map[string]string
	// Replicas is how many pods it runs at once: 1 for a Pod, spec.replicas
	// for Deployments, ReplicaSets, StatefulSets and ReplicationControllers,
	// spec.parallelism for Jobs and CronJobs, and 1 for a DaemonSet (one
	// representative: the node count is not in the manifests).
	Replicas int32
	// Pod is the pod the cluster would create: the template's metadata and
	// spec in the workload's namespace, with Pod defaults applied (a limit
	// without a request copies into the request). For a Pod it is the Pod.
	Pod *corev1.Pod
	// SpecPath is the field path of the pod spec in the object: "spec",
	// "spec.template.spec" or "spec.jobTemplate.spec.template.spec"; for a
	// custom resource of an AI operator, the template's path inside it
	// ("spec.workerGroupSpecs[0].template.spec") or the field the pods come
	// from.
	SpecPath string
	// Role tells the pods of one operator custom resource apart ("head",
	// "worker group gpu", "Worker", "leader", "predictor"); "" for
	// built-in kinds, which run one kind of pod.
	Role string
	// MinReplicas and MaxReplicas bound Replicas where an autoscaler of
	// the operator scales the pods (Ray worker groups, KServe
	// predictors); nil otherwise.
	MinReplicas, MaxReplicas *int32
}

// DisplayName names the workload in text: DisplayName of its object, with
// the role in brackets for one of several pod kinds of a custom resource
// ("RayCluster/ml/rc[head]").
func (w *Workload) DisplayName() string {
	return DisplayName(w.Kind, w.Namespace, w.Name) + w.roleSuffix()
}

// ID names the workload within its namespace: "Kind/name", with the role
// in brackets for one of several pod kinds of a custom resource
// ("RayCluster/rc[head]"). netpol's Endpoint.Workload is the ID.
func (w *Workload) ID() string { return w.Kind + "/" + w.Name + w.roleSuffix() }

func (w *Workload) roleSuffix() string {
	if w.Role == "" {
		return ""
	}
	return "[" + w.Role + "]"
}

// podSpecOf returns the stored pod spec of a Pod or built-in workload
// object, its pod metadata, and the field path of the spec. It does not
// copy.
func podSpecOf(o *Object) (spec *corev1.PodSpec, podMeta *metav1.ObjectMeta, path string, ok bool) {
	switch obj := o.Obj.(type) {
	case *corev1.Pod:
		return &obj.Spec, &obj.ObjectMeta, "spec", true
	case *appsv1.Deployment:
		return &obj.Spec.Template.Spec, &obj.Spec.Template.ObjectMeta, "spec.template.spec", true
	case *appsv1.ReplicaSet:
		return &obj.Spec.Template.Spec, &obj.Spec.Template.ObjectMeta, "spec.template.spec", true
	case *appsv1.StatefulSet:
		return &obj.Spec.Template.Spec, &obj.Spec.Template.ObjectMeta, "spec.template.spec", true
	case *appsv1.DaemonSet:
		return &obj.Spec.Template.Spec, &obj.Spec.Template.ObjectMeta, "spec.template.spec", true
	case *batchv1.Job:
		return &obj.Spec.Template.Spec, &obj.Spec.Template.ObjectMeta, "spec.template.spec", true
	case *batchv1.CronJob:
		t := &obj.Spec.JobTemplate.Spec.Template
		return &t.Spec, &t.ObjectMeta, "spec.jobTemplate.spec.template.spec", true
	case *corev1.ReplicationController:
		if obj.Spec.Template == nil {
			return nil, nil, "", false
		}
		return &obj.Spec.Template.Spec, &obj.Spec.Template.ObjectMeta, "spec.template.spec", true
	}
	return nil, nil, "", false
}

// Workloads returns the inventory's workloads in stable order, computed once.
// A workload owned by a controller that is in the inventory too (a
// ReplicaSet of a Deployment, a Job of a CronJob, a Pod of any controller)
// is left out: its pods are the owner's, and counting both would double
// them.
func (inv *Inventory) Workloads() []Workload {
	inv.workloadsOnce.Do(func() { inv.workloads = inv.buildWorkloads() })
	return inv.workloads
}

func (inv *Inventory) buildWorkloads() []Workload {
	var out []Workload
	for _, o := range inv.objects {
		if inv.ownedInInventory(o) {
			continue
		}
		if spec, podMeta, path, ok := podSpecOf(o); ok {
			out = append(out, newWorkload(o, spec, podMeta, path))
			continue
		}
		out = append(out, inv.operatorWorkloads(o)...)
	}
	return out
}

func newWorkload(o *Object, spec *corev1.PodSpec, podMeta *metav1.ObjectMeta, path string) Workload {
	m := o.Meta()
	w := Workload{Object: o, Kind: o.GVK.Kind, Namespace: m.GetNamespace(), Name: m.GetName(),
		Labels: m.GetLabels(), Replicas: replicasOf(o), SpecPath: path}
	if pod, isPod := o.Obj.(*corev1.Pod); isPod {
		w.Pod = pod
		return w
	}
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}}
	podMeta.DeepCopyInto(&pod.ObjectMeta)
	spec.DeepCopyInto(&pod.Spec)
	pod.Namespace = w.Namespace
	if pod.Name == "" {
		pod.Name = w.Name
	}
	CopyLimitsToRequests(&pod.Spec)
	w.Pod = pod
	return w
}

func replicasOf(o *Object) int32 {
	deref := func(p *int32) int32 {
		if p == nil {
			return 1
		}
		return *p
	}
	switch obj := o.Obj.(type) {
	case *appsv1.Deployment:
		return deref(obj.Spec.Replicas)
	case *appsv1.ReplicaSet:
		return deref(obj.Spec.Replicas)
	case *appsv1.StatefulSet:
		return deref(obj.Spec.Replicas)
	case *corev1.ReplicationController:
		return deref(obj.Spec.Replicas)
	case *batchv1.Job:
		return deref(obj.Spec.Parallelism)
	case *batchv1.CronJob:
		return deref(obj.Spec.JobTemplate.Spec.Parallelism)
	}
	return 1
}

// ownerKinds are the controllers whose children the cluster creates.
var ownerKinds = map[string]string{
	"Deployment": "apps", "ReplicaSet": "apps", "StatefulSet": "apps", "DaemonSet": "apps",
	"Job": "batch", "CronJob": "batch", "ReplicationController": "",
}

// namingParents are the controllers that name the children they create
// "<parent>-<suffix>": a Deployment its ReplicaSets (pod-template hash), a
// CronJob its Jobs (scheduled time).
var namingParents = map[string]Key{
	"ReplicaSet": {Group: "apps", Kind: "Deployment"},
	"Job":        {Group: "batch", Kind: "CronJob"},
}

// ownedInInventory reports whether o's pods are another inventory object's:
// its controller is in the inventory, or its controller is missing but was
// created by one that is (a Pod of a ReplicaSet not listed, whose Deployment
// is). Without the second rule, a Deployment and the Pods read back from a
// cluster without their ReplicaSet would be counted twice.
func (inv *Inventory) ownedInInventory(o *Object) bool { return inv.ownerInInventory(o) != nil }

// ownerInInventory returns the inventory object that makes o's pods its
// own (see ownedInInventory): its controller, or the controller's named
// parent; nil when there is none.
func (inv *Inventory) ownerInInventory(o *Object) *Object {
	ns := o.Namespace()
	for _, ref := range o.Meta().GetOwnerReferences() {
		group, known := ownerKinds[ref.Kind]
		if !known && ref.Kind == "Pod" && ref.APIVersion == "v1" {
			// A LeaderWorkerSet's worker StatefulSet is owned by its
			// group's leader Pod (lws pkg/controllers/pod_controller.go),
			// which the leader StatefulSet owns.
			known = true
		}
		if !known {
			// A custom resource of an AI operator owns what it creates:
			// a RayJob its RayCluster, a JobSet its Jobs, a
			// LeaderWorkerSet its StatefulSets, an InferenceService its
			// Deployments.
			gv, err := schema.ParseGroupVersion(ref.APIVersion)
			if err != nil {
				continue
			}
			if _, op := operator.Find(gv.WithKind(ref.Kind)); !op {
				continue
			}
			group = gv.Group
		}
		if owner := inv.Get(Key{Group: group, Kind: ref.Kind, Namespace: ns, Name: ref.Name}); owner != nil {
			return owner
		}
		parent, named := namingParents[ref.Kind]
		if i := strings.LastIndex(ref.Name, "-"); named && i > 0 {
			parent.Namespace, parent.Name = ns, ref.Name[:i]
			if owner := inv.Get(parent); owner != nil {
				return owner
			}
		}
	}
	return nil
}
