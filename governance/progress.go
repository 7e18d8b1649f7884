package governance

// Progress is where a load or a run is, for a caller that shows it while it
// waits (the CLI's progress line). The Loader fills in the load fields, the
// Engine the run fields.
type Progress struct {
	// Phase is what is being done.
	Phase Phase

	// File is the file the loader is reading ("-" for standard input), as
	// the caller named it or as a directory listed it: untrusted text, to
	// be escaped before it reaches a terminal.
	File string
	// Files and Objects are the files read and the objects decoded since
	// the loader's last Build.
	Files, Objects int

	// Facts is the number of facts the run computes, FactsDone those
	// built, and Building the names of those being built now, in the
	// order they started.
	Facts, FactsDone int
	Building         []string
	// Checks is the number of rules the run evaluates, ChecksDone those
	// evaluated.
	Checks, ChecksDone int
}

// Phase is a stage of the work Progress reports.
type Phase int

const (
	// PhaseLoad is reading and decoding files.
	PhaseLoad Phase = iota + 1
	// PhaseRun is building facts and evaluating checks.
	PhaseRun
)

// ProgressFunc receives progress reports. The Loader calls it from the
// goroutine that called it; the Engine calls it from its workers, one
// call at a time, with a Progress the function may keep. It must return
// quickly: the work waits for it.
type ProgressFunc func(Progress)

// loadProgress reports that the loader starts reading file (done false)
// or has decoded n objects from it (done true).
func (l *Loader) loadProgress(file string, n int, done bool) {
	if done {
		l.progress.Files++
		l.progress.Objects += n
	}
	if l.Progress == nil {
		return
	}
	p := l.progress
	p.Phase, p.File = PhaseLoad, file
	l.Progress(p)
}
