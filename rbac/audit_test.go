package rbac_test

import (
	"errors"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/rbac"
)

func TestReadAuditLog(t *testing.T) {
	log, err := rbac.ReadAuditLogs("testdata/audit/usage.log")
	if err != nil {
		t.Fatal(err)
	}
	if log.Events != 11 {
		t.Errorf("events = %d, want 11 (the blank line is skipped)", log.Events)
	}
	var got []string
	for _, o := range log.Requests {
		got = append(got, o.Identity.User+" "+o.Attributes.String())
		if o.Attributes.Resource == "secrets" && o.Count != 2 {
			t.Errorf("secret get counted %d times, want 2 (RequestReceived is not a request)", o.Count)
		}
	}
	want := []string{
		`alice get pods/log "x" in namespace "llm"`,                          // the impersonated user
		`system:serviceaccount:llm:inference create pods in namespace "llm"`, // create carries no name
		`system:serviceaccount:llm:inference get namespaces "llm" in namespace "llm"`,
		`system:serviceaccount:llm:inference get secrets "openai-key" in namespace "llm"`,
		`system:serviceaccount:llm:inference list configmaps in namespace "llm"`,
		`system:serviceaccount:llm:inference list inferenceservices.serving.kserve.io in namespace "llm"`,
		`system:serviceaccount:llm:inference watch configmaps in namespace "llm"`,
		`system:serviceaccount:monitoring:dcgm-exporter get /metrics`,
		`system:serviceaccount:monitoring:dcgm-exporter get nodes/proxy "gpu-1" cluster-wide`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if log.From.Day() != 1 || log.To.Day() != 2 {
		t.Errorf("window %v – %v", log.From, log.To)
	}
}

func TestReadAuditLogErrors(t *testing.T) {
	cases := map[string]string{
		"{not json\n":              "bad.log:1: not an audit event",
		"\n\n[1,2]\n":              "bad.log:3: not an audit event",
		`{"kind":"Policy"}` + "\n": `bad.log:1: kind "Policy", want Event`,
		`{"apiVersion":"audit.k8s.io/v1beta1","kind":"Event"}`:                   `bad.log:1: apiVersion "audit.k8s.io/v1beta1"`,
		`{"kind":"Event","verb":"get","user":{"username":"u"},"requestURI":"x"}`: `bad.log:1: non-resource event with request URI "x"`,
		`{"kind":"Event","user":{"username":"u"}}`:                               "bad.log:1: event has no verb",
		`{"kind":"Event","verb":"get","requestURI":"/x"}`:                        "bad.log:1: event has no user",
	}
	for in, want := range cases {
		_, err := rbac.ReadAuditLog(strings.NewReader(in), "bad.log")
		var ae *rbac.AuditError
		if !errors.As(err, &ae) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want prefix %q", in, err, want)
		}
	}
	_, err := rbac.ReadAuditLogs("testdata/audit/bad.log")
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/audit/bad.log:2: ") {
		t.Errorf("file error = %v", err)
	}
	long := strings.Repeat("x", rbac.MaxAuditLineBytes+10)
	if _, err := rbac.ReadAuditLog(strings.NewReader("\n"+long), "big.log"); err == nil || !strings.Contains(err.Error(), "big.log:2: line longer") {
		t.Errorf("long line: %v", err)
	}
}

func TestUnused(t *testing.T) {
	g := rbac.New(load(t, "testdata/platform.yaml"))
	log, err := rbac.ReadAuditLogs("testdata/audit/usage.log")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, u := range g.Unused(log) {
		k := u.Binding.String() + " " + u.Subject.Kind + "/" + u.Subject.Name + " " + string(rune('0'+u.RuleIndex))
		got[k] = strings.Join(u.UnusedVerbs, ",")
		if u.Used != (len(u.UnusedVerbs)+len(u.UnusedNames) > 0) {
			t.Errorf("%s: used %v with unused verbs %v", k, u.Used, u.UnusedVerbs)
		}
	}
	want := map[string]string{
		// The inference SA used get on its secret (rule 0) and list+watch
		// of configmaps (rule 1): get is the unused verb of rule 1.
		"RoleBinding/llm/inference ServiceAccount/inference 1": "get",
		// ml-team's rules: alice read a pod log (rule 0, via the group).
		"RoleBinding/llm/ml-team Group/ml-team 0": "list,create,delete",
		"RoleBinding/llm/ml-team Group/ml-team 1": "",
		"RoleBinding/llm/ml-team Group/ml-team 2": "",
		// dcgm used both of its rules (get nodes/proxy, get /metrics*):
		// not listed.
	}
	for k, v := range want {
		gv, ok := got[k]
		if !ok || gv != v {
			t.Errorf("%s: got %q (listed %v), want %q", k, gv, ok, v)
		}
	}
	if _, ok := got["ClusterRoleBinding/gpu-monitor ServiceAccount/dcgm-exporter 0"]; ok {
		t.Error("dcgm's nodes/proxy grant was used")
	}
	if _, ok := got["RoleBinding/llm/inference ServiceAccount/inference 0"]; ok {
		t.Error("the secret grant was used")
	}
	// The aggregated view role through system:authenticated was exercised
	// by the inference SA's list of inferenceservices (only list).
	if v := got["RoleBinding/llm/viewers Group/system:authenticated 0"]; v != "get,watch" {
		t.Errorf("view via system:authenticated: unused verbs %q, want get,watch", v)
	}
}

// TestGenerateAllowsExactlyObserved: the generated roles, loaded into the
// analyzer, allow every observed request of the subject and deny its near
// misses (other verbs, names, namespaces, resources, URLs).
func TestGenerateAllowsExactlyObserved(t *testing.T) {
	log, err := rbac.ReadAuditLogs("testdata/audit/usage.log")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		subject rbacv1.Subject
		id      rbac.Identity
	}{
		{rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "llm", Name: "inference"}, rbac.ServiceAccount("llm", "inference")},
		{rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "monitoring", Name: "dcgm-exporter"}, rbac.ServiceAccount("monitoring", "dcgm-exporter")},
		{rbacv1.Subject{Kind: rbacv1.UserKind, Name: "alice"}, rbac.Impersonate("alice")},
	} {
		t.Run(c.id.User, func(t *testing.T) {
			lp, err := rbac.Generate(log, c.subject, "")
			if err != nil {
				t.Fatal(err)
			}
			g := generatedGraph(t, lp)
			var observed []rbac.Attributes
			for _, o := range log.Requests {
				if o.Identity.User == c.id.User {
					observed = append(observed, o.Attributes)
					if d := g.Can(c.id, o.Attributes); !d.Allowed {
						t.Errorf("generated RBAC denies observed %s", o.Attributes)
					}
				}
			}
			for _, a := range observed {
				for _, miss := range nearMisses(a) {
					if contains(observed, miss) {
						continue
					}
					if d := g.Can(c.id, miss); d.Allowed {
						t.Errorf("generated RBAC allows unobserved %s (%s)", miss, d.Reason)
					}
				}
			}
			// Another identity gets nothing.
			if d := g.Can(rbac.Impersonate("mallory"), observed[0]); d.Allowed {
				t.Errorf("generated RBAC allows someone else")
			}
		})
	}
}

func TestGenerateShape(t *testing.T) {
	log, err := rbac.ReadAuditLogs("testdata/audit/usage.log")
	if err != nil {
		t.Fatal(err)
	}
	lp, err := rbac.Generate(log, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "llm", Name: "inference"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if lp.ClusterRole != nil || len(lp.Roles) != 1 || lp.Roles[0].Namespace != "llm" {
		t.Fatalf("want one namespaced Role in llm, got %+v", lp)
	}
	var rules []string
	for _, r := range lp.Roles[0].Rules {
		rules = append(rules, rbac.RuleString(r))
	}
	want := []string{
		`verbs=[create] apiGroups=[""] resources=[pods]`,
		`verbs=[get] apiGroups=[""] resources=[namespaces] resourceNames=[llm]`,
		`verbs=[get] apiGroups=[""] resources=[secrets] resourceNames=[openai-key]`,
		`verbs=[list watch] apiGroups=[""] resources=[configmaps]`,
		`verbs=[list] apiGroups=[serving.kserve.io] resources=[inferenceservices]`,
	}
	if strings.Join(rules, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(rules, "\n"), strings.Join(want, "\n"))
	}
	if _, err := rbac.Generate(log, rbacv1.Subject{Kind: rbacv1.UserKind, Name: "nobody"}, ""); err == nil {
		t.Error("a subject without requests is an error")
	}
}

// TestGenerateCompaction: verbs, resources and groups merge only where
// every combination was observed.
func TestGenerateCompaction(t *testing.T) {
	u := rbac.Impersonate("u")
	var reqs []rbac.Observed
	add := func(a rbac.Attributes) { reqs = append(reqs, rbac.Observed{Identity: u, Attributes: a, Count: 1}) }
	for _, res := range []string{"pods", "configmaps"} {
		for _, v := range []string{"get", "list"} {
			add(rbac.Attributes{Verb: v, Namespace: "a", Resource: res})
		}
	}
	add(rbac.Attributes{Verb: "get", Namespace: "a", Resource: "services"}) // get only
	add(rbac.Attributes{Verb: "get", Namespace: "a", APIGroup: "apps", Resource: "services"})
	add(rbac.Attributes{Verb: "get", Path: "/healthz"})
	add(rbac.Attributes{Verb: "get", Path: "/version"})
	add(rbac.Attributes{Verb: "post", Path: "/version"})
	add(rbac.Attributes{Verb: "list", Resource: "nodes"})
	lp, err := rbac.Generate(&rbac.AuditLog{Requests: reqs}, rbacv1.Subject{Kind: rbacv1.UserKind, Name: "u"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range lp.ClusterRole.Rules {
		got = append(got, "cluster "+rbac.RuleString(r))
	}
	for _, r := range lp.Roles[0].Rules {
		got = append(got, lp.Roles[0].Namespace+" "+rbac.RuleString(r))
	}
	want := []string{
		"cluster verbs=[get post] nonResourceURLs=[/version]",
		"cluster verbs=[get] nonResourceURLs=[/healthz]",
		`cluster verbs=[list] apiGroups=[""] resources=[nodes]`,
		`a verbs=[get list] apiGroups=[""] resources=[configmaps pods]`,
		`a verbs=[get] apiGroups=["" apps] resources=[services]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if lp.ClusterRoleBinding.Subjects[0].APIGroup != rbacv1.GroupName || lp.RoleBindings[0].RoleRef.Kind != "Role" {
		t.Errorf("bindings: %+v %+v", lp.ClusterRoleBinding, lp.RoleBindings[0])
	}
}

// TestUnusedNames: a rule limited by resourceNames reports the names no
// request used.
func TestUnusedNames(t *testing.T) {
	g := loadYAML(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: keys, namespace: llm}
rules: [{apiGroups: [""], resources: [secrets], resourceNames: [openai-key, anthropic-key], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: keys, namespace: llm}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: keys}
subjects: [{kind: ServiceAccount, name: inference}]
`)
	log := &rbac.AuditLog{Requests: []rbac.Observed{{Identity: rbac.ServiceAccount("llm", "inference"),
		Attributes: rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "secrets", Name: "openai-key"}, Count: 3}}}
	got := g.Unused(log)
	if len(got) != 1 || !got[0].Used || len(got[0].UnusedVerbs) != 0 || strings.Join(got[0].UnusedNames, ",") != "anthropic-key" {
		t.Errorf("Unused = %+v", got)
	}
	// A request only ever denied does not count.
	log.Requests[0].Denied = 3
	if got := g.Unused(log); len(got) != 1 || got[0].Used {
		t.Errorf("denied-only: %+v", got)
	}
}
