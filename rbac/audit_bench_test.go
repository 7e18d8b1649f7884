package rbac_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aigov/aigov/rbac"
)

// auditFixture is n Metadata-level events of a few users over pods,
// secrets and configmaps, as the log backend writes them.
func auditFixture(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"6c1d2f7e-%08d","stage":"ResponseComplete",`+
			`"requestURI":"/api/v1/namespaces/ns-%d/pods/p-%d","verb":"get","user":{"username":"system:serviceaccount:ns-%d:sa-%d","uid":"u-%d",`+
			`"groups":["system:serviceaccounts","system:serviceaccounts:ns-%d","system:authenticated"]},"sourceIPs":["10.0.0.%d"],"userAgent":"inference/v1.2.3",`+
			`"objectRef":{"resource":"pods","namespace":"ns-%d","name":"p-%d","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},`+
			`"requestReceivedTimestamp":"2026-11-01T10:00:00.000000Z","stageTimestamp":"2026-11-01T10:00:00.002000Z",`+
			`"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by RoleBinding/ns/r of Role/ns/r to ServiceAccount/ns/sa"}}`+"\n",
			i, i%50, i%1000, i%50, i%20, i%20, i%50, i%250, i%50, i%1000)
	}
	return b.Bytes()
}

// BenchmarkScanAuditLog measures the streaming reader (MB/s).
func BenchmarkScanAuditLog(b *testing.B) {
	data := auditFixture(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rbac.ScanAuditLog(bytes.NewReader(data), "bench.log", func(rbac.AuditRequest) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
