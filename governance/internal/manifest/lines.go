package manifest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
)

// FieldLine returns the file line of the field at path (relative to the
// object, which is item of a List document when item >= 0) in doc: the
// line of its key, or of the deepest part of the path that exists, or the
// document's first line.
func FieldLine(doc Document, item int, p string, root **yamlv3.Node) int {
	if item >= 0 {
		p = "items[" + strconv.Itoa(item) + "]." + p
	}
	var line int
	if doc.JSON {
		line = JSONFieldLine(doc.Data, p)
	} else {
		if *root == nil {
			*root = &yamlv3.Node{}
			if yamlv3.Unmarshal(doc.Data, *root) != nil {
				**root = yamlv3.Node{}
			}
		}
		line = yamlFieldLine(*root, p)
	}
	if line <= 0 {
		return doc.Line
	}
	return doc.Line + line - 1
}

// nextKey matches the start of path p against a mapping key k: p is k, or
// k followed by "." or "[" (keys may contain dots, so callers prefer the
// longest key that matches), or k in brackets ("[nvidia.com/gpu]", the form
// paths give map keys such as resource names and replica types). It
// returns the rest of the path.
func nextKey(p, k string) (string, bool) {
	if strings.HasPrefix(p, "[") {
		end := strings.IndexByte(p, ']')
		if end < 0 || p[1:end] != k {
			return "", false
		}
		return strings.TrimPrefix(p[end+1:], "."), true
	}
	if p == k {
		return "", true
	}
	if len(p) > len(k) && strings.HasPrefix(p, k) {
		switch p[len(k)] {
		case '.':
			return p[len(k)+1:], true
		case '[':
			return p[len(k):], true
		}
	}
	return "", false
}

// nextIndex reads a leading "[i]" of path p. A wildcard ("[*]", every
// item) is no index: the line is then the list's.
func nextIndex(p string) (int, string, bool) {
	if !strings.HasPrefix(p, "[") {
		return 0, "", false
	}
	end := strings.IndexByte(p, ']')
	if end < 0 {
		return 0, "", false
	}
	i, err := strconv.Atoi(p[1:end])
	if err != nil || i < 0 {
		return 0, "", false
	}
	return i, strings.TrimPrefix(p[end+1:], "."), true
}

// yamlFieldLine is FieldLine over a parsed YAML document (lines relative to
// the document).
func yamlFieldLine(root *yamlv3.Node, p string) int {
	if len(root.Content) == 0 {
		return 0
	}
	n, line := root.Content[0], 0
	for p != "" {
		if n.Kind == yamlv3.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yamlv3.SequenceNode:
			i, rest, ok := nextIndex(p)
			if !ok || i >= len(n.Content) {
				return line
			}
			n, line, p = n.Content[i], n.Content[i].Line, rest
		case yamlv3.MappingNode:
			var next *yamlv3.Node
			var nextRest string
			best := -1
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if rest, ok := nextKey(p, k.Value); ok && len(k.Value) >= best {
					next, nextRest, best, line = n.Content[i+1], rest, len(k.Value), k.Line
				}
			}
			if next == nil {
				return line
			}
			n, p = next, nextRest
		default:
			return line
		}
	}
	return line
}

// JSONFieldLine is FieldLine over a JSON document (lines relative to it).
func JSONFieldLine(js []byte, p string) int {
	if p == "" {
		return 0
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	lineAt := func(offset int64) int { return 1 + bytes.Count(js[:min(offset, int64(len(js)))], []byte("\n")) }
	// walk consumes one value and returns the line of the deepest part of
	// p that exists within it, with the length of p left unmatched there
	// (-1: nothing matched); ok is false on invalid JSON.
	var walk func(p string, depth int) (line, left int, ok bool)
	walk = func(p string, depth int) (line, left int, ok bool) {
		left = -1
		tok, err := dec.Token()
		if err != nil || depth > MaxNestingDepth {
			return 0, -1, false
		}
		delim, isDelim := tok.(json.Delim)
		if !isDelim {
			return 0, -1, true
		}
		better := func(l, n int) {
			if n >= 0 && (left < 0 || n <= left) {
				line, left = l, n
			}
		}
		switch delim {
		case '{':
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return 0, -1, false
				}
				k, _ := tok.(string)
				rest, match := nextKey(p, k)
				sub := "\x00" // matches nothing
				if match {
					better(lineAt(dec.InputOffset()), len(rest))
					if rest != "" {
						sub = rest
					}
				}
				l, n, ok := walk(sub, depth+1)
				if !ok {
					return 0, -1, false
				}
				better(l, n)
			}
		case '[':
			i, rest, hasIndex := nextIndex(p)
			for j := 0; dec.More(); j++ {
				sub := "\x00"
				if hasIndex && j == i {
					// The decoder stands at the end of the previous
					// element (before its comma): the element starts
					// after the comma and blanks.
					start := dec.InputOffset()
					for start < int64(len(js)) && strings.IndexByte(" \t\r\n,", js[start]) >= 0 {
						start++
					}
					better(lineAt(start), len(rest))
					if rest != "" {
						sub = rest
					}
				}
				l, n, ok := walk(sub, depth+1)
				if !ok {
					return 0, -1, false
				}
				better(l, n)
			}
		}
		_, err = dec.Token() // the closing delimiter
		return line, left, err == nil
	}
	line, _, _ := walk(p, 1)
	return line
}
