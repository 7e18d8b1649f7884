package governance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	yamlv3 "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
	kjson "sigs.k8s.io/json"

	"github.com/aigov/aigov/governance/internal/manifest"
)

// PolicyAPIVersion and PolicyKind identify a GovernancePolicy file.
const (
	PolicyAPIVersion = "aigov.dev/v1alpha1"
	PolicyKind       = "GovernancePolicy"
	// DefaultKubernetesVersion is the oldest cluster generated admission
	// policies target when a policy does not say.
	DefaultKubernetesVersion = "1.30"
)

// Policy is a GovernancePolicy: which checks run, with which parameters,
// actions and scopes.
type Policy struct {
	Name string
	// KubernetesVersion is the oldest cluster the generated
	// ValidatingAdmissionPolicies must compile on ("1.30").
	KubernetesVersion string
	Entries           []PolicyEntry
	Source            Source
}

// PolicyEntry is one item of spec.checks.
type PolicyEntry struct {
	ID       string          `json:"id"`
	Name     string          `json:"name,omitempty"`
	Action   Action          `json:"action,omitempty"`
	Severity *Severity       `json:"severity,omitempty"`
	Params   json.RawMessage `json:"params,omitempty"`
	Match    Match           `json:"match,omitzero"`
	// Source is where the entry starts in the policy file.
	Source Source `json:"-"`
}

// Match is an entry's scope, shaped like a ValidatingAdmissionPolicyBinding's
// matchResources plus a list of exempt namespaces.
type Match struct {
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	ObjectSelector    *metav1.LabelSelector `json:"objectSelector,omitempty"`
	Resources         []ResourceRule        `json:"resources,omitempty"`
	ExcludeNamespaces []string              `json:"excludeNamespaces,omitempty"`
}

type policyFile struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		KubernetesVersion string        `json:"kubernetesVersion,omitempty"`
		Checks            []PolicyEntry `json:"checks"`
	} `json:"spec"`
}

// LoadPolicyFile reads and validates a GovernancePolicy file.
func LoadPolicyFile(path string) (*Policy, error) {
	data, err := ReadFileLimited(path, MaxDocumentBytes)
	if err != nil {
		return nil, &InputError{Source: Source{File: path, Item: -1}, Err: err}
	}
	return ParsePolicy(path, data)
}

// regularFile refuses what is not a regular file.
func regularFile(info fs.FileInfo, err error) error {
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s)", fileType(info.Mode()))
	}
	return nil
}

// ReadFileLimited reads a file of at most limit bytes; a larger file, or
// one that is not a regular file (a FIFO would block), is an error.
func ReadFileLimited(path string, limit int64) ([]byte, error) {
	// Opening a FIFO blocks until a writer comes: look before opening, and
	// again at what was opened.
	if err := regularFile(os.Stat(path)); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := regularFile(f.Stat()); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file is larger than %d bytes", limit)
	}
	return data, nil
}

// ParsePolicy parses and validates a GovernancePolicy. Errors name the file
// and the line of the offending field or entry.
func ParsePolicy(file string, data []byte) (*Policy, error) {
	src := Source{File: file, Document: 1, Line: 1, Item: -1}
	fail := func(s Source, format string, args ...any) error {
		return &InputError{Source: s, Err: fmt.Errorf(format, args...)}
	}
	if err := manifest.CheckText(data); err != nil {
		return nil, fail(src, "%v", err)
	}
	// The file is read as manifests are: go-yaml v2 (strict about duplicate
	// keys), bounded JSON, then a strict case-sensitive decode.
	var tree any
	if err := yamlv2.UnmarshalStrict(data, &tree); err != nil {
		return nil, fail(src, "%v", manifest.YAMLError(err, 1))
	}
	w := &manifest.Writer{}
	w.Begin(len(data))
	js, err := w.Encode(tree, 1)
	if err != nil {
		return nil, fail(src, "%v", manifest.ConversionError(err))
	}
	var root yamlv3.Node // for the lines of fields; aliases stay unexpanded
	if yamlv3.Unmarshal(data, &root) != nil {
		root = yamlv3.Node{}
	}
	at := func(path string) Source {
		s := src
		if line := lineOf(&root, path); line > 0 {
			s.Line = line
		}
		return s
	}
	var pf policyFile
	strict, err := kjson.UnmarshalStrict(js, &pf)
	if err != nil {
		where, msg := manifest.LocateDecodeError(js, &pf, err, "")
		if where == "" {
			return nil, fail(src, "invalid GovernancePolicy: %s", msg)
		}
		return nil, fail(at(where), "invalid GovernancePolicy: %s: %s", where, msg)
	}
	for _, e := range strict {
		var fe kjson.FieldError
		if errors.As(e, &fe) {
			return nil, fail(at(fe.FieldPath()), "invalid GovernancePolicy: %v", e)
		}
		return nil, fail(src, "invalid GovernancePolicy: %v", e)
	}
	if pf.APIVersion != PolicyAPIVersion || pf.Kind != PolicyKind {
		return nil, fail(src, "expected apiVersion %s and kind %s, got %q %q", PolicyAPIVersion, PolicyKind, pf.APIVersion, pf.Kind)
	}
	p := &Policy{Name: pf.Metadata.Name, KubernetesVersion: pf.Spec.KubernetesVersion, Entries: pf.Spec.Checks, Source: src}
	if p.KubernetesVersion == "" {
		p.KubernetesVersion = DefaultKubernetesVersion
	}
	if _, err := version.ParseGeneric(p.KubernetesVersion); err != nil {
		return nil, fail(at("spec.kubernetesVersion"), "spec.kubernetesVersion %q: %v", p.KubernetesVersion, err)
	}
	for i := range p.Entries {
		e := &p.Entries[i]
		e.Source = at(fmt.Sprintf("spec.checks[%d]", i))
		if err := e.validate(); err != nil {
			return nil, fail(e.Source, "spec.checks[%d]: %v", i, err)
		}
	}
	return p, nil
}

func (e *PolicyEntry) validate() error {
	if e.ID == "" {
		return fmt.Errorf("id is required")
	}
	action, err := ParseAction(string(e.Action))
	if err != nil {
		return err
	}
	e.Action = action
	if _, err := e.Match.scope(); err != nil {
		return err
	}
	return nil
}

// scope turns the match into a Scope, validating the selectors.
func (m Match) scope() (Scope, error) {
	s := Scope{ExcludeNamespaces: m.ExcludeNamespaces, Resources: m.Resources}
	var err error
	if m.NamespaceSelector != nil {
		if s.NamespaceSelector, err = metav1.LabelSelectorAsSelector(m.NamespaceSelector); err != nil {
			return s, fmt.Errorf("match.namespaceSelector: %w", err)
		}
	}
	if m.ObjectSelector != nil {
		if s.ObjectSelector, err = metav1.LabelSelectorAsSelector(m.ObjectSelector); err != nil {
			return s, fmt.Errorf("match.objectSelector: %w", err)
		}
	}
	return s, nil
}

// Rules builds the policy's rules from catalog definitions: unknown check
// IDs and parameters a check refuses are errors naming the entry's line.
func (p *Policy) Rules(defs []Definition) ([]Rule, error) {
	var rules []Rule
	var errs ErrorList
	for i, e := range p.Entries {
		def, err := Lookup(defs, e.ID)
		if err != nil {
			errs = append(errs, &InputError{Source: e.Source, Err: fmt.Errorf("spec.checks[%d]: %w", i, err)})
			continue
		}
		check, err := def.New(e.Params)
		if err != nil {
			errs = append(errs, &InputError{Source: e.Source, Err: fmt.Errorf("spec.checks[%d] (%s): params: %w", i, e.ID, err)})
			continue
		}
		scope, _ := e.Match.scope() // validated by ParsePolicy
		rules = append(rules, Rule{Check: check, Name: e.Name, Action: e.Action, Severity: e.Severity, Scope: scope})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rules, nil
}

// lineOf returns the line of the field at path ("spec.checks[2].match",
// map keys in brackets too) in a parsed YAML document: the line of the
// deepest part of the path that exists, 0 when none does.
func lineOf(root *yamlv3.Node, path string) int {
	if len(root.Content) == 0 {
		return 0
	}
	n, line := root.Content[0], 0
	for _, seg := range pathSegments(path) {
		if n.Kind == yamlv3.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yamlv3.Node
		switch {
		case n.Kind == yamlv3.SequenceNode:
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		case n.Kind == yamlv3.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg {
					next, line = n.Content[i+1], n.Content[i].Line
					break
				}
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

// pathSegments splits "a.b[0][k.x].c" into a, b, 0, k.x, c.
func pathSegments(path string) []string {
	var segs []string
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return append(segs, path[1:])
			}
			segs, path = append(segs, path[1:end]), path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs, path = append(segs, path[:end]), path[end:]
		}
	}
	return segs
}
