package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

func TestParseGroupBy(t *testing.T) {
	for in, want := range map[string]GroupBy{"": GroupBySeverity, "Team": GroupByTeam, "framework": GroupByFramework} {
		if got, err := ParseGroupBy(in); err != nil || got != want {
			t.Errorf("ParseGroupBy(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseGroupBy("colour"); err == nil {
		t.Error("colour accepted")
	}
}

func overviewReport() Report {
	f := func(sev governance.Severity, kind, ns, name, check string) governance.Finding {
		return governance.Finding{Check: check, Severity: sev, Object: governance.ObjectRef{Kind: kind, Namespace: ns, Name: name}, Message: check + " message"}
	}
	return Report{
		Objects: 12,
		Findings: []governance.Finding{
			f(governance.SeverityHigh, "Deployment", "a-ns", "api", "x-check"),
			f(governance.SeverityCritical, "Deployment", "b-ns", "llm", "y-check"),
			f(governance.SeverityLow, "Namespace", "", "a-ns", "z-check"),
			f(governance.SeverityMedium, "ClusterRole", "", "admin", "w-check"),
		},
		Overview: &Overview{
			Namespaces: 3, Teams: []string{"a", "b"}, NamespaceTeam: map[string]string{"a-ns": "a", "b-ns": "b"},
			Assets:   []Asset{{Class: "inference-server", Kind: "Deployment", Namespace: "b-ns", Name: "llm", Team: "b", Reason: "image", GPUs: "nvidia.com/gpu=1"}},
			Exposure: []Exposure{{Asset: "provider-key", Object: governance.ObjectRef{Kind: "Secret", Namespace: "b-ns", Name: "key"}, UsedBy: []string{"Deployment/llm"}, Access: []string{"Group a-devs (read)"}}},
			TopRisks: 2,
		},
	}
}

func TestWriteTextOverview(t *testing.T) {
	r := overviewReport()
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"aigov check: 12 objects, 3 namespaces, 2 teams (a, b), 1 AI asset\n4 findings: 1 critical, 1 high, 1 medium, 1 low\n",
		"AI ASSETS\n  CLASS             TEAM  WORKLOAD             GPUS              RECOGNISED BY\n  inference-server  b     Deployment/b-ns/llm  nvidia.com/gpu=1  image\n",
		"TOP RISKS\n  1. critical y-check  Deployment/b-ns/llm\n     y-check message\n  2. high     x-check  Deployment/a-ns/api\n",
		"  provider-key Secret/b-ns/key\n    used by: Deployment/llm\n    access:  Group a-devs (read)\n",
		"FINDINGS BY SEVERITY\n\nCRITICAL (1)\n",
		"4 findings: 1 critical, 1 high, 1 medium, 1 low, 0 info (0 known); 12 objects loaded\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "3. ") {
		t.Errorf("more than TopRisks top risks:\n%s", out)
	}

	r.GroupBy = GroupByTeam
	r.Groups = TeamGroups(r.Findings, r.Overview.NamespaceTeam)
	b.Reset()
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	i := strings.Index(out, "FINDINGS BY TEAM")
	if i < 0 {
		t.Fatalf("no team heading:\n%s", out)
	}
	var titles []string
	for _, l := range strings.Split(out[i:], "\n") {
		if l != "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "FINDINGS") && !strings.Contains(l, "objects loaded") {
			titles = append(titles, l)
		}
	}
	if got := strings.Join(titles, "|"); got != "TEAM A (2)|TEAM B (1)|(CLUSTER-SCOPED) (1)" {
		t.Errorf("groups %s", got)
	}
}

func TestWriteJSONAssets(t *testing.T) {
	r := overviewReport()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schemaVersion", "objects", "findings", "assets"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q", k)
		}
	}
	r.Overview = nil
	b.Reset()
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `"assets"`) {
		t.Error("assets without an overview")
	}
}

func TestHeaderTeams(t *testing.T) {
	for _, tc := range []struct {
		teams []string
		want  string
	}{
		{[]string{"a"}, "a"},
		{[]string{"a", "b", "c", "d", "e"}, "a, b, c, d, e"},
		{[]string{"a", "b", "c", "d", "e", "f"}, "a, b, c, d, e and 1 more"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h"}, "a, b, c, d, e and 3 more"},
	} {
		if got := headerTeams(tc.teams); got != tc.want {
			t.Errorf("headerTeams(%q) = %q, want %q", tc.teams, got, tc.want)
		}
	}
}
