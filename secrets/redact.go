package secrets

import (
	"strings"
	"sync"

	"github.com/aigov/aigov/internal/redact"
)

// RedactPrefix is the most characters of a credential, or of a name that
// may hold one, that any report, log or error message of aigov shows: the
// first RedactPrefix characters followed by "…" (Redact).
const RedactPrefix = redact.Prefix

// Redact returns the text a report may show of a credential, or of a name
// that may hold one: its first RedactPrefix characters (at most half of its
// characters, so a short value is never shown whole) followed by "…". The
// empty string stays empty.
func Redact(s string) string { return redact.Redact(s) }

// DisplayName returns name as reports may print it: whole when it is
// plainly a name (SafeName), else redacted (Redact).
func DisplayName(name string) string {
	if SafeName(name) {
		return name
	}
	return Redact(name)
}

// maxSafeName bounds the names printed whole.
const maxSafeName = 128

// SafeName reports whether name is plainly a name that reports may print
// whole, rather than text that may hold a credential:
//
//   - a command-line flag only as "--long-name" (letters, digits, '-',
//     '_', '.') or a single-letter "-x": a single-dash item longer than
//     that ("-pHunter2", mysql's attached password) may carry a value;
//   - any other name only of letters, digits, '_', '-', '.' and '/' (an
//     env variable, a ConfigMap key, an annotation key), at most 128
//     characters;
//   - and in every case without a provider key shape (Detectors) and
//     without a token-like part between separators (20 or more characters
//     of letters and digits, or 32 or more of both cases).
func SafeName(name string) bool {
	if name == "" {
		return true
	}
	if len(name) > maxSafeName {
		return false
	}
	body := name
	if strings.HasPrefix(name, "-") {
		switch {
		case strings.HasPrefix(name, "--") && len(name) > 2:
			body = name[2:]
		case len(name) == 2 && isAlnum(name[1]):
			return true
		default:
			return false
		}
		if strings.Contains(body, "/") {
			return false
		}
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' && c != '/' {
			return false
		}
	}
	if tokenLikePart(body) {
		return false
	}
	return len(nameDetectors().Find("", name)) == 0
}

// tokenLikePart reports whether a part of s between '_', '-', '.' and '/'
// looks like a random token rather than a word: 20 or more characters
// with letters and digits, or 32 or more with upper and lower case, and an
// entropy above 3 bits per character.
func tokenLikePart(s string) bool {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == '/' }) {
		if len(part) < 20 {
			continue
		}
		var lower, upper, digit int
		for i := 0; i < len(part); i++ {
			switch c := part[i]; {
			case c >= 'a' && c <= 'z':
				lower = 1
			case c >= 'A' && c <= 'Z':
				upper = 1
			case c >= '0' && c <= '9':
				digit = 1
			}
		}
		mixed := digit == 1 && lower+upper > 0 || len(part) >= 32 && lower+upper == 2
		if mixed && Entropy(part) > 3 {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// nameDetectors are the built-in detectors, compiled once, that SafeName
// runs over names.
var nameDetectors = sync.OnceValue(func() *DetectorSet {
	set, err := NewDetectorSet(Detectors())
	if err != nil {
		panic("secrets: built-in detectors: " + err.Error())
	}
	return set
})
