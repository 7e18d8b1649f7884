package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aigov/aigov/governance"
)

// Baseline is the set of findings an earlier run reported, by
// governance.Finding.Identity (check, entry name, object, field — not the
// message or the line, which move as files are edited). Findings in it are
// "known": reported, but they do not fail the run (adopt now, pay down
// later). A Baseline is immutable and safe for concurrent use; a nil
// *Baseline is empty.
type Baseline struct {
	ids map[string]struct{}
}

// NewBaseline returns the baseline of the given findings.
func NewBaseline(findings []governance.Finding) *Baseline {
	b := &Baseline{ids: make(map[string]struct{}, len(findings))}
	for _, f := range findings {
		b.ids[f.Identity()] = struct{}{}
	}
	return b
}

// LoadBaseline reads an earlier `aigov check -o json` output. Every error is
// a *governance.InputError naming the file (and the line of a JSON syntax
// error), so the CLI exits 2 on it.
//
// The file is bounded as a manifest document is (governance.MaxDocumentBytes,
// 16 MiB) and must be a regular file.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := governance.ReadFileLimited(path, governance.MaxDocumentBytes)
	if err != nil {
		return nil, inputError(path, 0, unwrapPathError(err))
	}
	return ReadBaseline(bytes.NewReader(data), path)
}

// ReadBaseline is LoadBaseline over a reader; name is the file name errors
// carry.
func ReadBaseline(r io.Reader, name string) (*Baseline, error) {
	rep, err := ReadJSON(r)
	if err != nil {
		line := 0
		var se *SyntaxError
		if errors.As(err, &se) {
			line, err = se.Line, se.Err
		}
		return nil, inputError(name, line, err)
	}
	return NewBaseline(rep.Findings), nil
}

func inputError(file string, line int, err error) error {
	return &governance.InputError{
		Source: governance.Source{File: file, Line: line, Item: -1},
		Err:    fmt.Errorf("reading baseline: %w", err),
	}
}

// unwrapPathError drops the *os.PathError wrapper, whose text repeats the
// file name the InputError already gives.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Len returns the number of distinct findings in the baseline.
func (b *Baseline) Len() int {
	if b == nil {
		return 0
	}
	return len(b.ids)
}

// Contains reports whether f (by identity) is in the baseline.
func (b *Baseline) Contains(f governance.Finding) bool {
	if b == nil {
		return false
	}
	_, ok := b.ids[f.Identity()]
	return ok
}

// Mark sets Known on every finding that is in the baseline, in place, and
// returns how many it marked. Findings not in the baseline are left as they
// are. A nil baseline marks nothing.
func (b *Baseline) Mark(findings []governance.Finding) int {
	n := 0
	for i := range findings {
		if b.Contains(findings[i]) {
			findings[i].Known = true
			n++
		}
	}
	return n
}

// FailOn reports whether findings fail a run at threshold: some finding is
// not known (not in the baseline), has severity at or above threshold, and
// comes from a Deny rule (or has no action, which means Deny). Warn and
// Audit findings are reported only, as their admission counterparts only
// warn or audit.
func FailOn(findings []governance.Finding, threshold governance.Severity) bool {
	for _, f := range findings {
		if !f.Known && f.Severity >= threshold && isDeny(f.Action) {
			return true
		}
	}
	return false
}
