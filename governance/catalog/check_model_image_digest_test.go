package catalog

import "testing"

func TestModelImageDigest(t *testing.T) {
	c := mustNew(t, NewModelImageDigest, "")
	d := "@sha256:6e464be102e9279f09c02c72aad527d08318c0525e5ec18a395b387a0708f5a5"
	runCases(t, c, []checkCase{
		{name: "pinned", manifest: podManifest("Deployment", "llm", "", "{initContainers: [{name: s, image: registry.example.com/rag:1"+d+"}], containers: [{name: v, image: vllm/vllm-openai:v1"+d+"}]}")},
		{name: "not model serving", manifest: podManifest("StatefulSet", "q", "", "{containers: [{name: q, image: qdrant/qdrant:v1}]}")},
		{name: "tags", manifest: podManifest("Deployment", "llm", "", "{initContainers: [{name: s, image: registry.example.com/rag:1}], containers: [{name: v, image: vllm/vllm-openai:v1"+d+"}], ephemeralContainers: [{name: e, image: busybox}]}"),
			want: []string{
				`Deployment/llm spec.template.spec.ephemeralContainers[0].image: inference-server Deployment "llm": ephemeral container "e" image "busybox" is not pinned by @sha256 digest`,
				`Deployment/llm spec.template.spec.initContainers[0].image: inference-server Deployment "llm": init container "s" image "registry.example.com/rag:1" is not pinned by @sha256 digest`,
			}},
		{name: "malformed digest", manifest: podManifest("Pod", "tei", "", "{containers: [{name: t, image: text-embeddings-inference@sha256:ABC}]}"),
			want: []string{`Pod/tei spec.containers[0].image: embedding-service Pod "tei": container "t" image "text-embeddings-inference@sha256:ABC" has a malformed digest (want @sha256: and 64 lower-case hex digits)`}},
	})
	runParamCases(t, NewModelImageDigest, noParamCases)
}

func TestHasSHA256Digest(t *testing.T) {
	hex := "6e464be102e9279f09c02c72aad527d08318c0525e5ec18a395b387a0708f5a5"
	for image, want := range map[string]bool{
		"x@sha256:" + hex: true, "x:1@sha256:" + hex: true, "x:1": false, "x@sha256:" + hex[1:]: false,
		"x@sha512:" + hex: false, "x@sha256:" + hex[:63] + "G": false,
	} {
		if got := HasSHA256Digest(image); got != want {
			t.Errorf("HasSHA256Digest(%q) = %v", image, got)
		}
	}
}
