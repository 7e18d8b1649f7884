package manifest

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
)

// BlockParser reads the YAML that Kubernetes manifests are made of — a
// block mapping at the top, block mappings and sequences (indentless ones
// too), plain and quoted scalars (folded over several lines as kubectl's
// output folds long strings), literal ("|") scalars, comments, and flow
// collections that close on their line — straight into the tree go-yaml v2
// builds for ParseYAML (yamlv2.MapSlice mappings, []any sequences, plain
// scalars resolved by go-yaml's YAML 1.1 rules). It is several times faster
// than go-yaml, which tokenises, builds a node tree and then decodes that
// by reflection, and it allocates a fraction of the garbage.
//
// It gives up on anything outside that subset, and ParseYAML then reads the
// document with go-yaml, so results and error messages are go-yaml's in
// every case: anchors, aliases, tags, merge keys, folded (">") scalars,
// block scalars with an indentation indicator, escaped line breaks, flow
// collections over several lines, flow plain scalars holding ':', '?' or
// '#', "?" keys, keys that are not strings (on:, 1:, n:), duplicate keys,
// mappings of more than maxScannedKeys keys, .nan and .inf, tabs, carriage
// returns, text outside printable ASCII, document markers, and every syntax
// error. TestBlockYAMLRandomDocuments and FuzzBlockYAML check it against
// go-yaml, tree for tree.
//
// A parser keeps its scratch space between documents; it is not safe for
// concurrent use.
type BlockParser struct {
	data  []byte
	lines []yamlLine
	depth int
	// strings caches the interface values of short strings (keys such as
	// "name" or "metadata", values such as "TCP"): converting a string to
	// an interface allocates, and manifests repeat the same words.
	strings map[string]any
}

// yamlLine is one line of the document.
type yamlLine struct {
	start, end int // offsets of the line's text, without its '\n'
	indent     int // leading spaces
	content    bool
}

const (
	// maxBlockDepth bounds the recursion; deeper documents go to go-yaml,
	// which refuses them at its own limit.
	maxBlockDepth = 200
	// maxSimpleKey is YAML's bound on the length of an implicit key
	// (go-yaml refuses longer ones).
	maxSimpleKey = 1024
	// maxScannedKeys bounds the keys of one mapping.
	maxScannedKeys = 256
	// maxInternedString and maxInterned bound the string cache.
	maxInternedString = 64
	maxInterned       = 4096
)

// parse returns the document's tree and true, or false when the document is
// not in the subset (or is not valid YAML) and go-yaml must read it.
func (p *BlockParser) parse(data []byte) (yamlv2.MapSlice, bool) {
	if !p.split(data) {
		return nil, false
	}
	first := p.nextContent(0)
	if first == len(p.lines) {
		return nil, false
	}
	l := p.lines[first]
	off := l.start + l.indent
	if _, isKey := p.keyEnd(first, off); !isKey {
		return nil, false
	}
	m, next, ok := p.mapping(first, off, l.indent)
	if !ok || next != len(p.lines) {
		return nil, false
	}
	return m, true
}

// split cuts the document into lines and refuses bytes outside printable
// ASCII (tabs and carriage returns included) and document markers.
func (p *BlockParser) split(data []byte) bool {
	p.data, p.lines, p.depth = data, p.lines[:0], 0
	for start := 0; start < len(data); {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		line := data[start:end]
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				return false
			}
		}
		if bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("...")) {
			return false
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		content := indent < len(line) && line[indent] != '#'
		p.lines = append(p.lines, yamlLine{start: start, end: end, indent: indent, content: content})
		start = end + 1
	}
	return true
}

// nextContent returns the index of the first line at or after i that is not
// blank or a comment, or len(p.lines).
func (p *BlockParser) nextContent(i int) int {
	for i < len(p.lines) && !p.lines[i].content {
		i++
	}
	return i
}

// mapping reads a block mapping whose first key starts at offset off of
// line i, in column col; the following keys start lines indented by col.
// It returns the index of the first content line after the mapping.
func (p *BlockParser) mapping(i, off, col int) (yamlv2.MapSlice, int, bool) {
	if p.depth++; p.depth > maxBlockDepth {
		return nil, 0, false
	}
	defer func() { p.depth-- }()
	var m yamlv2.MapSlice
	for {
		key, valueOff, ok := p.key(i, off)
		if !ok {
			return nil, 0, false
		}
		if refusedKey(m, key) {
			return nil, 0, false // go-yaml's error
		}
		value, next, ok := p.value(i, valueOff, col, true)
		if !ok {
			return nil, 0, false
		}
		m = append(m, yamlv2.MapItem{Key: key, Value: value})
		next = p.nextContent(next)
		if next == len(p.lines) || p.lines[next].indent < col {
			return m, next, true
		}
		if p.lines[next].indent > col {
			return nil, 0, false
		}
		i, off = next, p.lines[next].start+col
		if p.isDash(i, off) {
			return nil, 0, false
		}
	}
}

// hasKey reports a key already in m. Mappings of more than maxScannedKeys
// keys go to go-yaml (and plainTree), so that a hostile document cannot make
// this quadratic search expensive.
func refusedKey(m yamlv2.MapSlice, key any) bool {
	if len(m) >= maxScannedKeys {
		return true
	}
	for _, item := range m {
		if item.Key == key {
			return true
		}
	}
	return false
}

// sequence reads a block sequence whose entries start lines indented by col.
func (p *BlockParser) sequence(i, col int) ([]any, int, bool) {
	if p.depth++; p.depth > maxBlockDepth {
		return nil, 0, false
	}
	defer func() { p.depth-- }()
	s := []any{}
	for {
		item, next, ok := p.entry(i, p.lines[i].start+col, col)
		if !ok {
			return nil, 0, false
		}
		s = append(s, item)
		next = p.nextContent(next)
		if next == len(p.lines) || p.lines[next].indent < col {
			return s, next, true
		}
		if p.lines[next].indent > col {
			return nil, 0, false
		}
		if !p.isDash(next, p.lines[next].start+col) {
			return s, next, true // an indentless sequence ends at its mapping's next key
		}
		i = next
	}
}

// entry reads the sequence entry whose "-" is at offset off of line i.
func (p *BlockParser) entry(i, off, col int) (any, int, bool) {
	end := p.lines[i].end
	at := skipSpaces(p.data, off+1, end)
	switch {
	case at == end || p.data[at] == '#':
		return p.nested(i+1, col, false)
	case p.isDash(i, at):
		return nil, 0, false // "- - a"
	}
	if _, isKey := p.keyEnd(i, at); isKey {
		m, next, ok := p.mapping(i, at, col+at-off)
		return m, next, ok
	}
	return p.value(i, off+1, col, false)
}

// isDash reports a block sequence indicator at offset off of line i.
func (p *BlockParser) isDash(i, off int) bool {
	end := p.lines[i].end
	return off < end && p.data[off] == '-' && (off+1 == end || p.data[off+1] == ' ')
}

// value reads the node that follows a key's ':' or an entry's '-' at
// offset off of line i; col is the column of the key or of the '-', which
// nested lines must pass. mapValue allows an indentless sequence.
func (p *BlockParser) value(i, off, col int, mapValue bool) (any, int, bool) {
	end := p.lines[i].end
	off = skipSpaces(p.data, off, end)
	if off == end || p.data[off] == '#' {
		return p.nested(i+1, col, mapValue)
	}
	var v any
	var ok bool
	last := i // the scalar's last line
	switch c := p.data[off]; c {
	case '|':
		return p.literal(i, off, col)
	case '"', '\'':
		var str string
		str, last, off, ok = p.quoted(i, off, end, col, true)
		v = p.intern(str)
	case '[', '{':
		v, off, ok = p.flowNode(off, end)
	default:
		v, last, off, ok = p.plainValue(i, off, col)
	}
	if !ok || !p.restIsComment(off, p.lines[last].end) {
		return nil, 0, false
	}
	// A more indented line after a scalar would continue it (or be an
	// error).
	next := p.nextContent(last + 1)
	if next < len(p.lines) && p.lines[next].indent > col {
		return nil, 0, false
	}
	return v, last + 1, true
}

// nested reads the block node on the lines from i, indented past col, that
// a key or a "-" alone on its line introduces; nothing there is null.
func (p *BlockParser) nested(i, col int, mapValue bool) (any, int, bool) {
	next := p.nextContent(i)
	if next == len(p.lines) {
		return nil, next, true
	}
	l := p.lines[next]
	off := l.start + l.indent
	switch {
	case l.indent > col && p.isDash(next, off):
		return p.sequence(next, l.indent)
	case l.indent > col:
		if _, isKey := p.keyEnd(next, off); !isKey {
			return nil, 0, false // a scalar on its own line
		}
		m, after, ok := p.mapping(next, off, l.indent)
		return m, after, ok
	case l.indent == col && mapValue && p.isDash(next, off):
		return p.sequence(next, col)
	}
	return nil, next, true
}

// keyEnd reports whether a mapping key starts at offset off of line i, and
// the offset just past its ':'.
func (p *BlockParser) keyEnd(i, off int) (int, bool) {
	end := p.lines[i].end
	if off >= end {
		return 0, false
	}
	if c := p.data[off]; c == '"' || c == '\'' {
		_, _, after, ok := p.quoted(i, off, end, 0, false)
		if !ok {
			return 0, false
		}
		after = skipSpaces(p.data, after, end)
		if after < end && p.data[after] == ':' && (after+1 == end || p.data[after+1] == ' ') {
			return after + 1, true
		}
		return 0, false
	}
	if !plainStart(p.data, off, end) {
		return 0, false
	}
	for j := off; j < end; j++ {
		switch p.data[j] {
		case ':':
			if j+1 == end || p.data[j+1] == ' ' {
				return j + 1, true
			}
		case '#':
			if j > off && p.data[j-1] == ' ' {
				return 0, false
			}
		}
	}
	return 0, false
}

// key reads the mapping key at offset off of line i; only string keys are
// in the subset.
func (p *BlockParser) key(i, off int) (any, int, bool) {
	valueOff, isKey := p.keyEnd(i, off)
	if !isKey || valueOff-off > maxSimpleKey {
		return nil, 0, false
	}
	end := p.lines[i].end
	if c := p.data[off]; c == '"' || c == '\'' {
		s, _, _, ok := p.quoted(i, off, end, 0, false)
		return p.intern(s), valueOff, ok
	}
	text := bytes.TrimRight(p.data[off:valueOff-1], " ")
	if !plainStart(p.data, off, end) || len(text) == 0 {
		return nil, 0, false
	}
	k, ok := p.resolve(text)
	if _, isString := k.(string); !ok || !isString || string(text) == "<<" {
		return nil, 0, false
	}
	return k, valueOff, true
}

// plainValue reads a plain scalar value that starts at offset off of line
// i and runs to the end of the line or to a comment.
//
// Its lines after the first, indented past col, are folded into it as
// go-yaml folds them: a line break becomes a space, or one line feed per
// blank line between. A comment ends it. It returns the scalar's last line
// and the offset just past its text there.
func (p *BlockParser) plainValue(i, off, col int) (any, int, int, bool) {
	end := p.lines[i].end
	if !plainStart(p.data, off, end) {
		return nil, 0, 0, false
	}
	text, comment, ok := p.plainLine(off, end)
	if !ok {
		return nil, 0, 0, false
	}
	last, after := i, off+len(text)
	var folded []byte
	for j, breaks := i+1, 0; !comment && j < len(p.lines); j++ {
		l := p.lines[j]
		if p.isSpaces(j) {
			breaks++
			continue
		}
		at := l.start + l.indent
		if l.indent <= col || p.data[at] == '#' {
			break
		}
		var more []byte
		if more, comment, ok = p.plainLine(at, l.end); !ok {
			return nil, 0, 0, false
		}
		if folded == nil {
			folded = append(folded, text...)
		}
		if breaks == 0 {
			folded = append(folded, ' ')
		}
		for ; breaks > 0; breaks-- {
			folded = append(folded, '\n')
		}
		folded = append(folded, more...)
		last, after = j, at+len(more)
	}
	if folded != nil {
		text = folded
	}
	v, ok := p.resolve(text)
	return v, last, after, ok
}

// plainLine reads the text of a plain scalar on one line from offset off:
// up to a comment (reported) or the end of the line, without trailing
// spaces. A ": " in it is an error.
func (p *BlockParser) plainLine(off, end int) ([]byte, bool, bool) {
	stop, comment := end, false
	for j := off; j < end; j++ {
		c := p.data[j]
		if c == ':' && (j+1 == end || p.data[j+1] == ' ') {
			return nil, false, false // "mapping values are not allowed in this context"
		}
		if c == '#' && j > off && p.data[j-1] == ' ' {
			stop, comment = j, true
			break
		}
	}
	return bytes.TrimRight(p.data[off:stop], " "), comment, true
}

// plainStart reports a character that may begin a plain scalar: not an
// indicator, except '-' before a non-blank.
func plainStart(data []byte, off, end int) bool {
	switch data[off] {
	case '-':
		return off+1 < end && data[off+1] != ' '
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

// quoted reads a single- or double-quoted scalar that starts at offset off
// of line i (which ends at end). With multiLine, the scalar may go on over
// the next lines, which must be indented past col; its line breaks fold as
// go-yaml folds them (trailing spaces dropped, a break becomes a space, or
// one line feed per blank line between). It returns the scalar's last line
// and the offset past its closing quote.
func (p *BlockParser) quoted(i, off, end, col int, multiLine bool) (string, int, int, bool) {
	quote := p.data[off]
	var b []byte
	folded := false
	copied := off + 1 // text before this offset is in b
	for j := off + 1; ; {
		if j == end {
			if !multiLine {
				return "", 0, 0, false
			}
			b = append(b, bytes.TrimRight(p.data[copied:end], " ")...)
			breaks := 0
			for i++; i < len(p.lines) && p.isSpaces(i); i++ {
				breaks++
			}
			if i == len(p.lines) || p.lines[i].indent <= col {
				return "", 0, 0, false
			}
			if breaks == 0 {
				b = append(b, ' ')
			}
			for ; breaks > 0; breaks-- {
				b = append(b, '\n')
			}
			folded, end = true, p.lines[i].end
			j = p.lines[i].start + p.lines[i].indent
			copied = j
			continue
		}
		switch c := p.data[j]; {
		case c == quote && quote == '\'' && j+1 < end && p.data[j+1] == '\'':
			b = append(b, p.data[copied:j+1]...)
			j += 2
			copied = j
		case c == quote:
			if b == nil && !folded {
				return string(p.data[off+1 : j]), i, j + 1, true
			}
			return string(append(b, p.data[copied:j]...)), i, j + 1, true
		case c == '\\' && quote == '"':
			b = append(b, p.data[copied:j]...)
			var ok bool
			if b, j, ok = appendEscape(b, p.data, j, end); !ok {
				return "", 0, 0, false
			}
			j++
			copied = j
		default:
			j++
		}
	}
}

// appendEscape appends the character of the escape sequence at offset j
// (its backslash) and returns the offset of its last byte.
func appendEscape(b, data []byte, j, end int) ([]byte, int, bool) {
	if j+1 >= end {
		return nil, 0, false // a line break escaped
	}
	digits := 0
	switch c := data[j+1]; c {
	case '0':
		return append(b, 0), j + 1, true
	case 'a':
		return append(b, '\a'), j + 1, true
	case 'b':
		return append(b, '\b'), j + 1, true
	case 't':
		return append(b, '\t'), j + 1, true
	case 'n':
		return append(b, '\n'), j + 1, true
	case 'v':
		return append(b, '\v'), j + 1, true
	case 'f':
		return append(b, '\f'), j + 1, true
	case 'r':
		return append(b, '\r'), j + 1, true
	case 'e':
		return append(b, 0x1b), j + 1, true
	case ' ', '"', '\'', '\\':
		return append(b, c), j + 1, true
	case 'N':
		return utf8.AppendRune(b, 0x85), j + 1, true
	case '_':
		return utf8.AppendRune(b, 0xA0), j + 1, true
	case 'L':
		return utf8.AppendRune(b, 0x2028), j + 1, true
	case 'P':
		return utf8.AppendRune(b, 0x2029), j + 1, true
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default:
		return nil, 0, false // go-yaml: "found unknown escape character"
	}
	if j+2+digits > end {
		return nil, 0, false
	}
	code := rune(0)
	for _, h := range data[j+2 : j+2+digits] {
		switch {
		case '0' <= h && h <= '9':
			code = code<<4 | rune(h-'0')
		case 'a' <= h && h <= 'f':
			code = code<<4 | rune(h-'a'+10)
		case 'A' <= h && h <= 'F':
			code = code<<4 | rune(h-'A'+10)
		default:
			return nil, 0, false
		}
	}
	if code >= 0xD800 && code <= 0xDFFF || code > 0x10FFFF || code < 0 {
		return nil, 0, false
	}
	return utf8.AppendRune(b, code), j + 1 + digits, true
}

// literal reads a literal block scalar ("|", "|-" or "|+") whose indicator
// is at offset off of line i; its lines must be indented past col.
func (p *BlockParser) literal(i, off, col int) (any, int, bool) {
	end := p.lines[i].end
	chomp := byte(0)
	at := off + 1
	if at < end && (p.data[at] == '-' || p.data[at] == '+') {
		chomp, at = p.data[at], at+1
	}
	if at < end && p.data[at] != ' ' || !p.restIsComment(at, end) {
		return nil, 0, false // an indentation indicator, or text after the header
	}
	// The first line with text sets the indentation; blank lines before it
	// must not be longer.
	first, longestBlank := i+1, 0
	for ; first < len(p.lines) && p.isSpaces(first); first++ {
		longestBlank = max(longestBlank, p.lines[first].end-p.lines[first].start)
	}
	if first == len(p.lines) {
		return nil, 0, false
	}
	indent := p.lines[first].indent
	if indent <= col || longestBlank > indent {
		return nil, 0, false
	}
	var b []byte
	last, trailing := i, 0 // the last line with text; blank lines after it
	j := i + 1
	for ; j < len(p.lines); j++ {
		l := p.lines[j]
		if p.isSpaces(j) {
			if l.end-l.start > indent {
				return nil, 0, false
			}
			trailing++
			continue
		}
		if l.indent < indent {
			break
		}
		if last != i {
			b = append(b, '\n')
		}
		for ; trailing > 0; trailing-- {
			b = append(b, '\n')
		}
		b = append(b, p.data[l.start+indent:l.end]...)
		last = j
	}
	if p.lines[last].end == len(p.data) {
		return nil, 0, false // no line break after the last line
	}
	switch chomp {
	case 0:
		b = append(b, '\n')
	case '+':
		b = append(b, '\n')
		for ; trailing > 0; trailing-- {
			b = append(b, '\n')
		}
		if j == len(p.lines) && p.lines[j-1].end == len(p.data) && j-1 != last {
			return nil, 0, false // a blank last line without a line break
		}
	}
	return string(b), j, true
}

// isSpaces reports a line of spaces only (or empty).
func (p *BlockParser) isSpaces(i int) bool {
	l := p.lines[i]
	return l.indent == l.end-l.start
}

// flowNode reads a flow collection or scalar that ends on its line.
func (p *BlockParser) flowNode(off, end int) (any, int, bool) {
	if off >= end {
		return nil, 0, false
	}
	switch p.data[off] {
	case '[':
		return p.flowSequence(off, end)
	case '{':
		return p.flowMapping(off, end)
	}
	return p.flowScalar(off, end, false)
}

// flowSequence reads "[...]" on one line.
func (p *BlockParser) flowSequence(off, end int) (any, int, bool) {
	if p.depth++; p.depth > maxBlockDepth {
		return nil, 0, false
	}
	defer func() { p.depth-- }()
	s := []any{}
	at := skipSpaces(p.data, off+1, end)
	if at < end && p.data[at] == ']' {
		return s, at + 1, true
	}
	for {
		v, after, ok := p.flowNode(at, end)
		if !ok {
			return nil, 0, false
		}
		s = append(s, v)
		at, ok = p.flowNext(after, end, ']')
		if !ok {
			return nil, 0, false
		}
		if p.data[at-1] == ']' {
			return s, at, true
		}
	}
}

// flowMapping reads "{...}" on one line; every key is a string followed by
// ": ".
func (p *BlockParser) flowMapping(off, end int) (any, int, bool) {
	if p.depth++; p.depth > maxBlockDepth {
		return nil, 0, false
	}
	defer func() { p.depth-- }()
	var m yamlv2.MapSlice
	at := skipSpaces(p.data, off+1, end)
	if at < end && p.data[at] == '}' {
		return m, at + 1, true
	}
	for {
		k, after, ok := p.flowScalar(at, end, true)
		if _, isString := k.(string); !ok || !isString || after+1 >= end || p.data[after] != ':' || p.data[after+1] != ' ' || refusedKey(m, k) {
			return nil, 0, false
		}
		v, after, ok := p.flowNode(skipSpaces(p.data, after+1, end), end)
		if !ok {
			return nil, 0, false
		}
		m = append(m, yamlv2.MapItem{Key: k, Value: v})
		at, ok = p.flowNext(after, end, '}')
		if !ok {
			return nil, 0, false
		}
		if p.data[at-1] == '}' {
			return m, at, true
		}
	}
}

// flowNext reads what follows an entry of a flow collection: its closing
// bracket (the returned offset is just past it) or a comma and the start of
// the next entry. A trailing comma is left to go-yaml.
func (p *BlockParser) flowNext(off, end int, closing byte) (int, bool) {
	at := skipSpaces(p.data, off, end)
	switch {
	case at == end:
		return 0, false
	case p.data[at] == closing:
		return at + 1, true
	case p.data[at] != ',':
		return 0, false
	}
	at = skipSpaces(p.data, at+1, end)
	if at == end || p.data[at] == closing || p.data[at] == ',' {
		return 0, false
	}
	return at, true
}

// flowScalar reads a quoted scalar, or a plain one, inside a flow
// collection; it returns the offset past it. A plain scalar there ends at a
// flow indicator (",[]{}"), and a key also at ": "; one holding another
// ':', '?' or '#' is left to go-yaml (a single-pair mapping, a comment, or
// go-yaml's finer rules).
func (p *BlockParser) flowScalar(off, end int, key bool) (any, int, bool) {
	if off >= end {
		return nil, 0, false
	}
	if c := p.data[off]; c == '"' || c == '\'' {
		s, _, after, ok := p.quoted(-1, off, end, 0, false)
		return p.intern(s), after, ok
	}
	if !plainStart(p.data, off, end) {
		return nil, 0, false
	}
	j := off
	for ; j < end && strings.IndexByte(",[]{}", p.data[j]) < 0; j++ {
		if key && p.data[j] == ':' && j+1 < end && p.data[j+1] == ' ' {
			break
		}
		if strings.IndexByte(":?#", p.data[j]) >= 0 {
			return nil, 0, false
		}
	}
	text := bytes.TrimRight(p.data[off:j], " ")
	v, ok := p.resolve(text)
	return v, off + len(text), ok
}

// restIsComment reports that the line from off holds only spaces, possibly
// followed by a comment.
func (p *BlockParser) restIsComment(off, end int) bool {
	at := skipSpaces(p.data, off, end)
	return at == end || p.data[at] == '#' && at > off
}

func skipSpaces(data []byte, off, end int) int {
	for off < end && data[off] == ' ' {
		off++
	}
	return off
}

// intern returns s as an interface value, shared with earlier equal short
// strings.
func (p *BlockParser) intern(s string) any {
	if len(s) > maxInternedString {
		return s
	}
	if v, ok := p.strings[s]; ok {
		return v
	}
	var v any = s
	if p.strings == nil {
		p.strings = make(map[string]any, 256)
	}
	if len(p.strings) < maxInterned {
		p.strings[s] = v
	}
	return v
}

// internBytes is intern of string(text), which it allocates only when the
// cache does not hold it (the map lookup of a converted []byte does not
// allocate): most scalars of a manifest are words it has seen.
func (p *BlockParser) internBytes(text []byte) any {
	if len(text) > maxInternedString {
		return string(text)
	}
	if v, ok := p.strings[string(text)]; ok {
		return v
	}
	return p.intern(string(text))
}

// resolve gives a plain scalar the value go-yaml v2 decodes it to in an
// interface: null, a boolean, an int, a uint64, a float64, or (timestamps
// included) the string itself. It follows go-yaml's resolve (resolve.go):
// the first character decides which forms are tried, and the same strconv
// functions parse them. It reports false for .nan and .inf, which JSON
// cannot hold: go-yaml's path reports them.
func (p *BlockParser) resolve(text []byte) (any, bool) {
	if len(text) == 0 {
		return nil, true
	}
	c := text[0]
	digit := '0' <= c && c <= '9'
	if digit || strings.IndexByte("yYnNtTfFoO~.+-", c) >= 0 {
		if v, special := yaml11Word(string(text)); special {
			_, isFloat := v.(float64)
			return v, !isFloat
		}
	}
	switch {
	case c == '.':
		if f, err := strconv.ParseFloat(string(text), 64); err == nil {
			return f, true
		}
	case digit || c == '+' || c == '-':
		if v, isNumber := resolveNumber(string(text)); isNumber {
			return v, true
		}
	}
	return p.internBytes(text), true
}

// yaml11Word returns the value of the plain scalars that go-yaml v2 reads as
// null, booleans and the special floats.
func yaml11Word(s string) (any, bool) {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return true, true
	case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return false, true
	case "~", "null", "Null", "NULL":
		return nil, true
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), true
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return math.Inf(1), true
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1), true
	}
	return nil, false
}

// resolveNumber reads a plain scalar that starts with a digit or a sign as
// go-yaml v2 does: underscores dropped, then an int in Go syntax (0x, 0o,
// 0b and leading-0 octal included), a uint64, a float of YAML's form, or a
// binary number written -0b.
func resolveNumber(s string) (any, bool) {
	plain := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return intValue(i), true
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return u, true
	}
	if isYAMLFloat(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return f, true
		}
	}
	if digits, ok := strings.CutPrefix(plain, "0b"); ok {
		if i, err := strconv.ParseInt(digits, 2, 64); err == nil {
			return intValue(i), true
		}
		if u, err := strconv.ParseUint(digits, 2, 64); err == nil {
			return u, true
		}
	} else if digits, ok := strings.CutPrefix(plain, "-0b"); ok {
		if i, err := strconv.ParseInt("-"+digits, 2, 64); err == nil {
			return int(i), true
		}
	}
	return nil, false
}

// intValue is an int where it fits (always on 64-bit platforms), as go-yaml
// returns it.
func intValue(i int64) any {
	if i == int64(int(i)) {
		return int(i)
	}
	return i
}

// isYAMLFloat matches go-yaml's float form
// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func isYAMLFloat(s string) bool {
	digits := func(i int) int {
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i
	}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return false
		}
		i = j
	} else {
		j := digits(i)
		if j == i {
			return false
		}
		i = j
		if i < len(s) && s[i] == '.' {
			i = digits(i + 1)
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}
