// AI asset recognition: which workloads of an inventory are inference
// servers, vector databases, embedding services, training jobs, notebooks or
// model registries. The AI checks of the catalog (inference-probes,
// model-image-digest, ai-workload-own-serviceaccount, shadow-ai,
// sensitive-workload-classification) select workloads by this
// classification, and AssetTable lists it for reports.
//
// The evidence, strongest first:
//
//  1. the label aigov.dev/ai-class on the workload or its pod template: one
//     of the classes, or "none" (not an AI asset); an unknown value is
//     ignored;
//  2. the kind of a custom resource (PyTorchJob, InferenceService, Notebook,
//     RayJob, …; see crdClasses);
//  3. labels that AI operators put on the pods they create (KServe,
//     Seldon, the Kubeflow training operator and notebook controller);
//  4. the label app.kubernetes.io/component (inference, embedding,
//     vector-db, training, notebook, model-registry and synonyms);
//  5. the images of the regular and init containers, by repository name
//     whatever the registry (vllm/vllm-openai, qdrant/qdrant,
//     text-embeddings-inference, …; see imagePatterns);
//  6. a Job or CronJob (or a Pod of a Job) requesting a GPU is a training
//     job.

package catalog

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
)

// AIClass is the kind of AI asset a workload is. The zero value ClassNone
// means "not an AI asset".
type AIClass string

// The AI classes.
const (
	ClassNone             AIClass = ""
	ClassInferenceServer  AIClass = "inference-server"
	ClassVectorDatabase   AIClass = "vector-database"
	ClassEmbeddingService AIClass = "embedding-service"
	ClassTrainingJob      AIClass = "training-job"
	ClassNotebook         AIClass = "notebook"
	ClassModelRegistry    AIClass = "model-registry"
)

// AIClassLabel overrides the classification of a workload (on the object
// or its pod template) or custom resource: a class name, or AIClassNone.
const AIClassLabel = "aigov.dev/ai-class"

// AIClassNone is the AIClassLabel value that declares "not an AI asset".
const AIClassNone = "none"

// ComponentLabel is the recommended Kubernetes label whose value names a
// workload's role.
const ComponentLabel = "app.kubernetes.io/component"

// AIClasses returns every class but ClassNone, in a fixed order. The slice
// is fresh on every call.
func AIClasses() []AIClass {
	return []AIClass{ClassInferenceServer, ClassEmbeddingService, ClassVectorDatabase,
		ClassModelRegistry, ClassTrainingJob, ClassNotebook}
}

// String returns the class name, "none" for ClassNone.
func (c AIClass) String() string {
	if c == ClassNone {
		return AIClassNone
	}
	return string(c)
}

// ParseAIClass accepts a class name or "none" (ClassNone).
func ParseAIClass(s string) (AIClass, error) {
	if s == AIClassNone {
		return ClassNone, nil
	}
	if slices.Contains(AIClasses(), AIClass(s)) {
		return AIClass(s), nil
	}
	return ClassNone, fmt.Errorf("unknown AI class %q (want one of %s or none)", s, joinClasses(AIClasses()))
}

// ModelServing reports whether the class serves a model over the network:
// inference servers and embedding services.
func (c AIClass) ModelServing() bool {
	return c == ClassInferenceServer || c == ClassEmbeddingService
}

func joinClasses(cs []AIClass) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// Classification is a class and the evidence for it.
type Classification struct {
	Class AIClass `json:"class"`
	// Reason says what decided, e.g. `image "vllm/vllm-openai:v0.6.3"`,
	// `label app.kubernetes.io/component=vector-db`, `kind PyTorchJob`.
	Reason string `json:"reason,omitempty"`
	// Path is the field that decided, e.g. "spec.template.spec.containers[0].image".
	Path string `json:"path,omitempty"`
}

// classifier holds the recognition tables, built once per check (or per
// call of the exported functions) and read-only afterwards.
type classifier struct {
	// exact maps the last one or two path components to a class, for
	// patterns without wildcards; images holds the others, in order.
	exact      map[string]AIClass
	images     []imagePattern
	components map[string]AIClass
	crds       map[schema.GroupKind]AIClass
}

// imagePattern is one entry of imagePatterns, pre-parsed.
type imagePattern struct {
	pattern string
	prefix  string // for "prefix/**" patterns
	parts   int    // path components the pattern matches
	class   AIClass
}

func newClassifier() *classifier {
	c := &classifier{components: componentClasses(), crds: crdClasses(), exact: map[string]AIClass{}}
	for _, p := range imagePatterns() {
		if !strings.ContainsAny(p.pattern, "*?[\\") {
			if _, dup := c.exact[p.pattern]; !dup {
				c.exact[p.pattern] = p.class
			}
			continue
		}
		ip := imagePattern{pattern: p.pattern, class: p.class, parts: strings.Count(p.pattern, "/") + 1}
		if prefix, ok := strings.CutSuffix(p.pattern, "/**"); ok {
			ip.prefix = prefix + "/"
		}
		c.images = append(c.images, ip)
	}
	return c
}

// Classify returns the AI class of a workload (ClassNone when it is not an
// AI asset).
func Classify(w governance.Workload) AIClass { return ClassifyWorkload(w).Class }

// ClassifyWorkload classifies a workload and says why.
func ClassifyWorkload(w governance.Workload) Classification { return newClassifier().workload(w) }

func (cl *classifier) workload(w governance.Workload) Classification {
	var podLabels map[string]string
	var spec *corev1.PodSpec
	if w.Pod != nil {
		podLabels, spec = w.Pod.Labels, &w.Pod.Spec
	}
	if w.Object != nil {
		// The stored spec, so that paths name the fields as written.
		if stored, ok := w.Template(); ok {
			spec = stored.Spec
		}
	}
	return cl.workloadOf(w, podLabels, spec)
}

// workloadOf classifies workload w whose pods carry podLabels and run
// spec (nil when it has none); w.Pod is not read.
func (cl *classifier) workloadOf(w governance.Workload, podLabels map[string]string, spec *corev1.PodSpec) Classification {
	podMetaPath := podMetadataPath(w.SpecPath)
	// 1. The override.
	if c, ok := overrideClass(w.Labels, "metadata"); ok {
		return c
	}
	if w.SpecPath != "spec" {
		if c, ok := overrideClass(podLabels, podMetaPath); ok {
			return c
		}
	}
	// 3. Operator labels, 4. the component label.
	for _, ls := range []struct {
		labels map[string]string
		path   string
	}{{w.Labels, "metadata"}, {podLabels, podMetaPath}} {
		if c, ok := operatorLabelClass(ls.labels, ls.path); ok {
			return c
		}
	}
	for _, ls := range []struct {
		labels map[string]string
		path   string
	}{{w.Labels, "metadata"}, {podLabels, podMetaPath}} {
		if v, ok := ls.labels[ComponentLabel]; ok {
			if c := cl.components[strings.ToLower(v)]; c != ClassNone {
				return Classification{Class: c, Reason: "label " + ComponentLabel + "=" + v,
					Path: ls.path + ".labels[" + ComponentLabel + "]"}
			}
		}
	}
	if spec == nil {
		return Classification{}
	}
	// 5. Images.
	for _, c := range containersOf(spec, w.SpecPath, regularContainers|initContainers) {
		if class := cl.image(c.c.Image); class != ClassNone {
			return Classification{Class: class, Reason: fmt.Sprintf("image %q", c.c.Image), Path: c.path() + ".image"}
		}
	}
	// 6. GPU Jobs.
	if isJobLike(w) {
		if ref, res, _, ok := firstGPU(spec, w.SpecPath); ok {
			return Classification{Class: ClassTrainingJob, Reason: fmt.Sprintf("%s requesting %s", w.Kind, res),
				Path: ref}
		}
	}
	return Classification{}
}

// ClassifyObject classifies one object: a Pod or workload (as
// ClassifyWorkload, with the stored pod template) or a custom resource
// (by its override label, then its kind). Other objects are ClassNone.
func ClassifyObject(o *governance.Object) Classification { return newClassifier().object(o) }

func (cl *classifier) object(o *governance.Object) Classification {
	if ts := governance.PodTemplatesOf(o); len(ts) > 0 && o.Typed {
		t := ts[0]
		m := o.Meta()
		w := governance.Workload{Object: o, Kind: o.Kind(), Namespace: m.GetNamespace(), Name: m.GetName(),
			Labels: m.GetLabels(), SpecPath: t.Path}
		// The stored template itself, not a Pod copied from it: every
		// object check that classifies (model-image-digest,
		// inference-probes) asks about every pod and workload.
		return cl.workloadOf(w, t.Meta.Labels, t.Spec)
	}
	if o.Typed {
		return Classification{}
	}
	if c, ok := overrideClass(o.Meta().GetLabels(), "metadata"); ok {
		return c
	}
	if c, ok := cl.crds[o.GVK.GroupKind()]; ok {
		return Classification{Class: c, Reason: "kind " + o.GVK.Kind + "." + o.GVK.Group, Path: "kind"}
	}
	return Classification{}
}

// ClassifyInventory returns the class of every AI asset of the inventory:
// its workloads (inv.Workloads) and its custom resources. Objects that are
// not AI assets are absent.
func ClassifyInventory(inv *governance.Inventory) map[governance.Key]AIClass {
	out := map[governance.Key]AIClass{}
	for _, a := range AssetTable(inv) {
		out[a.Key] = AIClass(a.Class)
	}
	return out
}

// AssetTable lists the AI assets of an inventory — workloads and custom
// resources with a class other than ClassNone — sorted by class (in
// AIClasses order), namespace, kind and name: the "AI assets" table of a
// report. Checks read it from their pass with AssetsFact.Of, which
// computes it once per run.
func AssetTable(inv *governance.Inventory) []report.Asset {
	return AssetsFact.Of(governance.NewPass(inv))
}

// mergeAsset adds another workload of the asset's object: its replicas,
// its images and its GPUs (distinct per-pod figures listed).
func mergeAsset(a *report.Asset, w governance.Workload) {
	a.Replicas += w.Replicas
	if w.Pod == nil {
		return
	}
	for _, r := range containersOf(&w.Pod.Spec, w.SpecPath, regularContainers|initContainers) {
		if !slices.Contains(a.Images, r.c.Image) {
			a.Images = append(a.Images, r.c.Image)
		}
	}
	if g := podGPUs(&w.Pod.Spec); g != "" && !slices.Contains(strings.Split(a.GPUs, ", "), g) {
		if a.GPUs != "" {
			g = a.GPUs + ", " + g
		}
		a.GPUs = g
	}
}

// assets builds the asset table from the classified workloads of inv
// (ClassificationFact) and its custom resources.
func (cl *classifier) assets(inv *governance.Inventory, workloads []ClassifiedWorkload) []report.Asset {
	var out []report.Asset
	// A custom resource runs several kinds of pod (a RayCluster's head and
	// worker groups): it is one asset, classified by its first classified
	// workload, with the replicas, images and GPUs of all of them.
	byObject := map[*governance.Object]int{}
	for _, cw := range workloads {
		w, c := cw.Workload, cw.Classification
		if c.Class == ClassNone {
			continue
		}
		if i, seen := byObject[w.Object]; seen {
			mergeAsset(&out[i], w)
			continue
		}
		byObject[w.Object] = len(out)
		a := report.Asset{Key: w.Object.Key(), Object: w.Object, Class: string(c.Class), Kind: w.Kind, Namespace: w.Namespace,
			Name: w.Name, Team: inv.TeamOf(w.Namespace), Reason: c.Reason, Path: c.Path, Replicas: w.Replicas}
		if w.Pod != nil {
			for _, r := range containersOf(&w.Pod.Spec, w.SpecPath, regularContainers|initContainers) {
				a.Images = append(a.Images, r.c.Image)
			}
			a.GPUs = podGPUs(&w.Pod.Spec)
			a.ServiceAccount = serviceAccountOf(&w.Pod.Spec)
		}
		out = append(out, a)
	}
	hasWorkloads := map[*governance.Object]bool{}
	for _, cw := range workloads {
		hasWorkloads[cw.Workload.Object] = true
	}
	for _, o := range inv.Objects() {
		if o.Typed {
			continue
		}
		if _, isWorkload := byObject[o]; isWorkload || hasWorkloads[o] {
			continue // its pods are workloads, classified above
		}
		c := cl.object(o)
		if c.Class == ClassNone {
			continue
		}
		out = append(out, report.Asset{Key: o.Key(), Object: o, Class: string(c.Class), Kind: o.Kind(), Namespace: o.Namespace(),
			Name: o.Name(), Team: inv.TeamOf(o.Namespace()), Reason: c.Reason, Path: c.Path})
	}
	order := map[string]int{}
	for i, c := range AIClasses() {
		order[string(c)] = i
	}
	slices.SortStableFunc(out, func(a, b report.Asset) int {
		if a.Class != b.Class {
			return order[a.Class] - order[b.Class]
		}
		return strings.Compare(a.Namespace+"\x00"+a.Kind+"\x00"+a.Name, b.Namespace+"\x00"+b.Kind+"\x00"+b.Name)
	})
	return out
}

// serviceAccountOf is the ServiceAccount a pod runs as: serviceAccountName,
// else the deprecated serviceAccount, else "default".
func serviceAccountOf(spec *corev1.PodSpec) string {
	switch {
	case spec.ServiceAccountName != "":
		return spec.ServiceAccountName
	case spec.DeprecatedServiceAccount != "":
		return spec.DeprecatedServiceAccount
	}
	return "default"
}

func overrideClass(labels map[string]string, metaPath string) (Classification, bool) {
	v, ok := labels[AIClassLabel]
	if !ok {
		return Classification{}, false
	}
	c, err := ParseAIClass(v)
	if err != nil {
		return Classification{}, false
	}
	return Classification{Class: c, Reason: "label " + AIClassLabel + "=" + v,
		Path: metaPath + ".labels[" + AIClassLabel + "]"}, true
}

// podMetadataPath is the field path of the pod metadata next to a pod spec
// path: "metadata" for "spec", "spec.template.metadata" for
// "spec.template.spec".
func podMetadataPath(specPath string) string {
	if specPath == "spec" || specPath == "" {
		return "metadata"
	}
	return strings.TrimSuffix(specPath, ".spec") + ".metadata"
}

// operatorLabelClass recognises the pods AI operators create by the labels
// they set.
func operatorLabelClass(labels map[string]string, metaPath string) (Classification, bool) {
	for _, l := range operatorLabels() {
		if _, ok := labels[l.key]; ok {
			return Classification{Class: l.class, Reason: "label " + l.key, Path: metaPath + ".labels[" + l.key + "]"}, true
		}
	}
	return Classification{}, false
}

// labelClass is one entry of operatorLabels.
type labelClass struct {
	key   string
	class AIClass
}

// operatorLabels are the labels AI operators put on the pods they create,
// in the order the classification tries them (the admission form of the
// classification reads the same table).
func operatorLabels() []labelClass {
	return []labelClass{
		{"serving.kserve.io/inferenceservice", ClassInferenceServer},
		{"serving.kserve.io/llminferenceservice", ClassInferenceServer},
		{"seldon-deployment-id", ClassInferenceServer},
		{"seldon.io/model", ClassInferenceServer},
		{"training.kubeflow.org/job-name", ClassTrainingJob},
		{"training.kubeflow.org/replica-type", ClassTrainingJob},
		{"trainer.kubeflow.org/trainjob-ancestor-step", ClassTrainingJob},
		{"notebook-name", ClassNotebook},
		{"ray.io/serve", ClassInferenceServer},
	}
}

// componentClasses maps app.kubernetes.io/component values (lower case) to
// classes.
func componentClasses() map[string]AIClass {
	return map[string]AIClass{
		"inference": ClassInferenceServer, "inference-server": ClassInferenceServer,
		"model-server": ClassInferenceServer, "model-serving": ClassInferenceServer,
		"predictor": ClassInferenceServer, "llm": ClassInferenceServer, "serving": ClassInferenceServer,
		"embedding": ClassEmbeddingService, "embeddings": ClassEmbeddingService,
		"embedding-service": ClassEmbeddingService,
		"vector-db":         ClassVectorDatabase, "vectordb": ClassVectorDatabase,
		"vector-database": ClassVectorDatabase, "vector-store": ClassVectorDatabase,
		"training": ClassTrainingJob, "training-job": ClassTrainingJob, "trainer": ClassTrainingJob,
		"fine-tuning": ClassTrainingJob, "finetuning": ClassTrainingJob,
		"notebook": ClassNotebook, "jupyter": ClassNotebook,
		"model-registry": ClassModelRegistry, "registry-model": ClassModelRegistry,
	}
}

// crdClasses maps custom resource kinds to classes.
func crdClasses() map[schema.GroupKind]AIClass {
	return map[schema.GroupKind]AIClass{
		{Group: "kubeflow.org", Kind: "PyTorchJob"}:                    ClassTrainingJob,
		{Group: "kubeflow.org", Kind: "TFJob"}:                         ClassTrainingJob,
		{Group: "kubeflow.org", Kind: "MPIJob"}:                        ClassTrainingJob,
		{Group: "kubeflow.org", Kind: "XGBoostJob"}:                    ClassTrainingJob,
		{Group: "kubeflow.org", Kind: "PaddleJob"}:                     ClassTrainingJob,
		{Group: "kubeflow.org", Kind: "JAXJob"}:                        ClassTrainingJob,
		{Group: "kubeflow.org", Kind: "MXJob"}:                         ClassTrainingJob,
		{Group: "kubeflow.org", Kind: "Notebook"}:                      ClassNotebook,
		{Group: "trainer.kubeflow.org", Kind: "TrainJob"}:              ClassTrainingJob,
		{Group: "ray.io", Kind: "RayJob"}:                              ClassTrainingJob,
		{Group: "ray.io", Kind: "RayService"}:                          ClassInferenceServer,
		{Group: "serving.kserve.io", Kind: "InferenceService"}:         ClassInferenceServer,
		{Group: "serving.kserve.io", Kind: "LLMInferenceService"}:      ClassInferenceServer,
		{Group: "serving.kserve.io", Kind: "InferenceGraph"}:           ClassInferenceServer,
		{Group: "machinelearning.seldon.io", Kind: "SeldonDeployment"}: ClassInferenceServer,
		{Group: "mlops.seldon.io", Kind: "Model"}:                      ClassInferenceServer,
		{Group: "modelregistry.opendatahub.io", Kind: "ModelRegistry"}: ClassModelRegistry,
	}
}

// imagePatterns are matched against an image's repository path without
// registry, tag or digest, lower-cased: a pattern of N path components
// matches the last N components (path.Match syntax), and a pattern ending
// in "/**" matches a repository starting with that prefix.
func imagePatterns() []struct {
	pattern string
	class   AIClass
} {
	return []struct {
		pattern string
		class   AIClass
	}{
		// Inference servers.
		{"vllm", ClassInferenceServer}, {"vllm-openai", ClassInferenceServer}, {"vllm-cpu", ClassInferenceServer},
		{"vllm-*", ClassInferenceServer}, {"text-generation-inference", ClassInferenceServer},
		{"tritonserver", ClassInferenceServer}, {"triton-inference-server", ClassInferenceServer},
		{"ollama", ClassInferenceServer}, {"torchserve", ClassInferenceServer},
		{"sglang", ClassInferenceServer}, {"lmdeploy", ClassInferenceServer}, {"llama.cpp", ClassInferenceServer},
		{"localai", ClassInferenceServer}, {"mlserver", ClassInferenceServer},
		{"tensorflow/serving", ClassInferenceServer}, {"model_server", ClassInferenceServer},
		{"kserve/*server", ClassInferenceServer}, {"kserve/kserve-container", ClassInferenceServer},
		{"nim/**", ClassInferenceServer},
		{"ray-serve", ClassInferenceServer}, {"tgi-gaudi", ClassInferenceServer},
		// Embedding services.
		{"text-embeddings-inference", ClassEmbeddingService}, {"infinity", ClassEmbeddingService},
		{"infinity-emb", ClassEmbeddingService},
		// Vector databases.
		{"qdrant", ClassVectorDatabase}, {"weaviate", ClassVectorDatabase}, {"milvus", ClassVectorDatabase},
		{"chroma", ClassVectorDatabase}, {"chromadb", ClassVectorDatabase}, {"pgvector", ClassVectorDatabase},
		{"redis-stack", ClassVectorDatabase}, {"redis-stack-server", ClassVectorDatabase},
		{"opensearch", ClassVectorDatabase}, {"elasticsearch", ClassVectorDatabase},
		{"vespa", ClassVectorDatabase}, {"marqo", ClassVectorDatabase},
		// Notebooks.
		{"jupyter", ClassNotebook}, {"jupyterlab", ClassNotebook}, {"jupyterhub", ClassNotebook},
		{"jupyter-*", ClassNotebook}, {"*-notebook", ClassNotebook}, {"jupyter/*", ClassNotebook},
		// Model registries.
		{"mlflow", ClassModelRegistry}, {"mlflow-server", ClassModelRegistry},
		{"model-registry", ClassModelRegistry},
	}
}

// ImageRepository returns the repository path of an image reference without
// its registry, tag and digest, lower-cased: "nvcr.io/nim/meta/llama3:1"
// → "nim/meta/llama3", "vllm/vllm-openai@sha256:…" → "vllm/vllm-openai".
func ImageRepository(image string) string {
	name, _, _ := strings.Cut(image, "@")
	if first, rest, found := strings.Cut(name, "/"); found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		name = rest
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		if j := strings.IndexByte(name[i:], ':'); j >= 0 {
			name = name[:i+j]
		}
	} else if j := strings.IndexByte(name, ':'); j >= 0 {
		name = name[:j]
	}
	return lowerASCII(name)
}

// lowerASCII lower-cases the ASCII letters of s only: an image reference is
// ASCII, and CEL's lowerAscii, which the admission form of the
// classification uses, folds the same letters (strings.ToLower would also
// fold non-ASCII letters such as the Kelvin sign into "k").
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// ImageClass classifies an image by its repository name (registry-agnostic):
// "vllm/vllm-openai:v0.6.3" and "mirror.example.com/ai/vllm-openai" are
// inference servers, "qdrant/qdrant" a vector database. Unknown images are
// ClassNone.
func ImageClass(image string) AIClass { return newClassifier().image(image) }

func (cl *classifier) image(image string) AIClass {
	repo := ImageRepository(image)
	if repo == "" {
		return ClassNone
	}
	// The last one and two path components, the only suffixes patterns
	// have.
	var suffixes [3]string
	suffixes[1] = repo[strings.LastIndexByte(repo, '/')+1:]
	if i := strings.LastIndexByte(repo, '/'); i >= 0 {
		suffixes[2] = repo[strings.LastIndexByte(repo[:i], '/')+1:]
	}
	for _, suffix := range suffixes[1:] {
		if class, ok := cl.exact[suffix]; ok && suffix != "" {
			return class
		}
	}
	for _, p := range cl.images {
		if p.prefix != "" {
			if strings.HasPrefix(repo, p.prefix) {
				return p.class
			}
			continue
		}
		if p.parts >= len(suffixes) || suffixes[p.parts] == "" {
			continue
		}
		if ok, _ := path.Match(p.pattern, suffixes[p.parts]); ok {
			return p.class
		}
	}
	return ClassNone
}

// IsGPUResource reports whether a resource name is a GPU: any "*/gpu"
// extended resource (nvidia.com/gpu, amd.com/gpu) or any nvidia.com/
// resource (MIG slices such as nvidia.com/mig-1g.5gb).
func IsGPUResource(name corev1.ResourceName) bool {
	s := string(name)
	return strings.HasSuffix(s, "/gpu") || strings.HasPrefix(s, "nvidia.com/")
}

// firstGPU finds the first GPU request or limit of the regular and init
// containers: its field path, resource and quantity.
func firstGPU(spec *corev1.PodSpec, specPath string) (string, corev1.ResourceName, resource.Quantity, bool) {
	for _, c := range containersOf(spec, specPath, regularContainers|initContainers) {
		for _, field := range []struct {
			name string
			list corev1.ResourceList
		}{{"limits", c.c.Resources.Limits}, {"requests", c.c.Resources.Requests}} {
			names := make([]corev1.ResourceName, 0, len(field.list))
			for n := range field.list {
				names = append(names, n)
			}
			slices.Sort(names)
			for _, n := range names {
				if q := field.list[n]; IsGPUResource(n) && !q.IsZero() {
					return c.path() + ".resources." + field.name + "[" + string(n) + "]", n, q, true
				}
			}
		}
	}
	return "", "", resource.Quantity{}, false
}

// usesGPU reports whether any regular or init container requests or limits
// a GPU resource.
func usesGPU(spec *corev1.PodSpec) bool {
	_, _, _, ok := firstGPU(spec, "spec")
	return ok
}

// podGPUs sums the GPU requests (else limits) of the regular containers per
// resource: "nvidia.com/gpu=4", resources sorted and joined by "," ("" for
// none).
func podGPUs(spec *corev1.PodSpec) string {
	sums := map[corev1.ResourceName]resource.Quantity{}
	for i := range spec.Containers {
		r := spec.Containers[i].Resources
		for n, q := range r.Requests {
			if IsGPUResource(n) {
				s := sums[n]
				s.Add(q)
				sums[n] = s
			}
		}
		for n, q := range r.Limits {
			if _, requested := r.Requests[n]; IsGPUResource(n) && !requested {
				s := sums[n]
				s.Add(q)
				sums[n] = s
			}
		}
	}
	out := make([]string, 0, len(sums))
	for n, q := range sums {
		out = append(out, string(n)+"="+q.String())
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// isJobLike reports whether a workload runs to completion: a Job, a
// CronJob, or a Pod owned by a Job.
func isJobLike(w governance.Workload) bool {
	switch w.Kind {
	case "Job", "CronJob":
		return true
	case "Pod":
		if w.Object != nil {
			for _, ref := range w.Object.Meta().GetOwnerReferences() {
				if ref.Kind == "Job" {
					return true
				}
			}
		}
	}
	return false
}

// describeWorkload names a classified workload in messages:
// `inference-server Deployment "llm-service"`.
func describeWorkload(class AIClass, kind, name string) string {
	return fmt.Sprintf("%s %s %q", class, kind, name)
}
