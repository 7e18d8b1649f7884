package catalog

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
)

// containsCase is a table case whose findings are matched by substring:
// exactly len(want) findings, the i-th (sorted "Kind/name path: message")
// containing want[i].
type containsCase struct {
	name     string
	manifest string
	want     []string
}

func runContainsCases(t *testing.T, c governance.Check, cases []containsCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := runCheck(t, c, tc.manifest)
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.Contains(got[i], tc.want[i])
			}
			if !ok {
				t.Errorf("findings:\n  got  %s\n  want (substrings) %s", strings.Join(got, "\n       "), strings.Join(tc.want, "\n       "))
			}
		})
	}
}

// deployIn is a Deployment named name in namespace ns with pod labels
// {app: name} plus extra (flow-mapping entries, "" for none).
func deployIn(ns, name, extra, spec string) string {
	lbl := "app: " + name
	if extra != "" {
		lbl += ", " + extra
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s}
spec:
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {%s}}
    spec: %s
`, name, ns, name, lbl, spec)
}

// denyAll is a default-deny NetworkPolicy of namespace ns.
func denyAll(ns string) string {
	return fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: %s}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`, ns)
}

func join(docs ...string) string { return strings.Join(docs, "---\n") }

func TestIsInternet(t *testing.T) {
	for r, want := range map[string]bool{
		"10.0.0.0/8": false, "10.1.0.0-10.2.255.255": false, "0.0.0.0-9.255.255.255": true,
		"8.8.8.0/24": true, "fd00::/8": false, "2001:db8::/32": true, "192.168.1.1/32": false,
	} {
		if got := isInternet(&netpol.Endpoint{Kind: netpol.ExternalEndpoint, Ranges: []string{r}}); got != want {
			t.Errorf("%s: internet = %v, want %v", r, got, want)
		}
	}
}

// TestDefaultConcurrentInventories runs one engine over two inventories at
// once (go test -race): each run must read the facts of its own
// inventory.
func TestDefaultConcurrentInventories(t *testing.T) {
	engine := defaultEngine(t)
	open := loadInventory(t, deployIn("ml", "web", "", "{containers: [{name: w, image: nginx}]}"))
	closed := loadInventory(t, join(deployIn("ml", "web", "", "{containers: [{name: w, image: nginx}]}"), denyAll("ml")))
	count := func(fs []governance.Finding) int {
		n := 0
		for _, f := range fs {
			if f.Check == IDNamespaceDefaultDeny {
				n++
			}
		}
		return n
	}
	done := make(chan [2]int)
	for range 4 {
		go func() { done <- [2]int{count(engine.Run(open)), count(engine.Run(closed))} }()
	}
	for range 4 {
		if got := <-done; got != [2]int{2, 0} {
			t.Errorf("namespace-default-deny findings (open, closed) = %v, want [2 0]", got)
		}
	}
}
