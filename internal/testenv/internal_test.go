package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKubernetesVersionFromGoMod(t *testing.T) {
	v, err := kubernetesVersion([]byte("module x\n\nrequire (\n\tfoo v1.0.0\n\tk8s.io/kubernetes v1.37.2\n)\n"))
	require.NoError(t, err)
	assert.Equal(t, "v1.37.2", v)
	v, err = kubernetesVersion([]byte("module x\nrequire k8s.io/kubernetes v1.38.0\n"))
	require.NoError(t, err)
	assert.Equal(t, "v1.38.0", v)
	_, err = kubernetesVersion([]byte("module x\n"))
	assert.Error(t, err)

	flags, err := versionLDFlags("v1.37.2")
	require.NoError(t, err)
	assert.Contains(t, flags, "-X k8s.io/component-base/version.gitVersion=v1.37.2")
	assert.Contains(t, flags, "-X k8s.io/component-base/version.gitMajor=1")
	assert.Contains(t, flags, "-X k8s.io/component-base/version.gitMinor=37")
}

func TestResolveBuildIsStable(t *testing.T) {
	a, err := resolveBuild(context.Background())
	require.NoError(t, err)
	b, err := resolveBuild(context.Background())
	require.NoError(t, err)
	assert.Equal(t, a.binDir, b.binDir)
	assert.Equal(t, "v1.37.2", a.version)
	assert.Regexp(t, `v1\.37\.2-[0-9a-f]{16}$`, a.binDir)
}

// A process that exits while being waited for is reported at once, with the
// last lines of its log.
func TestWaitReadyReportsProcessExit(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	env := &Env{DataDir: t.TempDir()}
	p, err := env.startProcess(sh, "failing", "-c", "echo first line; echo 'error: unknown controller'; exit 3")
	require.NoError(t, err)
	defer p.stop(time.Second)

	began := time.Now()
	err = waitReady(context.Background(), p, time.Minute, func(context.Context) error { return os.ErrNotExist })
	require.Error(t, err)
	assert.Less(t, time.Since(began), 10*time.Second)
	assert.Contains(t, err.Error(), "failing exited before it was ready")
	assert.Contains(t, err.Error(), "exit status 3")
	assert.Contains(t, err.Error(), "error: unknown controller")
	assert.Contains(t, err.Error(), filepath.Join(env.DataDir, "failing.log"))
}

func TestWaitReadyTimeout(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	env := &Env{DataDir: t.TempDir()}
	p, err := env.startProcess(sh, "sleeper", "-c", "echo still starting; exec sleep 30")
	require.NoError(t, err)
	err = waitReady(context.Background(), p, 500*time.Millisecond, func(context.Context) error { return os.ErrNotExist })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sleeper not ready after 500ms")
	assert.Contains(t, err.Error(), "still starting")

	began := time.Now()
	env.procs = append(env.procs, p)
	env.Stop() // SIGTERM ends sleep at once
	assert.Less(t, time.Since(began), 5*time.Second)
	assert.NoDirExists(t, env.DataDir)
}

func TestDecodeManifests(t *testing.T) {
	objs, err := DecodeManifests([]byte(`
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Secret, metadata: {name: b}}
- {apiVersion: v1, kind: Secret, metadata: {name: c}}
`))
	require.NoError(t, err)
	var got []string
	for _, o := range objs {
		got = append(got, o.GetKind()+"/"+o.GetName())
	}
	assert.Equal(t, []string{"ConfigMap/a", "Secret/b", "Secret/c"}, got)

	_, err = DecodeManifests([]byte("metadata: {name: x}\n"))
	assert.ErrorContains(t, err, "apiVersion and kind are required")
	_, err = DecodeManifests([]byte("a: [\n"))
	assert.Error(t, err)
}
