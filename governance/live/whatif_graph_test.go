package live

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/internal/gen"
	"github.com/aigov/aigov/netpol"
)

// openPolicy opens the pods labelled exposed=true of a namespace to and
// from every namespace, with one such pod, so that pods and workloads
// that take the label there create cross-team paths.
const openPolicy = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: %[1]s}
spec:
  podSelector: {matchLabels: {exposed: "true"}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{namespaceSelector: {}}]}]
  egress: [{to: [{namespaceSelector: {}}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: seed, namespace: %[1]s, labels: {exposed: "true"}}
spec: {containers: [{name: c, image: 'busybox:1.36'}]}
`

// TestAdmissionDerivedGraphEqualsFull: on a generated platform where some
// namespaces open their exposed pods, random Pod, Deployment and
// NetworkPolicy creations, updates and deletions get the same admission
// response (allowed, warnings, message) whether the what-if graph is
// derived from the evaluation's (deriveGraph) or built anew.
func TestAdmissionDerivedGraphEqualsFull(t *testing.T) {
	opts := gen.Options{Seed: 7, Namespaces: 6, WorkloadsPerNamespace: 5, PodsPerWorkload: 2, GPUFraction: 0.2,
		ClusterRoles: 3, ReplicaSets: true, CRFraction: 0.2}
	manifests := string(gen.Cluster(opts))
	for i := range 3 {
		manifests += "\n---\n" + fmt.Sprintf(openPolicy, fmt.Sprintf("team-%03d", i))
	}
	rules, err := policyset.Rules("testdata/admission-policy.yaml")
	require.NoError(t, err)
	fast, full, inv, pass := whatIfAdmitters(t, rules, manifests)
	require.True(t, pass.Computed(netpol.GraphFact), "the policy's checks read the reachability graph")
	namespaces := teamNamespaces(t, inv)
	pods := inv.OfKind(schema.GroupKind{Kind: "Pod"})
	deployments := inv.OfKind(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	policies := inv.OfKind(schema.GroupKind{Group: "networking.k8s.io", Kind: "NetworkPolicy"})
	require.NotEmpty(t, pods)
	require.NotEmpty(t, deployments)

	r := rand.New(rand.NewPCG(15, 50))
	denied, warned := map[string]int{}, 0
	for i := range 150 {
		op, obj := randomAdmissionChange(t, r, i, namespaces, pods, deployments, policies)
		req := requestOf(t, op, obj)
		want, err := full.review(context.Background(), req)
		require.NoError(t, err)
		got, err := fast.review(context.Background(), req)
		require.NoError(t, err)
		what := fmt.Sprintf("change %d: %s of %s %s/%s", i, op, req.Kind.Kind, req.Namespace, req.Name)
		require.Equal(t, want.Allowed, got.Allowed, what)
		require.Equal(t, want.Warnings, got.Warnings, what)
		require.Equal(t, want.Result, got.Result, what)
		if !got.Allowed {
			denied[req.Kind.Kind]++
		}
		sameFindings(t, fast.engine, fast, fast.snapshot(), req, what)
		if len(got.Warnings) > 0 {
			warned++
		}
	}
	t.Logf("denied: %v; %d with warnings", denied, warned)
	// The derived graph decides something: pods and workloads that open
	// a cross-team path are denied, as are policies that do.
	require.Positive(t, denied["Pod"]+denied["Deployment"], "no pod or workload change was denied")
	require.Positive(t, denied["NetworkPolicy"], "no NetworkPolicy change was denied")
}

// randomAdmissionChange makes the i-th change: a new Pod or Deployment
// (exposed or not, in a namespace that opens exposed pods or not, a
// latest tag or a vector database image), an existing one relabelled, or
// deleted, a new open NetworkPolicy, or a default-deny deleted.
func randomAdmissionChange(t *testing.T, r *rand.Rand, i int, namespaces []string, pods, deployments, policies []*governance.Object) (admissionv1.Operation, map[string]any) {
	t.Helper()
	ns := namespaces[r.IntN(len(namespaces))]
	labels := map[string]any{"team": ns}
	if r.IntN(3) > 0 {
		labels["exposed"] = "true"
	}
	image := []string{"busybox:1.36", "nginx:latest", "docker.io/qdrant/qdrant:v1.9.0"}[r.IntN(3)]
	podSpec := map[string]any{"containers": []any{map[string]any{"name": "c", "image": image,
		"ports": []any{map[string]any{"name": "http", "containerPort": 8080}}}}}
	switch r.IntN(8) {
	case 0: // a new pod
		return admissionv1.Create, map[string]any{"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": fmt.Sprintf("debug-%d", i), "namespace": ns, "labels": labels}, "spec": podSpec}
	case 1: // a new Deployment
		name := fmt.Sprintf("tool-%d", i)
		labels["app"] = name
		return admissionv1.Create, map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": name, "namespace": ns},
			"spec": map[string]any{"replicas": 2, "selector": map[string]any{"matchLabels": map[string]any{"app": name}},
				"template": map[string]any{"metadata": map[string]any{"labels": labels}, "spec": podSpec}}}
	case 2, 3: // an existing pod or Deployment relabelled
		o := pods
		if r.IntN(2) == 0 {
			o = deployments
		}
		m := objectMap(t, o[r.IntN(len(o))])
		meta := m["metadata"].(map[string]any)
		if m["kind"] == "Pod" {
			meta["labels"] = merge(meta["labels"], labels)
		} else {
			tpl := m["spec"].(map[string]any)["template"].(map[string]any)
			tm := tpl["metadata"].(map[string]any)
			tm["labels"] = merge(tm["labels"], map[string]any{"exposed": labels["exposed"]})
		}
		return admissionv1.Update, m
	case 4: // an existing pod or Deployment deleted
		o := pods
		if r.IntN(2) == 0 {
			o = deployments
		}
		return admissionv1.Delete, objectMap(t, o[r.IntN(len(o))])
	case 5: // a new open policy
		return admissionv1.Create, map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
			"metadata": map[string]any{"name": fmt.Sprintf("open-%d", i), "namespace": ns},
			"spec": map[string]any{"podSelector": map[string]any{}, "policyTypes": []any{"Ingress"},
				"ingress": []any{map[string]any{"from": []any{map[string]any{"namespaceSelector": map[string]any{}}}}}}}
	case 6: // a policy deleted
		return admissionv1.Delete, objectMap(t, policies[r.IntN(len(policies))])
	}
	// an exposed pod given an IP in a fresh range
	m := map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": fmt.Sprintf("ip-%d", i), "namespace": ns, "labels": labels}, "spec": podSpec,
		"status": map[string]any{"podIP": fmt.Sprintf("10.200.0.%d", i%250+1)}}
	return admissionv1.Create, m
}

func merge(a any, b map[string]any) map[string]any {
	out := map[string]any{}
	if m, ok := a.(map[string]any); ok {
		for k, v := range m {
			out[k] = v
		}
	}
	for k, v := range b {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

// objectMap is an inventory object as the apiserver would send it.
func objectMap(t *testing.T, o *governance.Object) map[string]any {
	t.Helper()
	js, err := json.Marshal(o.Obj)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(js, &m))
	m["apiVersion"], m["kind"] = o.GVK.GroupVersion().String(), o.GVK.Kind
	return m
}

// requestOf makes an AdmissionRequest of op on the object.
func requestOf(t *testing.T, op admissionv1.Operation, obj map[string]any) *admissionv1.AdmissionRequest {
	t.Helper()
	js, err := json.Marshal(obj)
	require.NoError(t, err)
	meta := obj["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	gv, err := schema.ParseGroupVersion(obj["apiVersion"].(string))
	require.NoError(t, err)
	req := &admissionv1.AdmissionRequest{UID: "uid-derive", Operation: op, Name: meta["name"].(string), Namespace: ns,
		Kind: metav1.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: obj["kind"].(string)}}
	if op == admissionv1.Delete {
		req.OldObject = runtime.RawExtension{Raw: js}
	} else {
		req.Object = runtime.RawExtension{Raw: js}
	}
	return req
}

// sameFindings compares every finding of the policy on the changed
// inventory, old ones too (the response shows only new ones), between a
// pass whose graph is derived as the review derives it and a fresh pass.
func sameFindings(t *testing.T, engine *governance.Engine, a *admitter, snap *Snapshot, req *admissionv1.AdmissionRequest, what string) {
	t.Helper()
	raw := req.Object.Raw
	if req.Operation == admissionv1.Delete {
		raw = req.OldObject.Raw
	}
	obj, err := a.decodeObject(req, raw)
	require.NoError(t, err)
	var added *governance.Object
	if req.Operation != admissionv1.Delete {
		added = obj
	}
	whatIf, err := snap.inventory.WithChange(obj.Key(), added)
	require.NoError(t, err)
	want := engine.RunPass(governance.NewPass(whatIf))
	release := a.deriveGraph(snap, whatIf, obj.GVK.GroupKind(), obj.Key())
	got := engine.RunPass(governance.NewPass(whatIf))
	release()
	require.Equal(t, want, got, what)
}

// whatIfAdmitters loads manifests, evaluates rules on them as the
// server's snapshot, and returns two admitters over it: fast, with the
// review's shortcuts, and full, every rule run on a fresh pass
// (fullWhatIf), with the inventory and the snapshot's pass.
func whatIfAdmitters(t *testing.T, rules []governance.Rule, manifests string) (fast, full *admitter, inv *governance.Inventory, pass *governance.Pass) {
	t.Helper()
	engine, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err = loader.LoadBytes("platform.yaml", []byte(manifests))
	require.NoError(t, err)
	pass = governance.NewPass(inv)
	snap := &Snapshot{Generation: 1, Findings: engine.RunPass(pass), Objects: inv.Len(), inventory: inv, pass: pass}
	fast, err = newAdmitter(engine, func() *Snapshot { return snap }, nil)
	require.NoError(t, err)
	full, err = newAdmitter(engine, func() *Snapshot { return snap }, nil)
	require.NoError(t, err)
	full.fullWhatIf = true
	return fast, full, inv, pass
}

// teamNamespaces are the namespaces of inv with a team label.
func teamNamespaces(t *testing.T, inv *governance.Inventory) []string {
	t.Helper()
	var namespaces []string
	for _, ns := range governance.Typed[*corev1.Namespace](inv) {
		if ns.Labels[gen.LabelTeam] != "" {
			namespaces = append(namespaces, ns.Name)
		}
	}
	require.NotEmpty(t, namespaces)
	return namespaces
}
