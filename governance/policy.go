package governance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
	"sigs.k8s.io/yaml"
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
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &InputError{Source: Source{File: path, Item: -1}, Err: err}
	}
	return ParsePolicy(path, data)
}

// ParsePolicy parses and validates a GovernancePolicy. Errors name the file
// and the line of the offending entry.
func ParsePolicy(file string, data []byte) (*Policy, error) {
	src := Source{File: file, Document: 1, Line: 1, Item: -1}
	fail := func(s Source, format string, args ...any) error {
		return &InputError{Source: s, Err: fmt.Errorf(format, args...)}
	}
	if err := checkText(data); err != nil {
		return nil, fail(src, "%v", err)
	}
	var pf policyFile
	if err := yaml.UnmarshalStrict(data, &pf); err != nil {
		return nil, fail(src, "invalid GovernancePolicy: %s", strings.TrimPrefix(err.Error(), "error unmarshaling JSON: while decoding JSON: "))
	}
	if pf.APIVersion != PolicyAPIVersion || pf.Kind != PolicyKind {
		return nil, fail(src, "expected apiVersion %s and kind %s, got %q %q", PolicyAPIVersion, PolicyKind, pf.APIVersion, pf.Kind)
	}
	p := &Policy{Name: pf.Metadata.Name, KubernetesVersion: pf.Spec.KubernetesVersion, Entries: pf.Spec.Checks, Source: src}
	if p.KubernetesVersion == "" {
		p.KubernetesVersion = DefaultKubernetesVersion
	}
	if _, err := version.ParseGeneric(p.KubernetesVersion); err != nil {
		return nil, fail(src, "spec.kubernetesVersion %q: %v", p.KubernetesVersion, err)
	}
	lines := entryLines(data)
	for i := range p.Entries {
		e := &p.Entries[i]
		e.Source = src
		if i < len(lines) {
			e.Source.Line = lines[i]
		}
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

// entryLines returns the line of each spec.checks item.
func entryLines(data []byte) []int {
	var root yamlv3.Node
	if err := yamlv3.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil || len(root.Content) == 0 {
		return nil
	}
	checks := mappingValue(mappingValue(root.Content[0], "spec"), "checks")
	if checks == nil {
		return nil
	}
	lines := make([]int, len(checks.Content))
	for i, item := range checks.Content {
		lines[i] = item.Line
	}
	return lines
}

func mappingValue(n *yamlv3.Node, key string) *yamlv3.Node {
	if n == nil || n.Kind != yamlv3.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
