package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ragPlatform = "testdata/netpol/rag.yaml"

func TestNetpolEvalYesNo(t *testing.T) {
	code, out, stderr := aigov(t, "", "netpol", "eval", "-f", ragPlatform, "--from", "rag/llm-service", "--to", "rag/vector-db", "--port", "6334")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "yes\n", out)
	code, out, _ = aigov(t, "", "netpol", "eval", "-f", ragPlatform, "--from", "web/frontend", "--to", "rag/vector-db", "--port", "6334", "--explain")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "isolated by NetworkPolicy rag/vector-db-only-llm")
	code, _, stderr = aigov(t, "", "netpol", "eval", "-f", ragPlatform, "--from", "nope/x", "--to", "rag/vector-db", "--port", "1")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "no such pod")
}

func TestNetpolEvalByIP(t *testing.T) {
	code, out, stderr := aigov(t, "", "netpol", "eval", "-f", ragPlatform, "--from", "10.1.0.5", "--to", "rag/llm-service", "--port", "8000")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "yes\n", out)
}

func TestNetpolMatrixPortJSON(t *testing.T) {
	code, out, stderr := aigov(t, "", "netpol", "matrix", "-f", ragPlatform, "--port", "6334", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		SchemaVersion int                 `json:"schemaVersion"`
		Port          string              `json:"port"`
		Protocol      string              `json:"protocol"`
		Pods          []string            `json:"pods"`
		Allowed       map[string][]string `json:"allowed"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 1, doc.SchemaVersion)
	assert.Equal(t, "6334", doc.Port)
	assert.Equal(t, "TCP", doc.Protocol)
	assert.Equal(t, []string{"rag/llm-service", "rag/vector-db", "web/frontend"}, doc.Pods)
	for src, dsts := range doc.Allowed {
		if src != "rag/llm-service" {
			assert.NotContains(t, dsts, "rag/vector-db", "only the llm-service may reach the vector DB")
		}
	}
	assert.Contains(t, doc.Allowed["rag/llm-service"], "rag/vector-db")
}

func TestNetpolMatrixAllPortsFormats(t *testing.T) {
	code, out, stderr := aigov(t, "", "netpol", "matrix", "-f", ragPlatform, "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Connections map[string]map[string][]string `json:"connections"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, []string{"TCP/8000"}, doc.Connections["web/frontend"]["rag/llm-service"])
	assert.Equal(t, []string{"TCP/6334"}, doc.Connections["rag/llm-service"]["rag/vector-db"])
	for _, o := range []string{"dot", "mermaid", "text"} {
		code, out, stderr := aigov(t, "", "netpol", "matrix", "-f", ragPlatform, "-o", o)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, out, "rag/llm-service", o)
	}
	code, _, _ = aigov(t, "", "netpol", "matrix", "-f", ragPlatform, "-o", "yaml")
	assert.Equal(t, 2, code)
}

func TestNetpolExposure(t *testing.T) {
	code, out, stderr := aigov(t, "", "netpol", "exposure", "-f", ragPlatform, "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Exposure []struct {
			Pod          string   `json:"pod"`
			AnyNamespace []string `json:"anyNamespace"`
			AllPorts     bool     `json:"allPorts"`
		} `json:"exposure"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	byPod := map[string]bool{}
	for _, x := range doc.Exposure {
		byPod[x.Pod] = x.AllPorts
	}
	assert.True(t, byPod["web/frontend"], "no policy selects the frontend")
	_, vdb := byPod["rag/vector-db"]
	assert.False(t, vdb, "the vector DB is reachable only from its own namespace")
}

func TestNetpolDiff(t *testing.T) {
	raw, err := os.ReadFile(ragPlatform)
	require.NoError(t, err)
	after := filepath.Join(t.TempDir(), "after.yaml")
	loosened := strings.Replace(string(raw), "from: [{podSelector: {matchLabels: {app: llm-service}}}]", "from: [{namespaceSelector: {}}]", 1)
	require.NotEqual(t, string(raw), loosened)
	require.NoError(t, os.WriteFile(after, []byte(loosened), 0o600))
	code, out, stderr := aigov(t, "", "netpol", "diff", "--before", ragPlatform, "--after", after)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, out, "+ web/frontend -> rag/vector-db: TCP/6334")
	code, out, _ = aigov(t, "", "netpol", "diff", "--before", ragPlatform, "--after", ragPlatform, "-o", "json")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, `"changes": []`)
}
