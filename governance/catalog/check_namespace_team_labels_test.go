package catalog

import "testing"

func TestNamespaceTeamLabels(t *testing.T) {
	c := mustNew(t, NewNamespaceTeamLabels, "")
	runCases(t, c, []checkCase{
		{name: "both", manifest: nsManifest("ml", "{team: ml, environment: prod}")},
		{name: "none", manifest: nsManifest("ml", "{}"), want: []string{
			`Namespace/ml metadata.labels[environment]: Namespace "ml" has no label "environment"`,
			`Namespace/ml metadata.labels[team]: Namespace "ml" has no label "team"`,
		}},
		{name: "empty team", manifest: nsManifest("ml", `{team: "", environment: prod}`),
			want: []string{`Namespace/ml metadata.labels[team]: Namespace "ml" has an empty label "team"`}},
	})
	owner := mustNew(t, NewNamespaceTeamLabels, `{"labels": ["example.com/owner"]}`)
	runCases(t, owner, []checkCase{
		{name: "owner", manifest: nsManifest("ml", "{example.com/owner: nlp}")},
		{name: "no owner", manifest: nsManifest("ml", "{team: ml}"),
			want: []string{`Namespace/ml metadata.labels[example.com/owner]: Namespace "ml" has no label "example.com/owner"`}},
	})
}

func TestNamespaceTeamLabelsParams(t *testing.T) {
	runParamCases(t, NewNamespaceTeamLabels, []paramCase{
		{"", ""},
		{`{"labels": ["team"]}`, ""},
		{`{"labels": []}`, "labels must list at least one value"},
		{`{"labels": ["-x"]}`, `labels[0] "-x"`},
		{`{"team": true}`, `unknown field "team"`},
	})
}
