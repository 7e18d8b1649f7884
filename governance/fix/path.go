package fix

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// segment is one step of a field path: a mapping key, or in brackets a
// mapping key or a sequence index (which one is decided by the node the
// step is taken from, as paths write both "[Worker]" and "[0]").
type segment struct {
	key     string
	index   int // -1 unless bracketed and all digits
	bracket bool
}

// parsePath reads a field path as findings spell it:
// "spec.template.spec.containers[0].securityContext",
// "spec.hard[nvidia.com/gpu]", "metadata.labels[team]". Wildcards ("[*]")
// are refused: an edit names one field.
func parsePath(p string) ([]segment, error) {
	if p == "" {
		return nil, errors.New("empty path")
	}
	var out []segment
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			if i == 0 || i == len(p)-1 {
				return nil, fmt.Errorf("path %q: misplaced '.'", p)
			}
			i++
			if p[i] == '.' || p[i] == '[' {
				return nil, fmt.Errorf("path %q: empty key", p)
			}
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed '['", p)
			}
			inner := p[i+1 : i+end]
			if inner == "" || inner == "*" {
				return nil, fmt.Errorf("path %q: %q names no single field", p, "["+inner+"]")
			}
			s := segment{key: inner, index: -1, bracket: true}
			if n, err := strconv.Atoi(inner); err == nil && n >= 0 && strconv.Itoa(n) == inner {
				s.index = n
			}
			out = append(out, s)
			i += end + 1
			if i < len(p) && p[i] != '.' && p[i] != '[' {
				return nil, fmt.Errorf("path %q: text after ']'", p)
			}
		default:
			end := strings.IndexAny(p[i:], ".[")
			if end < 0 {
				end = len(p) - i
			}
			out = append(out, segment{key: p[i : i+end], index: -1})
			i += end
		}
	}
	return out, nil
}

// joinPath writes segments back in the form parsePath reads.
func joinPath(segs []segment) string {
	var b strings.Builder
	for i, s := range segs {
		switch {
		case s.bracket:
			b.WriteString("[" + s.key + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// The functions below apply an edit to a document decoded into plain Go
// values (map[string]any, []any, scalars). Apply does the same edit on the
// document's bytes and then compares the two results: the bytes are
// accepted only when they decode to exactly the expected tree, so a
// splice that went wrong (an odd layout, an alias) is refused instead of
// written.

// child returns the value at one step, and whether it exists.
func child(v any, s segment) (any, bool) {
	switch c := v.(type) {
	case map[string]any:
		x, ok := c[s.key]
		return x, ok
	case []any:
		if s.index >= 0 && s.index < len(c) {
			return c[s.index], true
		}
	}
	return nil, false
}

// lookup returns the value at path.
func lookup(root any, segs []segment) (any, bool) {
	v := root
	for _, s := range segs {
		var ok bool
		if v, ok = child(v, s); !ok {
			return nil, false
		}
	}
	return v, true
}

// setTree sets the value at path, creating the mappings on the way.
func setTree(root any, segs []segment, value any) error {
	parent, err := parentMap(root, segs, true)
	if err != nil {
		return err
	}
	last := segs[len(segs)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last.key] = value
	case []any:
		if last.index < 0 || last.index >= len(p) {
			return fmt.Errorf("%s: no such item", joinPath(segs))
		}
		p[last.index] = value
	default:
		return fmt.Errorf("%s: parent is not a mapping or sequence", joinPath(segs))
	}
	return nil
}

// parentMap walks to the container of the last step; with create, missing
// mappings are made (and null values become mappings).
func parentMap(root any, segs []segment, create bool) (any, error) {
	v := root
	for i, s := range segs[:len(segs)-1] {
		next, ok := child(v, s)
		if !ok || next == nil {
			m, isMap := v.(map[string]any)
			if !create || !isMap {
				return nil, fmt.Errorf("%s: not found", joinPath(segs[:i+1]))
			}
			n := map[string]any{}
			m[s.key] = n
			next = n
		}
		v = next
	}
	return v, nil
}

// appendTree appends item to the sequence at path, creating it (and the
// mappings on the way) when absent.
func appendTree(root any, segs []segment, item any) error {
	cur, ok := lookup(root, segs)
	if !ok || cur == nil {
		return setTree(root, segs, []any{item})
	}
	seq, isSeq := cur.([]any)
	if !isSeq {
		return fmt.Errorf("%s is not a sequence", joinPath(segs))
	}
	return setTree(root, segs, append(seq, item))
}

// renameTree renames the last key of path to newKey.
func renameTree(root any, segs []segment, newKey string) error {
	parent, err := parentMap(root, segs, false)
	if err != nil {
		return err
	}
	m, ok := parent.(map[string]any)
	last := segs[len(segs)-1]
	if !ok {
		return fmt.Errorf("%s: parent is not a mapping", joinPath(segs))
	}
	v, ok := m[last.key]
	if !ok {
		return fmt.Errorf("%s: not found", joinPath(segs))
	}
	if _, taken := m[newKey]; taken {
		return fmt.Errorf("%s: the mapping already has the key %q", joinPath(segs), newKey)
	}
	delete(m, last.key)
	m[newKey] = v
	return nil
}

// deleteTree removes the last key of path.
func deleteTree(root any, segs []segment) error {
	parent, err := parentMap(root, segs, false)
	if err != nil {
		return err
	}
	m, ok := parent.(map[string]any)
	last := segs[len(segs)-1]
	if !ok {
		return fmt.Errorf("%s: parent is not a mapping", joinPath(segs))
	}
	if _, ok := m[last.key]; !ok {
		return fmt.Errorf("%s: not found", joinPath(segs))
	}
	delete(m, last.key)
	return nil
}

// sameTree compares decoded documents.
func sameTree(a, b any) bool { return reflect.DeepEqual(a, b) }
