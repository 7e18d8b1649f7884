package governance

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/aigov/aigov/governance/internal/manifest"
)

// ApplyDefaults sets the API defaults that change what an object means when
// a manifest leaves them out, so that analyzers see what the kube-apiserver
// would store. Each default below is the one of k8s.io/kubernetes v1.37
// pkg/apis/<group>/v1/defaults.go (or its declarative +default markers):
//
//   - Namespace: label kubernetes.io/metadata.name = name.
//   - NetworkPolicy: policyTypes = [Ingress] plus Egress when egress rules
//     exist; every port's protocol TCP.
//   - Service: type ClusterIP; port protocol TCP; targetPort = port.
//   - Pod: a container (or init container) limit without a request copies
//     into the request; this happens on Pods only, not on pod templates
//     (workload pods get it when Workloads derives them).
//   - Pod specs everywhere: container port protocol TCP, serviceAccountName
//     from the deprecated serviceAccount field, restartPolicy Always.
//   - Deployment, ReplicaSet, StatefulSet, ReplicationController: replicas 1.
//     Job: parallelism 1, completions 1 (unless either is set).
//   - Secret: type Opaque.
//   - LimitRange Container items: default from max, defaultRequest from
//     default, then from min.
//   - RoleBinding and ClusterRoleBinding: roleRef.apiGroup and User/Group
//     subjects' apiGroup rbac.authorization.k8s.io.
//   - Resource quantities in pods, templates, LimitRanges and
//     ResourceQuotas are rounded up to milli precision.
//
// Empty lists and maps become nil, as after a round trip through the
// apiserver's storage (see manifest.NormalizeEmpty).
func ApplyDefaults(o *Object) {
	if !o.Typed || !manifest.IsBuiltinGroup(o.GVK.Group) {
		return
	}
	manifest.NormalizeEmpty(o.Obj)
	switch obj := o.Obj.(type) {
	case *corev1.Namespace:
		if obj.Name != "" {
			if obj.Labels == nil {
				obj.Labels = map[string]string{}
			}
			obj.Labels[corev1.LabelMetadataName] = obj.Name
		}
	case *networkingv1.NetworkPolicy:
		defaultNetworkPolicy(obj)
	case *corev1.Service:
		defaultService(obj)
	case *corev1.Pod:
		defaultPodSpec(&obj.Spec)
		CopyLimitsToRequests(&obj.Spec)
	case *corev1.PodTemplate:
		defaultPodSpec(&obj.Template.Spec)
	case *corev1.ReplicationController:
		defaultReplicas(&obj.Spec.Replicas)
		if obj.Spec.Template != nil {
			defaultPodSpec(&obj.Spec.Template.Spec)
		}
	case *appsv1.Deployment:
		defaultReplicas(&obj.Spec.Replicas)
		defaultPodSpec(&obj.Spec.Template.Spec)
	case *appsv1.ReplicaSet:
		defaultReplicas(&obj.Spec.Replicas)
		defaultPodSpec(&obj.Spec.Template.Spec)
	case *appsv1.StatefulSet:
		defaultReplicas(&obj.Spec.Replicas)
		defaultPodSpec(&obj.Spec.Template.Spec)
	case *appsv1.DaemonSet:
		defaultPodSpec(&obj.Spec.Template.Spec)
	case *batchv1.Job:
		defaultJob(&obj.Spec)
	case *batchv1.CronJob:
		defaultJob(&obj.Spec.JobTemplate.Spec)
	case *corev1.Secret:
		if obj.Type == "" {
			obj.Type = corev1.SecretTypeOpaque
		}
	case *corev1.LimitRange:
		defaultLimitRange(obj)
	case *corev1.ResourceQuota:
		roundResourceList(obj.Spec.Hard)
	case *rbacv1.RoleBinding:
		defaultRoleRef(&obj.RoleRef)
		defaultSubjects(obj.Subjects)
	case *rbacv1.ClusterRoleBinding:
		defaultRoleRef(&obj.RoleRef)
		defaultSubjects(obj.Subjects)
	}
}

func defaultNetworkPolicy(np *networkingv1.NetworkPolicy) {
	if len(np.Spec.PolicyTypes) == 0 {
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		if len(np.Spec.Egress) > 0 {
			np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		}
	}
	defaultPorts := func(ports []networkingv1.NetworkPolicyPort) {
		for i := range ports {
			if ports[i].Protocol == nil {
				tcp := corev1.ProtocolTCP
				ports[i].Protocol = &tcp
			}
		}
	}
	for i := range np.Spec.Ingress {
		defaultPorts(np.Spec.Ingress[i].Ports)
	}
	for i := range np.Spec.Egress {
		defaultPorts(np.Spec.Egress[i].Ports)
	}
}

func defaultService(svc *corev1.Service) {
	if svc.Spec.Type == "" {
		svc.Spec.Type = corev1.ServiceTypeClusterIP
	}
	for i := range svc.Spec.Ports {
		p := &svc.Spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = corev1.ProtocolTCP
		}
		if p.TargetPort == intstr.FromInt32(0) || p.TargetPort == intstr.FromString("") {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
}

func defaultPodSpec(spec *corev1.PodSpec) {
	if spec.ServiceAccountName == "" {
		spec.ServiceAccountName = spec.DeprecatedServiceAccount
	}
	spec.DeprecatedServiceAccount = spec.ServiceAccountName
	if spec.RestartPolicy == "" {
		spec.RestartPolicy = corev1.RestartPolicyAlways
	}
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			defaultContainer(&list[i])
		}
	}
	for i := range spec.EphemeralContainers {
		defaultContainer((*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon))
	}
	if spec.Resources != nil {
		roundResourceList(spec.Resources.Limits)
		roundResourceList(spec.Resources.Requests)
	}
	roundResourceList(spec.Overhead)
}

func defaultContainer(c *corev1.Container) {
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = corev1.ProtocolTCP
		}
	}
	roundResourceList(c.Resources.Limits)
	roundResourceList(c.Resources.Requests)
}

// CopyLimitsToRequests applies the Pod default that a container limit without
// a request becomes the request (containers and init containers).
func CopyLimitsToRequests(spec *corev1.PodSpec) {
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			r := &list[i].Resources
			for name, limit := range r.Limits {
				if _, ok := r.Requests[name]; ok {
					continue
				}
				if r.Requests == nil {
					r.Requests = corev1.ResourceList{}
				}
				r.Requests[name] = limit.DeepCopy()
			}
		}
	}
}

func defaultReplicas(replicas **int32) {
	if *replicas == nil {
		one := int32(1)
		*replicas = &one
	}
}

func defaultJob(spec *batchv1.JobSpec) {
	if spec.Parallelism == nil && spec.Completions == nil {
		defaultReplicas(&spec.Parallelism)
		defaultReplicas(&spec.Completions)
	} else if spec.Parallelism == nil {
		defaultReplicas(&spec.Parallelism)
	}
	defaultPodSpec(&spec.Template.Spec)
}

func defaultLimitRange(lr *corev1.LimitRange) {
	for i := range lr.Spec.Limits {
		item := &lr.Spec.Limits[i]
		for _, l := range []corev1.ResourceList{item.Max, item.Min, item.Default, item.DefaultRequest, item.MaxLimitRequestRatio} {
			roundResourceList(l)
		}
		if item.Type != corev1.LimitTypeContainer {
			continue
		}
		item.Default = fillMissing(item.Default, item.Max)
		item.DefaultRequest = fillMissing(item.DefaultRequest, item.Default)
		item.DefaultRequest = fillMissing(item.DefaultRequest, item.Min)
	}
}

// fillMissing adds to dst every key of src that dst lacks.
func fillMissing(dst, src corev1.ResourceList) corev1.ResourceList {
	for name, q := range src {
		if _, ok := dst[name]; ok {
			continue
		}
		if dst == nil {
			dst = corev1.ResourceList{}
		}
		dst[name] = q.DeepCopy()
	}
	return dst
}

// roundResourceList rounds quantities up to milli precision, as the
// apiserver's ResourceList default does.
func roundResourceList(l corev1.ResourceList) {
	for name, q := range l {
		if !q.RoundUp(-3) {
			l[name] = q
		}
	}
}

func defaultRoleRef(ref *rbacv1.RoleRef) {
	if ref.APIGroup == "" {
		ref.APIGroup = rbacv1.GroupName
	}
}

func defaultSubjects(subjects []rbacv1.Subject) {
	for i := range subjects {
		s := &subjects[i]
		if s.APIGroup == "" && (s.Kind == rbacv1.UserKind || s.Kind == rbacv1.GroupKind) {
			s.APIGroup = rbacv1.GroupName
		}
	}
}
