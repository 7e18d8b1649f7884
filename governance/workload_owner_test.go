package governance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWorkloadsSkipPodsOfMissingControllers: Pods whose ReplicaSet (or Job)
// is not in the input belong to the Deployment (or CronJob) that named it.
func TestWorkloadsSkipPodsOfMissingControllers(t *testing.T) {
	const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: llm, namespace: nlp}
spec:
  selector: {matchLabels: {app: llm}}
  template:
    metadata: {labels: {app: llm}}
    spec: {containers: [{name: c, image: vllm}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: llm-7d9f8-abcde
  namespace: nlp
  labels: {app: llm}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: llm-7d9f8, uid: "1"}]
spec: {containers: [{name: c, image: vllm}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: nlp}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: c, image: train}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: nightly-29000000-xyz
  namespace: nlp
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: nightly-29000000, uid: "2"}]
spec: {restartPolicy: Never, containers: [{name: c, image: train}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: orphan-5c4-zzz
  namespace: nlp
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: orphan-5c4, uid: "3"}]
spec: {containers: [{name: c, image: x}]}
`
	loader, err := NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes("owners.yaml", []byte(manifest))
	require.NoError(t, err)
	var got []string
	for _, w := range inv.Workloads() {
		got = append(got, w.Kind+"/"+w.Name)
	}
	assert.ElementsMatch(t, []string{"Deployment/llm", "CronJob/nightly", "Pod/orphan-5c4-zzz"}, got,
		"pods of a missing ReplicaSet/Job go to the Deployment/CronJob that named it; a pod whose owners are all absent stays")
}
