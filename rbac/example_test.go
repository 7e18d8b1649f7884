package rbac_test

import (
	"fmt"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

const exampleRBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: inference, namespace: llm}
rules:
- {apiGroups: [""], resources: [secrets], resourceNames: [openai-key], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: inference, namespace: llm}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: inference}
subjects:
- {kind: ServiceAccount, name: inference}
`

func exampleGraph() *rbac.Graph {
	l, err := governance.NewLoader()
	if err != nil {
		panic(err)
	}
	inv, err := l.LoadBytes("rbac.yaml", []byte(exampleRBAC))
	if err != nil {
		panic(err)
	}
	return rbac.New(inv)
}

func ExampleGraph_Can() {
	g := exampleGraph()
	sa := rbac.ServiceAccount("llm", "inference")
	d := g.Can(sa, rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "secrets", Name: "openai-key"})
	fmt.Println(d.Allowed, d.Reason)
	d = g.Can(sa, rbac.Attributes{Verb: "list", Namespace: "llm", Resource: "secrets"})
	fmt.Println(d.Allowed)
	// Output:
	// true RBAC: allowed by RoleBinding/llm/inference of Role/llm/inference to ServiceAccount/llm/inference
	// false
}

func ExampleGraph_WhoCan() {
	g := exampleGraph()
	for _, s := range g.WhoCan(rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "secrets", Name: "openai-key"}) {
		fmt.Println(s.Subject.Kind, s.Subject.Namespace, s.Subject.Name, s.Superuser)
	}
	// Output:
	// ServiceAccount llm inference false
	// Group  system:masters true
}

func ExampleGraph_Risks() {
	for _, r := range exampleGraph().Risks(nil) {
		fmt.Println(r.Severity, r.Class, r.Namespace, r.NameRestricted)
	}
	// Output:
	// medium SECRETS_READ llm true
}

func ExampleImpersonate() {
	fmt.Println(rbac.Impersonate("system:serviceaccount:llm:inference").Groups)
	fmt.Println(rbac.Impersonate("alice", "ml-team").Groups)
	// Output:
	// [system:serviceaccounts system:serviceaccounts:llm system:authenticated]
	// [ml-team system:authenticated]
}
