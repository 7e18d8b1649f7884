package quota_test

import (
	"fmt"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

const exampleCluster = `
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: vision}
spec:
  hard: {requests.nvidia.com/gpu: "4", requests.cpu: "8"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: trainer, namespace: vision}
spec:
  replicas: 3
  selector: {matchLabels: {app: trainer}}
  template:
    metadata: {labels: {app: trainer}}
    spec:
      containers:
      - name: train
        image: nvcr.io/nvidia/pytorch:24.01-py3
        resources:
          limits: {nvidia.com/gpu: "1", cpu: "2"}
`

const examplePod = `
apiVersion: v1
kind: Pod
metadata: {name: extra, namespace: vision}
spec:
  containers:
  - name: train
    image: nvcr.io/nvidia/pytorch:24.01-py3
    resources:
      limits: {nvidia.com/gpu: "2", cpu: "1"}
`

func ExampleLedger_Admit() {
	loader, _ := governance.NewLoader()
	inv, _ := loader.LoadBytes("cluster.yaml", []byte(exampleCluster))
	l, _ := quota.NewLedger(inv, quota.Options{})
	objs, _ := loader.Decode("pod.yaml", []byte(examplePod))
	podInv, _ := governance.NewInventory(objs)
	res := l.Admit(podInv.Workloads()[0].Pod)
	fmt.Println(res.Admitted, res.Stage)
	fmt.Println(res.Message)
	// Output:
	// false ResourceQuota
	// pods "extra" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=3, limited: requests.nvidia.com/gpu=4
}

func ExampleClassifyKey() {
	for _, k := range []string{"limits.gpu", "nvidia.com/gpu", "requests.nvidia.com/gpu"} {
		class, _, fix := quota.ClassifyKey(corev1ResourceName(k))
		fmt.Println(k, class, fix)
	}
	// Output:
	// limits.gpu invalid requests.nvidia.com/gpu
	// nvidia.com/gpu inert requests.nvidia.com/gpu
	// requests.nvidia.com/gpu enforced
}

// A team taking GPUs through DRA ResourceClaims: the GPU device class is
// reported under the quota key that caps it.
const exampleClaims = `
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: gpu.example.com}
spec:
  selectors: [{cel: {expression: 'device.driver == "gpu.example.com"'}}]
---
apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata: {name: node-1}
spec:
  driver: gpu.example.com
  nodeName: node-1
  pool: {name: node-1, generation: 1, resourceSliceCount: 1}
  devices: [{name: gpu-0}, {name: gpu-1}, {name: gpu-2}, {name: gpu-3}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: vision}
spec:
  hard: {gpu.example.com.deviceclass.resource.k8s.io/devices: "6"}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: train, namespace: vision}
spec:
  devices:
    requests: [{name: gpus, exactly: {deviceClassName: gpu.example.com, count: 2}}]
`

func ExampleLedger_GPUs() {
	loader, _ := governance.NewLoader()
	inv, _ := loader.LoadBytes("cluster.yaml", []byte(exampleClaims))
	l, _ := quota.NewLedger(inv, quota.Options{})
	rep := l.GPUs()
	for _, t := range rep.Teams {
		for _, r := range t.Resources {
			fmt.Printf("%s %s: quota %s, used %s, free %s, requested %s\n", t.Team, r.Resource, r.Quota, r.Used, r.Free, r.Requested)
		}
	}
	const key = "gpu.example.com.deviceclass.resource.k8s.io/devices"
	fmt.Printf("capacity %s, over-commitment %.2f\n", rep.Capacity[key], rep.Overcommit[key])
	// Output:
	// vision gpu.example.com.deviceclass.resource.k8s.io/devices: quota 6, used 2, free 4, requested 2
	// capacity 4, over-commitment 1.50
}
