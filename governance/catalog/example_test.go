package catalog_test

import (
	"fmt"
	"log"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: llm-server, namespace: ml}
spec:
  selector: {matchLabels: {app: llm}}
  template:
    metadata: {labels: {app: llm}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true}
      containers:
      - name: vllm
        image: vllm/vllm-openai:latest
        resources: {limits: {cpu: "8", memory: 64Gi, nvidia.com/gpu: 8}}
`

func Example() {
	loader, err := governance.NewLoader()
	if err != nil {
		log.Fatal(err)
	}
	inv, err := loader.LoadBytes("llm.yaml", []byte(manifest))
	if err != nil {
		log.Fatal(err) // governance.IsInputError(err): exit 2
	}

	// The checks without parameters, plus two configured ones.
	rules, err := catalog.Default()
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range []struct{ id, params string }{
		{catalog.IDAllowedRegistries, `{"registries": ["registry.example.com", "nvcr.io"]}`},
		{catalog.IDGPUPerContainerMax, `{"max": 4}`},
	} {
		def, err := governance.Lookup(catalog.Definitions(), c.id)
		if err != nil {
			log.Fatal(err)
		}
		check, err := def.New([]byte(c.params))
		if err != nil {
			log.Fatal(err)
		}
		rules = append(rules, governance.Rule{Check: check, Action: governance.ActionDeny})
	}

	engine, err := governance.NewEngine(rules...)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range engine.Run(inv) {
		fmt.Printf("%s %s %s\n  %s: %s\n", f.Severity, f.Check, f.Object, f.Path, f.Message)
	}
	// Output:
	// high allowed-registries Deployment/llm-server
	//   spec.template.spec.containers[0].image: container "vllm" uses image "vllm/vllm-openai:latest" from registry "docker.io", which is not allowed (allowed: registry.example.com, nvcr.io)
	// high shadow-ai Deployment/llm-server
	//   spec.template.spec.containers[0].image: inference-server Deployment "llm-server" runs outside the AI-approved namespaces: namespace "ml" is not in the input (recognised by image "vllm/vllm-openai:latest")
	// medium ai-internet-egress Deployment/llm-server
	//   spec.template.spec: inference-server Deployment "llm-server" (pods ml/llm-server) reaches the internet (0.0.0.0/0 except private and cluster ranges) on all, and namespace ml is not labelled aigov.dev/allow-internet-egress=true; egress not restricted; ingress not restricted
	// medium ai-workload-own-serviceaccount Deployment/llm-server
	//   spec.template.spec.serviceAccountName: inference-server Deployment "llm-server" runs as the namespace's default ServiceAccount
	// medium gpu-limitrange-cap Deployment/llm-server
	//   : namespace ml runs Deployment/llm-server asking for nvidia.com/gpu, and no LimitRange caps nvidia.com/gpu per container (limits[type=Container].max)
	// medium gpu-node-targeting Deployment/llm-server
	//   spec.template.spec.tolerations: pod requests nvidia.com/gpu (spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]) but neither tolerates a GPU taint nor selects GPU nodes
	// medium gpu-per-container-max Deployment/llm-server
	//   spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: container "vllm": nvidia.com/gpu limit 8 is above the maximum of 4
	// medium gpu-without-quota Deployment/llm-server
	//   spec.template.spec: namespace ml runs Deployment/llm-server asking for nvidia.com/gpu, and no ResourceQuota caps requests.nvidia.com/gpu there
	// medium inference-probes Deployment/llm-server
	//   spec.template.spec.containers[0].livenessProbe: inference-server Deployment "llm-server": container "vllm" has no livenessProbe
	// medium inference-probes Deployment/llm-server
	//   spec.template.spec.containers[0].readinessProbe: inference-server Deployment "llm-server": container "vllm" has no readinessProbe
	// medium latest-tag Deployment/llm-server
	//   spec.template.spec.containers[0].image: container "vllm" uses image "vllm/vllm-openai:latest" with the latest tag
	// medium model-image-digest Deployment/llm-server
	//   spec.template.spec.containers[0].image: inference-server Deployment "llm-server": container "vllm" image "vllm/vllm-openai:latest" is not pinned by @sha256 digest
	// medium namespace-default-deny Deployment/llm-server
	//   : namespace ml has no default-deny egress: no policy restricts the egress of ml/llm-server
	// medium namespace-default-deny Deployment/llm-server
	//   : namespace ml has no default-deny ingress: no policy restricts the ingress of ml/llm-server
}
