package governance

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/api/validation/path"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kfield "k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aigov/aigov/governance/internal/manifest"
	"github.com/aigov/aigov/internal/redact"
)

// ValidationMode is what the loader does with unknown and duplicate fields
// of API objects, as kubectl's --validate flag: Strict (kubectl's default)
// makes them input errors, Warn makes them inventory warnings, Ignore only
// records unknown fields in Object.UnknownFields. Two kinds do not follow
// the mode, because their consumer does not: an EncryptionConfiguration
// with an unknown or duplicate field is always an error (the kube-apiserver
// refuses to start), and an audit Policy's are a warning under Strict and
// Warn (the kube-apiserver falls back to lenient decoding and ignores them;
// the audit-policy-lint check reports them). Custom resources are checked
// in their metadata only: their schema is not known.
type ValidationMode int

const (
	// ValidationStrict makes unknown and duplicate fields input errors.
	ValidationStrict ValidationMode = iota
	// ValidationWarn makes them warnings (Inventory.Warnings); the objects
	// load.
	ValidationWarn
	// ValidationIgnore loads the objects silently; unknown fields stay in
	// Object.UnknownFields.
	ValidationIgnore
)

func (m ValidationMode) String() string {
	switch m {
	case ValidationStrict:
		return "strict"
	case ValidationWarn:
		return "warn"
	case ValidationIgnore:
		return "ignore"
	}
	return "ValidationMode(" + strconv.Itoa(int(m)) + ")"
}

// ParseValidationMode parses kubectl's --validate values: strict (or true),
// warn, ignore (or false), case-insensitively.
func ParseValidationMode(s string) (ValidationMode, error) {
	switch strings.ToLower(s) {
	case "strict", "true":
		return ValidationStrict, nil
	case "warn":
		return ValidationWarn, nil
	case "ignore", "false":
		return ValidationIgnore, nil
	}
	return 0, fmt.Errorf("invalid validation mode %q: must be one of strict (or true), warn, ignore (or false)", s)
}

// FieldError is an unknown or duplicate field of an object read from a
// file. Decoder.DecodeFile reports one per field (in an InputError whose
// line is the field's) next to the object, which loads with the field
// ignored (an unknown field) or its last value (a duplicate key); a Loader
// then makes it an error, a warning or nothing by its Validation.
type FieldError struct {
	// GVK is the kind of the object (of the document for a duplicate key).
	GVK schema.GroupVersionKind
	// Path is the field's JSON path, e.g. spec.ingress[0].prots; empty for
	// a duplicate YAML key, which the message names.
	Path string
	// Duplicate is true for a duplicate key, false for an unknown field.
	Duplicate bool
	msg       string
}

func (e *FieldError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	what := "unknown"
	if e.Duplicate {
		what = "duplicate"
	}
	return fmt.Sprintf("%s: %s field %q", e.GVK.Kind, what, redact.Field(e.Path))
}

// Validation classes of an InputError, for Loader.filter.
const (
	classError = iota
	classWarning
	classDrop
)

// classify tells what the loader does with an input error under mode.
func classify(e *InputError, mode ValidationMode) int {
	var skipped *skippedFileError
	if errors.As(e.Err, &skipped) {
		return classWarning
	}
	var fe *FieldError
	if !errors.As(e.Err, &fe) {
		return classError
	}
	switch {
	case isEncryptionConfiguration(fe.GVK):
		return classError
	case isAuditPolicy(fe.GVK):
		if mode == ValidationIgnore {
			return classDrop
		}
		return classWarning
	case mode == ValidationWarn:
		return classWarning
	case mode == ValidationIgnore:
		return classDrop
	}
	return classError
}

func isEncryptionConfiguration(gvk schema.GroupVersionKind) bool {
	return gvk.Group == "apiserver.config.k8s.io" && gvk.Kind == "EncryptionConfiguration"
}

func isAuditPolicy(gvk schema.GroupVersionKind) bool {
	return gvk.Group == "audit.k8s.io" && gvk.Kind == "Policy"
}

// skippedFileError is a directory entry that is not a regular file (a
// FIFO, a socket, a device): reading it could block forever, so it is
// skipped with a warning.
type skippedFileError struct{ mode string }

func (e *skippedFileError) Error() string {
	return "skipped: not a regular file (" + e.mode + ")"
}

// fieldErrors returns an input error for every unknown field of o, at the
// line of the field in doc; root is the document's parsed YAML, made on
// first use.
func fieldErrors(o *Object, doc manifest.Document, root **yamlv3.Node) ErrorList {
	var errs ErrorList
	for _, f := range o.UnknownFields {
		fe := &FieldError{GVK: o.GVK, Path: f}
		if isAuditPolicy(o.GVK) {
			fe.msg = fe.Error() + " (the kube-apiserver decodes the policy leniently and ignores it)"
		}
		src := o.Source
		src.Line = manifest.FieldLine(doc, o.Source.Item, f, root)
		errs = append(errs, &InputError{Source: src, Err: fe})
	}
	return errs
}

// nameValidator is the apiserver's validation of an object name or (with
// prefix) generateName: the messages of what is wrong, none when valid.
type nameValidator func(name string, prefix bool) []string

// nameRule returns the name validation the kube-apiserver applies to a kind
// (k8s.io/kubernetes pkg/apis/*/validation); DNS-1123 subdomain is the
// default, custom resources' among them.
func nameRule(gk schema.GroupKind) (nameValidator, func(string, bool) bool) {
	switch gk {
	case schema.GroupKind{Kind: "Namespace"}:
		return apivalidation.ValidateNamespaceName, isDNS1123Label
	case schema.GroupKind{Kind: "Service"}:
		return apivalidation.NameIsDNS1035Label, isDNS1035Label
	case schema.GroupKind{Group: "apps", Kind: "StatefulSet"}:
		return apivalidation.NameIsDNSLabel, isDNS1123Label
	case schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "Role"},
		schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"},
		schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"},
		schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"},
		// Any name the URL path can carry: CSRs ("we don't care what you
		// call your certificate requests"), IPAddresses (an IPv6 address is
		// no DNS name), StorageVersions.
		schema.GroupKind{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"},
		schema.GroupKind{Group: "networking.k8s.io", Kind: "IPAddress"},
		schema.GroupKind{Group: "internal.apiserver.k8s.io", Kind: "StorageVersion"}:
		return path.ValidatePathSegmentName, isPathSegment
	}
	return apivalidation.NameIsDNSSubdomain, isDNS1123Subdomain
}

// validateNames checks the metadata of an object read from a file the way
// the kube-apiserver does before storing it: name and generateName by the
// kind's rule, the namespace as a DNS-1123 label, label keys and values. A
// name the apiserver refuses (with a newline or an escape sequence, say)
// would otherwise reach reports raw. It returns the path of the first bad
// field with the error.
func validateNames(o *Object) (string, error) {
	if isConfigKind(o.GVK) {
		return "", nil
	}
	m := o.Meta()
	gk := o.GVK.GroupKind()
	validate, fast := nameRule(gk)
	var errs kfield.ErrorList
	if name := m.GetName(); name != "" && !fast(name, false) {
		for _, msg := range validate(name, false) {
			errs = append(errs, kfield.Invalid(kfield.NewPath("metadata", "name"), name, msg))
		}
	}
	if gen := m.GetGenerateName(); gen != "" && !fast(gen, true) {
		for _, msg := range validate(gen, true) {
			errs = append(errs, kfield.Invalid(kfield.NewPath("metadata", "generateName"), gen, msg))
		}
	}
	// The apiserver clears the namespace of a cluster-scoped object.
	if ns := m.GetNamespace(); ns != "" && !(o.Typed && clusterScoped[gk]) && !isDNS1123Label(ns, false) {
		for _, msg := range apivalidation.ValidateNamespaceName(ns, false) {
			errs = append(errs, kfield.Invalid(kfield.NewPath("metadata", "namespace"), ns, msg))
		}
	}
	if labels := m.GetLabels(); len(labels) > 0 {
		var bad []string
		for k, v := range labels {
			if !isQualifiedName(k) || !isLabelValue(v) {
				bad = append(bad, k)
			}
		}
		sort.Strings(bad)
		for _, k := range bad {
			errs = append(errs, metav1validation.ValidateLabels(map[string]string{k: labels[k]}, kfield.NewPath("metadata", "labels"))...)
		}
	}
	if len(errs) == 0 {
		return "", nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errs[0].Field, fmt.Errorf("%s: %s", o.GVK.Kind, strings.Join(msgs, "; "))
}

// The functions below are fast equivalents of apimachinery's regular
// expressions for the valid case: they never accept what apimachinery
// refuses (a test compares them), and the apimachinery function is asked
// for the message when they refuse.

// maskTrailingDash is apimachinery's: a generateName may end in "-". Like
// apimachinery's it replaces the last two bytes (so "A-" passes): what the
// apiserver accepts is the specification.
func maskTrailingDash(s string) string {
	if len(s) > 1 && s[len(s)-1] == '-' {
		return s[:len(s)-2] + "a"
	}
	return s
}

func isAlnumLower(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isAlnumLower(c) || 'A' <= c && c <= 'Z' }

// isLabelChars reports s matching [a-z0-9]([-a-z0-9]*[a-z0-9])?.
func isLabelChars(s string) bool {
	if s == "" || !isAlnumLower(s[0]) || !isAlnumLower(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; c != '-' && !isAlnumLower(c) {
			return false
		}
	}
	return true
}

func isDNS1123Label(s string, prefix bool) bool {
	if prefix {
		s = maskTrailingDash(s)
	}
	return len(s) <= 63 && isLabelChars(s)
}

func isDNS1035Label(s string, prefix bool) bool {
	if prefix {
		s = maskTrailingDash(s)
	}
	return len(s) <= 63 && isLabelChars(s) && 'a' <= s[0] && s[0] <= 'z'
}

func isDNS1123Subdomain(s string, prefix bool) bool {
	if prefix {
		s = maskTrailingDash(s)
	}
	if len(s) > 253 {
		return false
	}
	for {
		label, rest, more := strings.Cut(s, ".")
		if !isLabelChars(label) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}

func isPathSegment(s string, prefix bool) bool {
	return (prefix || s != "." && s != "..") && !strings.ContainsAny(s, "/%")
}

// isQualifiedName is a label key: an optional DNS-1123 subdomain prefix and
// "/", then ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] of at most 63 bytes.
func isQualifiedName(s string) bool {
	if prefix, name, ok := strings.Cut(s, "/"); ok {
		if !isDNS1123Subdomain(prefix, false) {
			return false
		}
		s = name
	}
	return s != "" && isLabelValue(s)
}

// isLabelValue is a label value: empty, or ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
// of at most 63 bytes.
func isLabelValue(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; c != '-' && c != '_' && c != '.' && !isAlnum(c) {
			return false
		}
	}
	return true
}
