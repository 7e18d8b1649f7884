package secrets

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
)

// syntheticInventory builds n Deployments with envPer env values each:
// mostly ordinary settings, some credential-named values, one real-looking
// key per 100 workloads.
func syntheticInventory(b *testing.B, n, envPer int) *governance.Inventory {
	b.Helper()
	keys := fakeKeys()
	objs := make([]*governance.Object, 0, n)
	for i := 0; i < n; i++ {
		env := make([]corev1.EnvVar, envPer)
		for j := range env {
			switch {
			case j == 0 && i%100 == 0:
				env[j] = corev1.EnvVar{Name: "OPENAI_API_KEY", Value: keys["openai-project-key"]}
			case j%5 == 1:
				env[j] = corev1.EnvVar{Name: fmt.Sprintf("SERVICE_%d_TOKEN", j), Value: "$(TOKEN_FROM_SECRET)"}
			case j%5 == 2:
				env[j] = corev1.EnvVar{Name: fmt.Sprintf("UPSTREAM_%d_URL", j), Value: fmt.Sprintf("http://svc-%d.ns-%d.svc.cluster.local:8000/v1", j, i%50)}
			default:
				env[j] = corev1.EnvVar{Name: fmt.Sprintf("SETTING_%d", j), Value: fmt.Sprintf("value-%d-%d", i, j)}
			}
		}
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("w-%05d", i), Namespace: fmt.Sprintf("ns-%02d", i%50),
				Annotations: map[string]string{"app.kubernetes.io/version": "1.0"}},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "app", Image: "registry.example.com/app:1", Env: env,
					Args: []string{"--port", "8000", "--model", "meta-llama/Llama-3.1-8B-Instruct"}}},
			}}},
		}
		objs = append(objs, &governance.Object{Obj: d, GVK: appsv1.SchemeGroupVersion.WithKind("Deployment"), Typed: true})
	}
	inv, err := governance.NewInventory(objs)
	if err != nil {
		b.Fatal(err)
	}
	inv.Workloads() // built once per inventory, not per scan
	return inv
}

// BenchmarkScan10kWorkloads scans 10,000 Deployments with 20 env values
// each with the default rules (the target: under 1 s on one core;
// run with -cpu 1).
func BenchmarkScan10kWorkloads(b *testing.B) {
	inv := syntheticInventory(b, 10000, 20)
	s, err := NewScanner(Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		n = len(s.Scan(inv, OriginSource))
	}
	b.ReportMetric(float64(10000*20)/(b.Elapsed().Seconds()/float64(b.N)), "values/s")
	if n != 100+10000 { // 100 keys, 10,000 automount findings
		b.Fatalf("%d findings", n)
	}
}

// BenchmarkDetectorsFind measures the detectors on one ordinary value and
// on one value holding a key.
func BenchmarkDetectorsFind(b *testing.B) {
	set, err := NewDetectorSet(Detectors())
	if err != nil {
		b.Fatal(err)
	}
	key := "Bearer " + fakeKeys()["anthropic-api-key"]
	b.Run("ordinary", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			set.Find("UPSTREAM_URL", "http://llm-service.nlp-team.svc.cluster.local:8000/v1")
		}
	})
	b.Run("key", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			set.Find("AUTH", key)
		}
	})
}
