package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/internal/golden"
)

// TestCheckReportGolden pins the full text report of `aigov check` on the
// example platform (both variants, every --group-by) and the "assets" of
// its JSON report.
func TestCheckReportGolden(t *testing.T) {
	fixed := filepath.Join(platform, "fixed")
	for _, tc := range []struct {
		golden string
		code   int
		args   []string
	}{
		{"check-multitenant.txt", 1, []string{"-f", platform}},
		{"check-multitenant-team.txt", 1, []string{"-f", platform, "--group-by", "team"}},
		{"check-multitenant-framework.txt", 1, []string{"-f", platform, "--group-by", "framework"}},
		{"check-multitenant-fixed.txt", 0, []string{"-f", fixed}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, out, stderr := aigov(t, "", append([]string{"check"}, tc.args...)...)
			require.Equal(t, tc.code, code, stderr)
			golden.Assert(t, filepath.Join("testdata", "golden", tc.golden), out)
		})
	}
	t.Run("json assets", func(t *testing.T) {
		_, out, _ := aigov(t, "", "check", "-f", platform, "-o", "json")
		var doc struct {
			SchemaVersion int               `json:"schemaVersion"`
			Objects       int               `json:"objects"`
			Findings      []json.RawMessage `json:"findings"`
			Assets        []struct {
				Class, Kind, Namespace, Name, Team string
			} `json:"assets"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &doc))
		assert.Equal(t, 1, doc.SchemaVersion)
		assert.Equal(t, 88, doc.Objects)
		assert.NotEmpty(t, doc.Findings)
		var rows []string
		for _, a := range doc.Assets {
			rows = append(rows, a.Class+" "+a.Kind+"/"+a.Namespace+"/"+a.Name+" "+a.Team)
		}
		assert.Equal(t, []string{
			"inference-server Deployment/nlp-team/llm-service nlp",
			"inference-server LeaderWorkerSet/nlp-team/llama-chat nlp",
			"embedding-service Deployment/nlp-team/text-embeddings nlp",
			"vector-database StatefulSet/nlp-team/qdrant nlp",
			"vector-database Deployment/recs-team/redis-stack recs",
			"training-job Job/cv-team/resnet50-finetune cv",
			"training-job PyTorchJob/cv-team/detector-finetune cv",
			"training-job RayCluster/cv-team/cv-ray cv",
			"notebook Deployment/cv-team/cv-notebook cv",
		}, rows)
	})
	t.Run("bad group-by", func(t *testing.T) {
		code, _, stderr := aigov(t, "", "check", "-f", platform, "--group-by", "colour")
		assert.Equal(t, 2, code)
		assert.True(t, strings.Contains(stderr, "--group-by"), stderr)
	})
}
