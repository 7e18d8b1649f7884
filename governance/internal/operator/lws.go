// LeaderWorkerSet (leaderworkerset.x-k8s.io/v1): the templates of a
// LeaderWorkerSet are spec.leaderWorkerTemplate.leaderTemplate (role
// "leader") and spec.leaderWorkerTemplate.workerTemplate (role "worker").
// The pods are those of the StatefulSets the LWS controller creates: one
// leader StatefulSet "<lws>" of replicas pods, built from the leader
// template or, when there is none, from the worker template; and per
// leader a worker StatefulSet "<lws>-<group>" of size-1 pods (ordinals
// from 1). Followed, at kubernetes-sigs/lws v0.10.0:
// api/leaderworkerset/v1/leaderworkerset_types.go (label keys, replicas
// and size default 1, maxSurge default 0),
// pkg/controllers/leaderworkerset_controller.go
// (constructLeaderStatefulSetApplyConfiguration: template choice, labels
// name and worker-index=0, size annotation, service name <lws>),
// pkg/controllers/pod_controller.go
// (constructWorkerStatefulSetApplyConfiguration: group-index, group-key,
// leader-name annotation, service name by subdomainPolicy),
// pkg/webhooks/pod_webhook.go (group-index and group-key on leaders,
// worker-index on workers from the pod ordinal, subdomain of a leader
// under UniquePerReplica), pkg/webhooks/leaderworkerset_webhook.go (Shared
// subdomain policy by default) and pkg/utils/pod/pod_utils.go
// (AddLWSVariables).
//
// One Pod stands for every pod of a kind: it carries the labels of group 0
// (group-index "0", group-key the SHA-1 of "<namespace>/<lws>-0" as the
// webhook computes it); the worker stands for the first worker of the
// group (worker-index "1"; the others count on). Pods are named by their
// StatefulSet, the ordinal being the generated part: leaders "<lws>"
// (pods <lws>-0, <lws>-1, ...), workers "<lws>-0" (pods <lws>-0-1, ...,
// of group 0). The LWS_LEADER_ADDRESS, LWS_GROUP_SIZE and LWS_WORKER_INDEX
// env vars are put first in every container and init container, replacing
// a same-named var, as AddLWSVariables does. With size 1 the worker
// StatefulSet has no pods and no worker Pod is derived. MaxReplicas is the
// count during a rolling update, maxSurge (an int or a percentage of
// replicas, rounded up, at most replicas) extra groups; MinReplicas and
// MaxReplicas stay nil without a surge. Not derived: the
// template-revision-hash label (a hash of the controller revision), the
// subgroup labels, the exclusive-topology affinities and the TPU env vars
// the webhook adds, and the StatefulSet controller's own pod labels.
package operator

import (
	"crypto/sha1" //nolint:gosec // the LWS pod webhook's group-key is SHA-1; computed, not used for security
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The LeaderWorkerSet API's label, annotation and env names
// (api/leaderworkerset/v1 at v0.10.0).
const (
	lwsGroup           = "leaderworkerset.x-k8s.io"
	lwsNameKey         = "leaderworkerset.sigs.k8s.io/name"
	lwsGroupIndexKey   = "leaderworkerset.sigs.k8s.io/group-index"
	lwsWorkerIndexKey  = "leaderworkerset.sigs.k8s.io/worker-index"
	lwsGroupKeyKey     = "leaderworkerset.sigs.k8s.io/group-key"
	lwsSizeKey         = "leaderworkerset.sigs.k8s.io/size"
	lwsLeaderNameKey   = "leaderworkerset.sigs.k8s.io/leader-name"
	lwsSubdomainKey    = "leaderworkerset.sigs.k8s.io/subdomainPolicy"
	lwsLeaderAddrEnv   = "LWS_LEADER_ADDRESS"
	lwsGroupSizeEnv    = "LWS_GROUP_SIZE"
	lwsWorkerIndexEnv  = "LWS_WORKER_INDEX"
	lwsUniqueSubdomain = "UniquePerReplica"

	lwsLeaderTemplatePath = "spec.leaderWorkerTemplate.leaderTemplate.spec"
	lwsWorkerTemplatePath = "spec.leaderWorkerTemplate.workerTemplate.spec"
)

func lwsKinds() []Kind {
	return []Kind{{
		GroupKind: schema.GroupKind{Group: lwsGroup, Kind: "LeaderWorkerSet"},
		Versions:  []string{"v1"},
		Templates: lwsTemplates,
		Pods:      lwsPods,
		Integers:  []string{"spec.replicas", "spec.leaderWorkerTemplate.size"},
	}}
}

// lwsTemplates decodes the leader template (when written) and the worker
// template.
func lwsTemplates(obj map[string]any) ([]Template, []string, error) {
	var out []Template
	var unknown []string
	for _, t := range []struct {
		key, path, role string
	}{
		{"leaderTemplate", lwsLeaderTemplatePath, "leader"},
		{"workerTemplate", lwsWorkerTemplatePath, "worker"},
	} {
		m, ok := Field(obj, "spec", "leaderWorkerTemplate", t.key)
		if !ok || m == nil {
			continue
		}
		tmpl, unk, err := DecodeTemplate(m, t.path, t.role)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, tmpl)
		unknown = append(unknown, unk...)
	}
	return out, unknown, nil
}

// lwsPods derives the leader pods and the worker pods.
func lwsPods(r *Resource, _ Lookup) []Pod {
	leader, hasLeader := lwsTemplate(r.Templates, "leader")
	worker, hasWorker := lwsTemplate(r.Templates, "worker")
	if !hasWorker {
		return nil
	}
	if !hasLeader {
		leader = worker
	}
	replicas := Int(r.Object, 1, "spec", "replicas")
	if replicas < 0 {
		replicas = 0
	}
	size := Int(r.Object, 1, "spec", "leaderWorkerTemplate", "size")
	if size < 1 {
		size = 1
	}
	surge := lwsMaxSurge(r.Object, replicas)

	// Group 0's leader pod names the subdomain and the leader address of
	// the representative pods.
	leaderPodName := r.Name + "-0"
	subdomain := r.Name
	unique := String(r.Object, "spec", "networkConfig", "subdomainPolicy") == lwsUniqueSubdomain
	if unique {
		subdomain = leaderPodName
	}
	groupKey := lwsGroupKey(r.Namespace, leaderPodName)
	sizeStr := strconv.Itoa(int(size))
	address := leaderPodName + "." + subdomain + "." + r.Namespace

	leaderPod := NewPod(r, &leader, r.Name, map[string]string{
		lwsNameKey:        r.Name,
		lwsWorkerIndexKey: "0",
		lwsGroupIndexKey:  "0",
		lwsGroupKeyKey:    groupKey,
	})
	leaderAnn := map[string]string{lwsSizeKey: sizeStr}
	if unique {
		leaderAnn[lwsSubdomainKey] = lwsUniqueSubdomain
	}
	lwsAnnotate(leaderPod, leaderAnn)
	leaderPod.Spec.Subdomain = subdomain
	lwsAddEnv(&leaderPod.Spec, address, sizeStr, "0")
	out := []Pod{lwsWithSurge(Pod{Role: "leader", SpecPath: leader.Path, Replicas: replicas, Pod: leaderPod}, replicas, surge, 1)}

	if size == 1 {
		return out
	}
	workerPod := NewPod(r, &worker, leaderPodName, map[string]string{
		lwsNameKey:        r.Name,
		lwsGroupIndexKey:  "0",
		lwsGroupKeyKey:    groupKey,
		lwsWorkerIndexKey: "1",
	})
	lwsAnnotate(workerPod, map[string]string{lwsSizeKey: sizeStr, lwsLeaderNameKey: leaderPodName})
	workerPod.Spec.Subdomain = subdomain
	lwsAddEnv(&workerPod.Spec, address, sizeStr, "1")
	perGroup := size - 1
	out = append(out, lwsWithSurge(Pod{Role: "worker", SpecPath: worker.Path,
		Replicas: lwsMul(replicas, perGroup), Pod: workerPod}, replicas, surge, perGroup))
	return out
}

// lwsWithSurge sets the bounds of p under a rolling update that may run
// surge extra groups of perGroup pods.
func lwsWithSurge(p Pod, replicas, surge, perGroup int32) Pod {
	if surge > 0 {
		p.MinReplicas = Ptr(p.Replicas)
		p.MaxReplicas = Ptr(lwsMul(replicas+surge, perGroup))
	}
	return p
}

// lwsMul multiplies pod counts without overflowing int32.
func lwsMul(a, b int32) int32 {
	n := int64(a) * int64(b)
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(n)
}

// lwsMaxSurge is the number of extra groups a rolling update may create:
// an int, or a percentage of replicas rounded up (as
// intstr.GetScaledValueFromIntOrPercent with roundUp), at most replicas.
func lwsMaxSurge(obj map[string]any, replicas int32) int32 {
	v, ok := Field(obj, "spec", "rolloutStrategy", "rollingUpdateConfiguration", "maxSurge")
	if !ok {
		return 0
	}
	var surge int32
	if s, isString := v.(string); isString {
		pct, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
		if !strings.HasSuffix(s, "%") || err != nil || pct < 0 {
			return 0
		}
		surge = int32(math.Ceil(float64(pct) * float64(replicas) / 100))
	} else {
		surge = Int(obj, 0, "spec", "rolloutStrategy", "rollingUpdateConfiguration", "maxSurge")
	}
	if surge < 0 {
		return 0
	}
	if surge > replicas {
		surge = replicas
	}
	return surge
}

// lwsGroupKey is the pod webhook's group-key of a group: the SHA-1 of
// "<namespace>/<leader pod name>".
func lwsGroupKey(namespace, leaderPodName string) string {
	sum := sha1.Sum([]byte(namespace + "/" + leaderPodName)) //nolint:gosec // upstream's hash, see the import
	return hex.EncodeToString(sum[:])
}

func lwsTemplate(ts []Template, role string) (Template, bool) {
	for _, t := range ts {
		if t.Role == role {
			return t, true
		}
	}
	return Template{}, false
}

// lwsAnnotate sets the controller's pod annotations over the template's.
func lwsAnnotate(pod *corev1.Pod, ann map[string]string) {
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	for k, v := range ann {
		pod.Annotations[k] = v
	}
}

// lwsAddEnv puts the three LWS env vars first in every container and init
// container; a same-named var of the container, and any later duplicate
// name, is dropped, so the webhook's value wins (AddLWSVariables).
func lwsAddEnv(spec *corev1.PodSpec, address, size, workerIndex string) {
	vars := []corev1.EnvVar{
		{Name: lwsLeaderAddrEnv, Value: address},
		{Name: lwsGroupSizeEnv, Value: size},
		{Name: lwsWorkerIndexEnv, Value: workerIndex},
	}
	add := func(c *corev1.Container) {
		env := append([]corev1.EnvVar{}, vars...)
		seen := map[string]bool{lwsLeaderAddrEnv: true, lwsGroupSizeEnv: true, lwsWorkerIndexEnv: true}
		for _, e := range c.Env {
			if !seen[e.Name] {
				seen[e.Name] = true
				env = append(env, e)
			}
		}
		c.Env = env
	}
	for i := range spec.Containers {
		add(&spec.Containers[i])
	}
	for i := range spec.InitContainers {
		add(&spec.InitContainers[i])
	}
}
