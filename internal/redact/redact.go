// Package redact decides how much of a string that may hold a credential
// aigov prints: reports, logs and error messages show at most a short
// prefix of a credential. Package secrets uses it for findings; the loader
// for decode errors, which quote values and field names from the input.
package redact

import (
	"strings"
	"unicode/utf8"
)

// Prefix is the most characters of a credential, or of a string that may
// be one, that aigov prints: the first Prefix characters followed by "…".
const Prefix = 4

// Redact returns the first Prefix characters of s (at most half of its
// characters, so a short value is never shown whole) followed by "…". The
// empty string stays empty.
func Redact(s string) string {
	if s == "" {
		return ""
	}
	keep := min(Prefix, utf8.RuneCountInString(s)/2)
	i := 0
	for n := 0; n < keep; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}

// maxWord is the longest value shown whole by Value.
const maxWord = 8

// Value returns s whole when it is a short lower-case word ("three",
// "http", "team-a": what a wrong type usually holds), else Redact(s).
func Value(s string) string {
	if len(s) <= maxWord && isWord(s) {
		return s
	}
	return Redact(s)
}

func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// Field returns a field path ("spec.ingress[0].prots") whole when every
// key in it is plainly a field name, and otherwise with each key that may
// hold a credential redacted: a key with characters other than letters,
// digits, '-', '_', '/' and '.', or a long run (16 or more) of letters
// and digits that mixes in digits, as tokens do and field names do not.
func Field(path string) string {
	if path == "" || fieldLike(path) {
		return path
	}
	var b strings.Builder
	for i, part := range strings.Split(path, ".") {
		if i > 0 {
			b.WriteByte('.')
		}
		name, index, _ := strings.Cut(part, "[")
		if fieldLike(name) {
			b.WriteString(name)
		} else {
			b.WriteString(Redact(name))
		}
		if index != "" {
			b.WriteString("[" + index)
		}
	}
	return b.String()
}

func fieldLike(s string) bool {
	run, digits := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			run++
			digits = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			run++
		case c == '-' || c == '_' || c == '/' || c == '.' || c == '[' || c == ']':
			run, digits = 0, false
		default:
			return false
		}
		if run >= 16 && digits {
			return false
		}
	}
	return len(s) <= 256
}
