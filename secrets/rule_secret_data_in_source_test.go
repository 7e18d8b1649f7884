package secrets

import "testing"

func TestDataInSource(t *testing.T) {
	runObjectCases(t, IDDataInSource, []objectCase{
		{"data", OriginSource, secretYAML("data: {token: " + b64enc("x") + "}\n"), "data"},
		{"cluster origin", OriginCluster, secretYAML("data: {token: " + b64enc("x") + "}\n"), ""},
		{"only invalid base64", OriginSource, secretYAML("data: {token: not base64!}\n"), ""},
		{"empty value", OriginSource, secretYAML("data: {token: \"\"}\n"), ""},
		{"no data", OriginSource, secretYAML("type: Opaque\n"), ""},
	})
}
