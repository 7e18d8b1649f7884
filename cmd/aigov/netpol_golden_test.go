package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/internal/golden"
)

// TestNetpolGolden pins the exact output of matrix (text, JSON, DOT,
// Mermaid; all ports and one port), exposure and diff on the RAG platform.
func TestNetpolGolden(t *testing.T) {
	loosened := "testdata/netpol/rag-loosened.yaml"
	for _, tc := range []struct {
		golden string
		code   int
		args   []string
	}{
		{"matrix.txt", 0, []string{"matrix", "-f", ragPlatform}},
		{"matrix.json", 0, []string{"matrix", "-f", ragPlatform, "-o", "json"}},
		{"matrix.dot", 0, []string{"matrix", "-f", ragPlatform, "-o", "dot"}},
		{"matrix.mmd", 0, []string{"matrix", "-f", ragPlatform, "-o", "mermaid"}},
		{"matrix-port-6334.txt", 0, []string{"matrix", "-f", ragPlatform, "--port", "6334"}},
		{"matrix-port-6334.json", 0, []string{"matrix", "-f", ragPlatform, "--port", "6334", "-o", "json"}},
		{"matrix-port-6334.dot", 0, []string{"matrix", "-f", ragPlatform, "--port", "6334", "-o", "dot"}},
		{"matrix-port-6334.mmd", 0, []string{"matrix", "-f", ragPlatform, "--port", "6334", "-o", "mermaid"}},
		{"exposure.txt", 0, []string{"exposure", "-f", ragPlatform}},
		{"exposure.json", 0, []string{"exposure", "-f", ragPlatform, "-o", "json"}},
		{"diff.txt", 1, []string{"diff", "--before", ragPlatform, "--after", loosened}},
		{"diff.json", 1, []string{"diff", "--before", ragPlatform, "--after", loosened, "-o", "json"}},
		{"diff-reverse.txt", 0, []string{"diff", "--before", loosened, "--after", ragPlatform}},
		{"eval-explain.txt", 1, []string{"eval", "-f", loosened, "--from", "web/frontend", "--to", "rag/llm-service", "--port", "8080", "--explain"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, out, stderr := aigov(t, "", append([]string{"netpol"}, tc.args...)...)
			require.Equal(t, tc.code, code, stderr)
			golden.Assert(t, filepath.Join("testdata", "netpol", "golden", tc.golden), out)
		})
	}
}

// TestNetpolMultitenantMistake is deliberate mistake 5 of
// examples/multitenant: cv-team pods reach the recs-team Redis Stack
// vector store; examples/multitenant/fixed must not allow it.
func TestNetpolMultitenantMistake(t *testing.T) {
	for _, from := range []string{"cv-team/cv-notebook", "cv-team/resnet50-finetune"} {
		code, out, stderr := aigov(t, "", "netpol", "eval", "-f", platform, "--from", from, "--to", "recs-team/redis-stack", "--port", "6379", "--explain")
		require.Equal(t, 0, code, "mistakes variant: %s must reach redis-stack\n%s%s", from, out, stderr)
		assert.True(t, strings.HasPrefix(out, from+" -> recs-team/redis-stack TCP/6379: yes"), out)
		assert.Contains(t, out, "allowed by NetworkPolicy cv-team/allow-all-egress egress[0]")
		assert.Contains(t, out, "allowed by NetworkPolicy recs-team/redis-stack-ingress ingress[0]")

		code, out, stderr = aigov(t, "", "netpol", "eval", "-f", platform+"/fixed", "--from", from, "--to", "recs-team/redis-stack", "--port", "6379")
		require.Equal(t, 1, code, "fixed variant: %s must not reach redis-stack\n%s%s", from, out, stderr)
		assert.Equal(t, "no\n", out)
	}
	// The flow the vector store exists for works in both variants.
	for _, dir := range []string{platform, platform + "/fixed"} {
		code, out, stderr := aigov(t, "", "netpol", "eval", "-f", dir, "--from", "recs-team/recommender", "--to", "recs-team/redis-stack", "--port", "6379")
		require.Equal(t, 0, code, "%s: %s%s", dir, out, stderr)
	}
	// And the diff from fixed to the mistakes names the new connections.
	code, out, stderr := aigov(t, "", "netpol", "diff", "--before", platform+"/fixed", "--after", platform)
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, out, "+ cv-team/cv-notebook -> recs-team/redis-stack: ")
	assert.Contains(t, out, "+ cv-team/resnet50-finetune -> recs-team/redis-stack: ")
}
