package fix

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/aigov/aigov/governance"
)

// Result is what Fix found: the edits made in the files' bytes, the
// suggestions (findings it will not edit, and edits it refused), and the
// files changed. Nothing is written until Write.
type Result struct {
	Edits       []Edit       `json:"edits"`
	Suggestions []Suggestion `json:"suggestions"`
	Files       []FileChange `json:"files"`
	// Written is set by Write once the files are written.
	Written bool `json:"written"`
}

// FileChange is one file and its bytes before and after the edits.
type FileChange struct {
	Name string `json:"name"`
	// Edits counts the edits made in the file.
	Edits int    `json:"edits"`
	Old   []byte `json:"-"`
	New   []byte `json:"-"`
}

// FixOptions tune Fix.
type FixOptions struct {
	Options
	// ReadFile reads a file the inventory was read from; nil means
	// os.ReadFile. A caller that read standard input ("-") serves it here.
	ReadFile func(name string) ([]byte, error)
}

// Run runs the rules on the inventory and fixes their findings (Fix).
func Run(inv *governance.Inventory, rules []governance.Rule, opts FixOptions) (*Result, error) {
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		return nil, err
	}
	return Fix(inv, engine.Run(inv), opts)
}

// Fix plans the edits of the findings (Plan), reads the files they are in
// and makes them (Apply). An error means a file could not be read.
func Fix(inv *governance.Inventory, findings []governance.Finding, opts FixOptions) (*Result, error) {
	read := opts.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	edits, suggestions := Plan(inv, findings, opts.Options)
	files := map[string][]byte{}
	for _, e := range edits {
		name := e.Object.Source.File
		if _, ok := files[name]; ok {
			continue
		}
		data, err := read(name)
		if err != nil {
			return nil, fmt.Errorf("reading %s to fix it: %w", name, err)
		}
		files[name] = data
	}
	changed, applied, refused := Apply(files, edits)
	r := &Result{Edits: applied, Suggestions: append(suggestions, refused...), Files: []FileChange{}}
	if r.Edits == nil {
		r.Edits = []Edit{}
	}
	if r.Suggestions == nil {
		r.Suggestions = []Suggestion{}
	}
	perFile := map[string]int{}
	for _, e := range applied {
		perFile[e.Object.Source.File]++
	}
	for name, data := range changed {
		r.Files = append(r.Files, FileChange{Name: name, Edits: perFile[name], Old: files[name], New: data})
	}
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Name < r.Files[j].Name })
	sort.SliceStable(r.Suggestions, func(i, j int) bool { return suggestionLess(r.Suggestions[i], r.Suggestions[j]) })
	return r, nil
}

func suggestionLess(a, b Suggestion) bool {
	as, bs := a.Object.Source, b.Object.Source
	switch {
	case as.File != bs.File:
		return as.File < bs.File
	case as.Document != bs.Document:
		return as.Document < bs.Document
	case as.Item != bs.Item:
		return as.Item < bs.Item
	}
	return a.Path < b.Path
}

// WriteDiff writes the unified diff of every changed file, in name order.
func (r *Result) WriteDiff(w io.Writer) error {
	for _, f := range r.Files {
		if err := WriteDiff(w, f.Name, f.Old, f.New); err != nil {
			return err
		}
	}
	return nil
}

// Write writes the changed files in place: each through a temporary file
// in its directory renamed over it, so that a reader never sees half a
// file, with the file's permissions kept. Standard input ("-") cannot be
// written.
func (r *Result) Write() error {
	for _, f := range r.Files {
		if f.Name == "-" {
			return fmt.Errorf("standard input cannot be fixed in place: give the file with -f FILE")
		}
	}
	for _, f := range r.Files {
		if err := writeFile(f.Name, f.New); err != nil {
			return err
		}
	}
	r.Written = true
	return nil
}

func writeFile(name string, data []byte) error {
	info, err := os.Stat(name)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".aigov-fix-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := firstError(werr, cerr, os.Chmod(tmp.Name(), info.Mode().Perm())); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
