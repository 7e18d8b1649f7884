package secrets

import "testing"

func TestInLastAppliedAnnotation(t *testing.T) {
	la := func(j string) string {
		return ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ml\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '" + j + "'\n")
	}
	path := "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]"
	runObjectCases(t, IDInLastAppliedAnnotation, []objectCase{
		{"stringData", OriginCluster, la(`{"apiVersion":"v1","kind":"Secret","stringData":{"token":"x"}}`), path},
		{"data", OriginCluster, la(`{"apiVersion":"v1","kind":"Secret","data":{"token":"eA=="}}`), path},
		{"unparseable", OriginCluster, la(`{"data":{"token":`), path},
		{"metadata only", OriginCluster, la(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}`), ""},
		{"empty data", OriginCluster, la(`{"data":{}}`), ""},
		{"no annotation", OriginCluster, secretYAML(""), ""},
		{"not a Secret", OriginCluster, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"a\":\"b\"}}'\n", ""},
	})
}
