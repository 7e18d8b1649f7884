package secrets

import "testing"

func TestDataInvalidBase64(t *testing.T) {
	runObjectCases(t, IDDataInvalidBase64, []objectCase{
		{"plain text", OriginSource, secretYAML("data: {token: not base64!, ok: " + b64enc("x") + "}\n"), "data[token]"},
		{"unpadded", OriginSource, secretYAML("data: {a: eA}\n"), "data[a]"},
		{"line breaks are allowed", OriginSource, secretYAML("data: {a: \"" + b64enc("abcdefghijkl")[:8] + "\\n" + b64enc("abcdefghijkl")[8:] + "\"}\n"), ""},
		{"valid", OriginCluster, secretYAML("data: {a: " + b64enc("x") + "}\n"), ""},
	})
}
