package secrets_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// The Deployment carries a database URL with a password and a token under
// a credential's name; the Secret is declared with stringData in git.
const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: rag-api, namespace: ml}
spec:
  selector: {matchLabels: {app: rag}}
  template:
    metadata: {labels: {app: rag}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: api
        image: registry.example.com/rag-api:1.0
        env:
        - {name: DATABASE_URL, value: "postgres://rag:Tr0ub4dor-3x@pg.ml.svc:5432/rag"}
        - {name: INTERNAL_API_TOKEN, value: "q8Zr2LmV7xKp4TnW"}
        - {name: TOKEN_URL, value: "https://auth.example.com/token"}
        - {name: OPENAI_API_KEY, valueFrom: {secretKeyRef: {name: openai, key: api-key}}}
---
apiVersion: v1
kind: Secret
metadata: {name: openai, namespace: ml}
stringData: {api-key: "<set-by-ci>"}
`

func Example() {
	loader, err := governance.NewLoader()
	if err != nil {
		log.Fatal(err)
	}
	inv, err := loader.LoadBytes("rag.yaml", []byte(manifest))
	if err != nil {
		log.Fatal(err)
	}
	scanner, err := secrets.NewScanner(secrets.Config{}) // the default rules
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range scanner.Scan(inv, secrets.OriginSource) {
		fmt.Println(f.Severity, f.Rule, f.Object, f.Path, "provider="+f.Provider)
	}
	// Output:
	// high secret-url-credentials Deployment/rag-api spec.template.spec.containers[0].env[0].value provider=postgres
	// high secret-literal-sensitive-name Deployment/rag-api spec.template.spec.containers[0].env[1].value provider=
	// high secret-stringdata-in-source Secret/openai stringData provider=
}

// Opt-in rules are enabled by ID; the origin says whether Secret data is in
// git (source) or in a cluster.
func ExampleSelectRules() {
	rules, err := secrets.SelectRules([]string{secrets.IDEnvReference}, []string{secrets.IDSATokenAutomount})
	if err != nil {
		log.Fatal(err)
	}
	scanner, err := secrets.NewScanner(secrets.Config{Rules: rules})
	if err != nil {
		log.Fatal(err)
	}
	loader, _ := governance.NewLoader()
	inv, err := loader.LoadBytes("rag.yaml", []byte(manifest))
	if err != nil {
		log.Fatal(err)
	}
	out, _ := json.Marshal(secrets.Report{Findings: scanner.Scan(inv, secrets.OriginCluster)})
	fmt.Println(string(out))
	// Output:
	// {"schemaVersion":1,"findings":[{"rule":"secret-url-credentials","object":"Deployment/rag-api","namespace":"ml","path":"spec.template.spec.containers[0].env[0].value","provider":"postgres"},{"rule":"secret-literal-sensitive-name","object":"Deployment/rag-api","namespace":"ml","path":"spec.template.spec.containers[0].env[1].value","provider":""},{"rule":"secret-env-reference","object":"Deployment/rag-api","namespace":"ml","path":"spec.template.spec.containers[0].env[3].valueFrom.secretKeyRef","provider":""}]}
}

// A DetectorSet finds provider keys in one value; the name lets detectors
// of keys without a prefix (Cohere) use the variable's name.
func ExampleDetectorSet_Find() {
	set, err := secrets.NewDetectorSet(secrets.Detectors())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(set.Find("HF_TOKEN", "<replace-with-hf-token>")))
	fmt.Println(secrets.IsPlaceholder("${OPENAI_API_KEY}"), secrets.SensitiveName("OPENAI_API_KEY"), secrets.SensitiveName("TOKEN_URL"))
	fmt.Println(secrets.ProviderHint("HF_TOKEN"), secrets.ProviderHint("CO_API_KEY"))
	// Output:
	// 0
	// true true false
	// huggingface cohere
}
