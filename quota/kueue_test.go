package quota_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

func kueueLedger(t *testing.T, manifest string) *quota.Ledger {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes("kueue.yaml", []byte(manifest))
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{})
	require.NoError(t, err)
	return l
}

// kueueRows flattens a Kueue report to "team ns/lq cq cohort flavor
// resource nominal/borrowing/lending/ceiling" lines.
func kueueRows(k *quota.KueueReport) []string {
	var out []string
	for _, tm := range k.Teams {
		for _, q := range tm.Queues {
			head := tm.Team + " " + q.Namespace + "/" + q.LocalQueue + " " + q.ClusterQueue + " cohort=" + q.Cohort
			if q.Missing {
				out = append(out, head+" missing")
			}
			for _, g := range q.GPUs {
				row := head + " " + g.Flavor + " " + g.Resource + " " + g.Nominal + "/" + g.BorrowingLimit + "/" + g.LendingLimit + "/" + g.Ceiling
				if g.FlavorMissing {
					row += " flavor-missing"
				}
				out = append(out, row)
			}
			for _, s := range q.SharedWith {
				out = append(out, head+" shared-with "+s)
			}
		}
	}
	return out
}

const (
	kueueNS = `apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: alpha}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: beta}}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ResourceFlavor
metadata: {name: mig}
---
`
	kueueLQs = `apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata: {name: q, namespace: a}
spec: {clusterQueue: cq}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata: {name: q, namespace: b}
spec: {clusterQueue: cq}
`
)

func TestKueueReport(t *testing.T) {
	platform, err := os.ReadFile("../cmd/aigov/testdata/quota/kueue.yaml")
	require.NoError(t, err)
	for _, tc := range []struct {
		name, manifest string
		want           []string
	}{
		{name: "two flavors, cohort, two teams", manifest: string(platform), want: []string{
			"prod ml-prod/serving prod-cq cohort=gpu-pool a100 nvidia.com/gpu 16//6/18",
			"research ml-research/research research-cq cohort=gpu-pool a100 nvidia.com/gpu 8/4/2/12",
			"research ml-research/research research-cq cohort=gpu-pool h100 nvidia.com/gpu 4///4",
		}},
		{name: "one ClusterQueue shared by two teams, no cohort, v1beta2, MIG and cpu", manifest: kueueNS + kueueLQs + `---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: cq}
spec:
  resourceGroups:
  - coveredResources: [cpu, nvidia.com/mig-1g.10gb]
    flavors:
    - name: mig
      resources:
      - {name: cpu, nominalQuota: 8}
      - {name: nvidia.com/mig-1g.10gb, nominalQuota: 14}
`, want: []string{
			"alpha a/q cq cohort= mig nvidia.com/mig-1g.10gb 14///14",
			"alpha a/q cq cohort= shared-with b",
			"beta b/q cq cohort= mig nvidia.com/mig-1g.10gb 14///14",
			"beta b/q cq cohort= shared-with a",
		}},
		{name: "v1beta2 cohortName, borrowing capped by what the cohort lends", manifest: kueueNS + `apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: cq}
spec:
  cohortName: pool
  resourceGroups:
  - coveredResources: [amd.com/gpu]
    flavors:
    - name: mig
      resources:
      - {name: amd.com/gpu, nominalQuota: 2, borrowingLimit: 10}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: lender}
spec:
  cohortName: pool
  resourceGroups:
  - coveredResources: [amd.com/gpu]
    flavors:
    - name: mig
      resources:
      - {name: amd.com/gpu, nominalQuota: 6, lendingLimit: 3}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: other-cohort}
spec:
  cohortName: elsewhere
  resourceGroups:
  - coveredResources: [amd.com/gpu]
    flavors:
    - name: mig
      resources:
      - {name: amd.com/gpu, nominalQuota: 100}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata: {name: q, namespace: a}
spec: {clusterQueue: cq}
`, want: []string{
			"alpha a/q cq cohort=pool mig amd.com/gpu 2/10//5",
		}},
		{name: "missing ClusterQueue and missing flavor", manifest: kueueNS + kueueLQs + `---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata: {name: other}
spec:
  resourceGroups:
  - flavors:
    - name: gone
      resources:
      - {name: nvidia.com/gpu, nominalQuota: 1}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata: {name: r, namespace: a}
spec: {clusterQueue: other}
`, want: []string{
			"alpha a/q cq cohort= missing",
			"alpha a/q cq cohort= shared-with b",
			"alpha a/r other cohort= gone nvidia.com/gpu 1///1 flavor-missing",
			"beta b/q cq cohort= missing",
			"beta b/q cq cohort= shared-with a",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := kueueLedger(t, tc.manifest).GPUs().Kueue
			require.NotNil(t, k)
			assert.Equal(t, tc.want, kueueRows(k))
		})
	}
}

func TestKueueReportAbsentWithoutKueueObjects(t *testing.T) {
	l := kueueLedger(t, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: a}\nspec: {hard: {requests.nvidia.com/gpu: '2'}}\n")
	assert.Nil(t, l.GPUs().Kueue)
	assert.Nil(t, l.Kueue())
}

func TestKueueClusterQueues(t *testing.T) {
	l := kueueLedger(t, kueueNS+kueueLQs+`---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata: {name: idle}
spec: {}
`)
	k := l.Kueue()
	require.Len(t, k.ClusterQueues, 1)
	assert.Equal(t, "idle", k.ClusterQueues[0].Name)
	assert.Empty(t, k.ClusterQueues[0].LocalQueues)
	assert.Empty(t, k.ClusterQueues[0].GPUs)
}
