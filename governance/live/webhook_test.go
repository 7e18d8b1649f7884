package live

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
)

// fixedPlatform is the slice of examples/multitenant/fixed the admission
// tests evaluate: clean of the what-if cases' findings.
var fixedPlatform = []string{"00-namespaces.yaml", "01-serviceaccounts.yaml", "rbac.yaml", "networkpolicies.yaml",
	"vector-db.yaml", "nlp-inference.yaml", "recommender.yaml", "training.yaml"}

// admitterOver evaluates files with the rules of policy (the catalog when
// "") and returns an admitter whose base is that evaluation.
func admitterOver(t testing.TB, policy string, files ...string) (*admitter, *Snapshot) {
	t.Helper()
	rules, err := policyset.Rules(policy)
	require.NoError(t, err)
	engine, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.Load(files...)
	require.NoError(t, err)
	pass := governance.NewPass(inv)
	snap := &Snapshot{Generation: 1, Findings: engine.RunPass(pass), Objects: inv.Len(), inventory: inv, pass: pass}
	a, err := newAdmitter(engine, func() *Snapshot { return snap }, nil)
	require.NoError(t, err)
	return a, snap
}

func fixedFiles(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join("..", "..", "examples", "multitenant", "fixed", n)
	}
	return out
}

// request makes an AdmissionRequest of op on the object written as YAML.
func request(t testing.TB, op admissionv1.Operation, manifest string) *admissionv1.AdmissionRequest {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(manifest))
	require.NoError(t, err)
	var meta struct {
		Kind     string            `json:"kind"`
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(js, &meta))
	req := &admissionv1.AdmissionRequest{UID: "uid-1", Operation: op, Name: meta.Metadata.Name,
		Namespace: meta.Metadata.Namespace, Kind: metav1.GroupVersionKind{Kind: meta.Kind}}
	if op == admissionv1.Delete {
		req.OldObject = runtime.RawExtension{Raw: js}
	} else {
		req.Object = runtime.RawExtension{Raw: js}
	}
	return req
}

const execBinding = `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cv-exec, namespace: nlp-team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: cv-engineers}
`

const execRole = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: nlp-team}
rules:
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
`

const openQdrant = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: qdrant-from-cv, namespace: nlp-team}
spec:
  podSelector: {matchLabels: {app: qdrant}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: search}}
`

const rankerLB = `
apiVersion: v1
kind: Service
metadata: {name: ranker-public, namespace: search-team}
spec:
  type: LoadBalancer
  selector: {app: ranker}
  ports: [{port: 80, targetPort: 8080}]
`

func TestAdmissionWhatIf(t *testing.T) {
	files := append(fixedFiles(fixedPlatform...), "testdata/search-team.yaml")
	a, _ := admitterOver(t, "testdata/admission-policy.yaml", files...)
	// The binding's Role must exist for the grant to exist: the what-if
	// base gets it as if it had been admitted before.
	withRole, _ := admitterOver(t, "testdata/admission-policy.yaml", append(files, writeTemp(t, execRole))...)
	// Existing debt: the binding is there already (admitted before the
	// policy), so its finding is old.
	debt, snap := admitterOver(t, "testdata/admission-policy.yaml", append(files, writeTemp(t, execRole+"---"+execBinding))...)
	require.True(t, slices.ContainsFunc(snap.Findings, func(f governance.Finding) bool {
		return f.Check == "team-group-risks" && f.Object.Name == "cv-exec"
	}), "the debt's finding is in the base")

	tests := []struct {
		name      string
		a         *admitter
		op        admissionv1.Operation
		manifest  string
		allowed   bool
		code      int32
		mentions  []string
		warnsWith string
	}{
		{name: "pods/exec for another team's group in the vector DB's namespace", a: withRole, op: admissionv1.Create,
			manifest: execBinding, mentions: []string{"team-group-risks", "RoleBinding/nlp-team/cv-exec", "POD_EXEC_ATTACH", "cv-engineers"}},
		{name: "a NetworkPolicy that opens qdrant to the search team", a: a, op: admissionv1.Create,
			manifest: openQdrant, mentions: []string{"vector-db-isolation", "qdrant", "search-team"}},
		{name: "a LoadBalancer selecting an inference server", a: a, op: admissionv1.Create,
			manifest: rankerLB, mentions: []string{"inference-exposure", "Service/search-team/ranker-public", "LoadBalancer"}},
		{name: "a harmless change of the binding with old findings", a: debt, op: admissionv1.Update, allowed: true,
			manifest: strings.Replace(execBinding, "namespace: nlp-team}", "namespace: nlp-team, labels: {reviewed: later}}", 1)},
		{name: "a harmless change next to old findings", a: debt, op: admissionv1.Create, allowed: true,
			manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: nlp-team}\ndata: {k: v}\n"},
		{name: "deleting the exec binding creates nothing", a: withRole, op: admissionv1.Delete, manifest: execBinding, allowed: true},
		{name: "a harmless ConfigMap", a: a, op: admissionv1.Create, allowed: true,
			manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: nlp-team}\ndata: {k: v}\n"},
		{name: "a latest tag warns", a: a, op: admissionv1.Create, allowed: true, warnsWith: "latest-tag",
			manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: cv-team, labels: {team: cv}}\nspec:\n  containers: [{name: c, image: 'busybox:latest'}]\n"},
		{name: "unknown field", a: a, op: admissionv1.Create, code: http.StatusBadRequest, mentions: []string{"malformed", "bogus"},
			manifest: "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: nlp-team}\nspec: {bogus: 1}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.a.review(context.Background(), request(t, tc.op, tc.manifest))
			require.NoError(t, err)
			assert.Equal(t, tc.allowed, resp.Allowed, "%+v", resp.Result)
			if !tc.allowed {
				require.NotNil(t, resp.Result)
				if tc.code != 0 {
					assert.Equal(t, tc.code, resp.Result.Code)
				}
				for _, m := range tc.mentions {
					assert.Contains(t, resp.Result.Message, m)
				}
				t.Log(resp.Result.Message)
			}
			if tc.warnsWith != "" {
				assert.Contains(t, strings.Join(resp.Warnings, "\n"), tc.warnsWith)
			} else {
				assert.Empty(t, resp.Warnings)
			}
		})
	}
}

// writeTemp writes a manifest to a file of its own.
func writeTemp(t testing.TB, manifest string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "extra.yaml")
	require.NoError(t, os.WriteFile(p, []byte(manifest), 0o600))
	return p
}
