package cel

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// kindsProof is one MutatingAdmissionPolicy of the catalog proven on every
// built-in workload kind its rules match: a non-compliant and a compliant
// fixture per kind, each generated from one pod spec by wrap.
type kindsProof struct {
	name     string // the GovernancePolicy name of the run (distinct per proof)
	entry    governance.PolicyEntry
	nsLabels map[string]string
	// labels are the fixtures' own labels (nil: none).
	labels map[string]any
	// nonCompliant is the pod spec (YAML) the mutation changes; fix writes
	// in a manifest what the mutation should write.
	nonCompliant string
	fix          func(obj map[string]any)
	// changed lists, for a kind, the JSON pointers at which the mutated
	// object differs from the unmutated manifest's object (podSpec stands
	// for the kind's pod spec pointer): nothing else may change.
	changed func(kind string) []string
	// compliant is a pod spec (YAML) the mutation leaves alone.
	compliant string
	// compliantLabels, when set, replace labels in the compliant fixtures.
	compliantLabels map[string]any
	// untouched lists the kinds the mutation must leave alone even when
	// non-compliant (the entry's validating policy and Go check deny them).
	untouched []string
	// extra are further cases, after the generated ones.
	extra func(t *testing.T) []defaultCase
}

// podSpecPointer is the JSON pointer of the pod spec of a built-in
// workload kind.
func podSpecPointer(kind string) string {
	switch kind {
	case "Pod":
		return "/spec"
	case "CronJob":
		return "/spec/jobTemplate/spec/template/spec"
	}
	return "/spec/template/spec"
}

// inPodSpec returns changed lists of paths under the pod spec.
func inPodSpec(paths ...string) func(string) []string {
	return func(kind string) []string {
		var out []string
		for _, p := range paths {
			out = append(out, podSpecPointer(kind)+p)
		}
		return out
	}
}

// restrictedSpec passes the restricted Pod Security profile (and every
// check of the proofs but the one each breaks); its container says
// runAsNonRoot itself, so that a ServingRuntime (which holds only the
// containers) complies too.
const restrictedSpec = `
automountServiceAccountToken: false
securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
initContainers: [{name: init, image: registry.example/init:1, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]
containers: [{name: app, image: registry.example/app:1, securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]
`

func catalogKindsProofs() []kindsProof {
	secured := func(c map[string]any) {
		sc, _ := c["securityContext"].(map[string]any)
		if sc == nil {
			sc = map[string]any{}
			c["securityContext"] = sc
		}
		sc["allowPrivilegeEscalation"] = false
		sc["capabilities"] = map[string]any{"drop": []any{"ALL"}}
	}
	return []kindsProof{
		{
			name: "mka", entry: governance.PolicyEntry{ID: "automount-token"},
			nonCompliant: "containers: [{name: app, image: registry.example/app:1}]",
			fix:          func(obj map[string]any) { podSpecAt(obj)["automountServiceAccountToken"] = false },
			// On a Pod the ServiceAccount plugin then injects no token
			// volume (its mount neither).
			changed: func(kind string) []string {
				p := podSpecPointer(kind)
				if kind == "Pod" {
					return []string{p + "/automountServiceAccountToken", p + "/containers/0/volumeMounts", p + "/volumes"}
				}
				return []string{p + "/automountServiceAccountToken"}
			},
			compliant: restrictedSpec,
			extra:     func(t *testing.T) []defaultCase { return []defaultCase{jobLabelsQuirk(t)} },
		},
		{
			name: "mkp", entry: governance.PolicyEntry{ID: "pod-security-level", Params: json.RawMessage(`{"level": "restricted"}`)},
			// runAsNonRoot is set: it is no safe default of this check.
			nonCompliant: `
securityContext: {runAsNonRoot: true}
initContainers: [{name: init, image: registry.example/init:1}]
containers: [{name: app, image: registry.example/app:1, securityContext: {runAsUser: 1000}}]
`,
			fix: func(obj map[string]any) {
				s := podSpecAt(obj)
				s["securityContext"].(map[string]any)["seccompProfile"] = map[string]any{"type": "RuntimeDefault"}
				secured(s["initContainers"].([]any)[0].(map[string]any))
				secured(s["containers"].([]any)[0].(map[string]any))
			},
			changed: inPodSpec("/containers/0/securityContext/allowPrivilegeEscalation", "/containers/0/securityContext/capabilities",
				"/initContainers/0/securityContext", "/securityContext/seccompProfile"),
			compliant: restrictedSpec,
		},
		{
			name: "mkr", entry: governance.PolicyEntry{ID: "run-as-non-root"},
			nonCompliant: "securityContext: {runAsUser: 1000}\ncontainers: [{name: app, image: registry.example/app:1}]",
			fix:          func(obj map[string]any) { podSpecAt(obj)["securityContext"].(map[string]any)["runAsNonRoot"] = true },
			changed:      inPodSpec("/securityContext/runAsNonRoot"),
			compliant:    restrictedSpec,
		},
		{
			// Images the platform lists as non-root count as a known user.
			name: "mkri", entry: runAsNonRootImagesEntry,
			nonCompliant: "containers: [{name: app, image: registry.example/nonroot/server:1}]",
			fix:          func(obj map[string]any) { podSpecAt(obj)["securityContext"] = map[string]any{"runAsNonRoot": true} },
			// The apiserver defaults a pod spec's securityContext to {}.
			changed:   inPodSpec("/securityContext/runAsNonRoot"),
			compliant: restrictedSpec,
		},
		{
			name: "mkg", entry: governance.PolicyEntry{ID: "gpu-node-targeting"},
			nonCompliant: `containers: [{name: train, image: registry.example/train:1, resources: {limits: {nvidia.com/gpu: "1"}}}]`,
			fix: func(obj map[string]any) {
				podSpecAt(obj)["tolerations"] = []any{map[string]any{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}}
			},
			changed: inPodSpec("/tolerations"),
			compliant: `
containers: [{name: train, image: registry.example/train:1, resources: {limits: {nvidia.com/gpu: "1"}}}]
tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
`,
		},
		{
			name: "mkl", entry: governance.PolicyEntry{ID: "required-labels", Params: json.RawMessage(`{"labels": [{"key": "team", "allowedRegex": "[a-z]+"}]}`)},
			nsLabels:     map[string]string{"team": "nlp"},
			nonCompliant: "containers: [{name: app, image: registry.example/app:1}]",
			fix:          func(obj map[string]any) { setLabel(obj, "team", "nlp") },
			changed:      func(string) []string { return []string{"/metadata/labels/team"} },
			compliant:    "containers: [{name: app, image: registry.example/app:1}]", compliantLabels: map[string]any{"team": "vision", "tier": "web"},
			// A label on a Pod can make a Service or NetworkPolicy select
			// it: not a safe default.
			untouched: []string{"Pod"},
		},
	}
}

// TestMutatingAPIServerCatalogKinds proves, on the testenv apiserver, every
// MutatingAdmissionPolicy the catalog ships over built-in kinds on each
// built-in workload kind (Pod, ReplicationController, Deployment,
// ReplicaSet, StatefulSet, DaemonSet, Job, CronJob), with runDefaults: the
// non-compliant fixture is mutated into one that passes the entry's
// ValidatingAdmissionPolicy (when the check has one) and its Go check,
// equal to the object of the manifest written compliant and differing
// from the unmutated one at exactly the expected paths; created again it
// is unchanged; the compliant fixture is left alone.
func TestMutatingAPIServerCatalogKinds(t *testing.T) {
	for _, p := range catalogKindsProofs() {
		name := p.entry.ID
		if p.entry.ID == runAsNonRootImagesEntry.ID && len(p.entry.Params) > 0 {
			name += " nonRootImages"
		}
		t.Run(name, func(t *testing.T) {
			labels := map[string]any{"tier": "web"}
			if p.labels != nil {
				labels = p.labels
			}
			compliantLabels := labels
			if p.compliantLabels != nil {
				compliantLabels = p.compliantLabels
			}
			nonCompliant := workloadManifests(t, p.nonCompliant, labels)
			compliant := workloadManifests(t, p.compliant, compliantLabels)
			// The mutated kinds first: the first case tells when the
			// policies are in effect.
			kinds := slices.Clone(workloadKinds)
			slices.SortStableFunc(kinds, func(a, b string) int {
				return boolOrder(slices.Contains(p.untouched, a)) - boolOrder(slices.Contains(p.untouched, b))
			})
			var cases []defaultCase
			for _, kind := range kinds {
				if slices.Contains(p.untouched, kind) {
					cases = append(cases, defaultCase{name: kind + " non-compliant left alone", manifest: nonCompliant[kind], denied: true})
				} else {
					cases = append(cases, defaultCase{name: kind + " mutated", manifest: nonCompliant[kind], fix: p.fix, changed: p.changed(kind)})
				}
				cases = append(cases, defaultCase{name: kind + " compliant untouched", manifest: compliant[kind], changed: []string{}})
			}
			if p.extra != nil {
				cases = append(cases, p.extra(t)...)
			}
			runDefaults(t, defaultsRun{policy: p.name, entry: p.entry, nsLabels: p.nsLabels, cases: cases})
		})
	}
}

// jobLabelsQuirk pins the one effect of a mutating policy on a Job
// without labels of its own. The apiserver's defaulting makes such a Job's
// labels the very map of its template's labels, so the controller-uid and
// job-name labels the Job strategy adds to the template after admission
// reach the Job's labels too. Any patch by a mutating policy (or webhook)
// decodes the object again, into two maps: the Job keeps the template's
// labels as they were at admission, without those four labels (its
// selector and template keep them). The policy cannot add them (the uid
// is not set yet); nothing selects Jobs by them.
func jobLabelsQuirk(t *testing.T) defaultCase {
	m := wrap("Job", "job-bare", mustYAML(t, "containers: [{name: app, image: registry.example/app:1}]"), nil)
	labels := "/metadata/labels/"
	return defaultCase{name: "Job without labels of its own", manifest: m,
		fix: func(obj map[string]any) {
			podSpecAt(obj)["automountServiceAccountToken"] = false
			setLabel(obj, "app", "job-bare") // the template's labels
		},
		changed: []string{podSpecPointer("Job") + "/automountServiceAccountToken",
			labels + "batch.kubernetes.io~1controller-uid", labels + "batch.kubernetes.io~1job-name", labels + "controller-uid", labels + "job-name"},
	}
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// changedPaths lists the JSON pointers at which two decoded JSON values
// differ: a key on one side only, a scalar that differs, a list whose
// length differs (the list itself), sorted.
func changedPaths(a, b any) []string {
	var out []string
	var walk func(path string, a, b any)
	walk = func(path string, a, b any) {
		am, aMap := a.(map[string]any)
		bm, bMap := b.(map[string]any)
		if aMap && bMap {
			for k, av := range am {
				key := path + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
				if bv, ok := bm[k]; ok {
					walk(key, av, bv)
				} else {
					out = append(out, key)
				}
			}
			for k := range bm {
				if _, ok := am[k]; !ok {
					out = append(out, path+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"))
				}
			}
			return
		}
		al, aList := a.([]any)
		bl, bList := b.([]any)
		if aList && bList && len(al) == len(bl) {
			for i := range al {
				walk(fmt.Sprintf("%s/%d", path, i), al[i], bl[i])
			}
			return
		}
		ad, _ := json.Marshal(a)
		bd, _ := json.Marshal(b)
		if string(ad) != string(bd) {
			out = append(out, path)
		}
	}
	walk("", a, b)
	slices.Sort(out)
	return out
}

func TestChangedPaths(t *testing.T) {
	var a, b any
	_ = json.Unmarshal([]byte(`{"metadata": {"labels": {"a/b": "1", "c": "2"}}, "spec": {"list": [1, {"x": 1}], "short": [1], "same": true}}`), &a)
	_ = json.Unmarshal([]byte(`{"metadata": {"labels": {"c": "3", "d": "4"}}, "spec": {"list": [1, {"x": 2, "y": 3}], "short": [1, 2], "same": true}, "status": {}}`), &b)
	got := changedPaths(a, b)
	want := []string{"/metadata/labels/a~1b", "/metadata/labels/c", "/metadata/labels/d", "/spec/list/1/x", "/spec/list/1/y", "/spec/short", "/status"}
	if !slices.Equal(got, want) {
		t.Errorf("changedPaths = %q, want %q", got, want)
	}
	if got := changedPaths(a, a); len(got) != 0 {
		t.Errorf("changedPaths of a value with itself = %q", got)
	}
}
