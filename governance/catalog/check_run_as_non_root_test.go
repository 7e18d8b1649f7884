package catalog

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

const (
	nonRootMissing = `violates PodSecurity "restricted:v1.37": runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true)`
)

func TestRunAsNonRoot(t *testing.T) {
	c := mustNew(t, NewRunAsNonRoot, "")
	runCases(t, c, []checkCase{
		{name: "pod level true", manifest: podManifest("Pod", "p", "", "{securityContext: {runAsNonRoot: true}, containers: [{name: a, image: x}]}")},
		{name: "every container true", manifest: podManifest("Pod", "p", "",
			"{initContainers: [{name: i, image: x, securityContext: {runAsNonRoot: true}}], containers: [{name: a, image: x, securityContext: {runAsNonRoot: true, runAsUser: 1000}}]}")},
		{name: "user namespace relaxes both", manifest: podManifest("Pod", "p", "", "{hostUsers: false, securityContext: {runAsUser: 0}, containers: [{name: a, image: x}]}")},
		{name: "nothing set", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}"),
			want: []string{`Pod/p spec.securityContext.runAsNonRoot: ` + nonRootMissing}},
		{name: "hostUsers true does not relax", manifest: podManifest("Deployment", "d", "", "{hostUsers: true, containers: [{name: a, image: x}]}"),
			want: []string{`Deployment/d spec.template.spec.securityContext.runAsNonRoot: ` + nonRootMissing}},
		{name: "init container not covered by pod-level absence", manifest: podManifest("Job", "j", "",
			"{initContainers: [{name: i, image: x}], containers: [{name: a, image: x, securityContext: {runAsNonRoot: true}}]}"),
			want: []string{`Job/j spec.template.spec.securityContext.runAsNonRoot: violates PodSecurity "restricted:v1.37": runAsNonRoot != true (pod or container "i" must set securityContext.runAsNonRoot=true)`}},
		{name: "ephemeral container sets false", manifest: podManifest("Pod", "p", "",
			"{securityContext: {runAsNonRoot: true}, containers: [{name: a, image: x}], ephemeralContainers: [{name: debug, image: x, securityContext: {runAsNonRoot: false}}]}"),
			want: []string{`Pod/p spec.securityContext.runAsNonRoot: violates PodSecurity "restricted:v1.37": runAsNonRoot != true (container "debug" must not set securityContext.runAsNonRoot=false)`}},
		{name: "pod false", manifest: podManifest("StatefulSet", "s", "", "{securityContext: {runAsNonRoot: false}, containers: [{name: a, image: x, securityContext: {runAsNonRoot: true}}]}"),
			want: []string{`StatefulSet/s spec.template.spec.securityContext.runAsNonRoot: violates PodSecurity "restricted:v1.37": runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)`}},
		{name: "runAsUser 0 in a container of a CronJob", manifest: podManifest("CronJob", "cj", "",
			"{securityContext: {runAsNonRoot: true}, containers: [{name: a, image: x, securityContext: {runAsUser: 0}}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.securityContext.runAsUser: violates PodSecurity "restricted:v1.37": runAsUser=0 (container "a" must not set runAsUser=0)`}},
		{name: "both checks fail", manifest: podManifest("DaemonSet", "ds", "", "{securityContext: {runAsUser: 0}, containers: [{name: a, image: x}]}"),
			want: []string{
				`DaemonSet/ds spec.template.spec.securityContext.runAsNonRoot: ` + nonRootMissing,
				`DaemonSet/ds spec.template.spec.securityContext.runAsUser: violates PodSecurity "restricted:v1.37": runAsUser=0 (pod must not set runAsUser=0)`,
			}},
		// A KServe model is merged into its runtime's container: its own
		// runAsNonRoot: false or runAsUser: 0 fails at its own field; what
		// it leaves out is the runtime's.
		{name: "InferenceService model sets false and root", manifest: isvcModel("llm", "{securityContext: {runAsNonRoot: true}, model: {modelFormat: {name: huggingface}, securityContext: {runAsNonRoot: false, runAsUser: 0}}}"),
			want: []string{
				`InferenceService/llm spec.predictor.model.securityContext.runAsNonRoot: violates PodSecurity "restricted:v1.37": runAsNonRoot != true (container "kserve-container" must not set securityContext.runAsNonRoot=false)`,
				`InferenceService/llm spec.predictor.model.securityContext.runAsUser: violates PodSecurity "restricted:v1.37": runAsUser=0 (container "kserve-container" must not set runAsUser=0)`,
			}},
		{name: "InferenceService shorthand model runs as root", manifest: isvcModel("sk", "{securityContext: {runAsNonRoot: true}, sklearn: {name: m, storageUri: 'gs://m', securityContext: {runAsUser: 0}}}"),
			want: []string{`InferenceService/sk spec.predictor.sklearn.securityContext.runAsUser: violates PodSecurity "restricted:v1.37": runAsUser=0 (container "m" must not set runAsUser=0)`}},
		{name: "InferenceService model leaves them to its runtime", manifest: isvcModel("ok", "{securityContext: {runAsNonRoot: true}, model: {modelFormat: {name: huggingface}, securityContext: {runAsUser: 1000}}}")},
		{name: "InferenceService model in a user namespace", manifest: isvcModel("userns", "{hostUsers: false, model: {modelFormat: {name: huggingface}, securityContext: {runAsNonRoot: false, runAsUser: 0}}}")},
		{name: "ReplicaSet and ReplicationController pass", manifest: podManifest("ReplicaSet", "rs", "", "{securityContext: {runAsNonRoot: true, runAsUser: 1000}, containers: [{name: a, image: x}]}") +
			"---\n" + podManifest("ReplicationController", "rc", "", "{securityContext: {runAsNonRoot: true}, containers: [{name: a, image: x}]}")},
	})
}

// TestRunAsNonRootAgreesWithEvaluator compares the verdict with the Pod
// Security evaluator at restricted:v1.37 restricted to the same two checks.
func TestRunAsNonRootAgreesWithEvaluator(t *testing.T) {
	ev, err := policy.NewEvaluator([]policy.Check{policy.CheckRunAsNonRoot(), policy.CheckRunAsUser()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := mustNew(t, NewRunAsNonRoot, "")
	tru, fal, zero, one := true, false, int64(0), int64(1000)
	scs := []*corev1.SecurityContext{nil, {RunAsNonRoot: &tru}, {RunAsNonRoot: &fal}, {RunAsUser: &zero}, {RunAsUser: &one, RunAsNonRoot: &tru}}
	pscs := []*corev1.PodSecurityContext{nil, {RunAsNonRoot: &tru}, {RunAsNonRoot: &fal}, {RunAsUser: &zero, RunAsNonRoot: &tru}}
	lv := api.LevelVersion{Level: api.LevelRestricted, Version: api.MajorMinorVersion(1, 37)}
	for _, hostUsers := range []*bool{nil, &tru, &fal} {
		for _, psc := range pscs {
			for _, sc := range scs {
				for _, isc := range scs {
					spec := corev1.PodSpec{HostUsers: hostUsers, SecurityContext: psc,
						Containers:     []corev1.Container{{Name: "a", SecurityContext: sc}},
						InitContainers: []corev1.Container{{Name: "i", SecurityContext: isc}}}
					want := policy.AggregateCheckResults(ev.EvaluatePod(lv, &metav1.ObjectMeta{}, &spec))
					got := checkRunAsNonRootSpec(t, c, spec)
					if got != !want.Allowed {
						t.Errorf("spec %+v: check denies=%v, evaluator allowed=%v (%s)", spec, got, want.Allowed, want.ForbiddenDetail())
					}
				}
			}
		}
	}
}

// isvcModel is an InferenceService in namespace ml with the given
// predictor.
func isvcModel(name, predictor string) string {
	return "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: " + name + ", namespace: ml}\nspec: {predictor: " + predictor + "}\n"
}
