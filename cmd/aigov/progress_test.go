package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
	"github.com/aigov/aigov/internal/safetext"
)

func TestShowProgress(t *testing.T) {
	for _, tc := range []struct {
		name     string
		terminal bool
		format   report.Format
		flags    progressFlags
		show     bool
		delay    time.Duration
	}{
		{name: "terminal, text", terminal: true, format: report.FormatText, show: true, delay: progressDelay},
		{name: "terminal, sarif", terminal: true, format: report.FormatSARIF, show: true, delay: progressDelay},
		{name: "terminal, json: a program reads it", terminal: true, format: report.FormatJSON},
		{name: "pipe", format: report.FormatText},
		{name: "pipe, --progress", format: report.FormatText, flags: progressFlags{force: true}, show: true},
		{name: "terminal, json, --progress", terminal: true, format: report.FormatJSON, flags: progressFlags{force: true}, show: true},
		{name: "terminal, --quiet", terminal: true, format: report.FormatText, flags: progressFlags{quiet: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			show, delay := showProgress(tc.terminal, tc.format, tc.flags)
			assert.Equal(t, tc.show, show)
			if show {
				assert.Equal(t, tc.delay, delay)
			}
		})
	}
}

// TestIsTerminal: neither a pipe nor a regular file nor a buffer is a
// terminal.
func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	f, err := os.Create(t.TempDir() + "/stderr")
	require.NoError(t, err)
	defer f.Close()
	for name, out := range map[string]io.Writer{"pipe": w, "file": f, "buffer": &bytes.Buffer{}} {
		if ok, _ := isTerminal(out); ok {
			t.Errorf("%s taken for a terminal", name)
		}
	}
}

// TestProgressLine draws on a fake terminal: nothing before the delay,
// then one line rewritten in place (carriage return, spaces over what a
// longer line left), cleared before other stderr text and at the end.
func TestProgressLine(t *testing.T) {
	var screen bytes.Buffer
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newProgressLine(&screen, safetext.NewWriter(&screen), 80, start, 2*time.Second)
	l.update(governance.Progress{Phase: governance.PhaseLoad, File: "dir/platform.yaml", Files: 0, Objects: 0})
	l.draw(start.Add(1900 * time.Millisecond))
	require.Empty(t, screen.String(), "drawn before the delay")

	l.draw(start.Add(2 * time.Second))
	const loading = "loading dir/platform.yaml · 0 files, 0 objects · 2s"
	require.Equal(t, "\r"+loading, screen.String())

	screen.Reset()
	l.loaded(243101)
	l.update(governance.Progress{Phase: governance.PhaseRun, Facts: 9, FactsDone: 3, Building: []string{"rbac.Graph", "secrets.Exposure"},
		Checks: 48, ChecksDone: 12})
	l.draw(start.Add(21 * time.Second))
	// 79 columns of an 80-column terminal (the line never wraps): the
	// facts being built shrink.
	const analysing = "analysing 243,101 objects · building rbac.Graph and 1 more · checks 12/48 · 21s"
	require.Equal(t, "\r"+analysing, screen.String())

	screen.Reset()
	l.update(governance.Progress{Phase: governance.PhaseRun, Facts: 9, FactsDone: 9, Checks: 48, ChecksDone: 48})
	l.draw(start.Add(25 * time.Second))
	const writing = "analysing 243,101 objects · preparing the report · 25s"
	require.Equal(t, "\r"+writing+strings.Repeat(" ", 79-len([]rune(writing))), screen.String(), "spaces over the longer line")

	screen.Reset()
	_, err := io.WriteString(l, "warning: \x1b[2J\n")
	require.NoError(t, err)
	require.Equal(t, "\r"+strings.Repeat(" ", len([]rune(writing)))+"\r"+`warning: \x1b[2J`+"\n", screen.String(),
		"other text clears the line first, and goes through safetext")

	screen.Reset()
	l.draw(start.Add(26 * time.Second))
	l.draw(start.Add(26500 * time.Millisecond)) // the same line: not drawn again
	l.stop()
	l.stop()
	l.draw(start.Add(27 * time.Second))
	const last = "analysing 243,101 objects · preparing the report · 26s"
	require.Equal(t, "\r"+last+"\r"+strings.Repeat(" ", len([]rune(last)))+"\r", screen.String(), "cleared once at the end, nothing after")
}

// TestProgressLineEscapesFileNames: a file name is input; the line shows
// it escaped, and keeps its end when it is long.
func TestProgressLineEscapesFileNames(t *testing.T) {
	got := progressText(governance.Progress{Phase: governance.PhaseLoad, File: "a\x1b[2J\rb\u202e.yaml", Files: 1, Objects: 1}, 0, 0, 79)
	assert.Equal(t, `loading a\x1b[2J\rb\u202e.yaml · 1 file, 1 object · 0s`, got)
	long := strings.Repeat("d/", 40) + "platform.yaml"
	got = progressText(governance.Progress{Phase: governance.PhaseLoad, File: long}, 0, 3*time.Second, 79)
	assert.Equal(t, "loading …"+long[len(long)-39:]+" · 0 files, 0 objects · 3s", got)
	// A terminal narrower than that cuts the line.
	got = progressText(governance.Progress{Phase: governance.PhaseLoad, File: "platform.yaml"}, 0, 3*time.Second, 20)
	assert.Equal(t, "loading platform.ya…", got)
}

// TestProgressNotOnPipe: a check whose stderr is a pipe writes no progress
// bytes there, unless --progress asks; --progress with --quiet is a usage
// error.
func TestProgressNotOnPipe(t *testing.T) {
	stderrOf := func(args ...string) (int, string) { return runOnPipe(t, false, args...) }
	code, stderr := stderrOf("check", "-f", platform)
	require.Equal(t, 1, code, stderr)
	assert.NotContains(t, stderr, "\r")
	assert.NotContains(t, stderr, "analysing")

	code, stderr = stderrOf("check", "-f", platform, "-o", "json", "--progress")
	require.Equal(t, 1, code, stderr)
	assert.True(t, strings.HasPrefix(stderr, "\rreading the input · 0s"), "asked for, the line shows from the start: %q", stderr)
	assert.True(t, strings.HasSuffix(stderr, "\r"), "and is cleared at the end: %q", stderr)

	code, stderr = stderrOf("check", "-f", platform, "--progress", "--quiet")
	require.Equal(t, 2, code)
	assert.Contains(t, stderr, "[progress quiet]")
}

// TestProgressEveryInputCommand: every command that reads input follows
// check's rules. Its standard output and error share one pipe, so the
// order of what they write is what a terminal would show: nothing of the
// line on a pipe; with --progress the line first and cleared before the
// output; --progress with --quiet a usage error.
func TestProgressEveryInputCommand(t *testing.T) {
	const policy = "../../examples/platformtest/policy.yaml"
	before, after := platform+"/fixed", platform
	commands := [][]string{
		{"exposure", "-f", platform},
		{"fix", "-f", platform},
		{"netpol", "eval", "-f", platform, "--from", "nlp-team/llm-service", "--to", "nlp-team/qdrant", "--port", "6333"},
		{"netpol", "matrix", "-f", platform},
		{"netpol", "exposure", "-f", platform},
		{"netpol", "diff", "--before", before, "--after", after},
		{"quota", "status", "-f", platform},
		{"rbac", "can-i", "get", "secrets", "--as", "system:serviceaccount:nlp-team:default", "-f", platform},
		{"rbac", "who-can", "get", "secrets", "-f", platform},
		{"rbac", "risks", "-f", platform},
		{"rbac", "lint", "-f", platform},
		{"rbac", "escalations", "-f", platform},
		{"rbac", "diff", "--before", before, "--after", after},
		{"secrets", "scan", "-f", platform},
		{"secrets", "exposure", "-f", platform},
		{"vap", "test", "--policy", policy, "-f", platform},
	}
	combined := func(args ...string) (int, string) { return runOnPipe(t, true, args...) }
	for _, args := range commands {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			code, out := combined(args...)
			require.NotEqual(t, 2, code, out)
			assert.NotContains(t, out, "\r", "no progress bytes on a pipe")
			assert.NotContains(t, out, "reading the input")

			code2, shown := combined(append(args, "--progress")...)
			require.Equal(t, code, code2, shown)
			require.True(t, strings.HasPrefix(shown, "\rreading the input · 0s"), "asked for, the line shows from the start: %q", shown)
			cleared := strings.LastIndex(shown, "\r")
			require.Positive(t, cleared)
			blank := shown[strings.LastIndex(shown[:cleared], "\r")+1 : cleared]
			assert.GreaterOrEqual(t, len(blank), utf8.RuneCountInString("reading the input · 0s"), "the line is cleared: %q", shown)
			assert.Empty(t, strings.Trim(blank, " "), "the line is cleared: %q", shown)
			assert.Equal(t, out, shown[cleared+1:], "after the line, the output as without it")

			code, out = combined(append(args, "--progress", "--quiet")...)
			assert.Equal(t, 2, code, out)
			assert.Contains(t, out, "[progress quiet]")
		})
	}
}

// runOnPipe runs the CLI with its standard error on a pipe, and its
// standard output too with stdoutToo (else it is discarded), and returns
// the exit code and what the pipe got.
func runOnPipe(t *testing.T, stdoutToo bool, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	var stdout io.Writer = io.Discard
	if stdoutToo {
		stdout = w
	}
	code := run(args, strings.NewReader(""), stdout, w)
	require.NoError(t, w.Close())
	return code, <-got
}
