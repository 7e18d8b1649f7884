package secrets

import (
	"strings"
	"testing"
)

// objectCase is one table row of an object rule: manifests and the
// findings ("path provider", joined by ",") the rule must report.
type objectCase struct {
	name   string
	origin Origin
	yaml   string
	want   string
}

func runObjectCases(t *testing.T, id string, cases []objectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(scanWith(t, id, tc.origin, tc.yaml), ",")
			if got != tc.want {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}

func secretYAML(extra string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: ml}\n" + extra
}

func deploymentYAML(spec string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: ml}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
` + spec
}
