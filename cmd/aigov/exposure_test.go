package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExposureCommand(t *testing.T) {
	code, out, stderr := aigov(t, "", "exposure", "-f", platform)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "vector-database Deployment/recs-team/redis-stack\n")
	assert.Contains(t, out, "cv-team/cv-notebook (Deployment) TCP/6379", "mistake 5: the CV notebook reaches the recs vector store")

	code, out, _ = aigov(t, "", "exposure", "-f", platform, "-o", "json")
	require.Equal(t, 0, code)
	var doc struct {
		SchemaVersion int `json:"schemaVersion"`
		Assets        []struct {
			Asset   string   `json:"asset"`
			Network []string `json:"network"`
		} `json:"assets"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 1, doc.SchemaVersion)
	assert.NotEmpty(t, doc.Assets)

	code, out, _ = aigov(t, "", "exposure", "-f", platform, "-o", "mermaid")
	require.Equal(t, 0, code)
	assert.Regexp(t, `(?m)^flowchart LR\n`, out)
	assert.Contains(t, out, `("cv-team/cv-notebook")`)

	code, out, _ = aigov(t, "", "exposure", "-f", platform+"/fixed", "-o", "dot")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "digraph exposure {")
	assert.NotContains(t, out, `"cv-team/cv-notebook" -> "vector-database Deployment/recs-team/redis-stack"`, "fixed: only the recommender reaches it")

	code, _, _ = aigov(t, "", "exposure", "-f", platform, "-o", "svg")
	assert.Equal(t, 2, code)
}
