// pod-security-level evaluates the Pod Security Standards on every pod and
// workload exactly as the PodSecurity admission plugin of a v1.37
// kube-apiserver does (k8s.io/pod-security-admission/policy, all default
// checks), at the level its Namespace enforces: the
// pod-security.kubernetes.io/enforce and enforce-version labels of the
// Namespace object in the input (an invalid value means restricted:latest,
// as in the apiserver), else the level parameter (default baseline) at
// latest. Because a namespace labelled privileged admits anything, the
// level is raised to the minimumLevel parameter (default baseline) when it
// is less strict. It reads the stored pod template (metadata and spec) of
// each workload (governance.Inventory.Workloads) and denies with one
// finding per Pod Security check that forbids it, carrying Pod Security's
// reason and detail (which name the containers and fields). The finding's
// path is the field the check judges, under the pod spec, with
// "containers[*]" standing for any container: Pod Security reports
// containers by name, not by index.

package catalog

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/aigov/aigov/governance"
)

// IDPodSecurityLevel is the catalog ID of the pod-security-level check.
const IDPodSecurityLevel = "pod-security-level"

// PodSecurityLevelParams are the parameters of pod-security-level.
type PodSecurityLevelParams struct {
	// Level applies to pods whose Namespace has no enforce label or is not
	// in the input: privileged, baseline (default) or restricted.
	Level api.Level `json:"level,omitempty"`
	// MinimumLevel is the least strict level evaluated, whatever the
	// namespace enforces (default baseline; privileged disables the floor).
	MinimumLevel api.Level `json:"minimumLevel,omitempty"`
}

// ParsePodSecurityLevelParams parses and validates the parameters and
// fills in the defaults.
func ParsePodSecurityLevelParams(raw any) (PodSecurityLevelParams, error) {
	var p PodSecurityLevelParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	for _, f := range []struct {
		name string
		v    *api.Level
	}{{"level", &p.Level}, {"minimumLevel", &p.MinimumLevel}} {
		if *f.v == "" {
			*f.v = api.LevelBaseline
		}
		if _, err := api.ParseLevel(string(*f.v)); err != nil {
			return p, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return p, nil
}

func podSecurityLevelDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDPodSecurityLevel,
		Description: "Pods must pass the Pod Security Standards at their namespace's enforce level (at least baseline), evaluated by k8s.io/pod-security-admission.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{PodsAndWorkloads, "Namespace (read)"},
		AdmissionNote: "no VAP: the kube-apiserver enforces it itself: its PodSecurity admission plugin runs the same checks at the level " +
			"a Namespace's pod-security.kubernetes.io/enforce label sets; what the level and minimumLevel parameters add " +
			"(a level for unlabelled namespaces, a floor above privileged) is the plugin's configuration " +
			"(PodSecurityConfiguration defaults and exemptions), not a policy's",
		Params: []governance.Param{
			{Name: "level", Type: "string", Default: string(api.LevelBaseline),
				Description: "level for namespaces without a pod-security.kubernetes.io/enforce label (or not in the input): privileged, baseline, restricted"},
			{Name: "minimumLevel", Type: "string", Default: string(api.LevelBaseline),
				Description: "least strict level evaluated whatever the namespace label says; privileged follows the label exactly"},
		},
		New: NewPodSecurityLevel,
	}
}

// NewPodSecurityLevel builds the pod-security-level check from
// PodSecurityLevelParams. It is an inventory check: it reads each
// workload's Namespace.
func NewPodSecurityLevel(params any) (governance.Check, error) {
	p, err := ParsePodSecurityLevelParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return governance.Check{}, fmt.Errorf("pod security evaluator: %w", err)
	}
	defaults := api.Policy{
		Enforce: api.LevelVersion{Level: p.Level, Version: api.LatestVersion()},
		Audit:   api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()},
		Warn:    api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()},
	}
	d := podSecurityLevelDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity,
		Remediation: "fix the pod spec as the Pod Security detail says (securityContext: runAsNonRoot, allowPrivilegeEscalation: false, capabilities.drop [ALL], seccompProfile RuntimeDefault; no privileged, host namespaces, hostPath or hostPort)",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			levels := map[string]podSecurityTarget{}
			var out []governance.Finding
			for _, w := range inv.Workloads() {
				tmpl, ok := w.Template()
				if !ok {
					continue
				}
				spec, meta, specPath := tmpl.Spec, tmpl.Meta, tmpl.Path
				t, seen := levels[w.Namespace]
				if !seen {
					t = podSecurityTargetFor(namespaceOf(inv, w.Namespace), w.Namespace, defaults, p.MinimumLevel)
					levels[w.Namespace] = t
				}
				for _, r := range ev.EvaluatePod(t.lv, meta, spec) {
					if r.Allowed {
						continue
					}
					reason := r.ForbiddenReason
					if reason == "" {
						reason = policy.UnknownForbiddenReason
					}
					msg := fmt.Sprintf("%s %q violates PodSecurity %q: %s", w.Kind, w.Name, t.lv.String(), reason)
					if r.ForbiddenDetail != "" {
						msg += " (" + r.ForbiddenDetail + ")"
					}
					path := podSecurityPath(specPath, reason, r.ForbiddenDetail)
					out = append(out, governance.Finding{Object: w.Object.Ref(), Path: path,
						Message: governance.NoteInjected(w.Object, path, msg+t.note)})
				}
			}
			return out
		},
		// No ValidatingAdmissionPolicy (the PodSecurity plugin is the
		// apiserver's own); the restricted profile's safe defaults only.
		Admission: &governance.Admission{
			Rules:     governance.PodAdmissionRules(),
			Variables: governance.PodSpecsAdmissionVariables()[:1], // podSpecs
			Mutations: podSecurityMutations(),
		},
	}, nil
}

// podSecurityMutations are the restricted profile's settings that cannot
// break a workload that does not ask otherwise, each added only where the
// pod leaves it unset: allowPrivilegeEscalation: false on every container
// and init container that is not privileged and adds no SYS_ADMIN (the
// apiserver refuses false with either), capabilities.drop [ALL] where no
// drop list is set (added capabilities still apply), and a pod-level
// seccompProfile RuntimeDefault where neither the pod nor any container
// sets one nor a seccomp annotation names one (the apiserver refuses a
// field that disagrees with the annotation). Windows pods, which may set
// none of these, are left alone. The first mutation does the containers
// (one securityContext written whole where it is absent, else its missing
// fields; CEL map literals hold one value type, so an absent
// securityContext is added in two patches), the second the pod.
func podSecurityMutations() []admissionregistrationv1.Mutation {
	containers := celPodSpecPatch(func(s, p, _ string) string {
		perField := func(field string) string {
			sc := `c.securityContext`
			base := p + ` + "/` + field + `/" + string(i) + "/securityContext"`
			canDenyEscalation := `!` + sc + `.?privileged.orValue(false) && !` + sc + `.?capabilities.?add.orValue([]).exists(a, a in ["SYS_ADMIN", "CAP_SYS_ADMIN"])`
			return s + `.?` + field + `.orValue([]).transformList(i, c, !has(c.securityContext) ? ` +
				`[JSONPatch{op: "add", path: ` + base + `, value: {"capabilities": {"drop": ["ALL"]}}}, ` +
				`JSONPatch{op: "add", path: ` + base + ` + "/allowPrivilegeEscalation", value: false}] : ` +
				`(!has(` + sc + `.allowPrivilegeEscalation) && ` + canDenyEscalation + ` ? ` +
				`[JSONPatch{op: "add", path: ` + base + ` + "/allowPrivilegeEscalation", value: false}] : []) + ` +
				`(!has(` + sc + `.capabilities) ? [JSONPatch{op: "add", path: ` + base + ` + "/capabilities", value: {"drop": ["ALL"]}}] : ` +
				`(!has(` + sc + `.capabilities.drop) ? [JSONPatch{op: "add", path: ` + base + ` + "/capabilities/drop", value: ["ALL"]}] : [])))` +
				`.flatten()`
		}
		return `` + s + `.?os.?name.orValue("") == "windows" ? [] : ` + perField("initContainers") + ` + ` + perField("containers")
	})
	pod := celPodSpecPatch(func(s, p, meta string) string {
		annotations := meta + `.?annotations.orValue({})`
		containerSets := `(` + s + `.?containers.orValue([]) + ` + s + `.?initContainers.orValue([]) + ` + s + `.?ephemeralContainers.orValue([]))` +
			`.exists(c, has(c.securityContext) && has(c.securityContext.seccompProfile))`
		return s + `.?os.?name.orValue("") == "windows" || ` + s + `.?securityContext.?seccompProfile.hasValue() || ` + containerSets + ` || ` +
			annotations + `.exists(k, k.startsWith("seccomp.security.alpha.kubernetes.io/") || k.startsWith("container.seccomp.security.alpha.kubernetes.io/")) ? [] : ` +
			`(!has(` + s + `.securityContext) ? [JSONPatch{op: "add", path: ` + p + ` + "/securityContext", value: {"seccompProfile": {"type": "RuntimeDefault"}}}] : ` +
			`[JSONPatch{op: "add", path: ` + p + ` + "/securityContext/seccompProfile", value: {"type": "RuntimeDefault"}}])`
	})
	return []admissionregistrationv1.Mutation{containers, pod}
}

// podSecurityTarget is the level a namespace's pods are evaluated at and
// how it was chosen.
type podSecurityTarget struct {
	lv   api.LevelVersion
	note string
}

func podSecurityTargetFor(ns *corev1.Namespace, name string, defaults api.Policy, minimum api.Level) podSecurityTarget {
	var labels map[string]string
	var t podSecurityTarget
	if ns != nil {
		labels = ns.Labels
	}
	pol, errs := api.PolicyToEvaluate(labels, defaults)
	t.lv = pol.Enforce
	switch {
	case len(errs) > 0:
		t.note = fmt.Sprintf("; namespace %q has invalid Pod Security labels (%s), evaluated as the apiserver does", name, errs.ToAggregate())
	case ns == nil:
		t.note = fmt.Sprintf("; namespace %q is not in the input: the policy default applies", name)
	case labels[api.EnforceLevelLabel] == "":
		t.note = fmt.Sprintf("; namespace %q sets no %s label: the policy default applies", name, api.EnforceLevelLabel)
	}
	if api.CompareLevels(t.lv.Level, minimum) < 0 {
		t.note = fmt.Sprintf("; namespace %q enforces %s, below the minimum %s", name, t.lv.Level, minimum)
		t.lv.Level = minimum
	}
	return t
}

// podSecurityPath maps a Pod Security forbidden reason to the field it
// judges, so that the findings of one object have distinct paths.
func podSecurityPath(specPath, reason, detail string) string {
	field := ""
	switch reason {
	case "privileged":
		field = "containers[*].securityContext.privileged"
	case "allowPrivilegeEscalation != false":
		field = "containers[*].securityContext.allowPrivilegeEscalation"
	case "unrestricted capabilities":
		field = "containers[*].securityContext.capabilities.drop"
	case "non-default capabilities":
		field = "containers[*].securityContext.capabilities.add"
	case "host namespaces":
		field = "hostNetwork"
		for _, f := range []string{"hostNetwork", "hostPID", "hostIPC"} {
			if strings.Contains(detail, f) {
				field = f
				break
			}
		}
	case "hostPath volumes":
		field = "volumes[*].hostPath"
	case "restricted volume types":
		field = "volumes[*]"
	case "hostPort":
		field = "containers[*].ports[*].hostPort"
	case "hostProcess":
		field = "securityContext.windowsOptions.hostProcess"
	case "probe or lifecycle host":
		field = "containers[*].livenessProbe.httpGet.host"
	case "procMount":
		field = "containers[*].securityContext.procMount"
	case "runAsNonRoot != true":
		field = "securityContext.runAsNonRoot"
	case "runAsUser=0":
		field = "securityContext.runAsUser"
	case "seLinuxOptions":
		field = "securityContext.seLinuxOptions"
	case "seccompProfile":
		field = "securityContext.seccompProfile"
	case "forbidden sysctls":
		field = "securityContext.sysctls"
	default:
		if strings.Contains(strings.ToLower(reason), "apparmor") {
			field = "securityContext.appArmorProfile"
		}
	}
	if field == "" {
		return specPath
	}
	return specPath + "." + field
}
