package catalog_test

import (
	"fmt"
	"log"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// ownerLabelParams are the parameters of the owner-label check below.
type ownerLabelParams struct {
	Label string `json:"label"`
}

// ownerLabel is a check of a platform team's own, in one definition:
// workloads must name their owner. It reads metadata.labels of
// Deployments and denies a Deployment without the label (default
// "owner"). A policy file configures it with {label: ...}; Go code passes
// ownerLabelParams.
var ownerLabel = governance.Definition{
	ID:          "owner-label",
	Description: "Deployments must name their owner in a label.",
	Severity:    governance.SeverityLow,
	Kinds:       []string{"Deployment"},
	Params:      []governance.Param{{Name: "label", Type: "string", Default: "owner", Description: "the label key"}},
	New: func(params any) (governance.Check, error) {
		p := ownerLabelParams{Label: "owner"}
		if err := governance.DecodeParams(params, &p); err != nil {
			return governance.Check{}, err
		}
		return governance.Check{
			ID: "owner-label", Severity: governance.SeverityLow,
			Remediation: "add the label with the owning team's name",
			Kinds:       []schema.GroupKind{{Group: "apps", Kind: "Deployment"}},
			Object: func(o *governance.Object) []governance.Violation {
				if o.Meta().GetLabels()[p.Label] != "" {
					return nil
				}
				return []governance.Violation{{Path: "metadata.labels[" + p.Label + "]", Message: "no " + p.Label + " label"}}
			},
		}, nil
	},
}

// Example_customCheck defines a check in one Definition and runs it next
// to the catalog's default checks, in one engine, over the example
// platform.
func Example_customCheck() {
	check, err := ownerLabel.New(ownerLabelParams{Label: "app.kubernetes.io/owner"})
	if err != nil {
		log.Fatal(err)
	}
	rules, err := catalog.Default()
	if err != nil {
		log.Fatal(err)
	}
	engine, err := governance.NewEngine(append(rules, governance.Rule{Check: check, Action: governance.ActionDeny})...)
	if err != nil {
		log.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		log.Fatal(err)
	}
	inv, err := loader.Load("../../examples/multitenant")
	if err != nil {
		log.Fatal(err)
	}
	catalogFindings := 0
	for _, f := range engine.Run(inv) {
		if f.Check == "owner-label" {
			fmt.Printf("%s/%s/%s %s\n", f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Path)
		} else {
			catalogFindings++
		}
	}
	fmt.Println(catalogFindings > 0, "catalog findings too")
	// Output:
	// Deployment/cv-team/cv-notebook metadata.labels[app.kubernetes.io/owner]
	// Deployment/nlp-team/llm-service metadata.labels[app.kubernetes.io/owner]
	// Deployment/nlp-team/text-embeddings metadata.labels[app.kubernetes.io/owner]
	// Deployment/platform/ai-gateway metadata.labels[app.kubernetes.io/owner]
	// Deployment/recs-team/recommender metadata.labels[app.kubernetes.io/owner]
	// Deployment/recs-team/redis-stack metadata.labels[app.kubernetes.io/owner]
	// true catalog findings too
}
