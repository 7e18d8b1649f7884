package quota_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGPUReportKueueColumn(t *testing.T) {
	queued := "{kueue.x-k8s.io/queue-name: team-q}"
	podOf := func(queue string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml, labels: {kueue.x-k8s.io/queue-name: " + queue + "}}\nspec:\n  containers:\n  - {name: c, image: cuda, resources: {limits: {nvidia.com/gpu: 3}}}\n"
	}
	for _, tc := range []struct {
		name, manifest          string
		requested, kueueManaged string
	}{
		{name: "PyTorchJob through a LocalQueue of the input", manifest: joinDocs(kueuePyTorchJob(queued), kueueQueues("gpu-cq")),
			requested: "2", kueueManaged: "2"},
		{name: "RayCluster through a LocalQueue of the input", manifest: joinDocs(kueueRayCluster(queued), kueueQueues("gpu-cq")),
			requested: "1", kueueManaged: "1"},
		{name: "only the queued workloads count", manifest: joinDocs(kueuePyTorchJob(queued), kueueRayCluster("{app: rc}"), podOf("team-q"), kueueQueues("gpu-cq")),
			requested: "6", kueueManaged: "5"},
		// Kueue would hold the pod pending: nothing admits it.
		{name: "LocalQueue not in the input", manifest: joinDocs(kueueRayCluster("{app: rc}"), podOf("elsewhere"), kueueQueues("gpu-cq")),
			requested: "4", kueueManaged: ""},
		{name: "no label", manifest: joinDocs(kueuePyTorchJob("{app: ft}"), kueueQueues("gpu-cq")), requested: "2", kueueManaged: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := kueueLedger(t, tc.manifest).GPUs()
			require.Len(t, rep.Teams, 1)
			require.Len(t, rep.Teams[0].Resources, 1)
			r := rep.Teams[0].Resources[0]
			assert.Equal(t, "nvidia.com/gpu", r.Resource)
			assert.Equal(t, tc.requested, r.Requested)
			assert.Equal(t, tc.kueueManaged, r.Kueue)
		})
	}
}
