package live

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/internal/gen"
)

// execRoles gives a namespace a Role that grants pods/exec and RBAC
// escalation, bound to no one, so that a new RoleBinding of a team group
// to it creates a team-group-risks finding.
const execRoles = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: %[1]s}
rules:
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind, escalate]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
`

// TestAdmissionRelevanceEqualsFull holds the review's shortcuts (the
// rules a change's kind cannot touch are not run, the facts it cannot
// touch are carried over, closed readers included, the reachability
// graph is derived) to the full what-if: every rule run on a fresh pass.
// The whole catalog runs as Deny, so that a finding any rule would newly
// give shows in the response, and random changes of every kind the
// relevance tables name, and of kinds they do not (Pods, Deployments,
// ServiceAccounts, Namespaces, ConfigMaps), get the same response both
// ways.
func TestAdmissionRelevanceEqualsFull(t *testing.T) {
	opts := gen.Options{Seed: 11, Namespaces: 6, WorkloadsPerNamespace: 4, PodsPerWorkload: 2, GPUFraction: 0.3,
		ClusterRoles: 3, ReplicaSets: true, CRFraction: 0.2}
	manifests := string(gen.Cluster(opts))
	for i := range 6 {
		ns := fmt.Sprintf("team-%03d", i)
		manifests += "\n---\n" + fmt.Sprintf(execRoles, ns)
		if i < 2 {
			manifests += "\n---\n" + fmt.Sprintf(openPolicy, ns)
		}
	}
	rules, err := policyset.Rules("")
	require.NoError(t, err)
	for i := range rules {
		rules[i].Action = governance.ActionDeny
	}
	fast, full, inv, _ := whatIfAdmitters(t, rules, manifests)
	namespaces := teamNamespaces(t, inv)
	of := func(group, kind string) []*governance.Object {
		objs := inv.OfKind(schema.GroupKind{Group: group, Kind: kind})
		require.NotEmpty(t, objs, "the platform has no %s", kind)
		return objs
	}
	existing := map[string][]*governance.Object{
		"Role": of(rbacGroup, "Role"), "ClusterRole": of(rbacGroup, "ClusterRole"),
		"RoleBinding": of(rbacGroup, "RoleBinding"), "ClusterRoleBinding": of(rbacGroup, "ClusterRoleBinding"),
		"ServiceAccount": of("", "ServiceAccount"), "Namespace": of("", "Namespace"), "Secret": of("", "Secret"),
		"Service": of("", "Service"), "Pod": of("", "Pod"), "Deployment": of("apps", "Deployment"),
		"NetworkPolicy": of("networking.k8s.io", "NetworkPolicy"), "ResourceQuota": of("", "ResourceQuota"),
	}

	r := rand.New(rand.NewPCG(15, 7))
	denied := map[string]int{}
	skipped := 0
	for i := range 200 {
		op, obj := randomKindChange(t, r, i, namespaces, existing)
		req := requestOf(t, op, obj)
		what := fmt.Sprintf("change %d: %s of %s %s/%s", i, op, req.Kind.Kind, req.Namespace, req.Name)
		want, err := full.review(context.Background(), req)
		require.NoError(t, err, what)
		got, err := fast.review(context.Background(), req)
		require.NoError(t, err, what)
		require.Equal(t, want.Allowed, got.Allowed, what)
		require.Equal(t, want.Warnings, got.Warnings, what)
		require.Equal(t, want.Result, got.Result, what)
		if !got.Allowed {
			denied[req.Kind.Kind]++
		}
		gk := schema.GroupKind{Group: req.Kind.Group, Kind: req.Kind.Kind}
		for j := range fast.engine.Rules() {
			if !fast.relevance.ruleTouched(gk, j) {
				skipped++
				break
			}
		}
	}
	t.Logf("denied: %v", denied)
	// The comparison decides something: changes of the RBAC kinds, of
	// pods and workloads and of policies create findings, and the fast
	// path leaves rules out.
	for _, kind := range []string{"Role", "ClusterRole", "RoleBinding", "Pod", "NetworkPolicy", "Service"} {
		require.Positive(t, denied[kind], "no %s change was denied", kind)
	}
	require.Positive(t, denied["Deployment"]+denied["ServiceAccount"]+denied["Secret"], "no Deployment, ServiceAccount or Secret change was denied")
	require.Positive(t, skipped, "the fast path ran every rule for every change")
}

// randomKindChange makes the i-th change of TestAdmissionRelevanceEqualsFull:
// an object of one of many kinds created (often one that creates a
// finding), an existing one relabelled or altered, or deleted.
func randomKindChange(t *testing.T, r *rand.Rand, i int, namespaces []string, existing map[string][]*governance.Object) (admissionv1.Operation, map[string]any) {
	t.Helper()
	ns := namespaces[r.IntN(len(namespaces))]
	other := namespaces[r.IntN(len(namespaces))]
	pick := func(kind string) map[string]any {
		objs := existing[kind]
		return objectMap(t, objs[r.IntN(len(objs))])
	}
	rbacMeta := func(name, namespace string) map[string]any {
		m := map[string]any{"name": name}
		if namespace != "" {
			m["namespace"] = namespace
		}
		return m
	}
	riskyRule := []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"pods/exec"}, "verbs": []any{"create"}},
		map[string]any{"apiGroups": []any{"rbac.authorization.k8s.io"}, "resources": []any{"rolebindings"}, "verbs": []any{"create", "bind"}}}
	switch r.IntN(17) {
	case 0: // a team group bound to the namespace's exec Role or a platform ClusterRole
		roleRef := map[string]any{"apiGroup": rbacGroup, "kind": "Role", "name": "exec"}
		if r.IntN(3) == 0 {
			roleRef = map[string]any{"apiGroup": rbacGroup, "kind": "ClusterRole", "name": existing["ClusterRole"][r.IntN(len(existing["ClusterRole"]))].Name()}
		}
		return admissionv1.Create, map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
			"metadata": rbacMeta(fmt.Sprintf("grant-%d", i), ns), "roleRef": roleRef,
			"subjects": []any{map[string]any{"apiGroup": rbacGroup, "kind": "Group", "name": other + "-developers"}}}
	case 1: // an existing Role or ClusterRole given risky rules
		m := pick([]string{"Role", "ClusterRole"}[r.IntN(2)])
		rules, _ := m["rules"].([]any)
		m["rules"] = append(rules, riskyRule[r.IntN(len(riskyRule))])
		return admissionv1.Update, m
	case 2: // a binding, role or cluster binding deleted or relabelled
		m := pick([]string{"RoleBinding", "ClusterRoleBinding", "Role", "ClusterRole"}[r.IntN(4)])
		if r.IntN(2) == 0 {
			return admissionv1.Delete, m
		}
		meta := m["metadata"].(map[string]any)
		meta["labels"] = merge(meta["labels"], map[string]any{"touched": "yes"})
		return admissionv1.Update, m
	case 3: // a ClusterRoleBinding of a team group to a platform ClusterRole
		return admissionv1.Create, map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
			"metadata": rbacMeta(fmt.Sprintf("cluster-grant-%d", i), ""),
			"roleRef":  map[string]any{"apiGroup": rbacGroup, "kind": "ClusterRole", "name": existing["ClusterRole"][r.IntN(len(existing["ClusterRole"]))].Name()},
			"subjects": []any{map[string]any{"apiGroup": rbacGroup, "kind": "Group", "name": ns + "-developers"}}}
	case 4: // a ServiceAccount deleted or created
		if r.IntN(2) == 0 {
			return admissionv1.Delete, pick("ServiceAccount")
		}
		return admissionv1.Create, map[string]any{"apiVersion": "v1", "kind": "ServiceAccount",
			"metadata": map[string]any{"name": fmt.Sprintf("sa-%d", i), "namespace": ns}}
	case 5: // a Namespace relabelled: its team label changed or dropped
		m := pick("Namespace")
		meta := m["metadata"].(map[string]any)
		labels := merge(meta["labels"], nil)
		if r.IntN(2) == 0 {
			delete(labels, gen.LabelTeam)
		} else {
			labels[gen.LabelTeam] = other
		}
		meta["labels"] = labels
		return admissionv1.Update, m
	case 6: // a LoadBalancer or NodePort Service over some pods
		return admissionv1.Create, map[string]any{"apiVersion": "v1", "kind": "Service",
			"metadata": map[string]any{"name": fmt.Sprintf("lb-%d", i), "namespace": ns},
			"spec": map[string]any{"type": []string{"LoadBalancer", "NodePort", "ClusterIP"}[r.IntN(3)],
				"selector": map[string]any{}, "ports": []any{map[string]any{"port": 80}}}}
	case 7: // an existing Service deleted or opened
		m := pick("Service")
		if r.IntN(2) == 0 {
			return admissionv1.Delete, m
		}
		spec := m["spec"].(map[string]any)
		spec["type"] = "LoadBalancer"
		delete(spec, "clusterIP")
		delete(spec, "clusterIPs")
		return admissionv1.Update, m
	case 8: // a Secret with an API key, or an existing one deleted
		if r.IntN(2) == 0 {
			return admissionv1.Delete, pick("Secret")
		}
		return admissionv1.Create, map[string]any{"apiVersion": "v1", "kind": "Secret",
			"metadata":   map[string]any{"name": fmt.Sprintf("keys-%d", i), "namespace": ns},
			"stringData": map[string]any{"OPENAI_API_KEY": "sk-proj-" + fmt.Sprintf("%040d", i)}}
	case 9: // a ResourceQuota deleted
		return admissionv1.Delete, pick("ResourceQuota")
	case 10: // a ConfigMap
		return admissionv1.Create, map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": fmt.Sprintf("cm-%d", i), "namespace": ns}, "data": map[string]any{"k": "v"}}
	}
	// Pods, workloads and network policies, as the derived-graph test
	// makes them.
	return randomAdmissionChange(t, r, i, namespaces, existing["Pod"], existing["Deployment"], existing["NetworkPolicy"])
}
