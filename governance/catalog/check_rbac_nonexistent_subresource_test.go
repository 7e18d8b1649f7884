package catalog

import (
	"slices"
	"testing"

	"github.com/aigov/aigov/internal/kubeapi"
)

func TestRBACNonexistentSubresource(t *testing.T) {
	c := mustNew(t, NewRBACNonexistentSubresource, "")
	role := func(kind, rules string) string {
		return "apiVersion: rbac.authorization.k8s.io/v1\nkind: " + kind + "\nmetadata: {name: r, namespace: ml}\nrules:\n" + rules
	}
	runCases(t, c, []checkCase{
		{name: "served", manifest: role("Role", "- {apiGroups: [''], resources: [pods/log, pods/exec, pods/portforward, pods/*, serviceaccounts/token, '*/status'], verbs: [get]}\n- {apiGroups: [apps, batch], resources: [deployments/scale, jobs/status, '*/scale'], verbs: [get]}\n")},
		{name: "authorization only", manifest: role("ClusterRole", "- {apiGroups: [''], resources: [nodes/metrics, nodes/stats, nodes/proxy, pods/finalizers], verbs: [get]}\n- {apiGroups: [apps, certificates.k8s.io], resources: [deployments/finalizers, certificatesigningrequests/nodeclient, '*/finalizers'], verbs: [create, update]}\n")},
		{name: "not judged", manifest: role("Role", "- {apiGroups: [serving.kserve.io, extensions], resources: [inferenceservices/logs, deployments/rollback], verbs: [get]}\n- {apiGroups: [''], resources: [widgets/logs, '*/*', '*'], verbs: [get]}\n")},
		{name: "pods/logs", manifest: role("Role", "- {apiGroups: [''], resources: [pods, pods/logs], verbs: [get]}\n"),
			want: []string{`Role/r rules[0].resources[1]: Role "r" rule 0 names "pods/logs": pods has no "logs" subresource (it serves attach, binding, ephemeralcontainers, eviction, exec, log, portforward, proxy, resize, status), so the rule grants nothing for it`}},
		{name: "wildcard group", manifest: role("ClusterRole", "- {apiGroups: ['*'], resources: [deployments/scales, '*/logs'], verbs: [get]}\n"),
			want: []string{
				`ClusterRole/r rules[0].resources[0]: ClusterRole "r" rule 0 names "deployments/scales": deployments has no "scales" subresource (it serves scale, status), so the rule grants nothing for it`,
				`ClusterRole/r rules[0].resources[1]: ClusterRole "r" rule 0 names "*/logs": no resource of API group "", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "apps", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "lifecycle.k8s.io", "networking.k8s.io", "node.k8s.io", "policy", "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io" serves a "logs" subresource, so the rule grants nothing for it`,
			}},
		{name: "no subresources", manifest: role("Role", "- {apiGroups: [''], resources: [secrets/data], verbs: [get]}\n"),
			want: []string{`Role/r rules[0].resources[0]: Role "r" rule 0 names "secrets/data": secrets has no subresources, so the rule grants nothing for it`}},
		{name: "v1beta1 served too", manifest: "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: Role\nmetadata: {name: r, namespace: ml}\nrules: [{apiGroups: [''], resources: [pods/logs], verbs: [get]}]\n",
			want: []string{`Role/r rules[0].resources[0]: Role "r" rule 0 names "pods/logs": pods has no "logs" subresource (it serves attach, binding, ephemeralcontainers, eviction, exec, log, portforward, proxy, resize, status), so the rule grants nothing for it`}},
	})
	runParamCases(t, NewRBACNonexistentSubresource, noParamCases)
}

func TestServedResources(t *testing.T) {
	s := ServedResources()
	if !slices.Contains(s[""]["pods"], "log") || !slices.Contains(s["apps"]["deployments"], "scale") ||
		!slices.Contains(s[""]["serviceaccounts"], "token") {
		t.Errorf("served resources lack well-known subresources: %v", s[""]["pods"])
	}
	if _, ok := s["rbac.authorization.k8s.io"]["roles"]; !ok {
		t.Error("roles missing")
	}
	n := 0
	for _, r := range kubeapi.ServedResources() {
		n++
		if subs, ok := s[r.Group][r.Name]; !ok || !slices.Equal(subs, r.SubresourceNames()) {
			t.Errorf("%s in group %q: ServedResources %v, kubeapi %v", r.Name, r.Group, subs, r.SubresourceNames())
		}
	}
	for _, rs := range s {
		n -= len(rs)
	}
	if n != 0 {
		t.Errorf("ServedResources and kubeapi differ in size by %d", n)
	}
	s[""]["pods"] = nil
	if len(ServedResources()[""]["pods"]) == 0 {
		t.Error("ServedResources shares state between calls")
	}
}
