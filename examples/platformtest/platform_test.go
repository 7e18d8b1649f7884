package platformtest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/cel/celtest"
	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/govtest"
)

// The bundled platform, relative to this package.
const (
	platformDir = "../multitenant"
	fixedDir    = "../multitenant/fixed"
	policyFile  = "policy.yaml"
)

// TestFixedPlatformHasNoFindings: the manifests we ship pass every default
// check.
func TestFixedPlatformHasNoFindings(t *testing.T) {
	inv := govtest.Load(t, fixedDir)
	require.Positive(t, inv.Len())
	govtest.NoFindings(t, inv)
}

// TestPlantedMistakesAreFound: a regression test that the checks keep
// seeing what a reviewer would flag.
func TestPlantedMistakesAreFound(t *testing.T) {
	findings := govtest.Findings(t, govtest.Load(t, platformDir))
	govtest.HasFinding(t, findings, catalog.IDPrivilegedContainer, "cv-team/Job/resnet50-finetune")
	govtest.HasFinding(t, findings, catalog.IDLatestTag, "cv-team/Deployment/cv-notebook")
	govtest.HasFinding(t, findings, catalog.IDContainerLimits, "recs-team/Deployment/recommender")
	govtest.HasFinding(t, findings, catalog.IDAutomountToken, "platform/Deployment/ai-gateway")

	// The finding names the field to fix.
	priv := govtest.FindingsOf(findings, catalog.IDPrivilegedContainer, "cv-team/Job/resnet50-finetune")
	require.Len(t, priv, 1)
	assert.Equal(t, "spec.template.spec.containers[0].securityContext.privileged", priv[0].Path)
}

// TestPlatformPassesItsOwnPolicy: the policy file's checks, run in Go,
// find nothing on the fixed platform, and do see the mistakes variant's
// latest tag and privileged Job (so the policy's scope is not empty).
func TestPlatformPassesItsOwnPolicy(t *testing.T) {
	rules := celtest.PolicyRules(t, policyFile)
	govtest.NoFindings(t, govtest.Load(t, fixedDir), rules...)

	findings := govtest.Findings(t, govtest.Load(t, platformDir), rules...)
	govtest.HasFinding(t, findings, catalog.IDLatestTag, "cv-team/Deployment/cv-notebook")
	govtest.HasFinding(t, findings, catalog.IDPrivilegedContainer, "cv-team/Job/resnet50-finetune")
}

const managedNamespace = `
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
  labels: {app.kubernetes.io/part-of: ai-platform}
---
`

const privilegedPod = managedNamespace + `
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: team-a}
spec:
  automountServiceAccountToken: false
  containers:
  - name: shell
    image: registry.example.com/tools/debug:1.4
    securityContext: {privileged: true}
`

const compliantPod = managedNamespace + `
apiVersion: v1
kind: Pod
metadata: {name: llm, namespace: team-a}
spec:
  automountServiceAccountToken: false
  containers:
  - name: vllm
    image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3
    resources:
      limits: {nvidia.com/gpu: "1", cpu: "8", memory: 32Gi}
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`

// TestPolicyEnforcement: what the cluster will do with the generated
// ValidatingAdmissionPolicies, evaluated in process with the apiserver's
// admission code.
func TestPolicyEnforcement(t *testing.T) {
	celtest.AssertDenies(t, policyFile, privilegedPod, `"shell"`, "privileged")
	celtest.AssertAdmits(t, policyFile, compliantPod)

	// The binding's namespaceSelector: unmanaged namespaces are not judged.
	unmanaged := `
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: sandbox}
spec:
  containers:
  - {name: shell, image: "docker.io/busybox:latest", securityContext: {privileged: true}}
`
	celtest.AssertAdmits(t, policyFile, unmanaged)

	// Warn entries admit with a warning.
	resp := celtest.Admit(t, policyFile, managedNamespace+`
apiVersion: v1
kind: Pod
metadata: {name: llm, namespace: team-a}
spec:
  containers:
  - {name: vllm, image: "nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3"}
`)
	assert.True(t, resp.Allowed)
	require.Len(t, resp.Warnings, 1)
	assert.Contains(t, resp.Warnings[0], "automountServiceAccountToken")
}
