package operator

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestKubeflowProof is issue #14's proof against the Kubeflow
// training-operator v1.9.0 itself: cmd/kubeflowpods of the test-only
// module internal/operatortest runs each kind's own reconciler
// (NewReconciler, Reconcile: Scheme.Default, ReconcileJobs, createNewPod)
// on the jobs of testdata/kubeflow with fake clients and prints the pods
// it created. Every pod aigov derives (kubeflow.go) must equal the
// operator's pod of replica index 0, field by field, and each replica
// type's count the number of pods the operator created: the replica
// types (canonical keys after defaulting), the pod's namespace, labels
// (operator name, job name, replica type and index, job role) and
// annotations, and the whole pod spec (service account, restart policy,
// containers and init containers with names, images, commands, args, env,
// ports with the default port, resources). Set aside on both sides (see
// kubeflowComparable): the pod name's index suffix, which aigov leaves out
// (its Pod stands for every index), the owner reference and the fields the
// apiserver sets, the env aigov documents as not derived (TF_CONFIG, the
// cluster env of XGBoost, Paddle and JAX jobs, the rendezvous env of an
// elastic PyTorchJob), listed by name, and the job-role=master label that
// the operator puts on replica index 0 only of a type with several pods
// (aigov's Pod, standing for all of them, must not have it; see
// trainingJobRole).
// Not compared: the minReplicas/maxReplicas aigov gives an elastic
// PyTorchJob's workers (the operator's HorizontalPodAutoscaler, not its
// pods). -short skips it (it builds the operator), nothing else does.
func TestKubeflowProof(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the proof builds the training-operator in internal/operatortest")
	}
	files := proofTestdata(t, "kubeflow")
	var upstream []kubeflowProofResource
	if err := json.Unmarshal(runOperatorTest(t, "kubeflowpods", files), &upstream); err != nil {
		t.Fatalf("kubeflowpods output: %v", err)
	}
	ours := map[string][]Pod{}
	elastic := map[string]bool{}
	var resources int
	for _, f := range files {
		for _, r := range proofResources(t, f, kubeflowGroup, "v1") {
			k, _ := Find(r.GVK)
			key := r.GVK.Kind + "/" + r.Namespace + "/" + r.Name
			ours[key] = k.Pods(r, nil)
			elastic[key] = Map(r.Object, "spec", "elasticPolicy") != nil
			resources++
		}
	}
	if len(upstream) != resources {
		t.Errorf("the operator built pods for %d jobs, testdata/kubeflow holds %d", len(upstream), resources)
	}
	var compared, roleSetAside int
	for _, want := range upstream {
		key := want.Kind + "/" + want.Namespace + "/" + want.Name
		got, ok := ours[key]
		if !ok {
			t.Errorf("%s: not in testdata", key)
			continue
		}
		gotRoles := proofRoles(got)
		var wantRoles []string
		for _, p := range want.Pods {
			wantRoles = append(wantRoles, p.ReplicaType)
		}
		sort.Strings(gotRoles)
		if !slices.Equal(gotRoles, wantRoles) {
			t.Errorf("%s: replica types %q, the operator's %q", key, gotRoles, wantRoles)
			continue
		}
		for _, w := range want.Pods {
			i := slices.IndexFunc(got, func(p Pod) bool { return p.Role == w.ReplicaType })
			g := got[i]
			where := fmt.Sprintf("%s[%s]", key, w.ReplicaType)
			if g.Replicas != w.Replicas {
				t.Errorf("%s: %d pods, the operator created %d", where, g.Replicas, w.Replicas)
			}
			if w.Replicas == 0 {
				// Nothing to compare the pod with: the operator made none.
				continue
			}
			upstreamPod := w.Pod.DeepCopy()
			if w.Replicas > 1 && upstreamPod.Labels[kubeflowJobRoleLabel] == kubeflowJobRoleMaster {
				// IsMasterRole picked replica index 0 of a type with
				// several pods: aigov's Pod stands for all of them and
				// leaves the label out by design (trainingJobRole).
				if _, ok := g.Pod.Labels[kubeflowJobRoleLabel]; ok {
					t.Errorf("%s: job-role on the Pod of %d pods of which only index 0 has it", where, w.Replicas)
				}
				delete(upstreamPod.Labels, kubeflowJobRoleLabel)
				roleSetAside++
			}
			for _, d := range proofDiff(kubeflowComparable(want.Kind, elastic[key], g.Pod),
				kubeflowComparable(want.Kind, elastic[key], upstreamPod), "training-operator") {
				t.Errorf("%s: %s", where, d)
			}
			compared++
		}
	}
	if compared < 15 {
		t.Errorf("only %d pods compared; the testdata should give more", compared)
	}
	t.Logf("%d pods of %d jobs equal those Kubeflow training-operator v1.9.0 creates (job-role of worker 0 set aside on %d)",
		compared, len(upstream), roleSetAside)
}

// kubeflowProofResource is one job with its pods, as cmd/kubeflowpods
// prints it.
type kubeflowProofResource struct {
	Kind, Namespace, Name string
	Pods                  []struct {
		ReplicaType string
		Replicas    int32
		Pod         corev1.Pod
	}
}

// kubeflowNotDerivedEnv are the env vars the controllers' SetClusterSpec
// writes that kubeflow.go documents as not derived, by kind.
var kubeflowNotDerivedEnv = map[string][]string{
	"TFJob":      {"TF_CONFIG"},
	"XGBoostJob": {"MASTER_PORT", "MASTER_ADDR", "WORLD_SIZE", "RANK", "PYTHONUNBUFFERED", "WORKER_PORT", "WORKER_ADDRS"},
	"PaddleJob":  {"PADDLE_SERVER_NUM", "PADDLE_TRAINER_NUM", "PADDLE_MASTER", "PADDLE_NNODES", "PADDLE_JOB_ID", "PADDLE_SEED", "PADDLE_PORT", "PYTHONUNBUFFERED", "POD_IP_DUMMY", "POD_IP", "TRAINER_PORTS_NUM", "PADDLE_TRAINER_ENDPOINTS"},
	"JAXJob":     {"COORDINATOR_PORT", "COORDINATOR_ADDRESS", "NUM_PROCESSES", "PROCESS_ID", "PYTHONUNBUFFERED"},
}

// kubeflowElasticEnv is the rendezvous env of a PyTorchJob with an
// elasticPolicy (pytorch/elastic.go), which kubeflow.go documents as not
// derived.
var kubeflowElasticEnv = []string{"PET_RDZV_ENDPOINT", "PET_RDZV_BACKEND", "PET_NNODES", "PET_RDZV_CONF", "PET_MAX_RESTARTS", "PET_RDZV_ID"}

// kubeflowComparable is a pod reduced to what aigov derives (see
// TestKubeflowProof); both sides go through it.
func kubeflowComparable(kind string, elastic bool, p *corev1.Pod) map[string]any {
	pod := p.DeepCopy()
	pod.TypeMeta = metav1.TypeMeta{}
	pod.Name = strings.TrimSuffix(pod.Name, fmt.Sprintf("-%d", kubeflowRepresentativeIdx))
	pod.OwnerReferences, pod.UID, pod.ResourceVersion, pod.CreationTimestamp = nil, "", "", metav1.Time{}
	pod.ManagedFields, pod.GenerateName = nil, ""
	dropped := kubeflowNotDerivedEnv[kind]
	if elastic {
		dropped = append(slices.Clone(dropped), kubeflowElasticEnv...)
	}
	for _, cs := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range cs {
			var env []corev1.EnvVar
			for _, e := range cs[i].Env {
				if !slices.Contains(dropped, e.Name) {
					env = append(env, e)
				}
			}
			cs[i].Env = env
		}
	}
	return proofJSON(pod)
}
