package testenv

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// SkipEnvVar names the variable with which a developer (outside CI) skips
// the tests that need the control plane.
const SkipEnvVar = "AIGOV_SKIP_APISERVER"

// startTimeout bounds building (a cold build takes several minutes on two
// cores) and starting the shared control plane.
const startTimeout = 45 * time.Minute

// shared is the control plane of this test binary.
var shared struct {
	ran  bool   // RunMain was called
	env  *Env   // the running env, if started
	err  error  // why it could not be started
	skip string // why tests skip instead
}

// interrupted is set when a signal arrived while the control plane started.
var interrupted atomic.Bool

// RunMain starts the shared control plane, runs the tests, stops the control
// plane and exits with the tests' code. Call it from TestMain:
//
//	func TestMain(m *testing.M) { testenv.RunMain(m) }
//
// When the control plane cannot be built or started, the tests still run:
// those that call Shared fail with the reason; the others are unaffected.
func RunMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	shared.ran = true

	// On an interrupt, stop the control plane and remove its data directory
	// (Pdeathsig would kill the processes, but leave the directory behind).
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	started := make(chan struct{}) // closed when shared.env is final
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		logStderr("testenv: %v: stopping the control plane", sig)
		interrupted.Store(true)
		cancel()
		<-started
		shared.env.Stop()
		os.Exit(2)
	}()

	switch {
	case listingOnly():
		shared.skip = "go test -list: control plane not started"
	case os.Getenv(SkipEnvVar) == "1" && os.Getenv("CI") != "true":
		shared.skip = SkipEnvVar + "=1: skipping a test that needs a real kube-apiserver (not allowed when CI=true)"
	default:
		if os.Getenv(SkipEnvVar) == "1" {
			logStderr("testenv: %s=1 is ignored because CI=true", SkipEnvVar)
		}
		began := time.Now()
		env, err := Start(ctx)
		if err != nil {
			shared.err = err
			logStderr("testenv: control plane not started: %v", err)
		} else {
			shared.env = env
			logStderr("testenv: control plane %s ready in %s (build %s, start %s), data in %s",
				env.Version, time.Since(began).Round(100*time.Millisecond),
				env.buildDuration.Round(time.Second), env.startDuration.Round(100*time.Millisecond), env.DataDir)
		}
	}
	close(started)
	if interrupted.Load() {
		select {} // the signal handler stops the control plane and exits
	}

	code := m.Run()

	// The signal handler stays until the control plane is down: an interrupt
	// now waits for this Stop (Stop runs once) instead of killing the binary.
	if shared.env != nil {
		began := time.Now()
		shared.env.Stop()
		if testing.Verbose() {
			logStderr("testenv: control plane stopped in %s", time.Since(began).Round(100*time.Millisecond))
		}
	}
	signal.Stop(sigs)
	close(sigs)
	return code
}

func listingOnly() bool {
	f := flag.Lookup("test.list")
	return f != nil && f.Value.String() != ""
}

// Shared returns the control plane that RunMain started for this test
// binary. If it could not be started, t fails with the reason; if the
// developer set AIGOV_SKIP_APISERVER=1 outside CI, t is skipped.
func Shared(t testing.TB) *Env {
	t.Helper()
	switch {
	case !shared.ran:
		t.Fatal("testenv.Shared needs the package's TestMain to call testenv.RunMain(m)")
	case shared.skip != "":
		t.Skip(shared.skip)
	case shared.err != nil:
		t.Fatal(fmt.Sprintf("testenv: the control plane could not be started (outside CI, %s=1 skips the tests that need it): %v", SkipEnvVar, shared.err))
	}
	return shared.env
}
