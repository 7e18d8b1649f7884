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
	if _, err := NewSecretsRuleCheck("secret-volume-unused", []byte(`{"origin": "git"}`)); err == nil {
		t.Error("bad origin accepted")
	}
	// sa-token-automount is not a catalog check: its cause is
	// automount-token's, and its ID an alias of it.
	if _, err := NewSecretsRuleCheck(secrets.IDSATokenAutomount, nil); err == nil {
		t.Error("sa-token-automount built as a catalog check")
	}
	defs := Definitions()
	if d, err := governance.Lookup(defs, secrets.IDSATokenAutomount); err != nil || d.ID != IDAutomountToken {
		t.Errorf("Lookup(sa-token-automount) = %s, %v; want automount-token", d.ID, err)
	}
	// Every other default secrets rule is a definition with the rule's
	// severity; the value rules with a policy are VAPs.
	for _, r := range secrets.DefaultRules() {
		if r.ID == secrets.IDSATokenAutomount {
			continue
		}
		d, err := governance.Lookup(defs, r.ID)
		if err != nil {
			t.Error(err)
			continue
		}
		_, vap := secretsAdmissionDetectors()[r.ID]
		if d.Severity != r.Severity || d.VAP != vap {
			t.Errorf("%s: definition %+v", r.ID, d)
		}
	}
}
