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
// document's first line. root holds what FieldLine keeps of the document
// between calls, made on first use, so that a caller placing many fields
// in one document reads it once: for an item of a List, an index of the
// items' spans (and a few parsed items: the node tree of a whole 100,000-pod
// List took gigabytes), else the document's node tree.
func FieldLine(doc Document, item int, p string, root **yamlv3.Node) int {
	if item >= 0 {
		if line, ok := itemFieldLine(doc, item, p, root); ok {
			return line
		}
		p = "items[" + strconv.Itoa(item) + "]." + p
	}
	if *root == nil || isListHandle(*root) {
		if doc.JSON {
			*root = jsonTree(doc.Data)
		} else {
			*root = &yamlv3.Node{}
			if yamlv3.Unmarshal(doc.Data, *root) != nil {
				**root = yamlv3.Node{}
			}
		}
	}
	line := yamlFieldLine(*root, p)
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
	return walkFieldLine(root.Content[0], p, 0)
}

// walkFieldLine follows path p down from node n, whose line (of its key or
// item) is line, and returns the line of the deepest part that exists.
func walkFieldLine(n *yamlv3.Node, p string, line int) int {
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
// It parses the document for one path; FieldLine keeps the tree for many.
func JSONFieldLine(js []byte, p string) int {
	if p == "" {
		return 0
	}
	return yamlFieldLine(jsonTree(js), p)
}

// jsonTree reads a JSON document into the node tree YAML documents parse
// to (mappings, sequences and scalars with the line each starts on), so
// that one path walk serves both; invalid JSON gives an empty tree. The
// decoder's offsets only grow, so lines are counted once over the input:
// linear in the document, however many fields are placed in it.
func jsonTree(js []byte) *yamlv3.Node {
	r := newJSONReader(js, 1)
	top, ok := r.value(1, true)
	if !ok {
		return &yamlv3.Node{}
	}
	return &yamlv3.Node{Kind: yamlv3.DocumentNode, Content: []*yamlv3.Node{top}}
}

// jsonReader reads JSON values with the line each starts on.
type jsonReader struct {
	js           []byte
	dec          *json.Decoder
	counted, now int // lines are counted up to offset counted; now is the line there
}

// newJSONReader reads js, whose first line is line.
func newJSONReader(js []byte, line int) *jsonReader {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	return &jsonReader{js: js, dec: dec, now: line}
}

// lineAt is the line of offset, which never decreases between calls.
func (r *jsonReader) lineAt(offset int64) int {
	end := int(min(offset, int64(len(r.js))))
	if end > r.counted {
		r.now += bytes.Count(r.js[r.counted:end], []byte("\n"))
		r.counted = end
	}
	return r.now
}

// valueStart is the offset of the next value: the decoder stands after
// the previous token, before any blanks, comma or colon.
func (r *jsonReader) valueStart() int64 {
	start := r.dec.InputOffset()
	for start < int64(len(r.js)) && strings.IndexByte(" \t\r\n,:", r.js[start]) >= 0 {
		start++
	}
	return start
}

// value reads the next value, at nesting depth, and returns its node tree
// when build is set (else it only checks the value); false when the JSON
// is invalid or nested too deep.
func (r *jsonReader) value(depth int, build bool) (*yamlv3.Node, bool) {
	start := r.lineAt(r.valueStart())
	tok, err := r.dec.Token()
	if err != nil || depth > MaxNestingDepth {
		return nil, false
	}
	delim, isDelim := tok.(json.Delim)
	if !isDelim {
		if !build {
			return nil, true
		}
		return &yamlv3.Node{Kind: yamlv3.ScalarNode, Line: start}, true
	}
	var n *yamlv3.Node
	if build {
		n = &yamlv3.Node{Line: start}
	}
	switch delim {
	case '{':
		for r.dec.More() {
			keyLine := r.lineAt(r.valueStart())
			tok, err := r.dec.Token()
			if err != nil {
				return nil, false
			}
			v, ok := r.value(depth+1, build)
			if !ok {
				return nil, false
			}
			if build {
				k, _ := tok.(string)
				n.Content = append(n.Content, &yamlv3.Node{Kind: yamlv3.ScalarNode, Value: k, Line: keyLine}, v)
			}
		}
		if build {
			n.Kind = yamlv3.MappingNode
		}
	case '[':
		for r.dec.More() {
			v, ok := r.value(depth+1, build)
			if !ok {
				return nil, false
			}
			if build {
				n.Content = append(n.Content, v)
			}
		}
		if build {
			n.Kind = yamlv3.SequenceNode
		}
	default:
		return nil, false
	}
	_, err = r.dec.Token() // the closing delimiter
	return n, err == nil
}
