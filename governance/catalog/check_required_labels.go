// required-labels requires ownership and cost labels (team, cost-center,
// model) on the objects a platform charges and audits. It reads the
// object's own metadata.labels, for a workload the controller's labels and
// not its pod template's (what a ValidatingAdmissionPolicy sees as
// object.metadata.labels; the pods a controller creates are judged when
// they are admitted, if the policy matches Pods). It applies to the kinds
// parameter (default Namespace, Pod and the workload controllers) and
// denies, once per label, a key that is missing or whose whole value does
// not match the key's allowedRegex (compiled anchored, as ^(?:regex)$). Its
// ValidatingAdmissionPolicy matches the same kinds (custom resources by
// their guessed plural, any version) with one validation per label on
// object.metadata.labels, the regex anchored the same way (CEL's matches()
// is RE2, as Go's regexp); the message names the label and the offending
// value.

package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/aigov/aigov/governance"
)

// IDRequiredLabels is the catalog ID of the required-labels check.
const IDRequiredLabels = "required-labels"

// LabelRequirement is one required label.
type LabelRequirement struct {
	// Key is the label key (a qualified name such as "team" or
	// "platform.example.com/owner").
	Key string `json:"key"`
	// AllowedRegex, when set, must match the whole value: it is compiled as
	// AnchorRegex(AllowedRegex) in RE2 syntax (Go regexp, which is also
	// what CEL's matches() uses).
	AllowedRegex string `json:"allowedRegex,omitempty"`
}

// RequiredLabelsParams are the parameters of required-labels.
type RequiredLabelsParams struct {
	// Labels are the required labels (at least one, keys unique).
	Labels []LabelRequirement `json:"labels"`
	// Kinds are the kinds the check applies to, as "Kind" for built-in
	// kinds ("Namespace", "Deployment") or "Kind.group" ("Deployment.apps",
	// "InferenceService.serving.kserve.io"). Empty means
	// DefaultRequiredLabelsKinds.
	Kinds []string `json:"kinds,omitempty"`
	// GroupKinds are Kinds resolved by ParseRequiredLabelsParams (or the
	// default kinds); it is not a parameter.
	GroupKinds []schema.GroupKind `json:"-"`
}

// DefaultRequiredLabelsKinds returns the kinds required-labels applies to
// when its kinds parameter is not set: Namespace plus PodKinds.
func DefaultRequiredLabelsKinds() []schema.GroupKind {
	return append([]schema.GroupKind{{Kind: "Namespace"}}, PodKinds()...)
}

// AnchorRegex returns re anchored to match a whole value: ^(?:re)$. The
// group keeps alternations inside the anchors ("a|b" becomes ^(?:a|b)$).
func AnchorRegex(re string) string { return "^(?:" + re + ")$" }

// ParseRequiredLabelsParams parses and validates required-labels
// parameters: labels is required and not empty, keys are valid label keys
// and unique, every allowedRegex compiles both alone and anchored, and kinds (when given) are
// non-empty and resolve (see ResolveKinds).
func ParseRequiredLabelsParams(raw any) (RequiredLabelsParams, error) {
	var p RequiredLabelsParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if len(p.Labels) == 0 {
		return p, errors.New("labels is required and must list at least one label")
	}
	seen := map[string]bool{}
	for i, l := range p.Labels {
		if errs := validation.IsQualifiedName(l.Key); len(errs) > 0 {
			return p, fmt.Errorf("labels[%d].key %q: %s", i, l.Key, strings.Join(errs, "; "))
		}
		if seen[l.Key] {
			return p, fmt.Errorf("labels[%d].key %q is listed twice", i, l.Key)
		}
		seen[l.Key] = true
		if l.AllowedRegex != "" {
			// The regex must compile on its own too: "a)(b" compiles once
			// wrapped, and "x)|(.*" would escape the anchors.
			if _, err := regexp.Compile(l.AllowedRegex); err != nil {
				return p, fmt.Errorf("labels[%d].allowedRegex: %w", i, err)
			}
			if _, err := regexp.Compile(AnchorRegex(l.AllowedRegex)); err != nil {
				return p, fmt.Errorf("labels[%d].allowedRegex: %w", i, err)
			}
		}
	}
	if p.Kinds == nil {
		p.GroupKinds = DefaultRequiredLabelsKinds()
		return p, nil
	}
	if len(p.Kinds) == 0 {
		return p, errors.New("kinds must list at least one kind (omit it for the default)")
	}
	gks, err := ResolveKinds(p.Kinds)
	if err != nil {
		return p, err
	}
	p.GroupKinds = gks
	return p, nil
}

// ResolveKinds turns kind names into group kinds. "Kind.group" is taken as
// written (custom resources need it). A bare "Kind" must be a kind the
// governance scheme knows: the core group wins when it has the kind,
// otherwise exactly one group other than the retired extensions group must
// serve it ("Deployment" is apps, "Ingress" networking.k8s.io), else the
// name is ambiguous. Duplicates are dropped.
func ResolveKinds(kinds []string) ([]schema.GroupKind, error) {
	var byKind map[string][]string // kind -> groups, built on first bare kind
	var out []schema.GroupKind
	for i, s := range kinds {
		kind, group, qualified := strings.Cut(s, ".")
		if !isKindName(kind) {
			return nil, fmt.Errorf("kinds[%d]: %q is not Kind or Kind.group", i, s)
		}
		if qualified {
			if errs := validation.IsDNS1123Subdomain(group); len(errs) > 0 {
				return nil, fmt.Errorf("kinds[%d]: group of %q: %s", i, s, strings.Join(errs, "; "))
			}
		} else {
			if byKind == nil {
				var err error
				if byKind, err = schemeKinds(); err != nil {
					return nil, err
				}
			}
			g, err := pickGroup(kind, byKind[kind])
			if err != nil {
				return nil, fmt.Errorf("kinds[%d]: %w", i, err)
			}
			group = g
		}
		gk := schema.GroupKind{Group: group, Kind: kind}
		if !slices.Contains(out, gk) {
			out = append(out, gk)
		}
	}
	return out, nil
}

func isKindName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// schemeKinds indexes the governance scheme's kinds by name.
func schemeKinds() (map[string][]string, error) {
	scheme, err := governance.NewScheme()
	if err != nil {
		return nil, fmt.Errorf("building scheme: %w", err)
	}
	out := map[string][]string{}
	for gvk := range scheme.AllKnownTypes() {
		if gvk.Version == "__internal" || slices.Contains(out[gvk.Kind], gvk.Group) {
			continue
		}
		out[gvk.Kind] = append(out[gvk.Kind], gvk.Group)
	}
	return out, nil
}

func pickGroup(kind string, groups []string) (string, error) {
	if slices.Contains(groups, "") {
		return "", nil
	}
	var candidates []string
	for _, g := range groups {
		if g != "extensions" {
			candidates = append(candidates, g)
		}
	}
	switch len(candidates) {
	case 0:
		return "", fmt.Errorf("unknown kind %q: name custom resources as Kind.group, e.g. %s.example.com", kind, kind)
	case 1:
		return candidates[0], nil
	}
	slices.Sort(candidates)
	for i, g := range candidates {
		candidates[i] = kind + "." + g
	}
	return "", fmt.Errorf("kind %q is ambiguous: write one of %s", kind, strings.Join(candidates, ", "))
}

func requiredLabelsDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDRequiredLabels,
		Description: "Objects must carry the listed labels, with values matching the whole allowedRegex when one is given.",
		Severity:    governance.SeverityLow,
		Kinds:       []string{"Namespace", PodsAndWorkloads},
		Params: []governance.Param{
			{Name: "labels", Type: "[]{key, allowedRegex?}", Required: true,
				Description: "required label keys; allowedRegex (RE2) must match the whole value"},
			{Name: "kinds", Type: "[]string", Default: "Namespace + pods + workloads",
				Description: `kinds to check, "Kind" for built-in kinds or "Kind.group"; the object's own metadata.labels are checked (for workloads, not the pod template's)`},
		},
		VAP: true,
		New: NewRequiredLabels,
	}
}

// NewRequiredLabels builds the required-labels check from
// RequiredLabelsParams.
func NewRequiredLabels(params any) (governance.Check, error) {
	p, err := ParseRequiredLabelsParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	type requirement struct {
		key, pattern string
		re           *regexp.Regexp
	}
	reqs := make([]requirement, len(p.Labels))
	for i, l := range p.Labels {
		reqs[i] = requirement{key: l.Key}
		if l.AllowedRegex != "" {
			reqs[i].pattern = AnchorRegex(l.AllowedRegex)
			if reqs[i].re, err = regexp.Compile(reqs[i].pattern); err != nil {
				return governance.Check{}, fmt.Errorf("labels[%d].allowedRegex: %w", i, err)
			}
		}
	}
	check := newCheck(requiredLabelsDefinition(),
		"add the missing labels to the object's metadata.labels with allowed values",
		p.GroupKinds, func(o *governance.Object) []governance.Violation {
			labels := o.Meta().GetLabels()
			var out []governance.Violation
			for _, r := range reqs {
				path := "metadata.labels[" + r.key + "]"
				v, ok := labels[r.key]
				switch {
				case !ok:
					out = append(out, governance.Violation{Path: path,
						Message: fmt.Sprintf("label %q is missing", r.key)})
				case r.re != nil && !r.re.MatchString(v):
					out = append(out, governance.Violation{Path: path,
						Message: fmt.Sprintf("label %q has value %q, which does not match %s", r.key, v, r.pattern)})
				}
			}
			return out
		})
	check.Admission = requiredLabelsAdmission(p)
	return check, nil
}

func requiredLabelsAdmission(p RequiredLabelsParams) *governance.Admission {
	a := &governance.Admission{Rules: governance.KindAdmissionRules(p.GroupKinds)}
	for _, l := range p.Labels {
		key := governance.CELString(l.Key)
		present := `object.metadata.?labels[?` + key + `].hasValue()`
		v := admissionregistrationv1.Validation{
			Expression: present,
			Message:    "label " + l.Key + " is required",
		}
		if l.AllowedRegex != "" {
			pattern := AnchorRegex(l.AllowedRegex)
			// A message is one line: collapse the whitespace of the pattern.
			shown := strings.Join(strings.Fields(pattern), " ")
			v.Expression = present + ` && object.metadata.labels[` + key + `].matches(` + governance.CELString(pattern) + `)`
			v.Message = "label " + l.Key + " is required and must match " + shown
			v.MessageExpression = present + ` ? "label \"" + ` + key + ` + "\" has value \"" + object.metadata.labels[` + key + `] + "\", which does not match " + ` + governance.CELString(shown) +
				` : "label \"" + ` + key + ` + "\" is missing"`
		}
		a.Validations = append(a.Validations, v)
	}
	for _, l := range p.Labels {
		if l.Key == governance.TeamLabel && slices.ContainsFunc(p.GroupKinds, func(gk schema.GroupKind) bool { return teamCopyKinds[gk] }) {
			a.Mutations = append(a.Mutations, teamLabelMutation(l))
		}
	}
	return a
}

// teamCopyKinds are the kinds the team label is copied onto: the built-in
// workload controllers, whose own labels reach neither their pods nor any
// selector (the same kinds aigov fix copies it onto). A label added to a
// Pod or a custom resource could make a Service, a NetworkPolicy or an
// operator select it: not a safe default.
var teamCopyKinds = map[schema.GroupKind]bool{
	{Group: "apps", Kind: "Deployment"}: true, {Group: "apps", Kind: "StatefulSet"}: true,
	{Group: "apps", Kind: "DaemonSet"}: true, {Group: "apps", Kind: "ReplicaSet"}: true,
	{Group: "batch", Kind: "Job"}: true, {Group: "batch", Kind: "CronJob"}: true,
	{Kind: "ReplicationController"}: true,
}

// teamLabelMutation is the safe default of the team label
// (governance.TeamLabel) when it is required: a built-in workload
// controller (teamCopyKinds) that lacks the label gets the value its
// Namespace carries, when that value is non-empty and allowed by the
// label's allowedRegex. The pod template is not touched (the check reads
// the object's own labels). Other kinds, an object that has the label
// (whatever its value), and an object whose Namespace lacks the label or
// holds a value the check would refuse are left alone. The label is
// written into the object's metadata.labels, which the mutation creates
// when the object has none.
func teamLabelMutation(l LabelRequirement) admissionregistrationv1.Mutation {
	key := governance.CELString(l.Key)
	value := `namespaceObject.metadata.labels[` + key + `]`
	copyable := `namespaceObject.metadata.?labels[?` + key + `].orValue("") != ""`
	if l.AllowedRegex != "" {
		copyable += ` && ` + value + `.matches(` + governance.CELString(AnchorRegex(l.AllowedRegex)) + `)`
	}
	byGroup := map[string][]string{}
	for gk := range teamCopyKinds {
		byGroup[gk.Group] = append(byGroup[gk.Group], gk.Kind)
	}
	var kinds []string
	for _, g := range []string{"", "apps", "batch"} {
		slices.Sort(byGroup[g])
		apiVersion := g + "/v1"
		if g == "" {
			apiVersion = "v1"
		}
		kinds = append(kinds, `(object.apiVersion == `+governance.CELString(apiVersion)+` && object.kind in `+governance.CELStringList(byGroup[g])+`)`)
	}
	// A JSON pointer escapes "~" as "~0" and "/" as "~1" (RFC 6901).
	pointer := "/metadata/labels/" + strings.ReplaceAll(strings.ReplaceAll(l.Key, "~", "~0"), "/", "~1")
	return admissionregistrationv1.Mutation{
		PatchType: admissionregistrationv1.PatchTypeJSONPatch,
		JSONPatch: &admissionregistrationv1.JSONPatch{Expression: `!(` + strings.Join(kinds, " || ") + `) || request.namespace == "" || ` +
			`object.metadata.?labels[?` + key + `].hasValue() || !(` + copyable + `) ? [] : ` +
			`(has(object.metadata.labels) ? [JSONPatch{op: "add", path: ` + governance.CELString(pointer) + `, value: ` + value + `}] : ` +
			`[JSONPatch{op: "add", path: "/metadata/labels", value: {` + key + `: ` + value + `}}])`},
	}
}
