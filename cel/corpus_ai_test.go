package cel

import (
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// namespaceCase is a Namespace with the labels given in YAML ("" for none).
func namespaceCase(t testing.TB, name, labels string) diffCase {
	m := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}
	if labels != "" {
		m["metadata"].(map[string]any)["labels"] = mustYAML(t, labels)
	}
	return diffCase{name: name, manifest: m}
}

// aiCorpus is the corpus of the AI and namespace checks of issue #17: the
// checks whose admission forms read the AI classification, GPU resources
// and namespace labels.
func aiCorpus(t testing.TB, entry func(id, params string) governance.PolicyEntry) []diffCheck {
	var checks []diffCheck

	checks = append(checks, diffCheck{entry(catalog.IDNamespaceDataClassification, ""), []diffCase{
		namespaceCase(t, "dc-public", `{data-classification: public}`),
		namespaceCase(t, "dc-restricted", `{data-classification: restricted, team: ml}`),
		namespaceCase(t, "dc-upper", `{data-classification: Public}`),
		namespaceCase(t, "dc-empty", `{data-classification: ""}`),
		namespaceCase(t, "dc-other-key", `{classification: public}`),
		namespaceCase(t, "dc-none", ``),
	}})
	checks = append(checks, diffCheck{entry(catalog.IDNamespaceDataClassification, `{label: example.com/data, allowed: [open, secret]}`), []diffCase{
		namespaceCase(t, "dcp-open", `{example.com/data: open}`),
		namespaceCase(t, "dcp-default-value", `{example.com/data: public}`),
		namespaceCase(t, "dcp-default-key", `{data-classification: open}`),
	}})
	checks[len(checks)-1].entry.Name = "namespace-data-classification-params"

	checks = append(checks, diffCheck{entry(catalog.IDNamespaceTeamLabels, ""), []diffCase{
		namespaceCase(t, "tl-ok", `{team: ml, environment: production}`),
		namespaceCase(t, "tl-empty-env", `{team: ml, environment: ""}`),
		namespaceCase(t, "tl-no-env", `{team: ml}`),
		namespaceCase(t, "tl-empty-team", `{team: "", environment: dev}`),
		namespaceCase(t, "tl-none", ``),
	}})
	_ = strings.ToLower
	return checks
}
