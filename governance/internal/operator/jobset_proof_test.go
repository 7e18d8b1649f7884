package operator

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestJobSetProof is issue #14's proof against JobSet itself:
// cmd/jobsetpods of the test-only module internal/operatortest runs JobSet
// v0.8.2's own webhook defaulting and validation and its controller
// (NewJobSetReconciler(...).Reconcile against a fake client) on every
// JobSet of testdata/jobset, reads back the Jobs the controller created,
// and gives each Job the pods the Kubernetes Job controller creates for
// it (restated from Kubernetes v1.37.2 there, with each step's upstream
// function named). For every replicated job, aigov's Pod (jobset.go) must
// stand for those pods:
//   - its Replicas is the number of pods created (suspended Jobs make none);
//   - it equals, field by field, the pod of Job index 0 and completion
//     index 0 (the first pod of a NonIndexed Job): namespace, labels,
//     annotations and the whole spec (service account, restart policy,
//     containers and init containers with env and JOB_COMPLETION_INDEX,
//     resources, subdomain and hostname, node selector and tolerations);
//   - its name is the prefix of that pod's generateName;
//   - every other pod of the replicated job has the same label and
//     annotation keys (jobset.go's claim that only the values differ).
//
// Set aside, by name: what the apiserver or a controller invents or owns
// and jobset.go documents as not derived (generateName, the Job owner
// reference, the job-tracking finalizer, the two controller-uid labels),
// and, on aigov's side, the keys JobSet added after v0.8.2 (the version
// Trainer v2.0.0 requires and the only one the module proxy serves here)
// that jobset.go derives at v0.12.0: group-name, group-replicas and
// job-group-index (JobSet v0.9.0's replicated job groups). Those must be missing on JobSet v0.8.2's side, and aigov's
// values are checked against v0.12.0's meaning for JobSets without
// groupName (v0.8.2 has no such field): group "default", group replicas
// the global replicas, job group index the job global index.
// -short skips it (it builds JobSet in the nested module), nothing else
// does.
func TestJobSetProof(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the proof builds JobSet in internal/operatortest")
	}
	files := proofTestdata(t, "jobset")
	var upstream []jobSetProofResource
	if err := json.Unmarshal(runOperatorTest(t, "jobsetpods", files), &upstream); err != nil {
		t.Fatalf("jobsetpods output: %v", err)
	}
	ours := map[string][]Pod{}
	jobs := map[string]int{}
	for _, f := range files {
		for _, r := range proofResources(t, f, jobSetGroup, "v1alpha2") {
			k, _ := Find(r.GVK)
			key := r.Namespace + "/" + r.Name
			ours[key] = k.Pods(r, nil)
			for _, rj := range Slice(r.Object, "spec", "replicatedJobs") {
				jobs[key] += int(Int(rj.(map[string]any), 1, "replicas"))
			}
		}
	}
	if len(upstream) != len(ours) {
		t.Errorf("JobSet reconciled %d JobSets, testdata/jobset holds %d", len(upstream), len(ours))
	}
	var compared, pods, zero int
	for _, res := range upstream {
		key := res.Namespace + "/" + res.Name
		got, ok := ours[key]
		if !ok {
			t.Errorf("JobSet %s: not in testdata", key)
			continue
		}
		if len(res.Jobs) != jobs[key] {
			// A suspended JobSet too: its Jobs exist, suspended.
			t.Errorf("JobSet %s: the controller created Jobs %q, the replicas add up to %d", key, res.Jobs, jobs[key])
		}
		byRJob := map[string][]jobSetProofPod{}
		for _, p := range res.Pods {
			byRJob[p.ReplicatedJob] = append(byRJob[p.ReplicatedJob], p)
		}
		roles := proofRoles(got)
		for rjob := range byRJob {
			if !slices.Contains(roles, rjob) {
				t.Errorf("JobSet %s: JobSet made pods of replicated job %q, aigov has roles %q", key, rjob, roles)
			}
		}
		for _, g := range got {
			where := fmt.Sprintf("JobSet %s[%s]", key, g.Role)
			theirs := byRJob[g.Role]
			pods += len(theirs)
			if g.MinReplicas != nil || g.MaxReplicas != nil {
				t.Errorf("%s: bounds %v..%v on pods no autoscaler scales", where, g.MinReplicas, g.MaxReplicas)
			}
			if int(g.Replicas) != len(theirs) {
				t.Errorf("%s: %d pods, JobSet and the Job controller created %d", where, g.Replicas, len(theirs))
			}
			if len(theirs) == 0 {
				zero++
				continue
			}
			first := theirs[0]
			for _, p := range theirs[1:] {
				if p.JobIndex < first.JobIndex || (p.JobIndex == first.JobIndex && p.CompletionIndex < first.CompletionIndex) {
					first = p
				}
			}
			if first.JobIndex != 0 || first.CompletionIndex > 0 {
				t.Errorf("%s: the first pod created is of job %d, completion index %d", where, first.JobIndex, first.CompletionIndex)
			}
			if !strings.HasPrefix(first.Pod.GenerateName, g.Pod.Name+"-0-") {
				t.Errorf("%s: aigov's pod name %q is not the prefix of %q", where, g.Pod.Name, first.Pod.GenerateName)
			}
			ourPod := g.Pod.DeepCopy()
			for _, d := range jobSetAfterV082(ourPod, &first.Pod) {
				t.Errorf("%s: %s", where, d)
			}
			for _, d := range proofDiff(jobSetComparable(ourPod), jobSetComparable(&first.Pod), "JobSet") {
				t.Errorf("%s: %s", where, d)
			}
			for _, p := range theirs {
				if l, w := slices.Sorted(maps.Keys(p.Pod.Labels)), slices.Sorted(maps.Keys(first.Pod.Labels)); !slices.Equal(l, w) {
					t.Errorf("%s: pod %s has label keys %q, the first pod %q", where, p.Pod.GenerateName, l, w)
				}
				if a, w := slices.Sorted(maps.Keys(p.Pod.Annotations)), slices.Sorted(maps.Keys(first.Pod.Annotations)); !slices.Equal(a, w) {
					t.Errorf("%s: pod %s has annotation keys %q, the first pod %q", where, p.Pod.GenerateName, a, w)
				}
			}
			compared++
		}
	}
	if compared < 15 || zero < 2 {
		t.Errorf("only %d pods compared and %d replicated jobs without pods; the testdata should give more", compared, zero)
	}
	t.Logf("%d pods of %d JobSets equal those JobSet v0.8.2 and the Job controller create (%d pods counted, %d replicated jobs without pods)",
		compared, len(upstream), pods, zero)
}

// jobSetProofResource is one JobSet with its Jobs and pods, as
// cmd/jobsetpods prints it.
type jobSetProofResource struct {
	Namespace, Name string
	Jobs            []string
	Pods            []jobSetProofPod
}

type jobSetProofPod struct {
	ReplicatedJob   string
	Job             string
	JobIndex        int
	CompletionIndex int
	Pod             corev1.Pod
}

// jobSetKeysAfterV082 are the label and annotation keys the JobSet
// controller added after v0.8.2 (replicated job groups, v0.9.0) that
// jobset.go derives.
var jobSetKeysAfterV082 = []string{jobSetGroupNameKey, jobSetGroupReplicasKey, jobSetJobGroupIndexKey}

// jobSetAfterV082 checks the keys of jobSetKeysAfterV082 on aigov's pod
// (ours) against v0.12.0's meaning for a JobSet without groups, checks
// that JobSet v0.8.2's pod (theirs) has none of them, and removes them
// from ours.
func jobSetAfterV082(ours, theirs *corev1.Pod) []string {
	var out []string
	want := map[string]string{
		jobSetGroupNameKey:     jobSetDefaultGroup,
		jobSetGroupReplicasKey: ours.Labels[jobSetGlobalReplicasKey],
		jobSetJobGroupIndexKey: ours.Labels[jobSetJobGlobalIndexKey],
	}
	for _, key := range jobSetKeysAfterV082 {
		for what, m := range map[string]map[string]string{"label": ours.Labels, "annotation": ours.Annotations} {
			if v, ok := m[key]; !ok || v != want[key] {
				out = append(out, fmt.Sprintf("aigov's %s %s is %q (present: %t), v0.12.0 gives %q", what, key, v, ok, want[key]))
			}
			delete(m, key)
		}
		if _, ok := theirs.Labels[key]; ok {
			out = append(out, fmt.Sprintf("JobSet v0.8.2 sets label %s: compare it rather than set it aside", key))
		}
		if _, ok := theirs.Annotations[key]; ok {
			out = append(out, fmt.Sprintf("JobSet v0.8.2 sets annotation %s: compare it rather than set it aside", key))
		}
	}
	return out
}

// jobSetNotDerivedLabels are the pod labels whose value is a Job's UID
// (the apiserver's generateSelector), which jobset.go leaves out.
var jobSetNotDerivedLabels = []string{"controller-uid", "batch.kubernetes.io/controller-uid"}

// jobSetComparable is a pod as compared: without the fields jobset.go
// documents as not derived, on both sides.
func jobSetComparable(p *corev1.Pod) map[string]any {
	pod := p.DeepCopy()
	pod.Name, pod.GenerateName = "", ""
	pod.OwnerReferences, pod.Finalizers = nil, nil
	pod.Status = corev1.PodStatus{}
	pod.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
	for _, l := range jobSetNotDerivedLabels {
		delete(pod.Labels, l)
	}
	return proofJSON(pod)
}

// TestJobSetTemplateLabelsAgainstControllers is the table behind the one
// difference TestJobSetProof found: which of a pod template's own labels
// survive on the pods. The JobSet controller's labelAndAnnotateObject
// (jobset v0.8.2 and v0.12.0 pkg/controllers/jobset_controller.go) copies
// the template's labels and then sets its keys over them; the apiserver's
// generateSelector (Kubernetes v1.37.2 pkg/registry/batch/job/strategy.go)
// adds job-name and batch.kubernetes.io/job-name only when the template
// lacks them, so a template's own value stays; and the Job controller's
// addCompletionIndexLabel (pkg/controller/job/indexed_job_utils.go) sets
// the completion index over the template's.
func TestJobSetTemplateLabelsAgainstControllers(t *testing.T) {
	const jobName = "run-w-0"
	for _, tc := range []struct {
		name     string
		template string // the pod template's labels, YAML flow map
		want     map[string]string
	}{
		{"none", `{}`, map[string]string{
			"job-name": jobName, "batch.kubernetes.io/job-name": jobName}},
		{"legacy job-name kept", `{job-name: mine}`, map[string]string{
			"job-name": "mine", "batch.kubernetes.io/job-name": jobName}},
		{"batch job-name kept", `{batch.kubernetes.io/job-name: mine}`, map[string]string{
			"job-name": jobName, "batch.kubernetes.io/job-name": "mine"}},
		{"both kept", `{job-name: a, batch.kubernetes.io/job-name: b}`, map[string]string{
			"job-name": "a", "batch.kubernetes.io/job-name": "b"}},
		{"JobSet keys overwritten", `{jobset.sigs.k8s.io/jobset-name: x, jobset.sigs.k8s.io/job-index: "9", jobset.sigs.k8s.io/restart-attempt: "3"}`,
			map[string]string{"jobset.sigs.k8s.io/jobset-name": "run", "jobset.sigs.k8s.io/job-index": "0",
				"jobset.sigs.k8s.io/restart-attempt": "0", "job-name": jobName}},
		{"completion index overwritten", `{batch.kubernetes.io/job-completion-index: "7"}`, map[string]string{
			"batch.kubernetes.io/job-completion-index": "0", "job-name": jobName}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pods := jobSetTestPods(t, `
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata: {name: run, namespace: ns}
spec:
  replicatedJobs:
  - name: w
    template:
      spec:
        template:
          metadata:
            labels: `+tc.template+`
          spec:
            containers: [{name: c, image: i}]
`)
			if len(pods) != 1 {
				t.Fatalf("%d pods, want 1", len(pods))
			}
			for k, v := range tc.want {
				if got, ok := pods[0].Pod.Labels[k]; !ok || got != v {
					t.Errorf("label %s = %q (set %t), want %q", k, got, ok, v)
				}
			}
		})
	}
}

// TestJobSetIndexFailureCount: the Job controller's manageJob calls
// addIndexFailureCountAnnotation (Kubernetes v1.37.2
// pkg/controller/job/job_controller.go, indexed_job_utils.go) for every pod
// of an Indexed Job with backoffLimitPerIndex, and a first pod of its index
// has failed 0 times; without backoffLimitPerIndex (or with it null) there
// is no such annotation.
func TestJobSetIndexFailureCount(t *testing.T) {
	for _, tc := range []struct {
		name, jobSpec string
		want          string // "" for no annotation
	}{
		{"per-index backoff", `{backoffLimitPerIndex: 3, completions: 2, parallelism: 2}`, "0"},
		{"per-index backoff 0", `{backoffLimitPerIndex: 0, completions: 1}`, "0"},
		{"null", `{backoffLimitPerIndex: null}`, ""},
		{"no per-index backoff", `{backoffLimit: 3}`, ""},
		{"NonIndexed", `{completionMode: NonIndexed, backoffLimit: 3}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pods := jobSetTestPods(t, `
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata: {name: run, namespace: ns}
spec:
  replicatedJobs:
  - name: w
    template:
      spec:
        <<: `+tc.jobSpec+`
        template:
          spec:
            containers: [{name: c, image: i}]
`)
			if len(pods) != 1 {
				t.Fatalf("%d pods, want 1", len(pods))
			}
			got, ok := pods[0].Pod.Annotations[jobSetIndexFailureCountKey]
			if ok != (tc.want != "") || got != tc.want {
				t.Errorf("annotation %s = %q (set %t), want %q", jobSetIndexFailureCountKey, got, ok, tc.want)
			}
		})
	}
}
