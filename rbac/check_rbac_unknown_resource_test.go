package rbac_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// TestUnknownResource covers, besides testdata/lint, the cases the merged
// rbac-nonexistent-subresource was written for: subresources that exist
// for authorization only are served, rules of extension groups are not
// judged, and a subresource no built-in resource has is reported.
func TestUnknownResource(t *testing.T) {
	d, err := governance.Lookup(rbac.Checks(), "rbac-unknown-resource")
	if err != nil {
		t.Fatal(err)
	}
	check, err := d.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, rules string
		want        []string // "path message-substring"
	}{
		{"served", "- {apiGroups: [''], resources: [pods/log, pods/exec, pods/portforward, serviceaccounts/token, '*/status'], verbs: [get]}\n" +
			"- {apiGroups: [apps, batch], resources: [deployments/scale, jobs/status, '*/scale'], verbs: [get]}\n", nil},
		{"authorization only", "- {apiGroups: [''], resources: [nodes/metrics, nodes/stats, nodes/proxy, pods/finalizers], verbs: [get]}\n" +
			"- {apiGroups: [apps, certificates.k8s.io], resources: [deployments/finalizers, certificatesigningrequests/nodeclient, '*/finalizers'], verbs: [update]}\n", nil},
		{"not judged", "- {apiGroups: [serving.kserve.io, extensions], resources: [inferenceservices/logs, deployments/rollback], verbs: [get]}\n" +
			"- {apiGroups: ['*'], resources: [pods/logs, deployments/scales], verbs: [get]}\n", nil},
		{"pods/logs", "- {apiGroups: [''], resources: [pods, pods/logs], verbs: [get]}\n",
			[]string{`rules[0].resources[1] "pods" has no subresource "logs" in group ""; did you mean "log"?`}},
		{"no subresources", "- {apiGroups: [''], resources: [secrets/data], verbs: [get]}\n",
			[]string{`rules[0].resources[0] "secrets" has no subresource "data" in group ""`}},
		{"no resource has it", "- {apiGroups: [apps], resources: ['*/logs'], verbs: [get]}\n",
			[]string{`rules[0].resources[0] no resource of group "apps" has a subresource "logs"`}},
		{"subresource of a resource the group does not serve", "- {apiGroups: [apps], resources: [deployments/scales, widgets/scale], verbs: [get]}\n",
			[]string{`rules[0].resources[0] "deployments" has no subresource "scales" in group "apps"; did you mean "scale"?`,
				`rules[0].resources[1] group "apps" does not serve "widgets"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			inv, err := l.LoadBytes("role.yaml", []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n"+c.rules))
			if err != nil {
				t.Fatal(err)
			}
			fs := check.Inventory(governance.NewPass(inv))
			var got []string
			for _, f := range fs {
				got = append(got, f.Path+" "+f.Message)
			}
			if len(got) != len(c.want) {
				t.Fatalf("findings:\n%s\nwant %d", strings.Join(got, "\n"), len(c.want))
			}
			for i, w := range c.want {
				path, msg, _ := strings.Cut(w, " ")
				if !strings.HasPrefix(got[i], path+" ClusterRole/r rule ") || !strings.Contains(got[i], msg) {
					t.Errorf("finding %q, want %s ... %s", got[i], path, msg)
				}
			}
			if !slices.IsSorted(got) {
				t.Errorf("findings not in rule order: %v", got)
			}
		})
	}
}
