package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"

	yamlv2 "go.yaml.in/yaml/v2"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Workload kinds Options.WorkloadKinds accepts.
const (
	KindDeployment  = "Deployment"
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
	KindJob         = "Job"
	KindCronJob     = "CronJob"
)

// Labels the generator sets, for selectors in tests and benchmarks.
const (
	// LabelTeam is on every Namespace: its team name ("team-007").
	LabelTeam = "team"
	// LabelManaged is "true" on every Namespace.
	LabelManaged = "platform.aigov.dev/managed"
	// LabelApp is on every workload, its pod template and its pods: the
	// workload's name.
	LabelApp = "app"
	// LabelComponent is on every pod template: the workload's role
	// ("llm-service", "vector-db", …).
	LabelComponent = "app.kubernetes.io/component"
)

// DefaultGPUResource is the extended resource GPU workloads request.
const DefaultGPUResource = "nvidia.com/gpu"

// Options sizes a synthetic cluster. Zero counts give none of that object;
// the other zero values take the documented defaults.
type Options struct {
	// Seed makes the cluster reproducible: the same Options give the same
	// objects and bytes.
	Seed uint64
	// Namespaces is the number of team namespaces.
	Namespaces int
	// WorkloadsPerNamespace is the number of controllers in each namespace.
	WorkloadsPerNamespace int
	// PodsPerWorkload is the number of Pods emitted for each workload, as the
	// controller would create them (with owner references and status).
	PodsPerWorkload int
	// WorkloadKinds are cycled through for the workloads of a namespace;
	// empty means Deployment, StatefulSet, Job.
	WorkloadKinds []string
	// GPUFraction is the share of workloads (0 to 1, drawn from Seed) whose
	// containers request GPUs.
	GPUFraction float64
	// GPUResource is the GPU resource name; empty means nvidia.com/gpu.
	GPUResource string
	// ClusterRoles is the number of ClusterRoles, each with one
	// ClusterRoleBinding.
	ClusterRoles int
	// ClusterAdmins is the number of ClusterRoleBindings to the built-in
	// cluster-admin ClusterRole (written once, as a cluster dump holds it,
	// when ClusterAdmins is not zero), each to one user, group or service
	// account: who-can-read-every-Secret at platform scale.
	ClusterAdmins int
	// ReplicaSets writes the ReplicaSet each Deployment's pods belong to,
	// as the Deployment controller creates it (owner reference to the
	// Deployment, pod-template-hash label and selector, the template); a
	// cluster dump holds them, a repository does not.
	ReplicaSets bool
	// CRFraction is the share of each namespace's workloads (0 to 1,
	// spread evenly, not drawn from Seed) written as custom resources of
	// the AI operators, cycling through RayCluster, PyTorchJob,
	// LeaderWorkerSet, JobSet and InferenceService, each with the objects
	// and PodsPerWorkload pods its operator creates (see crWorkload). Zero
	// writes none, and the bytes of options without it.
	CRFraction float64
}

// Platform is the shape of a large multi-team AI platform, scaled to pods
// (a multiple of 200): pods/200 team namespaces of 40 Deployments with
// their ReplicaSets and 5 running Pods each, one Secret, ServiceAccount,
// ConfigMap, Service and NetworkPolicy per Deployment, 20% GPU workloads,
// and 100 cluster-admin bindings. Platform(100000) is 500 namespaces,
// 20,000 Deployments and ReplicaSets, 100,000 Pods, 20,500
// NetworkPolicies and 20,000 Secrets.
func Platform(pods int) Options {
	return Options{Seed: 1, Namespaces: pods / 200, WorkloadsPerNamespace: 40, PodsPerWorkload: 5,
		WorkloadKinds: []string{KindDeployment}, GPUFraction: 0.2, ClusterAdmins: 100, ReplicaSets: true}
}

// Per-namespace objects: Namespace, ResourceQuota, LimitRange, Role,
// RoleBinding, default-deny NetworkPolicy.
const perNamespace = 6

// Per-workload objects besides the controller's Service and Pods:
// controller, ServiceAccount, ConfigMap, Secret, NetworkPolicy.
const perWorkload = 5

func (o Options) kinds() []string {
	if len(o.WorkloadKinds) == 0 {
		return []string{KindDeployment, KindStatefulSet, KindJob}
	}
	return o.WorkloadKinds
}

func (o Options) gpuResource() corev1.ResourceName {
	if o.GPUResource == "" {
		return DefaultGPUResource
	}
	return corev1.ResourceName(o.GPUResource)
}

// hasService reports the long-running kinds that get a Service.
func hasService(kind string) bool {
	return kind == KindDeployment || kind == KindStatefulSet || kind == KindDaemonSet
}

// ObjectCount is the number of objects Generate returns for o, computed
// without generating them.
func (o Options) ObjectCount() int {
	kinds := o.kinds()
	perNS := perNamespace
	for w := 0; w < o.WorkloadsPerNamespace; w++ {
		perNS += perWorkload + o.PodsPerWorkload
		if hasService(kinds[w%len(kinds)]) {
			perNS++
		}
		if o.ReplicaSets && kinds[w%len(kinds)] == KindDeployment {
			perNS++
		}
	}
	admins := o.ClusterAdmins
	if admins > 0 {
		admins++ // the cluster-admin ClusterRole
	}
	return o.Namespaces*perNS + 2*o.ClusterRoles + admins + o.crObjectCount()
}

// Validate reports options Generate cannot honour.
func (o Options) Validate() error {
	for _, k := range o.kinds() {
		switch k {
		case KindDeployment, KindStatefulSet, KindDaemonSet, KindJob, KindCronJob:
		default:
			return fmt.Errorf("gen: unknown workload kind %q", k)
		}
	}
	switch {
	case o.Namespaces < 0 || o.WorkloadsPerNamespace < 0 || o.PodsPerWorkload < 0 || o.ClusterRoles < 0 || o.ClusterAdmins < 0:
		return fmt.Errorf("gen: negative count in %+v", o)
	case o.GPUFraction < 0 || o.GPUFraction > 1:
		return fmt.Errorf("gen: GPUFraction %v is not between 0 and 1", o.GPUFraction)
	case o.Namespaces > 9999:
		return fmt.Errorf("gen: at most 9999 namespaces")
	case o.Namespaces*o.WorkloadsPerNamespace*max(o.PodsPerWorkload, 1) >= 1<<24:
		return fmt.Errorf("gen: more pods than the 10.0.0.0/8 pod network holds")
	}
	return o.validateCR()
}

// Output is a generated cluster.
type Output struct {
	// Objects are the typed objects (apiVersion and kind set) in the order
	// they are written: cluster-wide objects, then namespace by namespace.
	Objects []runtime.Object
	// Counts is the number of objects of each kind.
	Counts map[string]int
}

// Generate builds the cluster o describes. It panics when o is invalid (see
// Validate): options are written by the programmer of a test.
func Generate(o Options) *Output {
	if err := o.Validate(); err != nil {
		panic(err)
	}
	out := &Output{Counts: map[string]int{}}
	g := newGenerator(o, func(obj runtime.Object, kind string) error {
		out.Objects = append(out.Objects, obj)
		out.Counts[kind]++
		return nil
	})
	g.run()
	return out
}

// Write writes the cluster o describes to w as Cluster renders it, one
// object at a time: a 100,000-pod platform is written without holding its
// objects or its bytes in memory.
func Write(w io.Writer, o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	g := newGenerator(o, func(obj runtime.Object, _ string) error {
		doc, err := MarshalYAML(obj)
		if err != nil {
			return err
		}
		if _, err := bw.WriteString("---\n"); err != nil {
			return err
		}
		_, err = bw.Write(doc)
		return err
	})
	g.run()
	if g.err != nil {
		return fmt.Errorf("gen: writing the cluster: %w", g.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gen: writing the cluster: %w", err)
	}
	return nil
}

func newGenerator(o Options, emit func(obj runtime.Object, kind string) error) *generator {
	return &generator{opts: o, rnd: rand.New(rand.NewPCG(o.Seed, 0x61696776)), emit: emit}
}

// run generates every object in order: cluster-wide, then namespace by
// namespace.
func (g *generator) run() {
	for i := 0; i < g.opts.ClusterRoles; i++ {
		g.clusterRole(i)
	}
	if g.opts.ClusterAdmins > 0 {
		g.clusterAdmins()
	}
	for i := 0; i < g.opts.Namespaces && g.err == nil; i++ {
		g.namespace(i)
	}
}

// Cluster returns the cluster o describes as multi-document YAML, each
// document introduced by "---".
func Cluster(o Options) []byte {
	out, err := Generate(o).YAML()
	if err != nil {
		panic(err) // typed objects always marshal
	}
	return out
}

// YAML renders the objects as multi-document YAML (see MarshalYAML), each
// document introduced by "---".
func (out *Output) YAML() ([]byte, error) {
	var buf bytes.Buffer
	for _, obj := range out.Objects {
		doc, err := MarshalYAML(obj)
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		buf.Write(doc)
	}
	return buf.Bytes(), nil
}

// MarshalYAML renders one object as YAML without the noise of a typed
// marshal: null values, and the empty status, resources and strategy maps
// that no manifest author writes. Empty maps that mean something (a
// podSelector: {} selecting every pod) are kept.
func MarshalYAML(obj runtime.Object) ([]byte, error) {
	js, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	prune(m)
	return yamlv2.Marshal(m)
}

// emptyNoise are the keys whose empty map a typed marshal emits and a
// manifest leaves out, with no change of meaning.
var emptyNoise = map[string]bool{"status": true, "resources": true, "strategy": true, "updateStrategy": true}

// prune also turns JSON numbers into the integers and floats go-yaml
// writes as plain scalars.
func prune(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			prune(e)
			if m, isMap := e.(map[string]any); e == nil || isMap && len(m) == 0 && emptyNoise[k] {
				delete(x, k)
			} else if n, isNumber := e.(json.Number); isNumber {
				x[k] = number(n)
			}
		}
	case []any:
		for i, e := range x {
			prune(e)
			if n, isNumber := e.(json.Number); isNumber {
				x[i] = number(n)
			}
		}
	}
}

func number(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}

type generator struct {
	opts Options
	rnd  *rand.Rand
	emit func(obj runtime.Object, kind string) error
	err  error // the first error emit returned: later objects are dropped
	pods int   // pods emitted so far: the next pod IP
}

func (g *generator) add(obj runtime.Object, gv schema.GroupVersion, kind string) {
	if g.err != nil {
		return
	}
	obj.GetObjectKind().SetGroupVersionKind(gv.WithKind(kind))
	g.err = g.emit(obj, kind)
}

// uid returns a deterministic RFC 4122-shaped UID.
func (g *generator) uid() types.UID {
	a, b := g.rnd.Uint64(), g.rnd.Uint64()
	return types.UID(fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0xfff, b&0xffffffffffff))
}

func (g *generator) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rnd.IntN(16)]
	}
	return string(b)
}

func teamName(i int) string { return fmt.Sprintf("team-%03d", i) }

var clusterRoleRules = [][]rbacv1.PolicyRule{
	{ // read-only
		{APIGroups: []string{""}, Resources: []string{"pods", "pods/log", "services", "configmaps"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "statefulsets"}, Verbs: []string{"get", "list", "watch"}},
	},
	{ // secret reader
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list"}},
	},
	{ // debugger
		{APIGroups: []string{""}, Resources: []string{"pods/exec", "pods/portforward"}, Verbs: []string{"create"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}},
	},
	{ // inference operator
		{APIGroups: []string{"serving.kserve.io"}, Resources: []string{"inferenceservices", "inferenceservices/status"}, Verbs: []string{"*"}},
		{APIGroups: []string{"kueue.x-k8s.io"}, Resources: []string{"workloads", "clusterqueues"}, Verbs: []string{"get", "list", "watch", "update"}},
	},
	{ // wildcard admin
		{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}},
		{NonResourceURLs: []string{"*"}, Verbs: []string{"*"}},
	},
}

func (g *generator) clusterRole(i int) {
	name := fmt.Sprintf("platform-role-%03d", i)
	rules := clusterRoleRules[i%len(clusterRoleRules)]
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"platform.aigov.dev/tier": "platform"}}}
	for _, r := range rules {
		cr.Rules = append(cr.Rules, *r.DeepCopy())
	}
	g.add(cr, rbacv1.SchemeGroupVersion, "ClusterRole")
	var subject rbacv1.Subject
	switch team := teamName(g.rnd.IntN(max(g.opts.Namespaces, 1))); i % 3 {
	case 0:
		subject = rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: team + "-leads"}
	case 1:
		subject = rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("user-%03d@example.com", i)}
	default:
		subject = rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: team, Name: "platform-bot"}
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{subject},
	}
	g.add(crb, rbacv1.SchemeGroupVersion, "ClusterRoleBinding")
}

// clusterAdmins writes the built-in cluster-admin ClusterRole as a cluster
// dump holds it and opts.ClusterAdmins bindings to it, cycling through a
// user, a team's leads group and a team's automation service account.
func (g *generator) clusterAdmins() {
	g.add(&rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin", Labels: map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"},
			Annotations: map[string]string{"rbac.authorization.kubernetes.io/autoupdate": "true"}},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}},
			{NonResourceURLs: []string{"*"}, Verbs: []string{"*"}},
		},
	}, rbacv1.SchemeGroupVersion, "ClusterRole")
	for i := 0; i < g.opts.ClusterAdmins; i++ {
		var subject rbacv1.Subject
		switch team := teamName(g.rnd.IntN(max(g.opts.Namespaces, 1))); i % 3 {
		case 0:
			subject = rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("admin-%03d@example.com", i)}
		case 1:
			subject = rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: team + "-admins"}
		default:
			subject = rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: team, Name: "platform-admin"}
		}
		g.add(&rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cluster-admin-%03d", i)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects:   []rbacv1.Subject{subject},
		}, rbacv1.SchemeGroupVersion, "ClusterRoleBinding")
	}
}

// components are the roles workloads play, cycled through so that each
// namespace forms a call chain.
var components = []struct {
	name, image string
	port        int32
}{
	{"rag-api", "registry.example.com/platform/rag-api:1.4.2", 8080},
	{"llm-service", "nvcr.io/nvidia/tritonserver:24.05-py3", 8000},
	{"vector-db", "docker.io/qdrant/qdrant:v1.9.0", 6333},
	{"embedder", "registry.example.com/platform/embedder:0.9.1", 8081},
	{"trainer", "nvcr.io/nvidia/pytorch:24.05-py3", 29500},
	{"cache", "redis:7.2", 6379},
}

func mustQ(s string) resource.Quantity { return resource.MustParse(s) }

func (g *generator) namespace(i int) {
	o := g.opts
	ns := teamName(i)
	gpu := o.gpuResource()
	g.add(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{
		LabelTeam: ns, LabelManaged: "true",
		"pod-security.kubernetes.io/enforce": []string{"baseline", "restricted"}[i%2],
	}}}, corev1.SchemeGroupVersion, "Namespace")
	g.add(&corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "team-quota", Namespace: ns},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
			corev1.ResourceRequestsCPU:    mustQ(fmt.Sprint(16 * (1 + g.rnd.IntN(8)))),
			corev1.ResourceRequestsMemory: mustQ(fmt.Sprintf("%dGi", 64*(1+g.rnd.IntN(8)))),
			corev1.ResourceLimitsMemory:   mustQ(fmt.Sprintf("%dGi", 128*(1+g.rnd.IntN(8)))),
			"requests." + gpu:             mustQ(fmt.Sprint(4 * (1 + g.rnd.IntN(4)))),
			corev1.ResourcePods:           mustQ(fmt.Sprint(10 * (1 + o.WorkloadsPerNamespace*max(o.PodsPerWorkload, 1)))),
		}},
	}, corev1.SchemeGroupVersion, "ResourceQuota")
	g.add(&corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "container-defaults", Namespace: ns},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			Max:            corev1.ResourceList{corev1.ResourceCPU: mustQ("32"), corev1.ResourceMemory: mustQ("256Gi")},
			Default:        corev1.ResourceList{corev1.ResourceCPU: mustQ("1"), corev1.ResourceMemory: mustQ("2Gi")},
			DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: mustQ("250m"), corev1.ResourceMemory: mustQ("512Mi")},
		}}},
	}, corev1.SchemeGroupVersion, "LimitRange")
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "team-developer", Namespace: ns},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"apps", "batch"}, Resources: []string{"deployments", "statefulsets", "jobs", "cronjobs"}, Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
			{APIGroups: []string{""}, Resources: []string{"pods", "pods/log", "services", "configmaps"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}, ResourceNames: []string{"model-credentials"}},
		},
	}
	if i%4 == 3 {
		role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}})
	}
	g.add(role, rbacv1.SchemeGroupVersion, "Role")
	g.add(&rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "team-developers", Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "team-developer"},
		Subjects: []rbacv1.Subject{
			{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: ns + "-developers"},
			{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: "ci-deployer"},
		},
	}, rbacv1.SchemeGroupVersion, "RoleBinding")
	g.add(&networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: ns},
		Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}, networkingv1.SchemeGroupVersion, "NetworkPolicy")
	for w := 0; w < o.WorkloadsPerNamespace; w++ {
		g.workload(i, w)
	}
}

func (g *generator) workload(nsIndex, w int) {
	o := g.opts
	if c, ok := o.isCR(w); ok {
		if crKind(c) == KindInferenceService && o.firstISVC(w) {
			g.servingRuntime(teamName(nsIndex))
		}
		g.crWorkload(nsIndex, w, c)
		return
	}
	ns := teamName(nsIndex)
	kind := o.kinds()[w%len(o.kinds())]
	comp := components[w%len(components)]
	name := fmt.Sprintf("%s-%02d", comp.name, w)
	labels := map[string]string{LabelApp: name}
	podLabels := map[string]string{LabelApp: name, LabelComponent: comp.name}
	gpus := 0
	if g.rnd.Float64() < o.GPUFraction {
		gpus = []int{1, 1, 2, 4, 8}[g.rnd.IntN(5)]
	}

	g.add(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}},
		corev1.SchemeGroupVersion, "ServiceAccount")
	g.add(&corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-config", Namespace: ns, Labels: labels},
		Data: map[string]string{
			"LOG_LEVEL":   []string{"info", "debug", "warn"}[g.rnd.IntN(3)],
			"MODEL_NAME":  []string{"llama-3-8b", "mistral-7b", "bge-large", "qwen2-72b"}[g.rnd.IntN(4)],
			"MAX_BATCH":   fmt.Sprint(1 << g.rnd.IntN(7)),
			"config.yaml": fmt.Sprintf("server:\n  port: %d\n  workers: %d\n", comp.port, 1+g.rnd.IntN(16)),
		},
	}, corev1.SchemeGroupVersion, "ConfigMap")
	g.add(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-credentials", Namespace: ns, Labels: labels},
		Type:       corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			"username": []byte("svc-" + name),
			"password": []byte(g.hex(32)),
		},
	}, corev1.SchemeGroupVersion, "Secret")

	tpl := g.podTemplate(ns, name, podLabels, comp.image, comp.port, gpus, kind)
	replicas := int32(1 + g.rnd.IntN(4))
	var owner metav1.OwnerReference
	switch kind {
	case KindDeployment:
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
			Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelApp: name}}, Template: tpl}}
		if o.ReplicaSets {
			d.UID = g.uid() // as read from a cluster, which its ReplicaSet names
		}
		g.add(d, appsv1.SchemeGroupVersion, kind)
		// Deployment pods belong to a ReplicaSet, which a cluster dump
		// holds (Options.ReplicaSets) and a repository does not.
		owner = metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: name + "-" + g.hex(10), UID: g.uid()}
		if o.ReplicaSets {
			g.replicaSet(d, owner)
		}
	case KindStatefulSet:
		s := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
			Spec: appsv1.StatefulSetSpec{Replicas: &replicas, ServiceName: name, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelApp: name}}, Template: tpl,
				VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
					ObjectMeta: metav1.ObjectMeta{Name: "data"},
					Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
						Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: mustQ(fmt.Sprintf("%dGi", 10*(1+g.rnd.IntN(10))))}}},
				}}}}
		g.add(s, appsv1.SchemeGroupVersion, kind)
		owner = metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: g.uid()}
	case KindDaemonSet:
		d := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
			Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelApp: name}}, Template: tpl}}
		g.add(d, appsv1.SchemeGroupVersion, kind)
		owner = metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: g.uid()}
	case KindJob:
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
			Spec: batchv1.JobSpec{Parallelism: &replicas, Completions: &replicas, Template: tpl}}
		g.add(j, batchv1.SchemeGroupVersion, kind)
		owner = metav1.OwnerReference{APIVersion: "batch/v1", Kind: kind, Name: name, UID: g.uid()}
	case KindCronJob:
		c := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
			Spec: batchv1.CronJobSpec{Schedule: fmt.Sprintf("%d */6 * * *", g.rnd.IntN(60)),
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Parallelism: &replicas, Template: tpl}}}}
		g.add(c, batchv1.SchemeGroupVersion, kind)
		// CronJob pods belong to a Job the manifests do not hold.
		owner = metav1.OwnerReference{APIVersion: "batch/v1", Kind: "Job", Name: fmt.Sprintf("%s-%d", name, 29000000+g.rnd.IntN(1000000)), UID: g.uid()}
	}
	owner.Controller, owner.BlockOwnerDeletion = ptr(true), ptr(true)

	if hasService(kind) {
		g.add(&corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
			Spec: corev1.ServiceSpec{
				Selector: map[string]string{LabelApp: name},
				Ports:    []corev1.ServicePort{{Name: "http", Port: comp.port, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}},
			},
		}, corev1.SchemeGroupVersion, "Service")
	}
	g.add(g.networkPolicy(ns, name, w, comp.port), networkingv1.SchemeGroupVersion, "NetworkPolicy")
	taken := map[string]bool{} // pod names of this workload
	for p := 0; p < o.PodsPerWorkload; p++ {
		g.pod(ns, name, kind, p, tpl, owner, taken)
	}
}

// replicaSet writes the ReplicaSet owner names, as the Deployment
// controller makes it from d: the pod-template-hash label on itself, its
// selector and its template, and a controller reference to d.
func (g *generator) replicaSet(d *appsv1.Deployment, owner metav1.OwnerReference) {
	hash := owner.Name[len(d.Name)+1:]
	withHash := func(m map[string]string) map[string]string {
		out := map[string]string{"pod-template-hash": hash}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	tpl := *d.Spec.Template.DeepCopy()
	tpl.Labels = withHash(tpl.Labels)
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: owner.Name, Namespace: d.Namespace, Labels: withHash(d.Spec.Template.Labels), UID: owner.UID,
			Annotations: map[string]string{"deployment.kubernetes.io/revision": "1"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID,
				Controller: ptr(true), BlockOwnerDeletion: ptr(true)}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas,
			Selector: &metav1.LabelSelector{MatchLabels: withHash(d.Spec.Selector.MatchLabels)}, Template: tpl},
	}
	g.add(rs, appsv1.SchemeGroupVersion, "ReplicaSet")
}

func (g *generator) podTemplate(ns, name string, labels map[string]string, image string, port int32, gpus int, kind string) corev1.PodTemplateSpec {
	cpu := []string{"250m", "500m", "1", "2", "4"}[g.rnd.IntN(5)]
	mem := []string{"512Mi", "1Gi", "4Gi", "16Gi", "64Gi"}[g.rnd.IntN(5)]
	c := corev1.Container{
		Name:  "main",
		Image: image,
		Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: port, Protocol: corev1.ProtocolTCP}},
		EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: name + "-config"}}}},
		Env: []corev1.EnvVar{
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: name + "-credentials"}, Key: "password"}}},
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: mustQ(cpu), corev1.ResourceMemory: mustQ(mem)},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: mustQ(mem)},
		},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			RunAsNonRoot:             ptr(g.rnd.IntN(4) != 0),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
	spec := corev1.PodSpec{
		ServiceAccountName:           name,
		AutomountServiceAccountToken: ptr(g.rnd.IntN(2) == 0),
		Containers:                   []corev1.Container{c},
	}
	if kind != KindJob && kind != KindCronJob {
		spec.Containers[0].ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}, PeriodSeconds: 10}
	} else {
		spec.RestartPolicy = corev1.RestartPolicyOnFailure
	}
	if gpus > 0 {
		gpu := g.opts.gpuResource()
		q := mustQ(fmt.Sprint(gpus))
		spec.Containers[0].Resources.Limits[gpu] = q
		spec.Containers[0].Resources.Requests[gpu] = q
		spec.NodeSelector = map[string]string{"nvidia.com/gpu.present": "true"}
		spec.Tolerations = []corev1.Toleration{{Key: string(gpu), Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}
}

func (g *generator) networkPolicy(ns, name string, w int, port int32) *networkingv1.NetworkPolicy {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	p := intstr.FromInt32(port)
	dns := intstr.FromInt32(53)
	// The first workload of a namespace takes traffic from the ingress
	// namespace; each later one from the workload before it.
	from := networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "ingress-nginx"}}}
	if w > 0 {
		from = networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: g.opts.workloadSelector(w - 1)}}
	}
	np := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "allow-" + name, Namespace: ns},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelApp: name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{from},
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &p}},
			}},
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{To: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}},
				{
					To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}},
						PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}, {Protocol: &tcp, Port: &dns}},
				},
			},
		},
	}
	if w%5 == 4 { // some workloads reach an external model API
		np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
			To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8", "169.254.169.254/32"}}}},
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr(intstr.FromInt32(443))}},
		})
	}
	return np
}

// pod writes one pod of a workload; taken holds the names of the
// workload's pods so far: a random suffix drawn twice is drawn again, as
// the apiserver makes a controller retry a generated name that exists.
func (g *generator) pod(ns, workload, kind string, p int, tpl corev1.PodTemplateSpec, owner metav1.OwnerReference, taken map[string]bool) {
	var name string
	labels := map[string]string{}
	for k, v := range tpl.Labels {
		labels[k] = v
	}
	for name == "" || taken[name] {
		switch kind {
		case KindStatefulSet:
			name = fmt.Sprintf("%s-%d", workload, p)
			labels["statefulset.kubernetes.io/pod-name"] = name
		case KindDeployment:
			hash := owner.Name[len(workload)+1:]
			name = fmt.Sprintf("%s-%s-%s", workload, hash, g.hex(5))
			labels["pod-template-hash"] = hash
		default:
			name = fmt.Sprintf("%s-%s", workload, g.hex(5))
		}
	}
	taken[name] = true
	g.pods++
	ip := fmt.Sprintf("10.%d.%d.%d", g.pods>>16&0xff, g.pods>>8&0xff, g.pods&0xff)
	node := fmt.Sprintf("node-%03d", g.rnd.IntN(64))
	spec := *tpl.Spec.DeepCopy()
	spec.NodeName = node
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels, UID: g.uid(),
			OwnerReferences: []metav1.OwnerReference{owner}},
		Spec: spec,
		Status: corev1.PodStatus{
			Phase:  corev1.PodRunning,
			HostIP: fmt.Sprintf("192.168.%d.%d", g.rnd.IntN(4), 1+g.rnd.IntN(250)),
			PodIP:  ip,
			PodIPs: []corev1.PodIP{{IP: ip}},
		},
	}
	g.add(pod, corev1.SchemeGroupVersion, "Pod")
}

func ptr[T any](v T) *T { return &v }
