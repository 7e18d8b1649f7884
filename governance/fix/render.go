package fix

import (
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// style is how a document lays out its blocks, so that inserted lines look
// like their neighbours: the indentation of a nested mapping, and whether
// a sequence under a key starts in the key's column ("indentless", as
// kubectl writes) or one step in.
type style struct {
	step       int
	indentless bool
}

// detectStyle takes the document's style from its first nested block
// mapping and its first block sequence under a key; two spaces and
// indented sequences when it has none.
func detectStyle(root *yaml.Node) style {
	s := style{step: 2}
	var stepFound, seqFound bool
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if stepFound && seqFound {
			return
		}
		if n.Kind == yaml.MappingNode && !isFlow(n) {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				switch {
				case !isFlow(v) && v.Kind == yaml.MappingNode && len(v.Content) > 0 && !stepFound &&
					v.Content[0].Line > k.Line && v.Content[0].Column > k.Column:
					s.step, stepFound = v.Content[0].Column-k.Column, true
				case !isFlow(v) && v.Kind == yaml.SequenceNode && len(v.Content) > 0 && !seqFound && v.Line > k.Line:
					s.indentless, seqFound = v.Column == k.Column, true
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return s
}

// entryLines renders "key: value" as block lines indented by indent
// spaces.
func (s style) entryLines(b *strings.Builder, indent int, key string, v any) error {
	k, err := renderScalar(key, 0)
	if err != nil {
		return err
	}
	pad := strings.Repeat(" ", indent)
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			fmt.Fprintf(b, "%s%s: {}\n", pad, k)
			return nil
		}
		fmt.Fprintf(b, "%s%s:\n", pad, k)
		for _, kk := range sortedKeys(v) {
			if err := s.entryLines(b, indent+s.step, kk, v[kk]); err != nil {
				return err
			}
		}
		return nil
	case []any:
		if len(v) == 0 {
			fmt.Fprintf(b, "%s%s: []\n", pad, k)
			return nil
		}
		fmt.Fprintf(b, "%s%s:\n", pad, k)
		dash := indent + s.step
		if s.indentless {
			dash = indent
		}
		for _, item := range v {
			if err := s.itemLines(b, dash, item); err != nil {
				return err
			}
		}
		return nil
	}
	text, err := renderScalar(v, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "%s%s: %s\n", pad, k, text)
	return nil
}

// itemLines renders one sequence item as block lines, its "-" indented by
// indent spaces; a mapping item starts on the dash's line.
func (s style) itemLines(b *strings.Builder, indent int, v any) error {
	pad := strings.Repeat(" ", indent)
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			break
		}
		var inner strings.Builder
		for _, k := range sortedKeys(v) {
			if err := s.entryLines(&inner, indent+2, k, v[k]); err != nil {
				return err
			}
		}
		b.WriteString(pad + "- " + inner.String()[indent+2:])
		return nil
	case []any:
		text, err := flowItem(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "%s- [%s]\n", pad, text)
		return nil
	}
	text, err := renderScalar(v, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "%s- %s\n", pad, text)
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
