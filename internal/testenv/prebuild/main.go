// Command prebuild builds (or finds cached) the etcd, kube-apiserver and
// kube-controller-manager binaries that internal/testenv runs, and prints
// their directory. Run it before `go test ./...` in CI so that a cold build
// (several minutes) does not count against the test binaries' -timeout:
//
//	go run ./internal/testenv/prebuild
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aigov/aigov/internal/testenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := testenv.Build(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "prebuild:", err)
		os.Exit(1)
	}
	fmt.Println(dir)
}
