package fix

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// This file edits one YAML document in its bytes. An edit is found in the
// document's node tree (go.yaml.in/yaml/v3, which gives every node's line
// and column) and made as a splice: the bytes of one scalar are replaced,
// or lines are inserted after a block or removed, or text is inserted in a
// flow collection. Every other byte of the document stays as it was:
// comments, key order, quoting, indentation and blank lines. Re-encoding
// the document with yaml.v3 would not do that (it re-indents sequences and
// requotes strings). Every splice is then checked (see editDocument).

// docText is a parsed document and the offsets of its lines.
type docText struct {
	src       []byte
	lineStart []int // byte offset of line i+1
	root      *yaml.Node
}

func parseDoc(src []byte) (*docText, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parsing the document: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the document is not a mapping")
	}
	d := &docText{src: src, root: doc.Content[0], lineStart: []int{0}}
	for i, b := range src {
		if b == '\n' {
			d.lineStart = append(d.lineStart, i+1)
		}
	}
	return d, nil
}

// line returns the bytes of line n (1-based) without its line break.
func (d *docText) line(n int) []byte {
	if n < 1 || n > len(d.lineStart) {
		return nil
	}
	start, end := d.lineStart[n-1], len(d.src)
	if n < len(d.lineStart) {
		end = d.lineStart[n]
	}
	return bytes.TrimRight(d.src[start:end], "\r\n")
}

// lineEnd is the offset just past line n's line break (or the end of the
// document when it has none).
func (d *docText) lineEnd(n int) int {
	if n < len(d.lineStart) {
		return d.lineStart[n]
	}
	return len(d.src)
}

// offset converts a node position (1-based line, 1-based column counted in
// characters, as yaml.v3 counts) to a byte offset.
func (d *docText) offset(line, col int) (int, error) {
	l := d.line(line)
	if l == nil && line != len(d.lineStart) {
		return 0, fmt.Errorf("line %d is outside the document", line)
	}
	off := 0
	for c := 1; c < col; c++ {
		if off >= len(l) {
			return 0, fmt.Errorf("column %d is outside line %d", col, line)
		}
		_, size := utf8.DecodeRune(l[off:])
		off += size
	}
	return d.lineStart[line-1] + off, nil
}

// step is one node on a path: the value, and for mapping entries its key.
type step struct {
	key, value *yaml.Node
	parent     *yaml.Node
}

// walk follows segs from the root as far as the document holds them. It
// returns the steps found (one per segment found) and an error when the
// path cannot go on for a reason other than a missing key.
func (d *docText) walk(segs []segment) ([]step, error) {
	var out []step
	cur := d.root
	for _, s := range segs {
		switch cur.Kind {
		case yaml.MappingNode:
			var found *step
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if k := cur.Content[i]; k.Kind == yaml.ScalarNode && k.Value == s.key {
					found = &step{key: k, value: cur.Content[i+1], parent: cur}
					break
				}
			}
			if found == nil {
				return out, nil
			}
			out = append(out, *found)
			cur = found.value
		case yaml.SequenceNode:
			if s.index < 0 || s.index >= len(cur.Content) {
				return out, fmt.Errorf("%s: no such item", joinPath(segs[:len(out)+1]))
			}
			out = append(out, step{value: cur.Content[s.index], parent: cur})
			cur = cur.Content[s.index]
		case yaml.AliasNode:
			return out, fmt.Errorf("%s is an alias: edit the anchored node", joinPath(segs[:len(out)]))
		default:
			return out, fmt.Errorf("%s is a scalar, not a mapping or sequence", joinPath(segs[:len(out)]))
		}
	}
	return out, nil
}

func isFlow(n *yaml.Node) bool { return n.Style&yaml.FlowStyle != 0 }

// scalarSpan returns the byte range of a scalar node's text: its quotes
// included, a plain scalar up to the end of its text on its line. Block
// scalars, tagged, anchored and multi-line plain scalars are refused.
func (d *docText) scalarSpan(n *yaml.Node, inFlow, isKey bool) (int, int, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, 0, errors.New("not a scalar")
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, errors.New("a block scalar (| or >) is not edited")
	}
	start, err := d.offset(n.Line, n.Column)
	if err != nil {
		return 0, 0, err
	}
	if start >= len(d.src) {
		return 0, 0, errors.New("the scalar has no text")
	}
	src := d.src
	switch {
	case src[start] == '!' || src[start] == '&' || src[start] == '*':
		return 0, 0, errors.New("a tagged, anchored or aliased scalar is not edited")
	case n.Style&yaml.DoubleQuotedStyle != 0:
		for i := start + 1; i < len(src); i++ {
			switch src[i] {
			case '\\':
				i++
			case '"':
				return start, i + 1, nil
			}
		}
		return 0, 0, errors.New("unterminated double-quoted scalar")
	case n.Style&yaml.SingleQuotedStyle != 0:
		for i := start + 1; i < len(src); i++ {
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i++
					continue
				}
				return start, i + 1, nil
			}
		}
		return 0, 0, errors.New("unterminated single-quoted scalar")
	}
	end := start
	for end < len(src) {
		c := src[end]
		if c == '\n' || c == '\r' {
			break
		}
		if c == '#' && end > start && (src[end-1] == ' ' || src[end-1] == '\t') {
			break
		}
		if inFlow && (c == ',' || c == '[' || c == ']' || c == '{' || c == '}') {
			break
		}
		if c == ':' && (isKey || inFlow) && (end+1 == len(src) || strings.IndexByte(" \t\r\n,[]{}", src[end+1]) >= 0) {
			break
		}
		end++
	}
	for end > start && (src[end-1] == ' ' || src[end-1] == '\t') {
		end--
	}
	if string(src[start:end]) != n.Value {
		return 0, 0, errors.New("a plain scalar over several lines is not edited")
	}
	return start, end, nil
}

// blockEnd returns the last line holding content of a block whose entries
// start in column col, the last entry starting on line from: the lines
// after it that are indented deeper belong to it (blank and comment lines
// are passed over but do not extend it), and with dashAtCol so do the
// "- " lines in column col of an indentless sequence.
func (d *docText) blockEnd(from, col int, dashAtCol bool) int {
	last := from
	for n := from + 1; n <= len(d.lineStart); n++ {
		l := d.line(n)
		trimmed := bytes.TrimLeft(l, " ")
		if len(bytes.TrimSpace(trimmed)) == 0 || trimmed[0] == '#' {
			continue
		}
		indent := len(l) - len(trimmed)
		switch {
		case indent+1 > col:
			last = n
		case dashAtCol && indent+1 == col && trimmed[0] == '-' && (len(trimmed) == 1 || trimmed[1] == ' '):
			last = n
		default:
			return last
		}
	}
	return last
}

// entryEnd is the last content line of the mapping entry whose key is k
// and value v (a key in column col).
func (d *docText) entryEnd(k, v *yaml.Node) int {
	dash := v.Kind == yaml.SequenceNode && !isFlow(v) && v.Column == k.Column
	return d.blockEnd(k.Line, k.Column, dash)
}

// encodeValue renders v as YAML lines indented by two spaces a level, or
// in flow style on one line.
func encodeValue(v any, flow bool) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding %v: %w", v, err)
	}
	if flow {
		setFlow(&n)
	}
	return &n, nil
}

func setFlow(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style |= yaml.FlowStyle
	}
	for _, c := range n.Content {
		setFlow(c)
	}
}

func marshal(n *yaml.Node) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// flowEntry renders "key: value" for a flow mapping, without braces.
func flowEntry(key string, v any) (string, error) {
	val, err := encodeValue(v, true)
	if err != nil {
		return "", err
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle,
		Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: key}, val}}
	return flowInner(m)
}

// flowItem renders one item for a flow sequence, without brackets.
func flowItem(v any) (string, error) {
	val, err := encodeValue(v, true)
	if err != nil {
		return "", err
	}
	return flowInner(&yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{val}})
}

// flowInner renders a flow collection and drops its brackets.
func flowInner(n *yaml.Node) (string, error) {
	text, err := marshal(n)
	if err != nil {
		return "", err
	}
	text = strings.TrimSpace(text)
	return strings.TrimSpace(text[1 : len(text)-1]), nil
}

// renderScalar renders a scalar value, in the quoting style of the scalar
// it replaces when that style can hold it.
func renderScalar(v any, style yaml.Style) (string, error) {
	n, err := encodeValue(v, false)
	if err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("%v is not a scalar", v)
	}
	if _, isString := v.(string); isString && style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		n.Style = style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle)
	}
	text, err := marshal(n)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(text, "\n"), nil
}

// splice replaces src[start:end] with text.
func splice(src []byte, start, end int, text string) []byte {
	out := make([]byte, 0, len(src)-(end-start)+len(text))
	out = append(out, src[:start]...)
	out = append(out, text...)
	return append(out, src[end:]...)
}

// insertAfterLine inserts whole lines of text after line n.
func (d *docText) insertAfterLine(n int, text string) []byte {
	at := d.lineEnd(n)
	if at == len(d.src) && (len(d.src) == 0 || d.src[len(d.src)-1] != '\n') {
		text = "\n" + strings.TrimSuffix(text, "\n")
	}
	return splice(d.src, at, at, text)
}

// flowClose finds the offset of the bracket closing the flow collection
// that opens at node n.
func (d *docText) flowClose(n *yaml.Node) (int, error) {
	start, err := d.offset(n.Line, n.Column)
	if err != nil {
		return 0, err
	}
	src := d.src
	if start >= len(src) || (src[start] != '{' && src[start] != '[') {
		return 0, errors.New("the flow collection does not start at its node")
	}
	depth := 0
	for i := start; i < len(src); i++ {
		switch src[i] {
		case '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(src); i++ {
				if src[i] == '\'' {
					if i+1 < len(src) && src[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '#':
			if i > 0 && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n') {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, errors.New("unclosed flow collection")
}

// insertKey adds key: v to mapping m (which must not hold key).
func (d *docText) insertKey(m *yaml.Node, key string, v any) ([]byte, error) {
	if isFlow(m) {
		closing, err := d.flowClose(m)
		if err != nil {
			return nil, err
		}
		text, err := flowEntry(key, v)
		if err != nil {
			return nil, err
		}
		if len(m.Content) > 0 {
			text = ", " + text
		}
		return splice(d.src, closing, closing, text), nil
	}
	if len(m.Content) < 2 {
		return nil, errors.New("empty block mapping")
	}
	first := m.Content[0]
	lastKey, lastVal := m.Content[len(m.Content)-2], m.Content[len(m.Content)-1]
	if lastKey.Column != first.Column {
		return nil, errors.New("mapping keys are not aligned")
	}
	var b strings.Builder
	if err := detectStyle(d.root).entryLines(&b, first.Column-1, key, v); err != nil {
		return nil, err
	}
	return d.insertAfterLine(d.entryEnd(lastKey, lastVal), b.String()), nil
}

// appendItem adds item at the end of sequence s.
func (d *docText) appendItem(s *yaml.Node, item any) ([]byte, error) {
	if isFlow(s) {
		closing, err := d.flowClose(s)
		if err != nil {
			return nil, err
		}
		text, err := flowItem(item)
		if err != nil {
			return nil, err
		}
		if len(s.Content) > 0 {
			text = ", " + text
		}
		return splice(d.src, closing, closing, text), nil
	}
	if len(s.Content) == 0 {
		return nil, errors.New("empty block sequence")
	}
	lastItem := s.Content[len(s.Content)-1]
	// The last item's "-" is on the line of its node, in the column of the
	// sequence's first "-".
	var b strings.Builder
	if err := detectStyle(d.root).itemLines(&b, s.Column-1, item); err != nil {
		return nil, err
	}
	return d.insertAfterLine(d.blockEnd(lastItem.Line, s.Column, true), b.String()), nil
}

// deleteEntry removes the mapping entry (k, v) of a block mapping: the
// lines from its key to the end of its value. The key must start its line.
func (d *docText) deleteEntry(m, k, v *yaml.Node) ([]byte, error) {
	if isFlow(m) {
		return nil, errors.New("an entry of a flow mapping is not removed")
	}
	if len(m.Content) <= 2 {
		return nil, errors.New("the entry is the mapping's only one")
	}
	l := d.line(k.Line)
	if len(l)-len(bytes.TrimLeft(l, " ")) != k.Column-1 {
		return nil, errors.New("the key does not start its line")
	}
	return splice(d.src, d.lineStart[k.Line-1], d.lineEnd(d.entryEnd(k, v)), ""), nil
}

// replaceScalar replaces a scalar node's text with value.
func (d *docText) replaceScalar(n, parent *yaml.Node, isKey bool, value any) ([]byte, error) {
	start, end, err := d.scalarSpan(n, parent != nil && isFlow(parent), isKey)
	if err != nil {
		return nil, err
	}
	text, err := renderScalar(value, n.Style)
	if err != nil {
		return nil, err
	}
	return splice(d.src, start, end, text), nil
}
