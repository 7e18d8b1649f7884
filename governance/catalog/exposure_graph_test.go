package catalog

import (
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
)

func TestExposureGraphs(t *testing.T) {
	exposures := []report.Exposure{{
		Asset:   ExposureVectorDatabase,
		Object:  governance.ObjectRef{Kind: "Deployment", Namespace: "recs-team", Name: "redis-stack"},
		UsedBy:  []string{"Deployment/recommender"},
		Network: []string{"cv-team/cv-notebook (Deployment) TCP/6379"},
		Access:  []string{`Group "odd|name" (exec, port-forward)`},
	}}
	var dot, mermaid strings.Builder
	if err := WriteExposureDOT(&dot, exposures); err != nil {
		t.Fatal(err)
	}
	if err := WriteExposureMermaid(&mermaid, exposures); err != nil {
		t.Fatal(err)
	}
	wantDOT := `digraph exposure {
  rankdir=LR;
  node [fontname="Helvetica"];
  "vector-database Deployment/recs-team/redis-stack" [shape=box, style=filled, fillcolor="#fde2e2"];
  "recs-team/recommender" [shape=ellipse];
  "cv-team/cv-notebook" [shape=ellipse];
  "Group \"odd|name\"" [shape=ellipse];
  "recs-team/recommender" -> "vector-database Deployment/recs-team/redis-stack" [label="uses", style=dashed];
  "cv-team/cv-notebook" -> "vector-database Deployment/recs-team/redis-stack" [label="network (Deployment) TCP/6379"];
  "Group \"odd|name\"" -> "vector-database Deployment/recs-team/redis-stack" [label="(exec, port-forward)"];
}
`
	if dot.String() != wantDOT {
		t.Errorf("DOT:\n%s\nwant:\n%s", dot.String(), wantDOT)
	}
	wantMermaid := `flowchart LR
  a0["vector-database Deployment/recs-team/redis-stack"]
  s0("recs-team/recommender")
  s1("cv-team/cv-notebook")
  s2("Group #quot;odd#124;name#quot;")
  s0 -.->|"uses"| a0
  s1 -->|"network (Deployment) TCP/6379"| a0
  s2 -->|"(exec, port-forward)"| a0
  style a0 fill:#fde2e2
`
	if mermaid.String() != wantMermaid {
		t.Errorf("Mermaid:\n%s\nwant:\n%s", mermaid.String(), wantMermaid)
	}
}

// TestExposureGraphGatewayChain draws a way in through a Gateway as its
// chain, each hop once however many assets it leads to.
func TestExposureGraphGatewayChain(t *testing.T) {
	way := "Gateway infra/gw listener https (HTTPRoute ml/chat spec.rules[0].backendRefs[0] -> InferencePool ml/llama)"
	exposures := []report.Exposure{
		{Asset: ExposureModelServer, Object: governance.ObjectRef{Kind: "Deployment", Namespace: "ml", Name: "vllm"}, Network: []string{way}},
		{Asset: ExposureModelServer, Object: governance.ObjectRef{Kind: "LeaderWorkerSet", Namespace: "ml", Name: "llama"}, Network: []string{way}},
	}
	var dot strings.Builder
	if err := WriteExposureDOT(&dot, exposures); err != nil {
		t.Fatal(err)
	}
	wantDOT := `digraph exposure {
  rankdir=LR;
  node [fontname="Helvetica"];
  "model-server Deployment/ml/vllm" [shape=box, style=filled, fillcolor="#fde2e2"];
  "model-server LeaderWorkerSet/ml/llama" [shape=box, style=filled, fillcolor="#fde2e2"];
  "Gateway infra/gw listener https" [shape=ellipse];
  "HTTPRoute ml/chat" [shape=ellipse];
  "InferencePool ml/llama" [shape=ellipse];
  "Gateway infra/gw listener https" -> "HTTPRoute ml/chat" [label="network"];
  "HTTPRoute ml/chat" -> "InferencePool ml/llama" [label="spec.rules[0].backendRefs[0]"];
  "InferencePool ml/llama" -> "model-server Deployment/ml/vllm" [label="selects"];
  "InferencePool ml/llama" -> "model-server LeaderWorkerSet/ml/llama" [label="selects"];
}
`
	if dot.String() != wantDOT {
		t.Errorf("DOT:\n%s\nwant:\n%s", dot.String(), wantDOT)
	}
	// An entry that only looks like a Gateway stays one edge.
	_, sources, edges := exposureGraph([]report.Exposure{{Asset: ExposureVectorDatabase,
		Object: governance.ObjectRef{Kind: "Deployment", Namespace: "ml", Name: "db"}, Network: []string{"Gateway ns/odd (Deployment) TCP/80"}}})
	if len(sources) != 1 || len(edges) != 1 || edges[0].label != "network (Deployment) TCP/80" {
		t.Errorf("sources %v, edges %+v", sources, edges)
	}
}
