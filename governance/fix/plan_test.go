package fix_test

import (
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/fix"
)

// planManifest plans the fixes of the default catalog's findings (rules)
// on a manifest.
func planManifest(t *testing.T, manifest string) ([]fix.Edit, []fix.Suggestion) {
	t.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.LoadBytes("m.yaml", []byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	e, err := governance.NewEngine(rules(t)...)
	if err != nil {
		t.Fatal(err)
	}
	return fix.Plan(inv, e.Run(inv), fix.Options{})
}

// TestPlanLeavesChoicesAlone: where a manifest states a choice the safe
// default would overturn, or aigov lacks what it would need to know, Plan
// suggests instead of editing.
func TestPlanLeavesChoicesAlone(t *testing.T) {
	restricted := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n---\n"
	for _, tc := range []struct {
		name, manifest string
		path, want     string // the suggestion's path and words
		noEdit         string // a path no edit may touch
	}{
		{
			name:     "a pod that sets automountServiceAccountToken: true",
			manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  automountServiceAccountToken: true\n  containers: [{name: c, image: i:1}]\n",
			path:     "spec.automountServiceAccountToken", want: "saying it needs the token",
			noEdit: "spec.automountServiceAccountToken",
		},
		{
			name: "explicit allowPrivilegeEscalation: true",
			manifest: restricted + "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers:\n  - name: c\n    image: i:1\n" +
				"    securityContext: {allowPrivilegeEscalation: true}\n",
			path: "spec.containers[0].securityContext.allowPrivilegeEscalation", want: "sets allowPrivilegeEscalation: true",
			noEdit: "spec.containers[0].securityContext.allowPrivilegeEscalation",
		},
		{
			// The apiserver refuses allowPrivilegeEscalation: false next to
			// CAP_SYS_ADMIN (pkg/apis/core/validation, v1.37).
			name: "a container that adds CAP_SYS_ADMIN",
			manifest: restricted + "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers:\n  - name: c\n    image: i:1\n" +
				"    securityContext: {capabilities: {add: [CAP_SYS_ADMIN]}}\n",
			path: "spec.containers[0].securityContext.allowPrivilegeEscalation", want: "which the apiserver refuses",
			noEdit: "spec.containers[0].securityContext.allowPrivilegeEscalation",
		},
		{
			name: "a pod-level Unconfined seccomp profile",
			manifest: restricted + "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  securityContext:\n    seccompProfile: {type: Unconfined}\n" +
				"  containers: [{name: c, image: i:1}]\n",
			path: "spec.securityContext.seccompProfile", want: "Unconfined",
			noEdit: "spec.securityContext.seccompProfile.type",
		},
		{
			name:     "runAsNonRoot: false",
			manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  securityContext: {runAsNonRoot: false, runAsUser: 1000}\n  containers: [{name: c, image: i:1}]\n",
			path:     "spec.securityContext.runAsNonRoot", want: "sets runAsNonRoot: false",
			noEdit: "spec.securityContext.runAsNonRoot",
		},
		{
			name:     "runAsUser 0",
			manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 0}\n  containers: [{name: c, image: i:1}]\n",
			path:     "spec.securityContext.runAsUser", want: "runAsUser: 0",
			noEdit: "spec.securityContext.runAsUser",
		},
		{
			name: "a quota that already has the key meant",
			manifest: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ns}\nspec:\n  hard:\n" +
				"    nvidia.com/gpu: \"2\"\n    requests.nvidia.com/gpu: \"4\"\n",
			path: "spec.hard[nvidia.com/gpu]", want: "already limits requests.nvidia.com/gpu",
			noEdit: "spec.hard[nvidia.com/gpu]",
		},
		{
			name: "a quota key with no key meant",
			manifest: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ns}\nspec:\n  hard:\n" +
				"    limits.fpga: \"2\"\n",
			path: "spec.hard[limits.fpga]", want: "no key to rename it to",
			noEdit: "spec.hard[limits.fpga]",
		},
		{
			name:     "a GPU toleration on a pod without GPUs",
			manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  tolerations: [{key: nvidia.com/gpu, operator: Exists}]\n  containers: [{name: c, image: i:1}]\n",
			path:     "spec.tolerations[0]", want: "remove the GPU toleration",
			noEdit: "spec.tolerations",
		},
		{
			name:     "an RBAC resource with no spelling fix",
			manifest: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods/shell]\n  verbs: [get]\n",
			path:     "rules[0].resources[0]", want: "no single spelling fix",
			noEdit: "rules[0].resources[0]",
		},
		{
			name:     "a team label on a Pod would change what selects it",
			manifest: "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns, labels: {team: t}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers: [{name: c, image: i:1}]\n",
			path:     "metadata.labels[team]", want: "only onto built-in workloads",
			noEdit: "metadata.labels[team]",
		},
		{
			name:     "a Kyverno action that is neither Audit nor Enforce",
			manifest: "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: k}\nspec:\n  validationFailureAction: block\n  rules: []\n",
			path:     "spec.validationFailureAction", want: "neither Audit nor Enforce",
			noEdit: "spec.validationFailureAction",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edits, suggestions := planManifest(t, tc.manifest)
			for _, ed := range edits {
				if ed.Path == tc.noEdit {
					t.Errorf("edit %s %s %v, want none", ed.Op, ed.Path, ed.Value)
				}
			}
			var found []string
			for _, s := range suggestions {
				found = append(found, s.Path+": "+s.Message)
				if s.Path == tc.path && strings.Contains(s.Message, tc.want) {
					return
				}
			}
			t.Errorf("no suggestion at %s saying %q; got:\n%s", tc.path, tc.want, strings.Join(found, "\n"))
		})
	}
}
