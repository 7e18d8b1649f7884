package netpol

import (
	"testing"

	"github.com/aigov/aigov/governance"
)

// TestLookupAcceptsPrintedNames: every name aigov prints for an endpoint
// finds it — the matrix's "ns/name", check's "Kind/ns/name", the
// "ns/Kind/name" form, the external ranges, and IPs.
func TestLookupAcceptsPrintedNames(t *testing.T) {
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("w.yaml", []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: llm-service, namespace: rag}
spec:
  selector: {matchLabels: {app: llm}}
  template:
    metadata: {labels: {app: llm}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: rag}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.1.2.3, podIPs: [{ip: 10.1.2.3}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"rag/llm-service":            "rag/llm-service",
		"Deployment/rag/llm-service": "rag/llm-service",
		"rag/Deployment/llm-service": "rag/llm-service",
		"Pod/rag/probe":              "rag/probe",
		"10.1.2.3":                   "rag/probe",
	} {
		e, ok := g.Lookup(name)
		if !ok || e.Name != want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", name, e, ok, want)
		}
	}
	for _, e := range g.Endpoints() {
		if got, ok := g.Lookup(e.Name); !ok || got != e {
			t.Errorf("Lookup(%q) does not find the endpoint of that name", e.Name)
		}
	}
	for _, name := range []string{"StatefulSet/rag/llm-service", "rag/nothing", "Deployment/other/llm-service", "a/b/c/d"} {
		if e, ok := g.Lookup(name); ok {
			t.Errorf("Lookup(%q) = %s, want not found", name, e.Name)
		}
	}
}
