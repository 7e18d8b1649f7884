package catalog

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"

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
		// A ServingRuntime is a partial template: KServe runs its
		// containers under the InferenceService's pod-level fields, so
		// only what a container writes itself fails, at its own field.
		{name: "ServingRuntime container leaves runAsNonRoot to the InferenceService", manifest: servingRuntime("ServingRuntime", "vllm",
			"[{name: kserve-container, image: vllm/vllm-openai:v0.6.3}, {name: sidecar, image: x, securityContext: {runAsUser: 1000}}]")},
		{name: "ServingRuntime containers set false and root", manifest: servingRuntime("ServingRuntime", "root",
			"[{name: kserve-container, image: x, securityContext: {runAsNonRoot: false}}, {name: agent, image: x}, {name: logger, image: x, securityContext: {runAsUser: 0}}]"),
			want: []string{
				`ServingRuntime/root spec.containers[0].securityContext.runAsNonRoot: violates PodSecurity "restricted:v1.37": runAsNonRoot != true (container "kserve-container" must not set securityContext.runAsNonRoot=false)`,
				`ServingRuntime/root spec.containers[2].securityContext.runAsUser: violates PodSecurity "restricted:v1.37": runAsUser=0 (container "logger" must not set runAsUser=0)`,
			}},
		{name: "ClusterServingRuntime container runs as root", manifest: servingRuntime("ClusterServingRuntime", "cluster-root",
			"[{name: kserve-container, image: x, securityContext: {runAsNonRoot: true, runAsUser: 0}}]"),
			want: []string{`ClusterServingRuntime/cluster-root spec.containers[0].securityContext.runAsUser: violates PodSecurity "restricted:v1.37": runAsUser=0 (container "kserve-container" must not set runAsUser=0)`}},
		// KServe builds the predictor's pod from the InferenceService and
		// its runtime: a container neither sets runAsNonRoot on takes it
		// from the InferenceService's pod level, so when that is unset the
		// pod fails, on the InferenceService, once.
		{name: "InferenceService, runtime and model all leave runAsNonRoot unset", manifest: withRuntime("[{name: kserve-container, image: hf}, {name: side, image: s, securityContext: {runAsNonRoot: true}}]",
			"{model: {modelFormat: {name: huggingface}}}"),
			want: []string{`InferenceService/llm spec.predictor.securityContext.runAsNonRoot: violates PodSecurity "restricted:v1.37": runAsNonRoot != true (pod or container "kserve-container" must set securityContext.runAsNonRoot=true)`}},
		{name: "InferenceService pod level covers its runtime's containers", manifest: withRuntime("[{name: kserve-container, image: hf}, {name: side, image: s}]",
			"{securityContext: {runAsNonRoot: true}, model: {modelFormat: {name: huggingface}}}")},
		{name: "the model sets runAsNonRoot for the runtime's container", manifest: withRuntime("[{name: kserve-container, image: hf}]",
			"{model: {modelFormat: {name: huggingface}, securityContext: {runAsNonRoot: true}}}")},
		{name: "InferenceService in a user namespace", manifest: withRuntime("[{name: kserve-container, image: hf}]",
			"{hostUsers: false, model: {modelFormat: {name: huggingface}}}")},
		{name: "the InferenceService's own container already needs the pod level", manifest: withRuntime("[{name: kserve-container, image: hf}]",
			"{model: {modelFormat: {name: huggingface}}, containers: [{name: proxy, image: p}]}"),
			want: []string{`InferenceService/llm spec.predictor.securityContext.runAsNonRoot: violates PodSecurity "restricted:v1.37": runAsNonRoot != true (pod or container "proxy" must set securityContext.runAsNonRoot=true)`}},
		{name: "runtime container sets false: reported on the runtime alone", manifest: withRuntime("[{name: kserve-container, image: hf, securityContext: {runAsNonRoot: false}}]",
			"{model: {modelFormat: {name: huggingface}}}"),
			want: []string{`ServingRuntime/hf spec.containers[0].securityContext.runAsNonRoot: violates PodSecurity "restricted:v1.37": runAsNonRoot != true (container "kserve-container" must not set securityContext.runAsNonRoot=false)`}},
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
// servingRuntime is a KServe runtime of the kind (ServingRuntime or
// ClusterServingRuntime) with the containers, in YAML flow style.
func servingRuntime(kind, name, containers string) string {
	ns := "\n  namespace: default"
	if kind == "ClusterServingRuntime" {
		ns = ""
	}
	return "apiVersion: serving.kserve.io/v1alpha1\nkind: " + kind + "\nmetadata:\n  name: " + name + ns +
		"\nspec:\n  supportedModelFormats: [{name: huggingface, autoSelect: true}]\n  containers: " + containers + "\n"
}

// withRuntime is the ServingRuntime hf in namespace ml with the
// containers, and the InferenceService llm using it with the predictor.
func withRuntime(containers, predictor string) string {
	return strings.Replace(servingRuntime("ServingRuntime", "hf", containers), "namespace: default", "namespace: ml", 1) +
		"---\n" + isvcModel("llm", predictor)
}

func isvcModel(name, predictor string) string {
	return "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: " + name + ", namespace: ml}\nspec: {predictor: " + predictor + "}\n"
}

func TestParseRunAsNonRootParams(t *testing.T) {
	runParamCases(t, NewRunAsNonRoot, []paramCase{
		{"", ""},
		{`{}`, ""},
		{`{"nonRootImages": []}`, ""},
		{`{"nonRootImages": ["registry.example/llm/server", "registry.example/team/", "nvcr.io/nim-*"]}`, ""},
		{`{"nonRootImages": ["registry.example/a", ""]}`, "nonRootImages[1]: empty image"},
		{`{"nonRootImages": [" registry.example/a"]}`, `nonRootImages[0]: " registry.example/a" contains whitespace`},
		{`{"nonRootImages": ["registry.example/a\tb"]}`, "contains whitespace"},
		{`{"nonRootImages": ["registry.example/*/server"]}`, `"*" is allowed only at the end`},
		{`{"nonRootImages": ["*"]}`, `"*" would match every image`},
		{`{"nonRootImages": ["/"]}`, `"/" does not start with a registry or repository`},
		{`{"nonRootImages": ["/registry.example/a"]}`, "does not start with a registry"},
		{`{"nonRootImages": ["registry.example/a", "registry.example/b", "registry.example/a"]}`, `nonRootImages[2]: "registry.example/a" is listed twice`},
		{`{"nonRootImages": "registry.example/a"}`, "invalid params"},
		{`{"nonrootimages": ["registry.example/a"]}`, `unknown field "nonrootimages"`},
	})
}

// TestNonRootImageCEL evaluates the inlined matching condition with CEL
// (the string extensions the apiserver has) against the rule
// ParseRunAsNonRootParams documents.
func TestNonRootImageCEL(t *testing.T) {
	entries := []string{"registry.example/llm/server", "registry.example/team/", "nvcr.io/nim-*", "localhost"}
	env, err := cel.NewEnv(cel.Variable("img", cel.StringType), ext.Strings())
	if err != nil {
		t.Fatal(err)
	}
	ast, iss := env.Compile(nonRootImageCEL("img", entries))
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	prg, err := env.Program(ast)
	if err != nil {
		t.Fatal(err)
	}
	for img, want := range map[string]bool{
		"registry.example/llm/server":                 true,
		"registry.example/llm/server:1.2":             true,
		"registry.example/llm/server@sha256:abc":      true,
		"registry.example/llm/server:1@sha256:abc":    true,
		"registry.example/llm/server-debug:1":         false, // another repository
		"registry.example/llm/server/sub:1":           false,
		"registry.example/llm/serve":                  false,
		"registry.example/team/a/b:3":                 true,
		"registry.example/teamx/a:3":                  false,
		"nvcr.io/nim-llama:1":                         true,
		"nvcr.io/other:1":                             false,
		"localhost:5000/app:1":                        false, // a port, not a tag
		"docker.io/library/registry.example/llm/serv": false,
		"": false,
	} {
		out, _, err := prg.Eval(map[string]any{"img": img})
		if err != nil {
			t.Fatalf("%q: %v", img, err)
		}
		if out.Value() != want {
			t.Errorf("image %q matches %v, want %v", img, out.Value(), want)
		}
	}
	if got := nonRootImageCEL("img", nil); got != "" {
		t.Errorf("no entries: %q, want no condition", got)
	}
}

// TestRunAsNonRootImagesOnlyWidenTheMutation: the parameter changes the
// mutation alone; the check's verdict and its validations stay.
func TestRunAsNonRootImagesOnlyWidenTheMutation(t *testing.T) {
	plain := mustNew(t, NewRunAsNonRoot, "")
	wide := mustNew(t, NewRunAsNonRoot, `{"nonRootImages": ["registry.example/llm/server"]}`)
	if !reflect.DeepEqual(plain.Admission.Validations, wide.Admission.Validations) || !reflect.DeepEqual(plain.Admission.Variables, wide.Admission.Variables) {
		t.Error("nonRootImages changed the validating policy")
	}
	if reflect.DeepEqual(plain.Admission.Mutations, wide.Admission.Mutations) {
		t.Error("nonRootImages did not change the mutation")
	}
	if m := wide.Admission.Mutations[0].JSONPatch.Expression; !strings.Contains(m, `"registry.example/llm/server:"`) {
		t.Errorf("the mutation does not inline the image: %s", m)
	}
	runCases(t, wide, []checkCase{
		{name: "listed image still fails without runAsNonRoot", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: registry.example/llm/server:1}]}"),
			want: []string{`Pod/p spec.securityContext.runAsNonRoot: ` + nonRootMissing}},
	})
}
