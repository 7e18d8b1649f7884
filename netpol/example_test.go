package netpol_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
)

const manifests = `
apiVersion: v1
kind: Pod
metadata: {name: llm, namespace: rag, labels: {app: llm}}
spec: {containers: [{name: c, image: vllm}]}
---
apiVersion: v1
kind: Pod
metadata: {name: vdb, namespace: rag, labels: {app: vdb}}
spec: {containers: [{name: c, image: qdrant, ports: [{name: grpc, containerPort: 6334}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: vdb-only-llm, namespace: rag}
spec:
  podSelector: {matchLabels: {app: vdb}}
  ingress: [{from: [{podSelector: {matchLabels: {app: llm}}}], ports: [{port: grpc}]}]
`

func ExampleGraph_Allowed() {
	l, _ := governance.NewLoader()
	inv, _ := l.LoadBytes("rag.yaml", []byte(manifests))
	g, _ := netpol.Build(inv, netpol.Options{})
	llm, _ := g.Lookup("rag/llm")
	vdb, _ := g.Lookup("rag/vdb")
	fmt.Print(g.Allowed(llm, vdb, 6334, corev1.ProtocolTCP).Explain())
	fmt.Println(g.Reachable(vdb, llm, 6334, corev1.ProtocolTCP))
	// Output:
	// rag/llm -> rag/vdb TCP/6334: yes
	//   egress of rag/llm: allowed (no policy applies: default allow)
	//   ingress of rag/vdb: allowed (NetworkPolicy)
	//     isolated by NetworkPolicy rag/vdb-only-llm
	//     allowed by NetworkPolicy rag/vdb-only-llm ingress[0]
	// true
}

func ExampleGraph_Matrix() {
	l, _ := governance.NewLoader()
	inv, _ := l.LoadBytes("rag.yaml", []byte(manifests))
	g, _ := netpol.Build(inv, netpol.Options{})
	for _, e := range g.Matrix().Edges {
		if e.To == "rag/vdb" {
			fmt.Println(e.From, "->", e.To, e.Ports)
		}
	}
	// Output:
	// rag/llm -> rag/vdb TCP/6334
}
