package testenv

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// The binaries built from the nested module, by directory of their main package.
const (
	binEtcd      = "etcd"
	binAPIServer = "kube-apiserver"
	binKCM       = "kube-controller-manager"
)

var binaries = []string{binEtcd, binAPIServer, binKCM}

// completeMarker is written into a cache directory once all binaries are in place.
const completeMarker = ".complete"

// buildInfo describes the binaries for the current sources.
type buildInfo struct {
	moduleDir string // the nested module
	version   string // k8s.io/kubernetes version, e.g. v1.37.2
	ldflags   string
	binDir    string // cache directory holding the binaries
}

func (b *buildInfo) path(name string) string { return filepath.Join(b.binDir, name) }

// nestedModuleDir finds internal/testenv/apiserver: next to this source file
// when the sources are available, else from the root module's go.mod.
func nestedModuleDir() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir := filepath.Join(filepath.Dir(file), "apiserver")
		if fileExists(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
	}
	out, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err == nil {
		gomod := strings.TrimSpace(string(out))
		if gomod != "" && gomod != os.DevNull {
			dir := filepath.Join(filepath.Dir(gomod), "internal", "testenv", "apiserver")
			if fileExists(filepath.Join(dir, "go.mod")) {
				return dir, nil
			}
		}
	}
	return "", errors.New("cannot find the nested module internal/testenv/apiserver (source tree not available)")
}

// goTool returns the go command: the one on PATH, else the one of the
// toolchain that built this binary.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	//nolint:staticcheck // runtime.GOROOT is the best fallback here.
	if root := runtime.GOROOT(); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

// kubernetesVersion reads the k8s.io/kubernetes requirement of the nested go.mod.
func kubernetesVersion(gomod []byte) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "require" {
			f = f[1:]
		}
		if len(f) >= 2 && f[0] == "k8s.io/kubernetes" && strings.HasPrefix(f[1], "v1.") {
			return f[1], nil
		}
	}
	return "", errors.New("no k8s.io/kubernetes requirement in the nested go.mod")
}

func versionLDFlags(version string) (string, error) {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 {
		return "", fmt.Errorf("unexpected kubernetes version %q", version)
	}
	const pkg = "k8s.io/component-base/version"
	return fmt.Sprintf("-X %[1]s.gitVersion=%[2]s -X %[1]s.gitMajor=%[3]s -X %[1]s.gitMinor=%[4]s -X %[1]s.gitTreeState=clean",
		pkg, version, parts[0], parts[1]), nil
}

// buildEnv is the environment of the go build: hermetic settings that also
// go into the cache key.
func buildEnv() []string {
	env := os.Environ()
	return append(env, "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=readonly -buildvcs=false")
}

// resolveBuild computes where the binaries for the current sources live.
func resolveBuild(ctx context.Context) (*buildInfo, error) {
	dir, err := nestedModuleDir()
	if err != nil {
		return nil, err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil, err
	}
	version, err := kubernetesVersion(gomod)
	if err != nil {
		return nil, err
	}
	ldflags, err := versionLDFlags(version)
	if err != nil {
		return nil, err
	}

	h := sha256.New()
	files := []string{"go.mod", "go.sum"}
	for _, b := range binaries {
		matches, _ := filepath.Glob(filepath.Join(dir, b, "*.go"))
		sort.Strings(matches)
		for _, m := range matches {
			rel, _ := filepath.Rel(dir, m)
			files = append(files, rel)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(f), len(data))
		h.Write(data)
	}
	goVersion, err := exec.CommandContext(ctx, goTool(), "env", "GOVERSION", "GOOS", "GOARCH").Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	fmt.Fprintf(h, "go=%s\nldflags=%s\nenv=CGO_ENABLED=0\n", bytes.TrimSpace(goVersion), ldflags)
	sum := hex.EncodeToString(h.Sum(nil))[:16]

	cacheRoot := os.Getenv("AIGOV_TESTENV_CACHE")
	if cacheRoot == "" {
		ucd, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("no cache directory (set AIGOV_TESTENV_CACHE): %w", err)
		}
		cacheRoot = filepath.Join(ucd, "aigov", "testenv")
	}
	return &buildInfo{
		moduleDir: dir,
		version:   version,
		ldflags:   ldflags,
		binDir:    filepath.Join(cacheRoot, version+"-"+sum),
	}, nil
}

func (b *buildInfo) complete() bool {
	if !fileExists(filepath.Join(b.binDir, completeMarker)) {
		return false
	}
	for _, name := range binaries {
		if !fileExists(b.path(name)) {
			return false
		}
	}
	return true
}

// ensureBinaries builds the binaries unless they are cached. Concurrent
// callers (other test binaries) wait for the one that builds. It returns how
// long this call spent building (zero when cached).
func ensureBinaries(ctx context.Context, logf func(string, ...any)) (*buildInfo, time.Duration, error) {
	b, err := resolveBuild(ctx)
	if err != nil {
		return nil, 0, err
	}
	if b.complete() {
		return b, 0, nil
	}
	if err := os.MkdirAll(b.binDir, 0o755); err != nil {
		return nil, 0, err
	}
	unlock, err := lockFile(ctx, b.binDir+".lock", func() {
		logf("testenv: waiting for another process building %s", b.binDir)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("locking the build cache: %w", err)
	}
	defer unlock()
	if b.complete() {
		return b, 0, nil
	}

	logf("testenv: building etcd, kube-apiserver, kube-controller-manager %s into %s (first build takes several minutes)", b.version, b.binDir)
	tmp, err := os.MkdirTemp(b.binDir, "build-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(tmp)

	args := []string{"build", "-ldflags", b.ldflags, "-o", tmp + string(filepath.Separator)}
	for _, name := range binaries {
		args = append(args, "./"+name)
	}
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Dir = b.moduleDir
	cmd.Env = buildEnv()
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return nil, 0, fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(args, " "), b.moduleDir, err, tail(out.Bytes(), 40))
	}
	for _, name := range binaries {
		if err := os.Rename(filepath.Join(tmp, name), b.path(name)); err != nil {
			return nil, 0, err
		}
	}
	if err := os.WriteFile(filepath.Join(b.binDir, completeMarker), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return nil, 0, err
	}
	took := time.Since(start)
	logf("testenv: built in %s", took.Round(time.Second))
	return b, took, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// tail returns the last n lines of data.
func tail(data []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tailFile returns the last n lines of a file, reading at most its last 256 KiB.
func tailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	const max = 256 << 10
	if st, err := f.Stat(); err == nil && st.Size() > max {
		_, _ = f.Seek(st.Size()-max, io.SeekStart)
	}
	data, _ := io.ReadAll(f)
	return tail(data, n)
}

// Build builds the control-plane binaries unless they are cached, and
// returns the directory that holds them. Start calls it; CI may call it
// first (go run ./internal/testenv/prebuild) so that a cold build does not
// count against a test binary's -timeout.
func Build(ctx context.Context) (string, error) {
	b, _, err := ensureBinaries(ctx, logStderr)
	if err != nil {
		return "", err
	}
	return b.binDir, nil
}
