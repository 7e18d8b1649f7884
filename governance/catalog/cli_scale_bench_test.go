package catalog

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aigov/aigov/internal/gen"
)

// BenchmarkCheckPlatform runs `aigov check -f platform.yaml -o json` as a
// user would, in a child process, on issue #16's generated platform
// (gen.Platform) at 10k, 50k and 100k pods. The binary is built from
// cmd/aigov once per run (AIGOV_BENCH_BINARY names another one, e.g. an
// earlier build, to compare); the platform files are generated once into
// $TMPDIR/aigov-bench (gen.CachedFile). It lives here rather than in
// cmd/aigov, whose tests start a control plane for every run.
//
//	go test -run '^$' -bench CheckPlatform -benchtime 1x ./governance/catalog/
//
// Figures per run, from the child's resource usage as /usr/bin/time
// reports it (os.ProcessState.SysUsage): cpu-s (user + system CPU: on a
// shared machine wall time includes waiting for a core), user-s, sys-s,
// peak-RSS-MiB (the child's maximum resident set size) and the number of
// findings in its JSON report. ns/op is wall time.
func BenchmarkCheckPlatform(b *testing.B) {
	bin := os.Getenv("AIGOV_BENCH_BINARY")
	if bin == "" {
		bin = filepath.Join(b.TempDir(), "aigov")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/aigov/aigov/cmd/aigov").CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	for _, pods := range []int{10000, 50000, 100000} {
		b.Run(fmt.Sprintf("pods=%dk", pods/1000), func(b *testing.B) {
			path, err := gen.CachedFile(filepath.Join(os.TempDir(), "aigov-bench"), gen.Platform(pods))
			if err != nil {
				b.Fatal(err)
			}
			report := filepath.Join(b.TempDir(), "report.json")
			var user, sys time.Duration
			var peakKiB int64
			for b.Loop() {
				ru := runCLICheck(b, bin, path, report)
				user += time.Duration(ru.Utime.Nano())
				sys += time.Duration(ru.Stime.Nano())
				peakKiB = max(peakKiB, ru.Maxrss) // kilobytes on Linux
			}
			n := float64(b.N)
			b.ReportMetric((user+sys).Seconds()/n, "cpu-s/op")
			b.ReportMetric(user.Seconds()/n, "user-s/op")
			b.ReportMetric(sys.Seconds()/n, "sys-s/op")
			b.ReportMetric(float64(peakKiB)/1024, "peak-RSS-MiB")
			b.ReportMetric(float64(countReportFindings(b, report)), "findings")
		})
	}
}

// runCLICheck runs one `aigov check` writing its JSON report to report and
// returns the child's resource usage. Exit status 1 (findings at or above
// --fail-on) is a normal outcome.
func runCLICheck(b *testing.B, bin, path, report string) *syscall.Rusage {
	out, err := os.Create(report)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(bin, "check", "-f", path, "-o", "json")
	cmd.Stdout = out
	stderr, err := os.CreateTemp(b.TempDir(), "stderr")
	if err != nil {
		b.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	err = cmd.Run()
	if exit, ok := err.(*exec.ExitError); err != nil && (!ok || exit.ExitCode() != 1) {
		msg, _ := os.ReadFile(stderr.Name())
		b.Fatalf("aigov check: %v\n%s", err, msg)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Fatal("no resource usage for the child")
	}
	return ru
}

// countReportFindings is the length of the findings list of a JSON report.
func countReportFindings(b *testing.B, report string) int {
	f, err := os.Open(report)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var r struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.NewDecoder(f).Decode(&r); err != nil {
		b.Fatalf("report: %v", err)
	}
	return len(r.Findings)
}
