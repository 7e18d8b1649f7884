package fix

import (
	"errors"
	"fmt"

	yaml "go.yaml.in/yaml/v3"
)

// editDocument makes one edit in the bytes of a YAML document and checks
// it: the new bytes must decode to exactly the old document with the edit
// made in its decoded tree (nothing else changed, no key lost or
// duplicated, the value read back as the type written). An edit that fails
// the check is refused with an error, and the document is left as it was.
func editDocument(src []byte, op Op, path string, value any) ([]byte, error) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	d, err := parseDoc(src)
	if err != nil {
		return nil, err
	}
	var want any // decoded from the node tree just parsed, not from src again
	if err := d.root.Decode(&want); err != nil {
		return nil, fmt.Errorf("parsing the document: %w", err)
	}
	out, err := d.splice(op, segs, value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch op {
	case OpSet:
		err = setTree(want, segs, value)
	case OpAppend:
		err = appendTree(want, segs, value)
	case OpRename:
		err = renameTree(want, segs, value.(string)) // splice checked the type
	case OpDelete:
		err = deleteTree(want, segs)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var got any
	if err := yaml.Unmarshal(out, &got); err != nil {
		return nil, fmt.Errorf("%s: the edited document does not parse (%v); not edited", path, err)
	}
	if !sameTree(got, want) {
		return nil, fmt.Errorf("%s: the layout of the document defeats a safe edit; not edited", path)
	}
	return out, nil
}

// splice makes the edit in the document's bytes.
func (d *docText) splice(op Op, segs []segment, value any) ([]byte, error) {
	steps, err := d.walk(segs)
	if err != nil {
		return nil, err
	}
	found := len(steps) == len(segs)
	var last step
	if found {
		last = steps[len(steps)-1]
	}
	switch op {
	case OpSet:
		if found {
			if last.value.Kind != yaml.ScalarNode {
				return nil, errors.New("the field holds a mapping or sequence, not a value")
			}
			return d.replaceScalar(last.value, last.parent, false, value)
		}
		return d.create(steps, segs, value)
	case OpAppend:
		if !found {
			return d.create(steps, segs, []any{value})
		}
		if last.value.Kind != yaml.SequenceNode {
			return nil, errors.New("the field is not a sequence")
		}
		return d.appendItem(last.value, value)
	case OpRename:
		newKey, ok := value.(string)
		if !ok {
			return nil, fmt.Errorf("a new key must be a string, not %T", value)
		}
		if !found || last.key == nil {
			return nil, errors.New("no such key")
		}
		for i := 0; i+1 < len(last.parent.Content); i += 2 {
			if last.parent.Content[i].Value == newKey {
				return nil, fmt.Errorf("the mapping already has the key %q", newKey)
			}
		}
		return d.replaceScalar(last.key, last.parent, true, newKey)
	case OpDelete:
		if !found || last.key == nil {
			return nil, errors.New("no such key")
		}
		return d.deleteEntry(last.parent, last.key, last.value)
	}
	return nil, fmt.Errorf("unknown edit %q", op)
}

// create adds the missing end of a path: the first missing key, holding
// the mappings of the rest of the path around value, in the deepest
// mapping found.
func (d *docText) create(steps []step, segs []segment, value any) ([]byte, error) {
	parent := d.root
	if len(steps) > 0 {
		parent = steps[len(steps)-1].value
	}
	if parent.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s is not a mapping", joinPath(segs[:len(steps)]))
	}
	missing := segs[len(steps):]
	for _, s := range missing {
		if s.index >= 0 && s.bracket {
			return nil, fmt.Errorf("%s: an item of a sequence is not created", joinPath(segs))
		}
	}
	v := value
	for i := len(missing) - 1; i >= 1; i-- {
		v = map[string]any{missing[i].key: v}
	}
	return d.insertKey(parent, missing[0].key, v)
}
