package governance_test

import (
	"testing"

	"github.com/aigov/aigov/governance"
)

// TestObjectDisplayNames: every text output names an object
// Kind/namespace/name, cluster-scoped objects Kind/name; configuration
// files' objects without a name are named after their file.
func TestObjectDisplayNames(t *testing.T) {
	const encryption = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources: [{resources: [secrets], providers: [{identity: {}}]}]
`
	const auditNamed = `apiVersion: audit.k8s.io/v1
kind: Policy
metadata: {name: cluster-audit}
rules: [{level: Metadata}]
`
	const auditUnnamed = `apiVersion: audit.k8s.io/v1
kind: Policy
rules: [{level: Metadata}]
`
	const pod = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ml}
spec: {containers: [{name: a, image: x}]}
`
	const ns = `apiVersion: v1
kind: Namespace
metadata: {name: ml}
`
	for _, tc := range []struct{ file, manifest, want string }{
		{"deploy/encryption.yaml", encryption, "EncryptionConfiguration/encryption"},
		{"enc.config.yml", encryption, "EncryptionConfiguration/enc.config"},
		{"-", encryption, "EncryptionConfiguration/stdin"},
		{"audit.yaml", auditNamed, "Policy/cluster-audit"},
		{"audit-policy.json", auditUnnamed, "Policy/audit-policy"},
		{"pod.yaml", pod, "Pod/ml/p"},
		{"ns.yaml", ns, "Namespace/ml"},
	} {
		loader, err := governance.NewLoader()
		if err != nil {
			t.Fatal(err)
		}
		inv, err := loader.LoadBytes(tc.file, []byte(tc.manifest))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		ref := inv.Objects()[0].Ref()
		if got := ref.Display(); got != tc.want {
			t.Errorf("%s: Display() = %q, want %q", tc.file, got, tc.want)
		}
		if got, want := ref.String(), ref.Kind+"/"+ref.Name; got != want || ref.Name == "" {
			t.Errorf("%s: String() = %q, want %q with a name", tc.file, got, want)
		}
	}
	// The name the inventory keys on stays the object's own: two unnamed
	// configuration files are not duplicates of each other.
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("a.yaml", []byte(encryption+"---\n"+encryption))
	if err != nil {
		t.Fatalf("two EncryptionConfigurations: %v", err)
	}
	if inv.Len() != 2 || inv.Objects()[0].Name() != "" {
		t.Errorf("inventory of two EncryptionConfigurations: %d objects, name %q", inv.Len(), inv.Objects()[0].Name())
	}
	if got := governance.DisplayName("ClusterRole", "", "admin"); got != "ClusterRole/admin" {
		t.Errorf("DisplayName of a cluster-scoped object = %q", got)
	}
}
