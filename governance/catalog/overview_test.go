package catalog

import (
	"slices"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
	"github.com/aigov/aigov/netpol"
	"github.com/aigov/aigov/rbac"
)

func TestOverviewOfTheExamplePlatform(t *testing.T) {
	inv := loadExample(t, ".")
	o := Overview(governance.NewPass(inv))
	if o.Namespaces != 4 {
		t.Errorf("namespaces = %d, want 4", o.Namespaces)
	}
	if want := []string{"cv", "nlp", "platform", "recs"}; !slices.Equal(o.Teams, want) {
		t.Errorf("teams = %v, want %v", o.Teams, want)
	}
	if o.NamespaceTeam["nlp-team"] != "nlp" || o.NamespaceTeam["cv-team"] != "cv" || len(o.NamespaceTeam) != 4 {
		t.Errorf("namespace teams = %v", o.NamespaceTeam)
	}
	var rows []string
	for _, a := range o.Assets {
		rows = append(rows, a.Class+" "+a.Kind+"/"+a.Namespace+"/"+a.Name+" "+a.Team+" "+a.GPUs)
	}
	want := []string{
		"inference-server Deployment/nlp-team/llm-service nlp nvidia.com/gpu=1",
		"inference-server LeaderWorkerSet/nlp-team/llama-chat nlp nvidia.com/gpu=1",
		"embedding-service Deployment/nlp-team/text-embeddings nlp ",
		"vector-database StatefulSet/nlp-team/qdrant nlp ",
		"vector-database Deployment/recs-team/redis-stack recs ",
		"training-job Job/cv-team/resnet50-finetune cv nvidia.com/gpu=4",
		"training-job PyTorchJob/cv-team/detector-finetune cv nvidia.com/gpu=1",
		"training-job RayCluster/cv-team/cv-ray cv nvidia.com/gpu=1",
		"notebook Deployment/cv-team/cv-notebook cv nvidia.com/gpu=1",
	}
	if !slices.Equal(rows, want) {
		t.Errorf("assets:\n got  %q\n want %q", rows, want)
	}
	var exposed []string
	for _, e := range o.Exposure {
		exposed = append(exposed, e.Asset+" "+e.ObjectName())
	}
	wantExposed := []string{"model-server Deployment/nlp-team/llm-service", "model-server LeaderWorkerSet/nlp-team/llama-chat",
		"vector-database Deployment/recs-team/redis-stack", "vector-database StatefulSet/nlp-team/qdrant",
		"model-store PersistentVolumeClaim/cv-team/cv-notebook-home", "model-store PersistentVolumeClaim/cv-team/cv-training-data",
		"provider-key Secret/cv-team/wandb-api-key", "provider-key Secret/nlp-team/huggingface-token",
		"provider-key Secret/platform/ai-gateway-master-key", "provider-key Secret/platform/openai-api-key"}
	if !slices.Equal(exposed, wantExposed) {
		t.Errorf("exposure rows:\n got  %q\n want %q", exposed, wantExposed)
	}
}

// The check report's overview reads the facts the run of the catalog's
// checks computed in the same pass instead of building them again.
func TestOverviewReusesTheRunsFacts(t *testing.T) {
	inv := loadExample(t, ".")
	engine := defaultEngine(t)
	pass := governance.NewPass(inv)
	engine.RunPass(pass)
	for _, f := range []governance.FactRef{netpol.GraphFact, rbac.GraphFact, ClassificationFact} {
		if !pass.Computed(f) {
			t.Fatalf("the run did not compute %s", f.FactName())
		}
	}
	graph, classes := netpol.GraphFact.Of(pass), ClassificationFact.Of(pass)
	Overview(pass)
	if netpol.GraphFact.Of(pass) != graph || &ClassificationFact.Of(pass)[0] != &classes[0] {
		t.Error("Overview rebuilt a fact the run had computed")
	}
}

func TestFindingGroups(t *testing.T) {
	fs := []governance.Finding{
		{Check: IDPrivilegedContainer, Severity: governance.SeverityHigh, Object: governance.ObjectRef{Kind: "Pod", Namespace: "a", Name: "p"}},
		{Check: "no-such-check", Severity: governance.SeverityLow, Object: governance.ObjectRef{Kind: "Pod", Namespace: "b", Name: "q"}},
	}
	if g := FindingGroups(report.GroupBySeverity, fs, nil, Definitions()); g != nil {
		t.Errorf("by severity: %v, want nil (the encoder groups)", g)
	}
	var titles []string
	for _, g := range FindingGroups(report.GroupByTeam, fs, map[string]string{"a": "ml"}, Definitions()) {
		titles = append(titles, g.Title)
	}
	if want := []string{"team ml", "(no team)"}; !slices.Equal(titles, want) {
		t.Errorf("by team: %v, want %v", titles, want)
	}
	groups := FindingGroups(report.GroupByFramework, fs, nil, Definitions())
	if len(groups) < 2 || groups[len(groups)-1].Title != Unmapped || groups[len(groups)-1].Findings[0].Check != "no-such-check" {
		t.Errorf("by framework: %+v, want the unknown check last, unmapped", groups)
	}
}
