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
// document's first line. root holds the document's node tree, made on first
// use, so that a caller placing many fields in one document parses it once.
func FieldLine(doc Document, item int, p string, root **yamlv3.Node) int {
	if item >= 0 {
		p = "items[" + strconv.Itoa(item) + "]." + p
	}
	if *root == nil {
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
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	counted, line := 0, 1
	lineAt := func(offset int64) int {
		end := int(min(offset, int64(len(js))))
		if end > counted {
			line += bytes.Count(js[counted:end], []byte("\n"))
			counted = end
		}
		return line
	}
	// valueStart is the offset of the next value: the decoder stands after
	// the previous token, before any blanks, comma or colon.
	valueStart := func() int64 {
		start := dec.InputOffset()
		for start < int64(len(js)) && strings.IndexByte(" \t\r\n,:", js[start]) >= 0 {
			start++
		}
		return start
	}
	var value func(depth int) (*yamlv3.Node, bool)
	value = func(depth int) (*yamlv3.Node, bool) {
		start := lineAt(valueStart())
		tok, err := dec.Token()
		if err != nil || depth > MaxNestingDepth {
			return nil, false
		}
		delim, isDelim := tok.(json.Delim)
		if !isDelim {
			return &yamlv3.Node{Kind: yamlv3.ScalarNode, Line: start}, true
		}
		n := &yamlv3.Node{Line: start}
		switch delim {
		case '{':
			n.Kind = yamlv3.MappingNode
			for dec.More() {
				keyLine := lineAt(valueStart())
				tok, err := dec.Token()
				if err != nil {
					return nil, false
				}
				k, _ := tok.(string)
				v, ok := value(depth + 1)
				if !ok {
					return nil, false
				}
				n.Content = append(n.Content, &yamlv3.Node{Kind: yamlv3.ScalarNode, Value: k, Line: keyLine}, v)
			}
		case '[':
			n.Kind = yamlv3.SequenceNode
			for dec.More() {
				v, ok := value(depth + 1)
				if !ok {
					return nil, false
				}
				n.Content = append(n.Content, v)
			}
		default:
			return nil, false
		}
		_, err = dec.Token() // the closing delimiter
		return n, err == nil
	}
	top, ok := value(1)
	if !ok {
		return &yamlv3.Node{}
	}
	return &yamlv3.Node{Kind: yamlv3.DocumentNode, Content: []*yamlv3.Node{top}}
}
