// JobSet (jobset.x-k8s.io/v1alpha2): the templates of a JobSet are the pod
// templates of its replicated jobs (spec.replicatedJobs[i].template, a
// batch/v1 JobTemplateSpec, decoded strictly as a whole so that a typo in
// parallelism is reported too), each named after its replicated job. The
// pods are those the JobSet controller and then the Job controller create:
// replicas Jobs per replicated job, each running min(parallelism,
// completions) pods. Followed, at kubernetes-sigs/jobset v0.12.0:
// pkg/controllers/jobset_controller.go (constructJob, labelAndAnnotateObject,
// GetSubdomain, CoordinatorEndpoint, globalJobIndex, groupJobIndex,
// jobHashKey), pkg/controllers/volume_claim_policy.go (addVolumes),
// pkg/webhooks/jobset_webhook.go (Default: Indexed completion mode, pod
// restartPolicy OnFailure, DNS hostnames on), api/jobset/v1alpha2 (replicas
// and groupName defaults); the pod count as Kueue v0.17.0 computes it
// (pkg/controller/jobs/jobset/jobset_controller.go PodsCountPerReplica); and
// the Job controller of Kubernetes v1.37.2 (pkg/registry/batch/job/strategy.go
// job-name labels, unless the pod template sets them; pkg/controller/job
// indexed pods: completion-index label and annotation, hostname
// <job>-<index>, JOB_COMPLETION_INDEX env, index failure count). Proven
// against JobSet v0.8.2's own webhook and controller (the version the
// proof's module can build; the group keys of v0.9.0 on are checked by
// meaning) in jobset_proof_test.go.
//
// One Pod stands for every pod of a replicated job: it carries the labels
// of job index 0 and completion index 0 (the values differ between the
// pods; the keys, which selectors match on, do not), and it is named
// <jobset>-<replicatedJob>. Labels whose value the cluster invents are left
// out: jobset-uid and the Job's controller-uid. job-key is the SHA-1 of
// "<namespace>/<job name>" (jobHashKey; the value is sha1, not SHA-256) of
// job 0, computed. Not derived: the exclusive-placement pod affinities the
// JobSet pod webhook adds (the followers' node comes from the leader's
// scheduling), the priority label it copies from a resolved priority, the
// restart-attempt of a restarted JobSet (0 here) and spec.managedBy (pods
// of a JobSet managed elsewhere are still counted here).
package operator

import (
	"crypto/sha1" //nolint:gosec // the JobSet controller's job-key is SHA-1; computed, not used for security
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"
)

// The JobSet API's label and annotation keys (api/jobset/v1alpha2 and
// pkg/constants at v0.12.0).
const (
	jobSetNameKey           = "jobset.sigs.k8s.io/jobset-name"
	jobSetReplicatedJobKey  = "jobset.sigs.k8s.io/replicatedjob-name"
	jobSetRJobReplicasKey   = "jobset.sigs.k8s.io/replicatedjob-replicas"
	jobSetGlobalReplicasKey = "jobset.sigs.k8s.io/global-replicas"
	jobSetJobIndexKey       = "jobset.sigs.k8s.io/job-index"
	jobSetJobGlobalIndexKey = "jobset.sigs.k8s.io/job-global-index"
	jobSetJobKey            = "jobset.sigs.k8s.io/job-key"
	jobSetGroupNameKey      = "jobset.sigs.k8s.io/group-name"
	jobSetGroupReplicasKey  = "jobset.sigs.k8s.io/group-replicas"
	jobSetJobGroupIndexKey  = "jobset.sigs.k8s.io/job-group-index"
	jobSetRestartsKey       = "jobset.sigs.k8s.io/restart-attempt"
	jobSetCoordinatorKey    = "jobset.sigs.k8s.io/coordinator"
	jobSetExclusiveKey      = "alpha.jobset.sigs.k8s.io/exclusive-topology"
	jobSetNodeSelectorKey   = "alpha.jobset.sigs.k8s.io/node-selector"
	jobSetNamespacedJobKey  = "alpha.jobset.sigs.k8s.io/namespaced-job"
	jobSetNoScheduleKey     = "alpha.jobset.sigs.k8s.io/no-schedule"

	// The Job controller's (k8s.io/api/batch/v1).
	jobSetBatchJobNameLabel  = "batch.kubernetes.io/job-name"
	jobSetLegacyJobNameLabel = "job-name"
	jobSetCompletionIndexKey = "batch.kubernetes.io/job-completion-index"
	jobSetCompletionIndexEnv = "JOB_COMPLETION_INDEX"
	// jobSetIndexFailureCountKey is batchv1.JobIndexFailureCountAnnotation.
	jobSetIndexFailureCountKey = "batch.kubernetes.io/job-index-failure-count"
	jobSetDefaultGroup         = "default"
	jobSetGroup                = "jobset.x-k8s.io"
	jobSetRepresentativeIdx    = 0
)

func jobSetKinds() []Kind {
	return []Kind{{
		GroupKind: schema.GroupKind{Group: jobSetGroup, Kind: "JobSet"},
		Versions:  []string{"v1alpha2"},
		Templates: func(obj map[string]any) ([]Template, []string, error) {
			return replicatedJobTemplates(Map(obj, "spec"), "spec")
		},
		Pods:     jobSetPods,
		Integers: append(replicatedJobIntegers("spec"), "spec.coordinator.jobIndex", "spec.coordinator.podIndex"),
	}}
}

// replicatedJobIntegers are the counts of the replicated jobs of the
// JobSet spec at prefix.
func replicatedJobIntegers(prefix string) []string {
	return []string{prefix + ".replicatedJobs[*].replicas",
		prefix + ".replicatedJobs[*].template.spec.parallelism",
		prefix + ".replicatedJobs[*].template.spec.completions"}
}

// jobSetPods derives the pods of a JobSet resource.
func jobSetPods(r *Resource, _ Lookup) []Pod {
	annotations, _ := jobSetStringMap(Map(r.Object, "metadata", "annotations"))
	js := readJobSet(r.Name, annotations, Map(r.Object, "spec"), "spec", r.Templates)
	return js.pods(r)
}

// replicatedJobTemplates decodes the pod templates of the JobSet spec
// whose field path is prefix ("spec" in a JobSet, "spec.template.spec" in
// a training runtime).
func replicatedJobTemplates(spec map[string]any, prefix string) ([]Template, []string, error) {
	var out []Template
	var unknown []string
	for i, item := range Slice(spec, "replicatedJobs") {
		rjob, ok := item.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("%s.replicatedJobs[%d]: not an object", prefix, i)
		}
		jt, ok := rjob["template"]
		if !ok || jt == nil {
			continue
		}
		t, u, err := decodeJobTemplate(jt, jobTemplatePath(prefix, i), String(rjob, "name"))
		if err != nil {
			return nil, nil, err
		}
		out = append(out, t)
		unknown = append(unknown, u...)
	}
	return out, unknown, nil
}

// jobTemplatePath is the field path of the i-th replicated job's Job
// template.
func jobTemplatePath(prefix string, i int) string {
	return fmt.Sprintf("%s.replicatedJobs[%d].template", prefix, i)
}

// decodeJobTemplate decodes a batch/v1 JobTemplateSpec at jobPath strictly
// and returns its pod template; unknown fields anywhere in the Job
// template come back as full paths.
func decodeJobTemplate(m any, jobPath, role string) (Template, []string, error) {
	t := Template{Path: jobPath + ".spec.template.spec", Role: role}
	raw, err := json.Marshal(m)
	if err != nil {
		return t, nil, fmt.Errorf("%s: %w", jobPath, err)
	}
	var jts batchv1.JobTemplateSpec
	strict, err := kjson.UnmarshalStrict(raw, &jts, kjson.DisallowUnknownFields)
	if err != nil {
		return t, nil, fmt.Errorf("%s: %w", jobPath, err)
	}
	var unknown []string
	for _, e := range strict {
		var fe kjson.FieldError
		if !errors.As(e, &fe) || !strings.HasPrefix(e.Error(), "unknown field ") {
			return t, nil, fmt.Errorf("%s: %w", jobPath, e)
		}
		unknown = append(unknown, jobPath+"."+fe.FieldPath())
	}
	t.Meta, t.Spec = jts.Spec.Template.ObjectMeta, jts.Spec.Template.Spec
	return t, unknown, nil
}

// jobSet is what the JobSet controller reads to create Jobs: the JobSet's
// name, annotations and spec, with the webhook's and the CRD's defaults.
type jobSet struct {
	name        string
	annotations map[string]string
	suspend     bool
	// dnsHostnames is network.enableDNSHostnames (default true).
	dnsHostnames bool
	// subdomain is network.subdomain, or the JobSet's name.
	subdomain string
	// coordinator is the coordinator endpoint label value; "" without
	// spec.coordinator.
	coordinator string
	// claimTemplates are the names of the volumeClaimPolicies' templates.
	claimTemplates []string
	jobs           []replicatedJob
}

// replicatedJob is one entry of spec.replicatedJobs.
type replicatedJob struct {
	name      string
	groupName string
	replicas  int32
	// parallelism is the Job's (default 1); completions is -1 when unset.
	parallelism, completions int32
	// indexed is completionMode Indexed, the webhook's default.
	indexed bool
	// backoffPerIndex is spec.backoffLimitPerIndex set (an Indexed Job's
	// pods then carry their index's failure count).
	backoffPerIndex bool
	// jobLabels and jobAnnotations are the Job template's own metadata
	// (not the pods'): a training runtime marks its jobs there.
	jobLabels, jobAnnotations map[string]string
	// template is the pod template, shared with the resource's Templates
	// until a caller copies it to edit it.
	template Template
	// specPath is the Pod's SpecPath: the template's path unless a caller
	// names another field.
	specPath string
}

// podsPerJob is how many pods one Job of the replicated job runs at
// once: min(parallelism, completions).
func (j *replicatedJob) podsPerJob() int32 {
	if j.completions >= 0 && j.completions < j.parallelism {
		return j.completions
	}
	return j.parallelism
}

// readJobSet reads the JobSet spec whose field path is prefix. Templates
// are taken from templates (the resource's decoded ones) by path, decoded
// here when missing; a replicated job whose template does not decode is
// left out (the loader reported it).
func readJobSet(name string, annotations map[string]string, spec map[string]any, prefix string, templates []Template) *jobSet {
	js := &jobSet{name: name, annotations: annotations, suspend: Bool(spec, "suspend"),
		dnsHostnames: true, subdomain: name}
	if v, ok := Field(spec, "network", "enableDNSHostnames"); ok {
		if b, isBool := v.(bool); isBool {
			js.dnsHostnames = b
		}
	}
	if s := String(spec, "network", "subdomain"); s != "" {
		js.subdomain = s
	}
	if c := Map(spec, "coordinator"); c != nil {
		js.coordinator = fmt.Sprintf("%s-%s-%d-%d.%s", name, String(c, "replicatedJob"),
			Int(c, 0, "jobIndex"), Int(c, 0, "podIndex"), js.subdomain)
	}
	for _, p := range Slice(spec, "volumeClaimPolicies") {
		policy, _ := p.(map[string]any)
		for _, t := range Slice(policy, "templates") {
			tm, _ := t.(map[string]any)
			if n := String(tm, "metadata", "name"); n != "" {
				js.claimTemplates = append(js.claimTemplates, n)
			}
		}
	}
	for i, item := range Slice(spec, "replicatedJobs") {
		rjob, _ := item.(map[string]any)
		jt := Map(rjob, "template")
		if jt == nil {
			continue
		}
		path := jobTemplatePath(prefix, i)
		t, ok := jobSetTemplateAt(templates, path+".spec.template.spec")
		if !ok {
			var err error
			if t, _, err = decodeJobTemplate(jt, path, String(rjob, "name")); err != nil {
				continue
			}
		}
		j := replicatedJob{
			name:        String(rjob, "name"),
			groupName:   String(rjob, "groupName"),
			replicas:    Int(rjob, 1, "replicas"),
			parallelism: Int(jt, 1, "spec", "parallelism"),
			completions: Int(jt, -1, "spec", "completions"),
			indexed:     String(jt, "spec", "completionMode") != string(batchv1.NonIndexedCompletion),
			template:    t,
			specPath:    t.Path,
		}
		if v, ok := Field(jt, "spec", "backoffLimitPerIndex"); ok && v != nil {
			j.backoffPerIndex = true
		}
		if j.groupName == "" {
			j.groupName = jobSetDefaultGroup
		}
		j.jobLabels, _ = jobSetStringMap(Map(jt, "metadata", "labels"))
		j.jobAnnotations, _ = jobSetStringMap(Map(jt, "metadata", "annotations"))
		js.jobs = append(js.jobs, j)
	}
	return js
}

// jobSetTemplateAt returns the template whose pod spec is at path.
func jobSetTemplateAt(templates []Template, path string) (Template, bool) {
	for _, t := range templates {
		if t.Path == path {
			return t, true
		}
	}
	return Template{}, false
}

// pods builds one Pod per replicated job, as the JobSet controller, its
// webhook and the Job controller make them, in r's namespace.
func (js *jobSet) pods(r *Resource) []Pod {
	var globalReplicas int32
	groupReplicas := map[string]int32{}
	for _, j := range js.jobs {
		globalReplicas += j.replicas
		groupReplicas[j.groupName] += j.replicas
	}
	var out []Pod
	var globalIndex int32
	groupIndex := map[string]int32{}
	for i := range js.jobs {
		j := &js.jobs[i]
		jobName := fmt.Sprintf("%s-%s-%d", js.name, j.name, jobSetRepresentativeIdx)
		jobSetKeys := map[string]string{
			jobSetNameKey:           js.name,
			jobSetReplicatedJobKey:  j.name,
			jobSetRestartsKey:       "0",
			jobSetRJobReplicasKey:   strconv.Itoa(int(j.replicas)),
			jobSetGlobalReplicasKey: strconv.Itoa(int(globalReplicas)),
			jobSetJobIndexKey:       strconv.Itoa(jobSetRepresentativeIdx),
			jobSetJobKey:            jobSetJobHash(r.Namespace, jobName),
			jobSetJobGlobalIndexKey: strconv.Itoa(int(globalIndex) + jobSetRepresentativeIdx),
			jobSetGroupNameKey:      j.groupName,
			jobSetGroupReplicasKey:  strconv.Itoa(int(groupReplicas[j.groupName])),
			jobSetJobGroupIndexKey:  strconv.Itoa(int(groupIndex[j.groupName]) + jobSetRepresentativeIdx),
		}
		globalIndex += j.replicas
		groupIndex[j.groupName] += j.replicas
		if js.coordinator != "" {
			jobSetKeys[jobSetCoordinatorKey] = js.coordinator
		}
		// The apiserver's generateSelector (Kubernetes v1.37.2
		// pkg/registry/batch/job/strategy.go) adds the job-name labels
		// only when the pod template does not set them: a template's own
		// value stays.
		labels := map[string]string{}
		for _, key := range []string{jobSetBatchJobNameLabel, jobSetLegacyJobNameLabel} {
			if _, set := j.template.Meta.Labels[key]; !set {
				labels[key] = jobName
			}
		}
		for k, v := range jobSetKeys {
			labels[k] = v
		}
		if j.indexed {
			labels[jobSetCompletionIndexKey] = "0"
		}
		pod := NewPod(r, &j.template, js.name+"-"+j.name, labels)

		// The controller writes its keys as annotations too.
		annotations := make(map[string]string, len(jobSetKeys)+3)
		for k, v := range jobSetKeys {
			annotations[k] = v
		}
		if topology, ok := js.annotations[jobSetExclusiveKey]; ok {
			annotations[jobSetExclusiveKey] = topology
			if v, ok := js.annotations[jobSetNodeSelectorKey]; ok {
				annotations[jobSetNodeSelectorKey] = v
			}
		}
		if topology, ok := j.jobAnnotations[jobSetExclusiveKey]; ok {
			annotations[jobSetExclusiveKey] = topology
			if v, ok := j.jobAnnotations[jobSetNodeSelectorKey]; ok {
				annotations[jobSetNodeSelectorKey] = v
			}
		}
		if j.indexed {
			annotations[jobSetCompletionIndexKey] = "0"
			if j.backoffPerIndex {
				// addIndexFailureCountAnnotation (Kubernetes v1.37.2
				// pkg/controller/job/indexed_job_utils.go): a first pod of
				// its index has failed 0 times.
				annotations[jobSetIndexFailureCountKey] = "0"
			}
		}
		if pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		for k, v := range annotations {
			pod.Annotations[k] = v
		}

		spec := &pod.Spec
		if spec.RestartPolicy == "" {
			spec.RestartPolicy = corev1.RestartPolicyOnFailure
		}
		if js.dnsHostnames {
			spec.Subdomain = js.subdomain
		}
		if js.exclusiveByNodeSelector(j) {
			if spec.NodeSelector == nil {
				spec.NodeSelector = map[string]string{}
			}
			spec.NodeSelector[jobSetNamespacedJobKey] = r.Namespace + "_" + jobName
			spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: jobSetNoScheduleKey,
				Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
		}
		for _, claim := range js.claimTemplates {
			if jobSetMountsVolume(spec, claim) {
				spec.Volumes = append(spec.Volumes, corev1.Volume{Name: claim, VolumeSource: corev1.VolumeSource{
					PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim + "-" + js.name}}})
			}
		}
		if j.indexed {
			spec.Hostname = jobName + "-0"
			jobSetAddCompletionIndexEnv(spec)
		}

		// In int64 and clamped: a manifest may hold any numbers, the
		// apiserver's validation is not in front of it.
		replicas := int32(min(max(int64(j.replicas)*int64(j.podsPerJob()), 0), math.MaxInt32))
		if js.suspend || j.replicas < 0 || j.podsPerJob() < 0 {
			replicas = 0
		}
		out = append(out, Pod{Role: j.template.Role, SpecPath: j.specPath, Replicas: replicas, Pod: pod})
	}
	return out
}

// exclusiveByNodeSelector reports whether the Jobs of j use the
// node-selector strategy of exclusive placement: the Job carries both
// annotations, from the JobSet or from the Job template.
func (js *jobSet) exclusiveByNodeSelector(j *replicatedJob) bool {
	_, jsExclusive := js.annotations[jobSetExclusiveKey]
	_, jsNodeSelector := js.annotations[jobSetNodeSelectorKey]
	_, jobExclusive := j.jobAnnotations[jobSetExclusiveKey]
	_, jobNodeSelector := j.jobAnnotations[jobSetNodeSelectorKey]
	return (jsExclusive || jobExclusive) && (jobNodeSelector || (jsExclusive && jsNodeSelector))
}

// jobSetJobHash is the JobSet controller's job-key: the SHA-1 of
// "<namespace>/<job name>".
func jobSetJobHash(namespace, jobName string) string {
	sum := sha1.Sum([]byte(namespace + "/" + jobName)) //nolint:gosec // upstream's value
	return hex.EncodeToString(sum[:])
}

// jobSetMountsVolume reports whether a container or init container mounts the
// volume name.
func jobSetMountsVolume(spec *corev1.PodSpec, name string) bool {
	for _, cs := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
		for _, c := range cs {
			for _, m := range c.VolumeMounts {
				if m.Name == name {
					return true
				}
			}
		}
	}
	return false
}

// jobSetAddCompletionIndexEnv adds JOB_COMPLETION_INDEX, from the pod's
// completion-index label, to every container and init container that does
// not set it, as the Job controller does for Indexed Jobs.
func jobSetAddCompletionIndexEnv(spec *corev1.PodSpec) {
	add := func(c *corev1.Container) {
		for _, e := range c.Env {
			if e.Name == jobSetCompletionIndexEnv {
				return
			}
		}
		c.Env = append(c.Env, corev1.EnvVar{Name: jobSetCompletionIndexEnv, ValueFrom: &corev1.EnvVarSource{
			FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['" + jobSetCompletionIndexKey + "']"}}})
	}
	for i := range spec.InitContainers {
		add(&spec.InitContainers[i])
	}
	for i := range spec.Containers {
		add(&spec.Containers[i])
	}
}

// jobSetStringMap converts an unstructured map of strings; ok is false when a
// value is not a string (those are left out).
func jobSetStringMap(m map[string]any) (map[string]string, bool) {
	if m == nil {
		return nil, true
	}
	out := make(map[string]string, len(m))
	ok := true
	for k, v := range m {
		s, isString := v.(string)
		if !isString {
			ok = false
			continue
		}
		out[k] = s
	}
	return out, ok
}
