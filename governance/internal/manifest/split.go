package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SplitError is a JSON stream that could not be cut: line is where the bad
// value starts.
type SplitError struct {
	Line int
	Err  error
}

// Split cuts a file into documents. A file whose first non-blank
// byte is '{' or '[' is a stream of JSON values; anything else is YAML cut at
// "---" separator lines, the way kubectl reads multi-document files.
func Split(data []byte) ([]Document, *SplitError) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return splitJSON(data)
	}
	return splitYAML(data), nil
}

func splitYAML(data []byte) []Document {
	var docs []Document
	start, startLine, line := 0, 1, 1
	emit := func(end int) {
		docs = append(docs, Document{Data: data[start:end], Line: startLine, Index: len(docs) + 1})
	}
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			next = pos + end + 1
		}
		if isSeparator(data[pos:next]) {
			if pos > start || len(docs) > 0 {
				emit(pos)
			}
			start, startLine = next, line+1
		}
		pos = next
		line++
	}
	if start < len(data) || len(docs) == 0 {
		emit(len(data))
	}
	return docs
}

// isSeparator matches a YAML document marker line: "---" alone or followed by
// blanks or a comment.
func isSeparator(line []byte) bool {
	line = bytes.TrimRight(line, "\r\n")
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := bytes.TrimLeft(line[3:], " \t")
	return len(rest) == 0 || rest[0] == '#'
}

// splitJSON cuts a stream of JSON values; a top-level array is one document
// whose elements are taken as a list of objects.
func splitJSON(data []byte) ([]Document, *SplitError) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var docs []Document
	line, counted := 1, int64(0) // lines are counted on from the previous value, not from the start
	for {
		start := dec.InputOffset()
		// Skip the whitespace between values so the line is the value's own.
		skipped := start + int64(len(data[start:])-len(bytes.TrimLeft(data[start:], " \t\r\n")))
		line += bytes.Count(data[counted:skipped], []byte("\n"))
		counted = skipped
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, &SplitError{Line: line, Err: jsonSyntaxError(data, err)}
		}
		if raw[0] == '[' {
			raw = append(append([]byte(`{"apiVersion":"v1","kind":"List","items":`), raw...), '}')
		}
		docs = append(docs, Document{Data: raw, Line: line, Index: len(docs) + 1, JSON: true})
	}
}

// jsonSyntaxError names the line of a JSON syntax error.
func jsonSyntaxError(data []byte, err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		if strings.Contains(syntax.Error(), "exceeded max depth") {
			return ErrTooDeep
		}
		offset := min(syntax.Offset, int64(len(data)))
		return fmt.Errorf("invalid JSON at line %d: %v", 1+bytes.Count(data[:offset], []byte("\n")), err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		end := bytes.TrimRight(data, " \t\r\n")
		return fmt.Errorf("invalid JSON at line %d: unexpected end of input", 1+bytes.Count(end, []byte("\n")))
	}
	return fmt.Errorf("invalid JSON: %v", err)
}
