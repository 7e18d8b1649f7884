package governance

import (
	"fmt"
	"slices"
	"strings"
)

// Exemption annotations. An object annotated
//
//	aigov.dev/exempt: "privileged-container,host-namespaces"
//	aigov.dev/exempt-reason: "node agent; reviewed in SEC-123"
//
// yields no findings of the listed checks (each named by its ID or by one
// of its aliases). An exemption without a reason is not honoured and is
// itself a finding of ExemptionCheckID.
const (
	AnnotationExempt       = "aigov.dev/exempt"
	AnnotationExemptReason = "aigov.dev/exempt-reason"
	ExemptionCheckID       = "exemption-missing-reason"
)

type exemptions map[Key]map[string]bool

func (e exemptions) covers(ref ObjectRef, c Check) bool {
	group := ref.APIVersion
	if i := strings.LastIndex(group, "/"); i >= 0 {
		group = group[:i]
	} else {
		group = ""
	}
	ids := e[Key{Group: group, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}]
	return ids[c.ID] || slices.ContainsFunc(c.Aliases, func(a string) bool { return ids[a] })
}

// readExemptions collects the honoured exemptions and reports the ones
// without a reason.
func readExemptions(inv *Inventory) (exemptions, []Finding) {
	out := exemptions{}
	var findings []Finding
	for _, o := range inv.Objects() {
		ann := o.Meta().GetAnnotations()
		list, ok := ann[AnnotationExempt]
		if !ok {
			continue
		}
		if strings.TrimSpace(ann[AnnotationExemptReason]) == "" {
			findings = append(findings, Finding{
				Check: ExemptionCheckID, Severity: SeverityMedium, Action: ActionDeny, Object: o.Ref(),
				Path:        fmt.Sprintf("metadata.annotations[%s]", AnnotationExemptReason),
				Message:     fmt.Sprintf("%s exempts %q without a %s annotation; the exemption is ignored", AnnotationExempt, list, AnnotationExemptReason),
				Remediation: "state why the object is exempt in the " + AnnotationExemptReason + " annotation",
			})
			continue
		}
		ids := map[string]bool{}
		for _, id := range strings.Split(list, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids[id] = true
			}
		}
		out[o.Key()] = ids
	}
	return out, findings
}
