package secrets

import (
	"encoding/json"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
	"github.com/aigov/aigov/rbac"
)

// foldRoundTrip folds es, checks that Expand gives es back byte for byte
// (as JSON), and returns the folded document.
func foldRoundTrip(t *testing.T, es []SecretExposure) FoldedExposureDocument {
	t.Helper()
	doc := NewFoldedExposureDocument(es)
	// Through JSON, as a consumer of the CLI's output reads it.
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var read FoldedExposureDocument
	if err := json.Unmarshal(js, &read); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(es)
	got, _ := json.Marshal(read.Expand())
	if string(got) != string(want) {
		t.Fatalf("Expand differs from Exposure's lists:\ngot  %.2000s\nwant %.2000s", got, want)
	}
	if len(doc.Secrets) != len(es) {
		t.Fatalf("%d folded Secrets, want %d", len(doc.Secrets), len(es))
	}
	for i, s := range doc.Secrets {
		if s.AccessCount != len(es[i].Access) {
			t.Errorf("%s/%s: accessCount %d, want %d", s.Namespace, s.Name, s.AccessCount, len(es[i].Access))
		}
	}
	return doc
}

// listed counts the accesses a folded document writes out.
func listed(doc FoldedExposureDocument) int {
	n := 0
	if doc.EverySecret != nil {
		n += len(doc.EverySecret.Access)
	}
	for _, l := range doc.Namespaces {
		n += len(l.Access)
	}
	for _, s := range doc.Secrets {
		n += len(s.Access)
	}
	return n
}

// sameAsStreamed checks that FoldedExposure, which folds each Secret as it
// is made, gives doc (the fold of Exposure's whole result).
func sameAsStreamed(t *testing.T, inv *governance.Inventory, doc FoldedExposureDocument) {
	t.Helper()
	want, _ := json.Marshal(doc)
	got, _ := json.Marshal(FoldedExposure(inv, rbac.New(inv)))
	if string(got) != string(want) {
		t.Errorf("FoldedExposure differs from folding Exposure:\ngot  %.1000s\nwant %.1000s", got, want)
	}
}

func TestFoldedExposureExamples(t *testing.T) {
	for _, dir := range []string{"../examples/multitenant", "../examples/multitenant/fixed"} {
		inv := loadDir(t, dir)
		sameAsStreamed(t, inv, foldRoundTrip(t, Exposure(inv, rbac.New(inv))))
	}
}

// TestFoldedExposurePlatform folds a generated platform (2 namespaces of
// 40 Deployments with 5 pods each and a Secret each, 100 cluster admins):
// what every Secret shares is listed once.
func TestFoldedExposurePlatform(t *testing.T) {
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("platform.yaml", gen.Cluster(gen.Platform(400)))
	if err != nil {
		t.Fatal(err)
	}
	es := Exposure(inv, rbac.New(inv))
	doc := foldRoundTrip(t, es)
	sameAsStreamed(t, inv, doc)
	total := 0
	for _, e := range es {
		total += len(e.Access)
	}
	if doc.EverySecret == nil || doc.EverySecret.Secrets != len(es) {
		t.Fatalf("no level shared by every Secret: %+v", doc.EverySecret)
	}
	// Each Secret keeps at most its own few accesses (exec by name
	// grants, namespace roles are per namespace).
	if n := listed(doc); n*20 > total {
		t.Errorf("folded document lists %d of %d accesses", n, total)
	}
	folded := 0
	for _, a := range doc.EverySecret.Access {
		if a.Via == ViaExec && a.Workload == EveryUsingWorkload {
			folded++
		}
	}
	if folded == 0 {
		t.Errorf("no exec access folded over the using workloads")
	}
}

// TestFoldExecPartial: a subject that may exec into one of the two
// workloads using a Secret keeps one access per workload; a Secret no
// workload uses shares the folded exec access of its namespace, and one
// whose exec access names other pods does not.
func TestFoldExecPartial(t *testing.T) {
	admin := rbacSubject("User", "", "admin")
	olga := rbacSubject("User", "", "olga")
	exec := func(subject Access, workload string, pods ...string) Access {
		subject.Via, subject.Verbs, subject.Workload, subject.Pods = ViaExec, []string{"create"}, workload, pods
		return subject
	}
	es := []SecretExposure{
		{Namespace: "ml", Name: "a", UsedBy: []string{"Deployment/d", "StatefulSet/s"}, Access: []Access{
			exec(Access{Subject: admin}, "Deployment/d", "d-1"),
			exec(Access{Subject: olga}, "Deployment/d", "d-1"),
			exec(Access{Subject: admin}, "StatefulSet/s", "s-0", "s-1"),
		}},
		{Namespace: "ml", Name: "b", Access: []Access{}},
		{Namespace: "ml", Name: "c", UsedBy: []string{"Pod/p"}, Access: []Access{
			exec(Access{Subject: admin}, "Pod/p", "p"),
		}},
	}
	for i := range es {
		sortAccess(es[i].Access)
	}
	doc := foldRoundTrip(t, es)
	if len(doc.Namespaces) != 1 || len(doc.Namespaces[0].Access) != 1 || doc.Namespaces[0].Access[0].Workload != EveryUsingWorkload {
		t.Fatalf("namespace level %+v, want admin's folded exec", doc.Namespaces)
	}
	if got := len(doc.Secrets[0].Access); got != 1 || doc.Secrets[0].Access[0].Subject != olga {
		t.Errorf("Secret a keeps %+v, want olga's one exec", doc.Secrets[0].Access)
	}
	if doc.EverySecret != nil {
		t.Errorf("one namespace has an every-Secret level: %+v", doc.EverySecret)
	}
	// When olga's exec names another pod of d, d's pods are both and
	// admin's exec names one of them: it no longer folds in Secret a, so
	// the namespace shares nothing.
	es[0].Access[1].Pods = []string{"d-2"}
	doc = foldRoundTrip(t, es)
	if got := len(doc.Secrets[0].Access); got != 3 || doc.Secrets[0].Pods != nil {
		t.Errorf("Secret a keeps %+v with pods %q, want its three accesses unfolded", doc.Secrets[0].Access, doc.Secrets[0].Pods)
	}
	if len(doc.Namespaces) != 0 {
		t.Errorf("namespace level %+v, want none", doc.Namespaces)
	}
}
