package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aigov/aigov/governance"
)

// jsonReport is the stable shape of `aigov check -o json`.
type jsonReport struct {
	SchemaVersion int                  `json:"schemaVersion"`
	Objects       int                  `json:"objects"`
	Findings      []governance.Finding `json:"findings"`
	Warnings      []string             `json:"warnings,omitempty"`
	// Degraded is Report.Degraded, left out when empty.
	Degraded []governance.Degradation `json:"degraded,omitempty"`
	// Assets are the Overview's AI assets, when the report has one.
	Assets []Asset `json:"assets,omitempty"`
}

// WriteJSON writes the design's `check -o json` document:
//
//	{"schemaVersion": 1, "objects": N, "findings": [...], "warnings": [...],
//	 "degraded": [{"resource": "secrets", "reason": "forbidden"}]}
//
// Each finding is governance.Finding's JSON (check, name, object "Kind/name",
// namespace, path, severity, action, message, remediation, file, line,
// document, known, and affected and example for a finding that pods were
// folded into); findings is [] when there are none, and warnings and
// degraded (the kinds a live cluster did not let the run read) are left out
// when there are none. A report with an Overview adds
// "assets": [{"class","kind","namespace","name","team","reason","gpus",
// "replicas","serviceAccount","images"}], left out when empty. The output is indented and HTML characters are
// not escaped.
func WriteJSON(w io.Writer, r Report) error {
	doc := jsonReport{
		SchemaVersion: governance.SchemaVersion,
		Objects:       r.Objects,
		Findings:      sortedFindings(r.Findings),
		Warnings:      r.Warnings,
		Degraded:      r.Degraded,
	}
	if r.Overview != nil {
		doc.Assets = r.Overview.Assets
	}
	if doc.Findings == nil {
		doc.Findings = []governance.Finding{}
	}
	return encodeJSON(w, doc)
}

// encodeJSON writes v indented, without HTML escaping, in one write.
func encodeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(unescapeHTML(buf.Bytes()))
	return err
}

// unescapeHTML undoes the \u003c, \u003e and \u0026 escapes that
// json.Marshal (and so governance.Finding's MarshalJSON) applies whatever the
// outer encoder's SetEscapeHTML says. Escape pairs are copied whole, so an
// escaped backslash followed by "u003c" stays as it is.
func unescapeHTML(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u00`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			switch string(b[i+2 : i+6]) {
			case "003c":
				out, i = append(out, '<'), i+5
				continue
			case "003e":
				out, i = append(out, '>'), i+5
				continue
			case "0026":
				out, i = append(out, '&'), i+5
				continue
			}
		}
		out, i = append(out, b[i], b[i+1]), i+1
	}
	return out
}

// ReadJSON decodes a document WriteJSON wrote (an earlier `check -o json`
// output) into a Report with Findings, Objects and Warnings. It fails when
// the input is larger than governance.MaxFileBytes, is not JSON, has a
// schemaVersion other than 1, has no "findings" array, or has a finding
// without a check. Errors of malformed JSON are *SyntaxError values that
// carry the line.
func ReadJSON(r io.Reader) (Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, governance.MaxFileBytes+1))
	if err != nil {
		return Report{}, err
	}
	if len(data) > governance.MaxFileBytes {
		return Report{}, fmt.Errorf("larger than %d bytes", governance.MaxFileBytes)
	}
	var doc struct {
		SchemaVersion *int               `json:"schemaVersion"`
		Objects       int                `json:"objects"`
		Findings      *[]json.RawMessage `json:"findings"`
		Warnings      []string           `json:"warnings"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return Report{}, syntaxError(data, err)
	}
	switch {
	case doc.SchemaVersion != nil && *doc.SchemaVersion != governance.SchemaVersion:
		return Report{}, fmt.Errorf("unsupported schemaVersion %d (want %d)", *doc.SchemaVersion, governance.SchemaVersion)
	case doc.Findings == nil:
		return Report{}, errors.New(`no "findings" array: not the output of aigov check -o json`)
	}
	findings := make([]governance.Finding, len(*doc.Findings))
	for i, raw := range *doc.Findings {
		if err := json.Unmarshal(raw, &findings[i]); err != nil {
			return Report{}, fmt.Errorf("findings[%d]: %w", i, err)
		}
		if findings[i].Check == "" {
			return Report{}, fmt.Errorf("findings[%d]: no check", i)
		}
	}
	return Report{Findings: findings, Objects: doc.Objects, Warnings: doc.Warnings}, nil
}

// SyntaxError is malformed JSON input, with the 1-based line of the error.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *SyntaxError) Unwrap() error { return e.Err }

// syntaxError attaches the line to JSON syntax errors (their offsets are
// absolute; those of type errors inside a finding are not).
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	offset := min(max(se.Offset, 0), int64(len(data)))
	return &SyntaxError{Line: 1 + bytes.Count(data[:offset], []byte("\n")), Err: err}
}
