package live_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/cluster"
	"github.com/aigov/aigov/governance/kustomize"
	"github.com/aigov/aigov/governance/live"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/internal/testenv"
	"github.com/aigov/aigov/rbac"
)

var deployDir = filepath.Join("..", "..", "deploy")

// serviceAccount is the identity deploy/ runs aigov serve as.
var serviceAccount = rbac.Impersonate("system:serviceaccount:aigov-system:aigov")

func loadDeploy(t *testing.T) *governance.Inventory {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	objs, errs := kustomize.Read(loader, deployDir)
	inv, err := loader.Build(objs, errs)
	require.NoError(t, err)
	return inv
}

// TestDeployPassesItsOwnCatalog: `aigov check -k deploy` finds nothing.
func TestDeployPassesItsOwnCatalog(t *testing.T) {
	inv := loadDeploy(t)
	rules, err := policyset.Rules("")
	require.NoError(t, err)
	engine, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	assert.Empty(t, engine.Run(inv))
}

// TestDeployRBACIsLeastPrivilege asks aigov's RBAC analyzer what deploy/
// lets the service account do: list and watch every kind aigov reads, and
// no other verb on them (not even get: a Secret's value is read from the
// watch, never fetched by name); write its reports; hold a Lease in its
// own namespace only.
func TestDeployRBACIsLeastPrivilege(t *testing.T) {
	g := rbac.New(loadDeploy(t))
	can := func(verb, group, resource, ns string) bool {
		return g.Can(serviceAccount, rbac.Attributes{Verb: verb, APIGroup: group, Resource: resource, Namespace: ns}).Allowed
	}
	for _, gvr := range cluster.DefaultResources() {
		for _, verb := range []string{"list", "watch"} {
			assert.True(t, can(verb, gvr.Group, gvr.Resource, ""), "%s %s", verb, gvr.GroupResource())
		}
		for _, verb := range []string{"get", "create", "update", "patch", "delete", "deletecollection"} {
			assert.False(t, can(verb, gvr.Group, gvr.Resource, "team-a"), "%s %s", verb, gvr.GroupResource())
		}
	}
	for _, resource := range []string{"reports", "clusterreports"} {
		for _, verb := range []string{"list", "create", "patch", "delete"} {
			assert.True(t, can(verb, "openreports.io", resource, ""), "%s %s", verb, resource)
		}
		assert.False(t, can("update", "openreports.io", resource, ""), "apply patches")
	}
	for _, verb := range []string{"get", "create", "update"} {
		assert.True(t, can(verb, "coordination.k8s.io", "leases", "aigov-system"), verb)
		assert.False(t, can(verb, "coordination.k8s.io", "leases", "kube-system"), "%s leases elsewhere", verb)
	}
	assert.False(t, can("create", "", "pods", "aigov-system"))
	assert.False(t, can("get", "", "secrets", "aigov-system"))
}

// TestDeployRBACSuffices runs the server with exactly deploy/'s RBAC on the
// real apiserver: nothing is degraded, it wins the election in its
// namespace and writes reports equal to the one-shot check.
func TestDeployRBACSuffices(t *testing.T) {
	env := testenv.Shared(t)
	installCRDs(t, env, filepath.Join(deployDir, "crds"), reportsGVR)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, f := range []string{"namespace.yaml", "rbac.yaml"} {
		data, err := os.ReadFile(filepath.Join(deployDir, f))
		require.NoError(t, err)
		_, err = env.ApplyYAML(ctx, data)
		require.NoError(t, err, f)
	}
	// With the AI operators' and Gateway API CRDs installed, the server
	// watches their kinds too, each once (ReferenceGrant is served in two
	// versions), and may.
	_, err := env.InstallAICRDs(ctx)
	require.NoError(t, err)
	srv := start(t, live.Options{Config: env.ServiceAccountConfig("aigov-system", "aigov"),
		Reports: live.ReportsOpenReports, LeaderElect: true, LeaderElectionNamespace: "aigov-system"})
	assert.Empty(t, srv.Snapshot().Degraded)
	h := httptest.NewServer(srv.Handler())
	defer h.Close()
	metrics := get(t, h.URL+"/metrics", http.StatusOK)
	for _, gvk := range cluster.CustomResourceKinds() {
		synced := fmt.Sprintf("aigov_informer_synced{resource=%q} 1\n", strings.ToLower(gvk.Kind)+"s."+gvk.Group)
		assert.Equal(t, 1, strings.Count(metrics, synced), "%s watched once", gvk.GroupKind())
	}
	poll(t, 30*time.Second, "the server to lead", func() (bool, string) { return srv.Leader(), "not leading" })
	waitForReportsToMatch(t, env, reportsGVR, clusterReportsGVR)
}

// TestDeployRunsTheDockerfilesImage: the Dockerfile documents the image it
// builds (the docker build command's tag), builds ./cmd/aigov and runs it
// on distroless static as the nonroot user; deploy/, rendered by
// kustomize, runs exactly that image.
func TestDeployRunsTheDockerfilesImage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	require.NoError(t, err)
	dockerfile := string(data)
	tag := regexp.MustCompile(`(?m)^#\s+docker build .* -t (\S+) \.$`).FindStringSubmatch(dockerfile)
	require.NotNil(t, tag, "the Dockerfile documents its image as a docker build command with -t")
	assert.Regexp(t, `(?m)^RUN CGO_ENABLED=0 go build .* \./cmd/aigov$`, dockerfile)
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(dockerfile, -1)
	require.GreaterOrEqual(t, len(froms), 2, "multi-stage")
	assert.Equal(t, "gcr.io/distroless/static-debian12:nonroot", froms[len(froms)-1][1], "the runtime stage")
	assert.Regexp(t, `(?m)^USER 65532:65532$`, dockerfile, "a numeric user, which runAsNonRoot can verify")

	var images []string
	for _, d := range governance.Typed[*appsv1.Deployment](loadDeploy(t)) {
		for _, c := range d.Spec.Template.Spec.Containers {
			images = append(images, c.Image)
		}
	}
	assert.Equal(t, []string{tag[1]}, images)
}
