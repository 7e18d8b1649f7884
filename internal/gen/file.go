package gen

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
)

// revision is raised when the generator's output changes on large
// clusters only (the fingerprint of CachedFile sees small ones).
// Revision 2: pod names unique within a workload.
const revision = 2

// CachedFile returns the path of a file in dir holding the cluster o
// describes (as Write writes it), writing it on first use: generating a
// 100,000-pod platform takes about half a minute of CPU, which benchmarks
// that run a command on a file should not pay every time. The name is
// made from o, revision and a fingerprint of the generator's output on a
// small cluster, so a generator that writes other bytes writes a new file. The
// file is written under a temporary name and renamed, so concurrent
// callers never read half a file.
func CachedFile(dir string, o Options) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d %+v\n", revision, o)
	small := o
	small.Namespaces, small.ClusterRoles, small.ClusterAdmins = min(o.Namespaces, 1), min(o.ClusterRoles, 2), min(o.ClusterAdmins, 2)
	if err := Write(h, small); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("cluster-%d-%016x.yaml", o.ObjectCount(), h.Sum64()))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	f, err := os.CreateTemp(dir, "cluster-*.tmp")
	if err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, a no-op
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return "", fmt.Errorf("gen: %w", err)
	}
	if err := Write(f, o); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	return path, nil
}
