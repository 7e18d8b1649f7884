package secrets

import "testing"

func TestNotImmutable(t *testing.T) {
	runObjectCases(t, IDNotImmutable, []objectCase{
		{"unset", OriginCluster, secretYAML(""), "immutable"},
		{"false", OriginCluster, secretYAML("immutable: false\n"), "immutable"},
		{"true", OriginCluster, secretYAML("immutable: true\n"), ""},
	})
}
