package fix

import (
	"fmt"
	"sort"

	"github.com/aigov/aigov/governance/internal/manifest"
)

// Apply makes edits in the files' bytes (files by the names the edits'
// objects were read from) and returns the new bytes of the files it
// changed, the edits made, and, as suggestions, the edits it refused with
// the reason. It cuts each file into documents as the loader does, and
// makes each group of edits in its document together or not at all (see
// editDocument for what makes an edit refused). Bytes outside the edited
// fields stay as they were. JSON files are not rewritten: their edits come
// back as suggestions.
func Apply(files map[string][]byte, edits []Edit) (map[string][]byte, []Edit, []Suggestion) {
	byFile := map[string][]Edit{}
	var names []string
	for _, e := range edits {
		f := e.Object.Source.File
		if _, ok := byFile[f]; !ok {
			names = append(names, f)
		}
		byFile[f] = append(byFile[f], e)
	}
	sort.Strings(names)
	out := map[string][]byte{}
	var applied []Edit
	var refused []Suggestion
	refuse := func(es []Edit, reason string) {
		for _, e := range es {
			refused = append(refused, Suggestion{Check: e.Check, Object: e.Object, Path: e.Path,
				Message: fmt.Sprintf("%s (not edited: %s)", describe(e), reason)})
		}
	}
	for _, name := range names {
		data, ok := files[name]
		if !ok {
			refuse(byFile[name], "the file was not given")
			continue
		}
		newData, done := applyFile(data, byFile[name], refuse)
		applied = append(applied, done...)
		if len(done) > 0 {
			out[name] = newData
		}
	}
	return out, applied, refused
}

// applyFile makes the edits of one file.
func applyFile(data []byte, edits []Edit, refuse func([]Edit, string)) ([]byte, []Edit) {
	// Documents are sub-slices of data: their cap gives their offset in it.
	data = data[:len(data):len(data)]
	size := len(data)
	docs, splitErr := manifest.Split(data)
	if splitErr != nil {
		refuse(edits, "the file does not split into documents: "+splitErr.Err.Error())
		return data, nil
	}
	byDoc := map[int][]Edit{}
	for _, e := range edits {
		byDoc[e.Object.Source.Document] = append(byDoc[e.Object.Source.Document], e)
	}
	indexes := make([]int, 0, len(byDoc))
	for i := range byDoc {
		indexes = append(indexes, i)
	}
	// From the last document back, so that earlier offsets stay right.
	sort.Sort(sort.Reverse(sort.IntSlice(indexes)))
	var applied []Edit
	for _, idx := range indexes {
		es := byDoc[idx]
		if idx < 1 || idx > len(docs) {
			refuse(es, fmt.Sprintf("the file has no document %d", idx))
			continue
		}
		doc := docs[idx-1]
		if doc.JSON {
			refuse(es, "JSON files are not rewritten; make the edit by hand or convert the file to YAML")
			continue
		}
		start := size - cap(doc.Data) // in the original bytes, unchanged before it
		end := start + len(doc.Data)
		newDoc, done := applyDocument(doc.Data, es, refuse)
		if len(done) == 0 {
			continue
		}
		applied = append(done, applied...)
		data = splice(data, start, end, string(newDoc))
	}
	return data, applied
}

// applyDocument makes the edits of one document, group by group in their
// order.
func applyDocument(doc []byte, edits []Edit, refuse func([]Edit, string)) ([]byte, []Edit) {
	var applied []Edit
	cur := doc
	for start := 0; start < len(edits); {
		end := start + 1
		for end < len(edits) && edits[end].Group == edits[start].Group {
			end++
		}
		group := edits[start:end]
		next := cur
		var err error
		for _, e := range group {
			if next, err = editDocument(next, e.Op, e.documentPath(), e.Value); err != nil {
				break
			}
		}
		if err != nil {
			refuse(group, err.Error())
		} else {
			cur = next
			applied = append(applied, group...)
		}
		start = end
	}
	return cur, applied
}

// describe says what an edit does, for messages.
func describe(e Edit) string {
	switch e.Op {
	case OpSet:
		return fmt.Sprintf("set %s to %v", e.Path, e.Value)
	case OpAppend:
		return fmt.Sprintf("add %v to %s", e.Value, e.Path)
	case OpRename:
		return fmt.Sprintf("rename %s to %v", e.Path, e.Value)
	case OpDelete:
		return fmt.Sprintf("remove %s", e.Path)
	}
	return string(e.Op) + " " + e.Path
}
