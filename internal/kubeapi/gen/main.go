// Command gen writes internal/kubeapi/zz_generated.go from the discovery
// documents of the k8s.io/kubernetes module (located with go mod
// download). Run it with go generate in internal/kubeapi.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/aigov/aigov/internal/kubeapi/internal/generate"
)

func main() {
	out := flag.String("o", "zz_generated.go", "output file")
	dir := flag.String("kubernetes", "", "directory of the k8s.io/kubernetes module (default: from go mod download)")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	if dir == "" {
		d, err := generate.ModuleDir()
		if err != nil {
			return err
		}
		dir = d
	}
	src, err := generate.Generate(dir)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
