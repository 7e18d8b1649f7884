package catalog

import (
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

func TestSecretsRuleChecks(t *testing.T) {
	hf := "apiVersion: v1\nkind: Secret\nmetadata: {name: hf, namespace: ml}\nstringData: {token: '<replace-me>'}\n"
	clean := "apiVersion: v1\nkind: Secret\nmetadata: {name: hf, namespace: ml}\n"
	c, err := NewSecretsRuleCheck("secret-stringdata-in-source", nil)
	if err != nil {
		t.Fatal(err)
	}
	runContainsCases(t, c, []containsCase{
		{name: "pass", manifest: clean},
		{name: "fail", manifest: hf, want: []string{"Secret/hf stringData: the Secret manifest carries stringData"}},
	})
	cluster, err := NewSecretsRuleCheck("secret-stringdata-in-source", []byte(`{"origin": "cluster"}`))
	if err != nil {
		t.Fatal(err)
	}
	runContainsCases(t, cluster, []containsCase{{name: "pass: cluster origin", manifest: hf}})
	if _, err := NewSecretsRuleCheck("nope", nil); err == nil {
		t.Error("unknown rule accepted")
	}
	if _, err := NewSecretsRuleCheck("sa-token-automount", []byte(`{"origin": "git"}`)); err == nil {
		t.Error("bad origin accepted")
	}
	// Every default secrets rule is a definition with the rule's severity.
	defs := Definitions()
	for _, r := range secrets.DefaultRules() {
		d, err := governance.Lookup(defs, r.ID)
		if err != nil {
			t.Error(err)
			continue
		}
		if d.Severity != r.Severity || d.VAP {
			t.Errorf("%s: definition %+v", r.ID, d)
		}
	}
}
