package secrets

import (
	"math"
	"strings"
)

// placeholderWords are substrings (lower case) that mark a value as an
// example rather than a credential.
var placeholderWords = [...]string{
	"example", "sample", "changeme", "change_me", "change-me", "replace_me", "replace-me",
	"replaceme", "placeholder", "dummy", "redacted", "xxxxxx", "******", "aaaaaa",
}

// IsPlaceholder reports whether a value is a template, a reference or an
// example rather than a credential: ${VAR}, $VAR, {{ … }}, <…>, %VAR%, only
// '*' or 'x', values containing example, sample, changeme, replace_me,
// placeholder, dummy, your…key or redacted, $(VAR) (Kubernetes env expansion), values ending in "...", and a
// single repeated character. The empty string is a placeholder.
func IsPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return true
	}
	if strings.HasSuffix(v, "...") || strings.HasSuffix(v, "…") {
		return true
	}
	if strings.Contains(v, "{{") || strings.Contains(v, "${") || strings.Contains(v, "$(") {
		return true
	}
	if v[0] == '$' && len(v) > 1 && isIdentStart(v[1]) {
		return true
	}
	if v[0] == '<' && v[len(v)-1] == '>' {
		return true
	}
	if len(v) > 2 && v[0] == '%' && v[len(v)-1] == '%' {
		return true
	}
	if repeated(v) {
		return true
	}
	lower := strings.ToLower(v)
	for _, w := range placeholderWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	if i := strings.Index(lower, "your"); i >= 0 && strings.Contains(lower[i:], "key") {
		return true
	}
	return onlyStarsOrX(lower)
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func repeated(v string) bool {
	for i := 1; i < len(v); i++ {
		if v[i] != v[0] {
			return false
		}
	}
	return true
}

func onlyStarsOrX(lower string) bool {
	for i := 0; i < len(lower); i++ {
		switch lower[i] {
		case '*', 'x', '-', '_':
		default:
			return false
		}
	}
	return true
}

// Entropy is the Shannon entropy of s in bits per character, over its
// bytes.
func Entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}
