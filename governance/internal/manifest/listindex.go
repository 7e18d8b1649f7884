package manifest

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"weak"

	yamlv3 "go.yaml.in/yaml/v3"
)

// A List document (`kubectl get -o json`, a YAML List) can hold a whole
// cluster: the node tree of a 100,000-pod dump took gigabytes. FieldLine
// places a field of one item by an index of where each item starts,
// made in one pass over the document, and parses only that item (keeping
// the last few parsed). The answer is the whole tree's: a document the
// index does not recognize as a List of the plain form below is read into
// the tree as before.

// maxParsedItems bounds the parsed items a list index keeps.
const maxParsedItems = 64

// listIndex is where the items of a List document are.
type listIndex struct {
	// whole: the answer for every item is the document's first line
	// (invalid JSON, or no "items" key in a JSON object).
	whole bool
	// keyLine is the line of the "items" key (relative to the document),
	// the answer for an item the list does not have.
	keyLine int
	// items are the items' starts: byte offset and line.
	items []itemStart
	// yamlEnd is, for YAML, the offset where the last item ends.
	yamlEnd int
	json    bool
	parsed  map[int]*yamlv3.Node // by item: its node, lines relative to the document
}

type itemStart struct{ offset, line int }

// listHandles maps the handle FieldLine keeps in a caller's root to its
// index; an entry goes when its handle is collected.
var listHandles sync.Map // weak.Pointer[yamlv3.Node] → *listIndex

// isListHandle reports whether root is a handle of a list index rather
// than a node tree.
func isListHandle(root *yamlv3.Node) bool {
	_, ok := listHandles.Load(weak.Make(root))
	return ok
}

// itemFieldLine is FieldLine of a field of item in a List document,
// through the index root holds (made on first use); false when the
// document is not of a form the index reads (root then holds nil or a
// node tree, which FieldLine reads instead).
func itemFieldLine(doc Document, item int, p string, root **yamlv3.Node) (int, bool) {
	var idx *listIndex
	if *root == nil {
		if idx = newListIndex(doc); idx == nil {
			return 0, false
		}
		handle := &yamlv3.Node{}
		key := weak.Make(handle)
		listHandles.Store(key, idx)
		runtime.AddCleanup(handle, func(k weak.Pointer[yamlv3.Node]) { listHandles.Delete(k) }, key)
		*root = handle
	} else if v, ok := listHandles.Load(weak.Make(*root)); ok {
		idx = v.(*listIndex)
	} else {
		return 0, false // a node tree
	}
	line, ok := idx.fieldLine(doc, item, p)
	if !ok {
		listHandles.Delete(weak.Make(*root))
		*root = nil
		return 0, false
	}
	if line <= 0 {
		return doc.Line, true
	}
	return doc.Line + line - 1, true
}

// fieldLine is the line of path p of item (relative to the document; 0
// for the document's first line); false when the item cannot be read
// alone (a YAML alias to an anchor outside it).
func (idx *listIndex) fieldLine(doc Document, item int, p string) (int, bool) {
	if idx.whole {
		return 0, true
	}
	if item >= len(idx.items) {
		return idx.keyLine, true
	}
	n, ok := idx.parsed[item]
	if !ok {
		if n, ok = idx.parse(doc.Data, item); !ok {
			return 0, false
		}
		if len(idx.parsed) >= maxParsedItems {
			clear(idx.parsed)
		}
		idx.parsed[item] = n
	}
	return walkFieldLine(n, p, n.Line), true
}

// parse reads item's node tree, with lines relative to the document.
func (idx *listIndex) parse(data []byte, item int) (*yamlv3.Node, bool) {
	start := idx.items[item]
	if idx.json {
		return newJSONReader(data[start.offset:], start.line).value(3, true)
	}
	end := idx.yamlEnd
	if item+1 < len(idx.items) {
		end = idx.items[item+1].offset
	}
	n, ok := yamlItem(data[start.offset:end])
	if !ok {
		return nil, false
	}
	shiftLines(n, start.line-1)
	return n, true
}

// yamlItem parses the text of one item of a block sequence ("- ...") and
// returns the item's node; false unless it is exactly one item.
func yamlItem(text []byte) (*yamlv3.Node, bool) {
	var root yamlv3.Node
	if yamlv3.Unmarshal(text, &root) != nil || len(root.Content) != 1 {
		return nil, false
	}
	seq := root.Content[0]
	if seq.Kind != yamlv3.SequenceNode || len(seq.Content) != 1 {
		return nil, false
	}
	return seq.Content[0], true
}

// shiftLines adds by to the line of n and of the nodes under it (an
// alias's target is under its anchor, not under the alias).
func shiftLines(n *yamlv3.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// newListIndex indexes doc's items, or returns nil when doc is not a List
// of the form the index reads.
func newListIndex(doc Document) *listIndex {
	if doc.JSON {
		return newJSONListIndex(doc.Data)
	}
	return newYAMLListIndex(doc.Data)
}

// newJSONListIndex reads a JSON document as jsonTree does, keeping only
// where the items of its top-level "items" array start. Other shapes of
// "items" (an object, whose keys would match "[i]"), or a top-level key
// such as "items[0]" that a path could match, are left to the tree.
func newJSONListIndex(js []byte) *listIndex {
	idx := &listIndex{json: true, parsed: map[int]*yamlv3.Node{}}
	r := newJSONReader(js, 1)
	start := r.valueStart()
	if start >= int64(len(js)) || js[start] != '{' {
		// Not an object: the tree has no "items" key, or is empty.
		return &listIndex{whole: true}
	}
	r.lineAt(start)
	if _, err := r.dec.Token(); err != nil {
		return &listIndex{whole: true}
	}
	found, plain := false, true
	for r.dec.More() {
		keyLine := r.lineAt(r.valueStart())
		tok, err := r.dec.Token()
		if err != nil {
			return &listIndex{whole: true}
		}
		k, _ := tok.(string)
		if strings.HasPrefix(k, "items[") {
			plain = false
		}
		if k != "items" {
			if _, ok := r.value(2, false); !ok {
				return &listIndex{whole: true}
			}
			continue
		}
		// The last "items" key is the one the tree's walk takes.
		found, idx.keyLine, idx.items = true, keyLine, nil
		at := r.valueStart()
		if at >= int64(len(js)) || js[at] != '[' {
			if at < int64(len(js)) && js[at] == '{' {
				plain = false
			}
			if _, ok := r.value(2, false); !ok {
				return &listIndex{whole: true}
			}
			continue
		}
		if _, err := r.dec.Token(); err != nil {
			return &listIndex{whole: true}
		}
		for r.dec.More() {
			offset := r.valueStart()
			idx.items = append(idx.items, itemStart{offset: int(offset), line: r.lineAt(offset)})
			if _, ok := r.value(3, false); !ok {
				return &listIndex{whole: true}
			}
		}
		if _, err := r.dec.Token(); err != nil {
			return &listIndex{whole: true}
		}
	}
	if _, err := r.dec.Token(); err != nil {
		return &listIndex{whole: true}
	}
	if !plain {
		return nil
	}
	if !found {
		return &listIndex{whole: true}
	}
	return idx
}

// newYAMLListIndex finds the items of a block YAML List: a top-level
// "items:" key (at column 0, with nothing after the colon but a comment)
// followed by a block sequence whose entries start with "-" at one column.
// An item runs to the next entry or to the first line indented no deeper
// than the entries that is not a comment. Every item and the rest of the
// document must parse on their own, as the whole document would: else
// (flow style, aliases across items, a quoted "items" key, ...) nil.
func newYAMLListIndex(data []byte) *listIndex {
	idx := &listIndex{parsed: map[int]*yamlv3.Node{}, keyLine: -1}
	const (
		header = iota // before the sequence
		inList        // in the items' sequence
		after         // after it
	)
	state, col := header, -1
	var rest []byte // the document without the items' lines
	line := 0
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		text := bytes.TrimRight(data[off:next], "\r\n")
		line++
		trimmed := bytes.TrimLeft(text, " ")
		indent := len(text) - len(trimmed)
		blank := len(trimmed) == 0 || trimmed[0] == '#'
		if bytes.IndexByte(text, '\t') == 0 || bytes.IndexByte(text, '\r') >= 0 {
			return nil // tab indentation or a lone CR: leave it to the parser
		}
		switch state {
		case header, after:
			if indent == 0 && bytes.HasPrefix(trimmed, []byte("items")) && !blank {
				if state == after || idx.keyLine >= 0 || !isItemsKey(trimmed) {
					return nil // a second items key, or one the scan does not read
				}
				idx.keyLine = line
				state = inList
			}
			rest = append(rest, data[off:next]...)
		case inList:
			if blank && len(idx.items) == 0 {
				rest = append(rest, data[off:next]...)
				break
			}
			if !blank && indent <= col || !blank && col < 0 {
				if trimmed[0] == '-' && (len(trimmed) == 1 || trimmed[1] == ' ') && (col < 0 || indent == col) {
					col = indent
					idx.items = append(idx.items, itemStart{offset: off, line: line})
					break
				}
				if col < 0 {
					return nil // "items:" holds a mapping or a scalar on the next line
				}
				if indent == 0 && bytes.HasPrefix(trimmed, []byte("items")) {
					return nil // a second items key
				}
				idx.yamlEnd = off
				state = after
				rest = append(rest, data[off:next]...)
			}
		}
		off = next
	}
	if idx.keyLine < 0 {
		return nil
	}
	if state == inList {
		idx.yamlEnd = len(data)
	}
	var root yamlv3.Node
	if yamlv3.Unmarshal(rest, &root) != nil || len(root.Content) != 1 || root.Content[0].Kind != yamlv3.MappingNode {
		return nil
	}
	// Only the one items key a path can match (the walk takes the last
	// of equal keys, and a key "items[0]" over "items").
	top, keys := root.Content[0], 0
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k := top.Content[i].Value; k == "items" || strings.HasPrefix(k, "items[") {
			keys++
		}
	}
	if keys != 1 {
		return nil
	}
	// Each item alone, as the whole document would parse (one at a time:
	// the point is not to hold them all).
	for i, start := range idx.items {
		end := idx.yamlEnd
		if i+1 < len(idx.items) {
			end = idx.items[i+1].offset
		}
		if _, ok := yamlItem(data[start.offset:end]); !ok {
			return nil
		}
	}
	return idx
}

// isItemsKey matches a top-level line `items:` with at most blanks and a
// comment after the colon.
func isItemsKey(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("items:"))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " ")
	return len(rest) == 0 || rest[0] == '#'
}
