package policyset_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/policyset"
)

func ruleIDs(rules []governance.Rule) []string {
	var ids []string
	for _, r := range rules {
		id := r.Check.ID
		if r.Name != "" {
			id += "/" + r.Name
		}
		ids = append(ids, id+" "+string(r.Action))
	}
	return ids
}

func TestRulesWithoutPolicyAreTheCatalogDefaults(t *testing.T) {
	got, err := policyset.Rules("")
	require.NoError(t, err)
	want, err := catalog.Default()
	require.NoError(t, err)
	assert.Equal(t, ruleIDs(want), ruleIDs(got))
}

func TestRulesAreExactlyThePolicyEntries(t *testing.T) {
	rules, err := policyset.Rules("testdata/policy.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"privileged-container Deny", "custom-cel/semver-names Warn"}, ruleIDs(rules))

	// custom-cel compiled for the policy's kubernetesVersion (isSemver is
	// a 1.33 library function) and judges objects.
	inv := loadYAML(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-version, namespace: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: 1.2.3, namespace: a}
`)
	engine, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	var got []string
	for _, f := range engine.Run(inv) {
		got = append(got, f.Check+" "+f.Object.Name+" "+f.Message)
	}
	assert.Equal(t, []string{"custom-cel not-a-version names are versions"}, got)
}

func TestRulesErrorsNameThePolicyFile(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"testdata/unknown-check.yaml", `unknown check "no-such-check"`},
		{"testdata/too-old.yaml", "needs Kubernetes 1.33 or newer (target 1.30)"},
		{"testdata/missing.yaml", "missing.yaml"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := policyset.Rules(tc.file)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.file)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestChecksListsTheCatalogAndCustomCEL(t *testing.T) {
	doc := policyset.Checks()
	defs := catalog.Definitions()
	require.Len(t, doc.Checks, len(defs)+1)
	for i, d := range defs {
		assert.Equal(t, d.ID, doc.Checks[i].ID)
	}
	assert.Equal(t, cel.IDCustomCEL, doc.Checks[len(defs)].ID)

	var b bytes.Buffer
	require.NoError(t, json.NewEncoder(&b).Encode(doc))
	assert.True(t, strings.HasPrefix(b.String(), `{"checks":[{"id":"`), b.String()[:40])
	assert.True(t, strings.HasSuffix(b.String(), `],"schemaVersion":1}`+"\n"))
}

func loadYAML(t *testing.T, doc string) *governance.Inventory {
	t.Helper()
	l, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := l.LoadBytes("test.yaml", []byte(doc))
	require.NoError(t, err)
	return inv
}
