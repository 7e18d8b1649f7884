package catalog

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aigov/aigov/governance"
)

// openAssetPods is a JSON List of standalone Pods over namespaces ns-000,
// ns-001, … with no NetworkPolicy, as openPods, where one pod in a
// hundred runs Qdrant (a vector database) and another in a hundred runs
// vLLM with a PersistentVolumeClaim mounted (a model store): every asset
// is reachable from every other pod, so the exposure table's network
// column aggregates the whole cluster once per asset.
func openAssetPods(t testing.TB, pods, namespaces int) *governance.Inventory {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(`{"apiVersion":"v1","kind":"List","items":[`)
	item := func(format string, args ...any) {
		if buf.Len() > len(`{"apiVersion":"v1","kind":"List","items":[`) {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, format, args...)
	}
	for i := 0; i < pods; i++ {
		ns := fmt.Sprintf("ns-%03d", i%namespaces)
		image, port, volumes, mounts := "registry.example.com/web:1.4.2", 8080, "", ""
		switch i % 100 {
		case 0:
			image, port = "qdrant/qdrant:v1.12.4", 6333
		case 50:
			image, port = "vllm/vllm-openai:v0.6.3", 8000
			volumes = fmt.Sprintf(`,"volumes":[{"name":"models","persistentVolumeClaim":{"claimName":"models-%05d"}}]`, i)
			mounts = `,"volumeMounts":[{"name":"models","mountPath":"/models"}]`
			item(`{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"models-%05d","namespace":%q},`+
				`"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"100Gi"}}}}`, i, ns)
		}
		item(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-%05d","namespace":%q,"labels":{"app":"pod-%05d"}},`+
			`"spec":{"containers":[{"name":"main","image":%q,"ports":[{"containerPort":%d}]%s}]%s},`+
			`"status":{"phase":"Running","podIP":"10.%d.%d.%d"}}`,
			i, ns, i, image, port, mounts, volumes, 1+i/65536, i/256%256, i%256)
	}
	buf.WriteString("]}")
	var inv *governance.Inventory
	loader, err := governance.NewLoader()
	if err == nil {
		inv, err = loader.LoadBytes("assets.json", buf.Bytes())
	}
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// BenchmarkExposuresOpen20k computes the asset exposure table over
// 20,000 Pods in 100 namespaces without NetworkPolicies: 200 vector
// databases and 200 model stores, each reachable from every other pod.
// The network column must be gathered by class (one class, one edge
// here), not by pairs of an asset's pods with every pod.
//
//	go test -run '^$' -bench ExposuresOpen -benchtime 3x ./governance/catalog/
func BenchmarkExposuresOpen20k(b *testing.B) {
	inv := openAssetPods(b, 20000, 100)
	rows := 0
	b.ReportAllocs()
	for b.Loop() {
		rows = len(Exposures(inv))
	}
	b.ReportMetric(float64(rows), "rows")
}
