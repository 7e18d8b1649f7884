// Command jobsetpods prints, as JSON, the pods of each JobSet in the YAML
// files given as arguments: the Jobs are those JobSet v0.8.2's own
// controller creates, and the pods those the Kubernetes Job controller
// then creates from each Job.
//
// The JobSet part is JobSet's own code (module sigs.k8s.io/jobset v0.8.2):
// each JobSet goes through the mutating webhook's Default
// (pkg/webhooks/jobset_webhook.go: Indexed completion mode, pod
// restartPolicy OnFailure, DNS hostnames on) and its ValidateCreate, then
// into a controller-runtime fake client, and
// NewJobSetReconciler(...).Reconcile (pkg/controllers/jobset_controller.go:
// reconcileReplicatedJobs, constructJobsFromTemplate, constructJob,
// labelAndAnnotateObject) runs once on it; the Jobs it created are read
// back from the fake client. The fake client lists Jobs by owner through
// the index JobSet registers itself (SetupJobSetIndexes).
//
// The JobSet CRD's defaults are not applied by the fake client: a
// replicated job must spell out replicas (its CRD default, 1), or it is an
// error here rather than a silent difference.
//
// The Kubernetes part is not importable (k8s.io/kubernetes is not a
// library module), so jobPods below restates it from the source of
// Kubernetes v1.37.2, which aigov's jobset.go follows; each step names its
// upstream function:
//   - pkg/apis/batch/v1/defaults.go SetDefaults_Job: parallelism and
//     completions default to 1 when both are unset, parallelism to 1;
//   - pkg/registry/batch/job/strategy.go generateSelector (PrepareForCreate,
//     manualSelector unset): the pod template gets the job-name and
//     batch.kubernetes.io/job-name labels and the two controller-uid labels
//     (the Job's UID), each unless the template sets it;
//   - pkg/controller/job/job_controller.go manageJob: a suspended Job gets
//     no pods; otherwise min(parallelism, completions) pods at once
//     (parallelism without completions), each from a copy of the template
//     with the batch.kubernetes.io/job-tracking finalizer and, for an
//     Indexed Job (pkg/controller/job/indexed_job_utils.go), the
//     JOB_COMPLETION_INDEX env var on every container and init container
//     that lacks it (addCompletionIndexEnvVariables), the completion-index
//     annotation and label (addCompletionIndexAnnotation,
//     addCompletionIndexLabel), hostname <job>-<index>, generateName
//     <job>-<index>- (podGenerateNameWithIndex) and, with
//     backoffLimitPerIndex, an index failure count of 0
//     (addIndexFailureCountAnnotation: no pod is being replaced);
//     pkg/controller/controller_utils.go GetPodFromTemplate: labels,
//     annotations, finalizers and spec copied, generateName <job>- for a
//     NonIndexed Job, the Job as controller owner.
//
// The pod-spec defaults the apiserver gives every pod (dnsPolicy,
// schedulerName, ...) are applied by neither this command nor aigov.
// governance/internal/operator/jobset_proof_test.go runs it and compares
// the pods with those aigov derives. This module is test-only: it does
// not import aigov.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/go-logr/logr"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	jobset "sigs.k8s.io/jobset/api/jobset/v1alpha2"
	"sigs.k8s.io/jobset/pkg/controllers"
	"sigs.k8s.io/jobset/pkg/webhooks"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/internal/operatortest/internal/podio"
)

func main() {
	ctrl.SetLogger(logr.Discard())
	podio.Main("jobsetpods", os.Stdout, func(files []string) (any, error) { return run(context.Background(), files) })
}

// jobSetPods is one JobSet with the pods of its Jobs, as printed.
type jobSetPods struct {
	Namespace, Name string
	// Jobs are the names of the Jobs the controller created, sorted.
	Jobs []string
	Pods []jobSetPod
}

// jobSetPod is one pod: the replicated job and Job it belongs to, its
// completion index (-1 in a NonIndexed Job) and the pod.
type jobSetPod struct {
	ReplicatedJob   string
	Job             string
	JobIndex        int
	CompletionIndex int
	Pod             corev1.Pod
}

// capturingIndexer keeps the index functions SetupJobSetIndexes
// registers, for the fake client.
type capturingIndexer struct {
	indexes []capturedIndex
}

type capturedIndex struct {
	obj     client.Object
	field   string
	extract client.IndexerFunc
}

func (c *capturingIndexer) IndexField(_ context.Context, obj client.Object, field string, extract client.IndexerFunc) error {
	c.indexes = append(c.indexes, capturedIndex{obj, field, extract})
	return nil
}

func run(ctx context.Context, files []string) ([]jobSetPods, error) {
	scheme := apiruntime.NewScheme()
	for _, add := range []func(*apiruntime.Scheme) error{clientgoscheme.AddToScheme, jobset.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("scheme: %w", err)
		}
	}
	var out []jobSetPods
	err := podio.EachDocument(files, func(doc []byte) error {
		js := &jobset.JobSet{}
		if err := yaml.UnmarshalStrict(doc, js); err != nil {
			return err
		}
		if js.Kind != "JobSet" {
			return fmt.Errorf("kind %q is not JobSet", js.Kind)
		}
		if err := requireReplicas(doc); err != nil {
			return fmt.Errorf("JobSet %s/%s: %w", js.Namespace, js.Name, err)
		}
		got, err := reconcile(ctx, scheme, js)
		if err != nil {
			return fmt.Errorf("JobSet %s/%s: %w", js.Namespace, js.Name, err)
		}
		out = append(out, *got)
		return nil
	})
	return out, err
}

// requireReplicas reports a replicated job without replicas (the CRD
// defaults it to 1; the fake client does not, and 0 is a valid count).
func requireReplicas(doc []byte) error {
	var raw struct {
		Spec struct {
			ReplicatedJobs []map[string]any `json:"replicatedJobs"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &raw); err != nil {
		return err
	}
	for i, rj := range raw.Spec.ReplicatedJobs {
		if _, ok := rj["replicas"]; !ok {
			return fmt.Errorf("spec.replicatedJobs[%d]: spell out replicas (CRD default)", i)
		}
	}
	return nil
}

// reconcile runs JobSet's webhook and controller on js and returns the
// pods of the Jobs the controller created.
func reconcile(ctx context.Context, scheme *apiruntime.Scheme, js *jobset.JobSet) (*jobSetPods, error) {
	indexer := &capturingIndexer{}
	if err := controllers.SetupJobSetIndexes(ctx, indexer); err != nil {
		return nil, fmt.Errorf("indexes: %w", err)
	}
	builder := fake.NewClientBuilder().WithScheme(scheme).WithStatusSubresource(&jobset.JobSet{})
	for _, ix := range indexer.indexes {
		builder = builder.WithIndex(ix.obj, ix.field, ix.extract)
	}
	c := builder.Build()

	webhook, err := webhooks.NewJobSetWebhook(c)
	if err != nil {
		return nil, err
	}
	if err := webhook.Default(ctx, js); err != nil {
		return nil, fmt.Errorf("webhook default: %w", err)
	}
	if _, err := webhook.ValidateCreate(ctx, js); err != nil {
		return nil, fmt.Errorf("webhook validation: %w", err)
	}
	if err := c.Create(ctx, js); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	// A discarding recorder: events are not what is compared.
	r := controllers.NewJobSetReconciler(c, scheme, &record.FakeRecorder{})
	if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: js.Namespace, Name: js.Name}}); err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	var jobs batchv1.JobList
	if err := c.List(ctx, &jobs, client.InNamespace(js.Namespace)); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	sort.Slice(jobs.Items, func(i, j int) bool { return jobs.Items[i].Name < jobs.Items[j].Name })
	out := &jobSetPods{Namespace: js.Namespace, Name: js.Name, Jobs: []string{}, Pods: []jobSetPod{}}
	for i := range jobs.Items {
		job := &jobs.Items[i]
		if owner := metav1.GetControllerOf(job); owner == nil || owner.Kind != "JobSet" || owner.Name != js.Name {
			return nil, fmt.Errorf("job %s is not controlled by the JobSet", job.Name)
		}
		out.Jobs = append(out.Jobs, job.Name)
		jobIndex, err := strconv.Atoi(job.Labels[jobset.JobIndexKey])
		if err != nil {
			return nil, fmt.Errorf("job %s: %s: %w", job.Name, jobset.JobIndexKey, err)
		}
		pods, err := jobPods(job)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", job.Name, err)
		}
		for _, p := range pods {
			p.ReplicatedJob, p.Job, p.JobIndex = job.Labels[jobset.ReplicatedJobNameKey], job.Name, jobIndex
			out.Pods = append(out.Pods, p)
		}
	}
	return out, nil
}

// The Job controller's names (k8s.io/api/batch/v1 and
// pkg/controller/job/indexed_job_utils.go).
const (
	completionIndexEnvName = "JOB_COMPLETION_INDEX"
	unknownCompletionIndex = -1
	// The legacy label keys of pkg/apis/batch (types.go), not in
	// k8s.io/api.
	legacyJobNameLabel       = "job-name"
	legacyControllerUIDLabel = "controller-uid"
)

// jobPods is the pods the Kubernetes Job controller creates first for job,
// as created by the apiserver: see the package comment for each step's
// upstream source.
func jobPods(created *batchv1.Job) ([]jobSetPod, error) {
	job := created.DeepCopy()
	if job.UID == "" {
		// The apiserver gives every object a UID; the fake client may not.
		job.UID = types.UID("uid-of-" + job.Name)
	}
	// SetDefaults_Job.
	if job.Spec.Completions == nil && job.Spec.Parallelism == nil {
		job.Spec.Completions, job.Spec.Parallelism = ptr.To[int32](1), ptr.To[int32](1)
	}
	if job.Spec.Parallelism == nil {
		job.Spec.Parallelism = ptr.To[int32](1)
	}
	if job.Spec.CompletionMode == nil {
		job.Spec.CompletionMode = ptr.To(batchv1.NonIndexedCompletion)
	}
	indexed := *job.Spec.CompletionMode == batchv1.IndexedCompletion
	if indexed && job.Spec.Completions == nil {
		// ValidateJobSpec (pkg/apis/batch/validation/validation.go)
		// rejects the Job: no pods.
		return nil, errors.New("an Indexed Job needs completions (the apiserver rejects it)")
	}
	if ptr.Deref(job.Spec.ManualSelector, false) {
		return nil, errors.New("manualSelector is not modelled here")
	}
	// generateSelector.
	if job.Spec.Template.Labels == nil {
		job.Spec.Template.Labels = map[string]string{}
	}
	for _, key := range []string{legacyJobNameLabel, batchv1.JobNameLabel} {
		if _, found := job.Spec.Template.Labels[key]; !found {
			job.Spec.Template.Labels[key] = job.Name
		}
	}
	for _, key := range []string{legacyControllerUIDLabel, batchv1.ControllerUidLabel} {
		if _, found := job.Spec.Template.Labels[key]; !found {
			job.Spec.Template.Labels[key] = string(job.UID)
		}
	}

	// manageJob.
	if ptr.Deref(job.Spec.Suspend, false) {
		return nil, nil
	}
	active := *job.Spec.Parallelism
	if job.Spec.Completions != nil && *job.Spec.Completions < active {
		active = *job.Spec.Completions
	}
	template := job.Spec.Template.DeepCopy()
	if indexed {
		addCompletionIndexEnvVariables(template)
	}
	if !containsString(template.Finalizers, batchv1.JobTrackingFinalizer) {
		template.Finalizers = append(template.Finalizers, batchv1.JobTrackingFinalizer)
	}
	owner := metav1.NewControllerRef(job, batchv1.SchemeGroupVersion.WithKind("Job"))
	var out []jobSetPod
	for i := int32(0); i < active; i++ {
		t := template
		completionIndex := unknownCompletionIndex
		generateName := job.Name + "-"
		if indexed {
			completionIndex = int(i)
			t = template.DeepCopy()
			if t.Annotations == nil {
				t.Annotations = map[string]string{}
			}
			t.Annotations[batchv1.JobCompletionIndexAnnotation] = strconv.Itoa(completionIndex)
			t.Labels[batchv1.JobCompletionIndexAnnotation] = strconv.Itoa(completionIndex)
			t.Spec.Hostname = fmt.Sprintf("%s-%d", job.Name, completionIndex)
			if job.Spec.BackoffLimitPerIndex != nil {
				// addIndexFailureCountAnnotation: no pod of the index
				// is being replaced, so 0 failures.
				t.Annotations[batchv1.JobIndexFailureCountAnnotation] = "0"
			}
			generateName = fmt.Sprintf("%s-%d-", job.Name, completionIndex)
		}
		// GetPodFromTemplate.
		pod := corev1.Pod{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{
				Namespace:       job.Namespace,
				GenerateName:    generateName,
				Labels:          copyMap(t.Labels),
				Annotations:     copyMap(t.Annotations),
				Finalizers:      append([]string(nil), t.Finalizers...),
				OwnerReferences: []metav1.OwnerReference{*owner},
			},
			Spec: *t.Spec.DeepCopy(),
		}
		out = append(out, jobSetPod{CompletionIndex: completionIndex, Pod: pod})
	}
	return out, nil
}

// addCompletionIndexEnvVariables adds JOB_COMPLETION_INDEX, from the
// completion-index label, to every init container and container that
// does not set it.
func addCompletionIndexEnvVariables(template *corev1.PodTemplateSpec) {
	add := func(c *corev1.Container) {
		for _, e := range c.Env {
			if e.Name == completionIndexEnvName {
				return
			}
		}
		c.Env = append(c.Env, corev1.EnvVar{Name: completionIndexEnvName, ValueFrom: &corev1.EnvVarSource{
			FieldRef: &corev1.ObjectFieldSelector{
				FieldPath: fmt.Sprintf("metadata.labels['%s']", batchv1.JobCompletionIndexAnnotation),
			},
		}})
	}
	for i := range template.Spec.InitContainers {
		add(&template.Spec.InitContainers[i])
	}
	for i := range template.Spec.Containers {
		add(&template.Spec.Containers[i])
	}
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
