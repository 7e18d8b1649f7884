package fix

import (
	"strconv"

	"github.com/aigov/aigov/governance"
)

// Op is what an edit does at its path.
type Op string

// Ops.
const (
	// OpSet sets the field at Path to Value, creating it (and the mappings
	// on the way) when absent. An existing field must hold a value, not a
	// mapping or sequence.
	OpSet Op = "set"
	// OpAppend appends Value to the sequence at Path, creating the sequence
	// when absent.
	OpAppend Op = "append"
	// OpRename renames the mapping key at Path to Value (a string); the
	// key's value stays.
	OpRename Op = "rename"
	// OpDelete removes the mapping key at Path and its value.
	OpDelete Op = "delete"
)

// Edit is one change to a manifest that resolves (part of) a finding. The
// edits of one Group are made together or not at all: moving a Kyverno
// policy's action into its rules is several edits that only together keep
// the policy's meaning.
type Edit struct {
	// Check is the ID of the check whose finding the edit resolves.
	Check string `json:"check"`
	// Object is the object edited; its Source names the file, the
	// document (1-based) and, for an item of a List, the item.
	Object governance.ObjectRef `json:"object"`
	// Finding is the path of the finding the edit resolves, which may
	// differ from Path (a finding on containers[*] is resolved in each
	// container).
	Finding string `json:"finding"`
	// Path is the field edited, relative to the object, map keys in
	// brackets: "spec.template.spec.containers[0].securityContext.privileged".
	Path string `json:"path"`
	Op   Op     `json:"op"`
	// Old is the value before the edit (nil when the field is absent;
	// for OpRename the old key is the last part of Path).
	Old any `json:"old,omitempty"`
	// Value is the new value (OpSet), the item appended (OpAppend) or the
	// new key (OpRename).
	Value any `json:"value,omitempty"`
	// Group numbers the edits made together (see Edit); Plan numbers
	// groups from 1 in their order.
	Group int `json:"group"`
	// Why says what the edit does and why it is safe, for a person.
	Why string `json:"why"`
}

// documentPath is the edit's path in its document: under items[N] for an
// item of a List.
func (e Edit) documentPath() string {
	if e.Object.Source.Item >= 0 {
		return "items[" + strconv.Itoa(e.Object.Source.Item) + "]." + e.Path
	}
	return e.Path
}

// Suggestion is a finding aigov can say how to resolve but will not edit
// itself: the change needs knowledge aigov does not have (an image digest,
// whether a pod calls the API), or the manifest's layout does not allow a
// safe edit. Suggestions are printed, never written into files.
type Suggestion struct {
	Check  string               `json:"check"`
	Object governance.ObjectRef `json:"object"`
	Path   string               `json:"path"`
	// Message says what to change and why aigov did not.
	Message string `json:"message"`
}
