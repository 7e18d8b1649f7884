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
