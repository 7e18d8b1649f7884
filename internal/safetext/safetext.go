// Package safetext makes untrusted text safe to print on a terminal.
//
// Reports repeat strings that came from manifests or a cluster: messages,
// image names, paths, annotation values. Printed raw, such a string can
// carry an escape sequence that clears the screen or recolours it, a
// carriage return that overwrites the line before it, a bidirectional
// override that reorders what the reader sees, or a newline that forges a
// line of the report ("no findings"). The functions here replace those
// characters by visible Go-style escapes (\x1b, \r, \n, \u202e); everything
// else passes unchanged.
//
// Line is for one-line fields (names, paths), Block for text whose newlines
// are meant (multi-line messages), and Writer is the last line of defence
// the CLI puts around its standard output and error: it escapes every
// control character but newline and tab in whatever passes through it.
// JSON and YAML encoders never emit those characters raw, so the Writer
// leaves their output unchanged.
package safetext

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// Line returns s with every control character escaped, newline and tab
// included, so that s prints as exactly one line.
func Line(s string) string { return escape(s, false) }

// Block returns s with every control character but newline and tab
// escaped.
func Block(s string) string { return escape(s, true) }

// unsafeRune reports whether r must not reach a terminal raw: C0 and C1
// control characters, DEL, and the bidirectional embedding, override and
// isolate controls. keepLines spares newline and tab.
func unsafeRune(r rune, keepLines bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !keepLines
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func escape(s string, keepLines bool) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r, keepLines) {
			return string(appendEscaped(make([]byte, 0, len(s)+8), []byte(s), keepLines))
		}
		i += size
	}
	return s
}

// appendEscaped appends p to dst with unsafe runes and invalid UTF-8 bytes
// escaped.
func appendEscaped(dst, p []byte, keepLines bool) []byte {
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = appendHexByte(dst, p[i])
		case unsafeRune(r, keepLines):
			dst = appendRuneEscape(dst, r)
		default:
			dst = append(dst, p[i:i+size]...)
		}
		i += size
	}
	return dst
}

func appendRuneEscape(dst []byte, r rune) []byte {
	switch r {
	case '\n':
		return append(dst, `\n`...)
	case '\r':
		return append(dst, `\r`...)
	case '\t':
		return append(dst, `\t`...)
	}
	if r < 0x80 {
		return appendHexByte(dst, byte(r))
	}
	dst = append(dst, `\u`...)
	h := strconv.FormatInt(int64(r), 16)
	for i := len(h); i < 4; i++ {
		dst = append(dst, '0')
	}
	return append(dst, h...)
}

func appendHexByte(dst []byte, b byte) []byte {
	const digits = "0123456789abcdef"
	return append(dst, '\\', 'x', digits[b>>4], digits[b&0xf])
}

// Writer escapes, in everything written through it, the characters Block
// escapes. A multi-byte character split across two writes is held back
// until its end arrives; Flush writes what is held (as escapes, since it
// can only be an incomplete character).
type Writer struct {
	w       io.Writer
	pending []byte // the start of an incomplete UTF-8 sequence
	buf     []byte
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it. It reports len(p) on success, whatever
// the escaped length.
func (sw *Writer) Write(p []byte) (int, error) {
	n := len(p)
	if len(sw.pending) > 0 {
		p = append(sw.pending, p...)
		sw.pending = nil
	}
	// Hold back a trailing incomplete multi-byte sequence.
	if cut := incompleteTail(p); cut < len(p) {
		sw.pending = append([]byte(nil), p[cut:]...)
		p = p[:cut]
	}
	if clean(p) {
		if _, err := sw.w.Write(p); err != nil {
			return 0, err
		}
		return n, nil
	}
	sw.buf = appendEscaped(sw.buf[:0], p, true)
	if _, err := sw.w.Write(sw.buf); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes a held-back incomplete character, escaped.
func (sw *Writer) Flush() error {
	if len(sw.pending) == 0 {
		return nil
	}
	out := appendEscaped(nil, sw.pending, true)
	sw.pending = nil
	_, err := sw.w.Write(out)
	return err
}

// clean reports whether p needs no escaping; the common all-ASCII case
// costs one pass over the bytes.
func clean(p []byte) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			continue
		}
		if c < 0x80 {
			return false
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 || unsafeRune(r, true) {
			return false
		}
		i += size - 1
	}
	return true
}

// incompleteTail returns the index where a trailing, possibly incomplete
// UTF-8 sequence starts, or len(p) when p ends on a whole character.
func incompleteTail(p []byte) int {
	for back := 1; back <= 3 && back <= len(p); back++ {
		c := p[len(p)-back]
		if c < 0x80 {
			return len(p) // ASCII: nothing pending
		}
		if c >= 0xc0 { // a leading byte
			need := 2
			switch {
			case c >= 0xf0:
				need = 4
			case c >= 0xe0:
				need = 3
			}
			if back < need {
				return len(p) - back
			}
			return len(p)
		}
	}
	return len(p)
}
