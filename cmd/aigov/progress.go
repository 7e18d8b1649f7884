package main

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
	"github.com/aigov/aigov/internal/safetext"
)

// stderrStream is the CLI's standard error as commands get it: text goes
// through safetext (Writer); raw is the stream underneath, which only the
// progress line writes to, for its own carriage returns (everything it
// shows from the input is escaped).
type stderrStream struct {
	io.Writer
	raw io.Writer
}

// progressFlags are --progress and --quiet.
type progressFlags struct {
	force, quiet bool
}

func (p *progressFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&p.force, "progress", false, "show the progress line on stderr from the start, even when stderr is not a terminal or with -o json")
	f.BoolVar(&p.quiet, "quiet", false, "never show the progress line (by default shown on a terminal when a run takes over 2s)")
	cmd.MarkFlagsMutuallyExclusive("progress", "quiet")
}

// registerProgress adds --progress and --quiet to a command that reads
// input and runs no Engine; loadShowingProgress obeys them.
func registerProgress(cmd *cobra.Command) {
	new(progressFlags).register(cmd)
}

// loadShowingProgress is in.load under a progress line, for a command
// whose run is mostly its load: the rules are check's, from cmd's own
// --progress and --quiet (registerProgress) and -o (json is read by a
// program). The line is cleared before it returns, so that the command's
// output starts on a clean line.
func (in *inputFlags) loadShowingProgress(cmd *cobra.Command) (*governance.Inventory, error) {
	var flags progressFlags
	f := cmd.Flags()
	flags.force, _ = f.GetBool("progress")
	flags.quiet, _ = f.GetBool("quiet")
	format := report.FormatText
	if o := f.Lookup("output"); o != nil && o.Value.String() == string(report.FormatJSON) {
		format = report.FormatJSON
	}
	line := startProgress(cmd, format, flags)
	defer line.stop()
	in.progress = line.progress()
	defer func() { in.progress = nil }() // the line is gone: a later load has its own
	return in.load(cmd)
}

// progressDelay is how long a run goes before an unasked-for progress line
// appears: shorter runs print nothing more than their report.
const progressDelay = 2 * time.Second

// showProgress decides whether a run shows its progress line, and after
// how long: never with --quiet; from the start with --progress; otherwise
// after progressDelay when stderr is a terminal and the output is not JSON
// (which a program reads: the person is not watching).
func showProgress(terminal bool, format report.Format, flags progressFlags) (show bool, delay time.Duration) {
	switch {
	case flags.quiet:
		return false, 0
	case flags.force:
		return true, 0
	}
	return terminal && format != report.FormatJSON, progressDelay
}

// isTerminal reports whether w is a terminal, and its width in columns
// (0 when unknown).
func isTerminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return true, 0
	}
	return true, cols
}

// startProgress starts the progress line of a run of cmd with output
// format, or returns nil when the run shows none. While it runs, cmd's
// standard error goes through it, so that what else is written there
// clears the line first.
func startProgress(cmd *cobra.Command, format report.Format, flags progressFlags) *progressLine {
	stream, ok := cmd.ErrOrStderr().(stderrStream)
	if !ok {
		return nil // not the CLI's own stderr (a test's, or a library caller's)
	}
	terminal, cols := isTerminal(stream.raw)
	show, delay := showProgress(terminal, format, flags)
	if !show {
		return nil
	}
	l := newProgressLine(stream.raw, stream.Writer, cols, time.Now(), delay)
	cmd.SetErr(l)
	l.restore = func() { cmd.SetErr(stream) }
	if delay == 0 {
		l.draw(l.start) // asked for: shown from the start, however short the run
	}
	l.finished = make(chan struct{})
	go l.tick(100 * time.Millisecond)
	return l
}

// progressLine is one stderr line rewritten in place (carriage return, no
// escape sequence) with where a run is: the file being read and what was
// read, then the facts being built and the checks done, and the seconds
// since the start. Nothing shows before delay has passed; stop clears it.
type progressLine struct {
	raw  io.Writer // the terminal
	text io.Writer // safetext over it, for others' writes (Write)
	// columns bounds the line (the terminal's width less one, so that it
	// never wraps); 79 when the width is unknown.
	columns int
	start   time.Time
	delay   time.Duration
	// restore gives the command its standard error back.
	restore func()

	mu       sync.Mutex
	p        governance.Progress
	objects  int    // the inventory's size, once loaded
	shown    int    // runes of the line on screen; 0 when none
	last     string // the line on screen
	stopped  bool   // stop ran: draw nothing more
	quit     chan struct{}
	finished chan struct{} // closed when tick returns; nil when it never ran
}

func newProgressLine(raw, text io.Writer, termCols int, start time.Time, delay time.Duration) *progressLine {
	cols := 79
	if termCols > 1 {
		cols = termCols - 1
	}
	return &progressLine{raw: raw, text: text, columns: cols, start: start, delay: delay,
		quit: make(chan struct{})}
}

// update records a report of the loader or the engine; the next tick
// shows it.
func (l *progressLine) update(p governance.Progress) {
	l.mu.Lock()
	l.p = p
	l.mu.Unlock()
}

// loaded records the inventory's size, which the run phase shows.
func (l *progressLine) loaded(objects int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.objects = objects
	l.mu.Unlock()
}

// tick draws the line every interval until stop.
func (l *progressLine) tick(interval time.Duration) {
	defer close(l.finished)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case now := <-t.C:
			l.draw(now)
		}
	}
}

// draw shows the line as of now, once delay has passed since the start.
func (l *progressLine) draw(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	elapsed := now.Sub(l.start)
	if l.stopped || elapsed < l.delay {
		return
	}
	text := progressText(l.p, l.objects, elapsed, l.columns)
	if text == l.last && l.shown > 0 {
		return // on screen already
	}
	n := utf8.RuneCountInString(text)
	// Spaces cover what a longer line before left on screen.
	pad := strings.Repeat(" ", max(l.shown-n, 0))
	_, _ = io.WriteString(l.raw, "\r"+text+pad)
	l.shown, l.last = n, text
}

// clear removes the line from the screen (l.mu held).
func (l *progressLine) clear() {
	if l.shown > 0 {
		_, _ = io.WriteString(l.raw, "\r"+strings.Repeat(" ", l.shown)+"\r")
		l.shown = 0
	}
}

// Write is the command's standard error while the line runs: the line is
// cleared first and drawn again on the next tick.
func (l *progressLine) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
	return l.text.Write(b)
}

// stop ends the line and clears it: what the command prints next starts
// on a clean line. It may be called more than once, and on nil.
func (l *progressLine) stop() {
	if l == nil {
		return
	}
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.stopped = true
	close(l.quit)
	l.clear()
	l.mu.Unlock()
	if l.finished != nil {
		<-l.finished
	}
	if l.restore != nil {
		l.restore()
	}
}

// progress is l.update, or nil without a line.
func (l *progressLine) progress() governance.ProgressFunc {
	if l == nil {
		return nil
	}
	return l.update
}

// progressText says where a run is in at most columns runes, e.g.
//
//	loading platform.yaml · 1 file, 0 objects · 3s
//	analysing 243,101 objects · building rbac.Graph, secrets.Exposure · checks 12/48 · 21s
//
// Too long, the facts being built shrink to the first and how many more,
// and then the line is cut.
func progressText(p governance.Progress, objects int, elapsed time.Duration, columns int) string {
	text := progressParts(p, objects, elapsed, p.Building)
	if utf8.RuneCountInString(text) > columns && len(p.Building) > 1 {
		text = progressParts(p, objects, elapsed, []string{p.Building[0] + " and " + strconv.Itoa(len(p.Building)-1) + " more"})
	}
	if r := []rune(text); len(r) > columns {
		text = string(r[:columns-1]) + "…"
	}
	return text
}

func progressParts(p governance.Progress, objects int, elapsed time.Duration, building []string) string {
	var parts []string
	switch p.Phase {
	case governance.PhaseRun:
		parts = append(parts, "analysing "+count(objects, "object"))
		if len(building) > 0 {
			parts = append(parts, "building "+strings.Join(building, ", "))
		}
		if p.ChecksDone < p.Checks {
			parts = append(parts, "checks "+strconv.Itoa(p.ChecksDone)+"/"+strconv.Itoa(p.Checks))
		} else {
			parts = append(parts, "preparing the report")
		}
	case governance.PhaseLoad:
		// A file name is input: one escaped line, its end kept (the
		// base name says most).
		parts = append(parts, "loading "+keepEnd(safetext.Line(p.File), 40),
			count(p.Files, "file")+", "+count(p.Objects, "object"))
	default:
		parts = append(parts, "reading the input")
	}
	parts = append(parts, strconv.Itoa(int(elapsed/time.Second))+"s")
	return strings.Join(parts, " · ")
}

// count is n with thousands separated and noun, plural unless n is 1.
func count(n int, noun string) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if n != 1 {
		noun += "s"
	}
	return s + " " + noun
}

// keepEnd shortens s to at most n runes, keeping its end after "…".
func keepEnd(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}
