package secrets

import "testing"

func TestStringDataInSource(t *testing.T) {
	runObjectCases(t, IDStringDataInSource, []objectCase{
		{"stringData", OriginSource, secretYAML("stringData: {token: <replace-with-hf-token>}\n"), "stringData"},
		{"cluster origin", OriginCluster, secretYAML("stringData: {token: x}\n"), ""},
		{"no stringData", OriginSource, secretYAML("type: Opaque\n"), ""},
	})
}
