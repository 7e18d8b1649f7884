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
