package secrets

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/rbac"
)

// TestExposurePlatform checks the example platform's mistake 1: the
// cv-engineers group may read cv-team/wandb-api-key through the wildcard
// Role cv-admin; in fixed/ it may not.
func TestExposurePlatform(t *testing.T) {
	find := func(dir string) []string {
		inv := loadDir(t, dir)
		var out []string
		for _, e := range Exposure(inv, rbac.New(inv)) {
			if e.Namespace != "cv-team" || e.Name != "wandb-api-key" {
				continue
			}
			for _, a := range e.Access {
				out = append(out, a.Via+" "+a.SubjectString()+" "+strings.Join(a.Verbs, ","))
			}
		}
		return out
	}
	got := strings.Join(find("../examples/multitenant"), "\n")
	if !strings.Contains(got, "read Group/cv-engineers get,list,watch") {
		t.Errorf("cv-engineers cannot read wandb-api-key:\n%s", got)
	}
	if fixed := strings.Join(find("../examples/multitenant/fixed"), "\n"); strings.Contains(fixed, "read Group/cv-engineers") {
		t.Errorf("fixed: cv-engineers can read wandb-api-key:\n%s", fixed)
	}
}

// fakeAuthorizer answers every request with one subject.
type fakeAuthorizer struct{ allow func(rbac.Attributes) bool }

func (f fakeAuthorizer) WhoCan(a rbac.Attributes) []rbac.SubjectAccess {
	if !f.allow(a) {
		return nil
	}
	return []rbac.SubjectAccess{{Subject: rbacSubject("Group", "", "devs")}}
}

func TestExposureWaysToRead(t *testing.T) {
	inv := mustLoad(t, secretYAML("")+"---\n"+deploymentYAML("      containers: [{name: c, image: i, envFrom: [{secretRef: {name: s}}]}]\n"))
	authz := fakeAuthorizer{allow: func(a rbac.Attributes) bool {
		return a.Resource == "pods" // create pods and exec, not read
	}}
	es := Exposure(inv, authz)
	if len(es) != 1 {
		t.Fatalf("%d exposures", len(es))
	}
	var got []string
	for _, a := range es[0].Access {
		got = append(got, a.Via+" "+a.Workload)
	}
	if strings.Join(got, ",") != "create-pods ,exec Deployment/d" || strings.Join(es[0].UsedBy, ",") != "Deployment/d" {
		t.Errorf("access %q, used by %q", got, es[0].UsedBy)
	}
}

// exposureLines renders the accesses of Secret ns/name as
// "via subject [resources] [workload] [pods] [as target through]".
func exposureLines(es []SecretExposure, ns, name string) []string {
	var out []string
	for _, e := range es {
		if e.Namespace != ns || e.Name != name {
			continue
		}
		for _, a := range e.Access {
			if a.Superuser {
				continue
			}
			line := a.Via + " " + a.SubjectString()
			if len(a.Resources) > 0 {
				line += " " + strings.Join(a.Resources, ",")
			}
			if a.Workload != "" {
				line += " " + a.Workload
			}
			if len(a.Pods) > 0 {
				line += " pods=" + strings.Join(a.Pods, ",")
			}
			if a.Impersonates != nil {
				line += " as " + subjectString(*a.Impersonates) + " through=" + strings.Join(a.Through, ",")
			}
			out = append(out, line)
		}
	}
	return out
}

func roleYAML(name, ns, rules, subjects string) string {
	kind, bkind, nsLine := "Role", "RoleBinding", "  namespace: "+ns+"\n"
	if ns == "" {
		kind, bkind, nsLine = "ClusterRole", "ClusterRoleBinding", ""
	}
	return "apiVersion: rbac.authorization.k8s.io/v1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n" + nsLine + "rules:\n" + rules +
		"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " + bkind + "\nmetadata:\n  name: " + name + "\n" + nsLine +
		"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: " + kind + ", name: " + name + "}\nsubjects:\n" + subjects + "---\n"
}

func TestExposureControllersImpersonationExecByName(t *testing.T) {
	docs := secretYAML("") + "---\n" +
		// create Jobs only: mounts the Secret through a controller.
		roleYAML("launcher", "ml", "- {apiGroups: [batch], resources: [jobs], verbs: [create]}\n",
			"- {kind: ServiceAccount, name: launcher, namespace: ml}\n") +
		// create Deployments in another namespace: no access here.
		roleYAML("other", "web", "- {apiGroups: [apps], resources: [deployments], verbs: [create]}\n",
			"- {kind: User, name: eve, apiGroup: rbac.authorization.k8s.io}\n") +
		// alice reads the Secret; bob may impersonate alice; carl may mint
		// a token for the launcher SA; dora may impersonate only mallory.
		roleYAML("reader", "ml", "- {apiGroups: [\"\"], resources: [secrets], resourceNames: [s], verbs: [get]}\n",
			"- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n") +
		roleYAML("imp-alice", "", "- {apiGroups: [\"\"], resources: [users], resourceNames: [alice], verbs: [impersonate]}\n",
			"- {kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}\n") +
		roleYAML("imp-mallory", "", "- {apiGroups: [\"\"], resources: [users], resourceNames: [mallory], verbs: [impersonate]}\n",
			"- {kind: User, name: dora, apiGroup: rbac.authorization.k8s.io}\n") +
		roleYAML("token", "ml", "- {apiGroups: [\"\"], resources: [serviceaccounts/token], resourceNames: [launcher], verbs: [create]}\n",
			"- {kind: User, name: carl, apiGroup: rbac.authorization.k8s.io}\n") +
		// exec limited by pod name: p (a Pod), st-1 (a StatefulSet's second
		// pod), d-7c9f-x2x (a Deployment's pod read from a cluster), and
		// nothing for a name no pod has.
		roleYAML("exec", "ml", "- {apiGroups: [\"\"], resources: [pods/exec], resourceNames: [p, st-1, d-7c9f-x2x, gone], verbs: [create]}\n",
			"- {kind: User, name: olga, apiGroup: rbac.authorization.k8s.io}\n") +
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml}\nspec: {containers: [{name: c, image: i, envFrom: [{secretRef: {name: s}}]}]}\n---\n" +
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: st, namespace: ml}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: st}}\n" +
		"  template:\n    metadata: {labels: {app: st}}\n    spec: {volumes: [{name: v, secret: {secretName: s}}], containers: [{name: c, image: i, volumeMounts: [{name: v, mountPath: /s}]}]}\n---\n" +
		deploymentYAML("      containers: [{name: c, image: i, env: [{name: K, valueFrom: {secretKeyRef: {name: s, key: k}}}]}]\n") + "---\n" +
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: d-7c9f-x2x\n  namespace: ml\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: d-7c9f, uid: u, controller: true}]\n" +
		"spec: {containers: [{name: c, image: i, env: [{name: K, valueFrom: {secretKeyRef: {name: s, key: k}}}]}]}\n"
	inv := mustLoad(t, docs)
	es := Exposure(inv, rbac.New(inv))
	got := exposureLines(es, "ml", "s")
	want := []string{
		"read User/alice",
		"create-workloads ServiceAccount/ml/launcher jobs.batch",
		"exec User/olga Deployment/d pods=d-7c9f-x2x",
		"exec User/olga Pod/p pods=p",
		"exec User/olga StatefulSet/st pods=st-1",
		"impersonate User/bob as User/alice through=read",
		"mint-token User/carl as ServiceAccount/ml/launcher through=create-workloads",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, w := range []string{"Deployment/d", "Pod/p", "StatefulSet/st"} {
		if !slices.Contains(es[0].UsedBy, w) {
			t.Errorf("used by %q, want %s among them", es[0].UsedBy, w)
		}
	}
	for _, e := range es {
		for _, a := range e.Access {
			if a.Via == ViaImpersonate && len(a.Grants) < 2 {
				t.Errorf("impersonation without its grant chain: %+v", a)
			}
		}
	}
}

// TestExposurePlatformJobLauncher: the notebook's ServiceAccount may create
// Jobs in cv-team (Role job-launcher), so it can mount wandb-api-key.
func TestExposurePlatformJobLauncher(t *testing.T) {
	inv := loadDir(t, "../examples/multitenant")
	got := strings.Join(exposureLines(Exposure(inv, rbac.New(inv)), "cv-team", "wandb-api-key"), "\n")
	if !strings.Contains(got, "create-workloads ServiceAccount/cv-team/cv-notebook jobs.batch") {
		t.Errorf("job-launcher not counted:\n%s", got)
	}
}

// TestProviderKeysOutsideTeam: on the example platform, cv-team's
// wandb-api-key is readable by platform-admins (create-workloads) from
// outside team cv, and its own team's subjects are left out; an allowed
// subject and an explicit team member are inside.
func TestProviderKeysOutsideTeam(t *testing.T) {
	inv := loadDir(t, "../examples/multitenant")
	es := Exposure(inv, rbac.New(inv))
	render := func(ps []ProviderKeyExposure) map[string][]string {
		out := map[string][]string{}
		for _, p := range ps {
			k := p.Namespace + "/" + p.Name + " " + p.Provider + " team=" + p.Team
			for _, a := range p.Outside {
				out[k] = append(out[k], a.Via+" "+a.SubjectString())
			}
		}
		return out
	}
	got := render(ProviderKeysOutsideTeam(inv, es, TeamPolicy{}))
	cv := got["cv-team/wandb-api-key wandb team=cv"]
	if !slices.Contains(cv, "create-workloads Group/platform-admins") {
		t.Errorf("cv-team/wandb-api-key outside accesses %q (all: %v)", cv, got)
	}
	for _, line := range cv {
		if strings.Contains(line, "cv-engineers") || strings.Contains(line, "cv-team/cv-notebook") || strings.Contains(line, "system:masters") {
			t.Errorf("inside subject reported outside: %s", line)
		}
	}
	got = render(ProviderKeysOutsideTeam(inv, es, TeamPolicy{
		AllowedSubjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, Name: "platform-admins"}},
	}))
	for k, lines := range got {
		for _, line := range lines {
			if strings.Contains(line, "platform-admins") {
				t.Errorf("%s: allowed subject reported: %s", k, line)
			}
		}
	}
	// With platform-admins declared a member of team cv, it is inside.
	got = render(ProviderKeysOutsideTeam(inv, es, TeamPolicy{
		TeamMembers: map[string][]rbacv1.Subject{"cv": {{Kind: rbacv1.GroupKind, Name: "platform-admins"}}},
	}))
	if slices.Contains(got["cv-team/wandb-api-key wandb team=cv"], "create-workloads Group/platform-admins") {
		t.Errorf("explicit member reported outside: %v", got)
	}
	if ProviderKeysOutsideTeam(inv, nil, TeamPolicy{}) != nil {
		t.Error("no exposures, some result")
	}
}

// TestExposureUpdateWorkloads: changing the pod template of an existing
// controller mounts the Secret as creating one would. Who may update
// every Deployment is listed once per verb; a grant that names one
// controller is listed with it; Jobs (immutable template) and namespaces
// without controllers give no such access.
func TestExposureUpdateWorkloads(t *testing.T) {
	docs := secretYAML("") + "---\n" +
		deploymentYAML("      containers: [{name: c, image: i}]\n") + "---\n" +
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: ml}\nspec:\n  template:\n    spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n---\n" +
		"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj, namespace: ml}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n---\n" +
		roleYAML("editor", "ml", "- {apiGroups: [apps], resources: [deployments], verbs: [update, patch]}\n",
			"- {kind: User, name: ed, apiGroup: rbac.authorization.k8s.io}\n") +
		roleYAML("one-cronjob", "ml", "- {apiGroups: [batch], resources: [cronjobs], resourceNames: [cj, other], verbs: [patch]}\n",
			"- {kind: User, name: pat, apiGroup: rbac.authorization.k8s.io}\n") +
		roleYAML("jobs", "ml", "- {apiGroups: [batch], resources: [jobs], verbs: [update, patch]}\n",
			"- {kind: User, name: jo, apiGroup: rbac.authorization.k8s.io}\n") +
		roleYAML("elsewhere", "web", "- {apiGroups: [apps], resources: [deployments], verbs: [update]}\n",
			"- {kind: User, name: wes, apiGroup: rbac.authorization.k8s.io}\n")
	inv := mustLoad(t, docs)
	es := Exposure(inv, rbac.New(inv))
	got := exposureLines(es, "ml", "s")
	want := []string{
		"update-workloads User/ed deployments.apps",
		"update-workloads User/pat cronjobs.batch CronJob/cj",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, a := range es[0].Access {
		if a.Subject.Name == "ed" && !slices.Equal(a.Verbs, []string{"update", "patch"}) {
			t.Errorf("ed's verbs %v, want update and patch", a.Verbs)
		}
	}
	// Without controllers in the namespace, the same grants open nothing.
	bare := mustLoad(t, secretYAML("")+"---\n"+roleYAML("editor", "ml", "- {apiGroups: [apps], resources: [deployments], verbs: [update]}\n",
		"- {kind: User, name: ed, apiGroup: rbac.authorization.k8s.io}\n"))
	if got := exposureLines(Exposure(bare, rbac.New(bare)), "ml", "s"); len(got) != 0 {
		t.Errorf("no controllers, got %q", got)
	}
}

// TestExposureImpersonationOnlyForIndirectReaders: impersonation is listed
// for subjects with no way of their own; one that reads the Secret anyway
// gets no entry per subject it could also act as.
func TestExposureImpersonationOnlyForIndirectReaders(t *testing.T) {
	docs := secretYAML("") + "---\n" +
		roleYAML("reader", "ml", "- {apiGroups: [\"\"], resources: [secrets], verbs: [get]}\n",
			"- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n- {kind: User, name: root, apiGroup: rbac.authorization.k8s.io}\n") +
		roleYAML("imp", "", "- {apiGroups: [\"\"], resources: [users], verbs: [impersonate]}\n",
			"- {kind: User, name: root, apiGroup: rbac.authorization.k8s.io}\n- {kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}\n")
	inv := mustLoad(t, docs)
	got := exposureLines(Exposure(inv, rbac.New(inv)), "ml", "s")
	want := []string{
		"read User/alice",
		"read User/root",
		"impersonate User/bob as User/alice through=read",
		"impersonate User/bob as User/root through=read",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
