package governance_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/aigov/aigov/governance"
)

// privilegedCheck is a fake pod check over every pod template: each
// privileged container, with a message naming the object as the catalog's
// messages do (`Deployment "web": ...`).
func privilegedCheck() governance.Check {
	return governance.Check{
		ID: "privileged", Severity: governance.SeverityHigh,
		Object: func(o *governance.Object) []governance.Violation {
			var out []governance.Violation
			for _, t := range governance.PodTemplatesOf(o) {
				for i, c := range t.Spec.Containers {
					if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
						out = append(out, governance.Violation{
							Path:    fmt.Sprintf("%s.containers[%d].securityContext.privileged", t.Path, i),
							Message: fmt.Sprintf("%s %q: container %q is privileged", o.Kind(), o.Name(), c.Name),
						})
					}
				}
			}
			return out
		},
	}
}

const foldNamespace = `apiVersion: v1
kind: Namespace
metadata: {name: ml}
`

// foldDeployment is a Deployment "web" with a privileged container.
const foldDeployment = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ml, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx, securityContext: {privileged: true}}]
`

// foldPod is a Pod owned by kind/owner with the given containers.
func foldPod(name, ownerKind, owner, containers string) string {
	apiVersion := map[string]string{"ReplicaSet": "apps/v1", "Job": "batch/v1", "RayCluster": "ray.io/v1"}[ownerKind]
	refs := ""
	if owner != "" {
		refs = fmt.Sprintf(", ownerReferences: [{apiVersion: %s, kind: %s, name: %s, uid: u-%s, controller: true}]", apiVersion, ownerKind, owner, owner)
	}
	return fmt.Sprintf(`---
apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: ml, labels: {app: web}%s}
spec:
  containers: %s
`, name, refs, containers)
}

const (
	privApp     = `[{name: app, image: nginx, securityContext: {privileged: true}}]`
	privSidecar = `[{name: app, image: nginx, securityContext: {privileged: true}}, {name: mesh, image: proxy, securityContext: {privileged: true}}]`
	privOther   = `[{name: other, image: nginx, securityContext: {privileged: true}}]`
	unpriv      = `[{name: app, image: nginx}]`
)

// foldLine renders a finding as "Kind/name path affected example".
func foldLine(f governance.Finding) string {
	s := fmt.Sprintf("%s %s", f.Object, f.Path)
	if f.Affected > 0 || f.Example != (governance.ObjectRef{}) {
		s += fmt.Sprintf(" +%d %s", f.Affected, f.Example)
	}
	return s
}

func TestFoldOwnedFindings(t *testing.T) {
	replicaSet := func(name, containers string) string {
		return fmt.Sprintf(`---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: %s, namespace: ml, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u-web, controller: true}]}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: %s
`, name, containers)
	}
	cronJob := `---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ml}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: app, image: nginx, securityContext: {privileged: true}}]
`
	job := `---
apiVersion: batch/v1
kind: Job
metadata: {name: nightly-29000000, namespace: ml, ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: nightly, uid: u-n, controller: true}]}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: app, image: nginx, securityContext: {privileged: true}}]
`
	rayCluster := `---
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: rc, namespace: ml}
spec:
  headGroupSpec:
    template:
      spec:
        containers: [{name: ray-head, image: rayproject/ray}]
  workerGroupSpecs:
  - groupName: gpu
    replicas: 2
    template:
      spec:
        containers: [{name: ray-worker, image: rayproject/ray, securityContext: {privileged: true}}]
`
	rayPod := func(name, nodeType, group, containers string) string {
		return fmt.Sprintf(`---
apiVersion: v1
kind: Pod
metadata:
  name: %s
  namespace: ml
  labels: {ray.io/cluster: rc, ray.io/node-type: %s, ray.io/group: %s, ray.io/is-ray-node: "yes"}
  ownerReferences: [{apiVersion: ray.io/v1, kind: RayCluster, name: rc, uid: u-rc, controller: true}]
spec:
  containers: %s
`, name, nodeType, group, containers)
	}
	exempt := func(doc string) string {
		return strings.Replace(doc, "metadata: {name: web, namespace: ml,",
			`metadata: {name: web, namespace: ml, annotations: {aigov.dev/exempt: privileged, aigov.dev/exempt-reason: reviewed},`, 1)
	}
	exemptPod := func(doc string) string {
		return strings.Replace(doc, "labels: {app: web}",
			`labels: {app: web}, annotations: {aigov.dev/exempt: privileged, aigov.dev/exempt-reason: reviewed}`, 1)
	}
	cases := []struct {
		name  string
		input string
		want  []string
	}{
		{
			name: "pods of a listed ReplicaSet and the ReplicaSet fold into the Deployment",
			input: foldDeployment + replicaSet("web-5d8f", privApp) +
				foldPod("web-5d8f-b", "ReplicaSet", "web-5d8f", privApp) + foldPod("web-5d8f-a", "ReplicaSet", "web-5d8f", privApp),
			want: []string{"Deployment/web spec.template.spec.containers[0].securityContext.privileged +2 Pod/web-5d8f-a"},
		},
		{
			name:  "pods of a ReplicaSet not listed fold into its Deployment",
			input: foldDeployment + foldPod("web-5d8f-a", "ReplicaSet", "web-5d8f", privApp),
			want:  []string{"Deployment/web spec.template.spec.containers[0].securityContext.privileged +1 Pod/web-5d8f-a"},
		},
		{
			name:  "a ReplicaSet alone folds without pods to count",
			input: foldDeployment + replicaSet("web-5d8f", privApp),
			want:  []string{"Deployment/web spec.template.spec.containers[0].securityContext.privileged +0 ReplicaSet/web-5d8f"},
		},
		{
			name: "an injected container is drift: the pods keep one finding of their own",
			input: foldDeployment + foldPod("web-5d8f-b", "ReplicaSet", "web-5d8f", privSidecar) +
				foldPod("web-5d8f-a", "ReplicaSet", "web-5d8f", privSidecar) + foldPod("web-5d8f-c", "ReplicaSet", "web-5d8f", privSidecar),
			want: []string{
				"Deployment/web spec.template.spec.containers[0].securityContext.privileged +3 Pod/web-5d8f-a",
				"Pod/web-5d8f-a spec.containers[1].securityContext.privileged +2 Pod/web-5d8f-b",
			},
		},
		{
			name:  "a different container at the same index is drift",
			input: foldDeployment + foldPod("web-5d8f-a", "ReplicaSet", "web-5d8f", privOther),
			want: []string{
				"Deployment/web spec.template.spec.containers[0].securityContext.privileged",
				"Pod/web-5d8f-a spec.containers[0].securityContext.privileged",
			},
		},
		{
			name:  "a pod without the finding is not counted",
			input: foldDeployment + foldPod("web-5d8f-a", "ReplicaSet", "web-5d8f", unpriv) + foldPod("web-5d8f-b", "ReplicaSet", "web-5d8f", privApp),
			want:  []string{"Deployment/web spec.template.spec.containers[0].securityContext.privileged +1 Pod/web-5d8f-b"},
		},
		{
			name: "an older ReplicaSet that differs keeps its finding and its pods'",
			input: strings.Replace(foldDeployment, "securityContext: {privileged: true}", "securityContext: {privileged: false}", 1) +
				replicaSet("web-old", privApp) + foldPod("web-old-a", "ReplicaSet", "web-old", privApp),
			want: []string{"ReplicaSet/web-old spec.template.spec.containers[0].securityContext.privileged +1 Pod/web-old-a"},
		},
		{
			name:  "a standalone pod keeps its finding",
			input: foldPod("debug", "", "", privApp),
			want:  []string{"Pod/debug spec.containers[0].securityContext.privileged"},
		},
		{
			name:  "exempting the workload exempts its pods",
			input: exempt(foldDeployment) + foldPod("web-5d8f-a", "ReplicaSet", "web-5d8f", privApp),
		},
		{
			name: "an exempt pod is not counted",
			input: foldDeployment + exemptPod(foldPod("web-5d8f-a", "ReplicaSet", "web-5d8f", privApp)) +
				foldPod("web-5d8f-b", "ReplicaSet", "web-5d8f", privApp),
			want: []string{"Deployment/web spec.template.spec.containers[0].securityContext.privileged +1 Pod/web-5d8f-b"},
		},
		{
			name:  "a CronJob's Job and the Job's pod fold into the CronJob",
			input: cronJob + job + foldPod("nightly-29000000-x", "Job", "nightly-29000000", privApp),
			want:  []string{"CronJob/nightly spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged +1 Pod/nightly-29000000-x"},
		},
		{
			name: "a custom resource's pods fold into the template of their role",
			input: rayCluster + rayPod("rc-gpu-worker-a", "worker", "gpu", `[{name: ray-worker, image: rayproject/ray, securityContext: {privileged: true}}]`) +
				rayPod("rc-gpu-worker-b", "worker", "gpu", `[{name: ray-worker, image: rayproject/ray, securityContext: {privileged: true}}]`) +
				rayPod("rc-head", "head", "headgroup", `[{name: ray-head, image: rayproject/ray, securityContext: {privileged: true}}]`),
			want: []string{
				"Pod/rc-head spec.containers[0].securityContext.privileged",
				"RayCluster/rc spec.workerGroupSpecs[0].template.spec.containers[0].securityContext.privileged +2 Pod/rc-gpu-worker-a",
			},
		},
	}
	engine, err := governance.NewEngine(governance.Rule{Check: privilegedCheck()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv := loadString(t, "fold.yaml", foldNamespace+tc.input)
			var got []string
			for _, f := range engine.Run(inv) {
				got = append(got, foldLine(f))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestFoldOwnedScope: a rule whose scope leaves the pods out (an object
// selector they do not match) keeps the workload's finding without
// counting them; one that leaves the workload out drops its pods' too.
func TestFoldOwnedScope(t *testing.T) {
	input := foldNamespace + strings.Replace(foldDeployment, "labels: {app: web}}", "labels: {app: web, tier: gold}}", 1) +
		foldPod("web-5d8f-a", "ReplicaSet", "web-5d8f", privApp)
	for _, tc := range []struct {
		selector string
		want     string
	}{
		{"tier=gold", "Deployment/web spec.template.spec.containers[0].securityContext.privileged"},
		{"tier!=gold", ""},
		{"", "Deployment/web spec.template.spec.containers[0].securityContext.privileged +1 Pod/web-5d8f-a"},
	} {
		rule := governance.Rule{Check: privilegedCheck()}
		if tc.selector != "" {
			sel, err := labels.Parse(tc.selector)
			if err != nil {
				t.Fatal(err)
			}
			rule.Scope.ObjectSelector = sel
		}
		engine, err := governance.NewEngine(rule)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range engine.Run(loadString(t, "fold.yaml", input)) {
			got = append(got, foldLine(f))
		}
		if strings.Join(got, "\n") != tc.want {
			t.Errorf("selector %q: findings %q, want %q", tc.selector, got, tc.want)
		}
	}
}

// TestFindingFoldedJSON: affected and example are written only when
// something was folded, and read back.
func TestFindingFoldedJSON(t *testing.T) {
	plain := governance.Finding{Check: "c", Object: governance.ObjectRef{Kind: "Deployment", Namespace: "ml", Name: "web"}}
	b, err := json.Marshal(plain)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "affected") || strings.Contains(string(b), "example") {
		t.Errorf("a finding without folded pods writes %s", b)
	}
	folded := plain
	folded.Affected = 12
	folded.Example = governance.ObjectRef{Kind: "Pod", Namespace: "ml", Name: "web-5d8f-a"}
	b, err = json.Marshal(folded)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"affected":12,"example":"Pod/web-5d8f-a"`) {
		t.Errorf("folded finding writes %s", b)
	}
	var back governance.Finding
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Affected != 12 || back.Example.Kind != "Pod" || back.Example.Name != "web-5d8f-a" || back.Example.Namespace != "ml" {
		t.Errorf("read back %+v", back)
	}
	if back.Identity() != plain.Identity() {
		t.Error("folding changed the finding's identity")
	}
	for n, want := range map[int]string{0: "", 1: " (and 1 pod)", 12: " (and 12 pods)"} {
		if got := (governance.Finding{Affected: n}).FoldedText(); got != want {
			t.Errorf("FoldedText of %d = %q, want %q", n, got, want)
		}
	}
}
