package catalog

import (
	"reflect"
	"strings"
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
		_, valueVAP := secretsAdmissionDetectors()[r.ID]
		_, objectVAP := secretsObjectAdmissions()[r.ID]
		vap := valueVAP || objectVAP
		if d.Severity != r.Severity || d.VAP != vap {
			t.Errorf("%s: definition %+v", r.ID, d)
		}
		// One source per note: the rule says why it has no policy, the
		// catalog says what its policy leaves to the scan.
		switch {
		case valueVAP && objectVAP:
			t.Errorf("%s: two policies", r.ID)
		case vap && r.AdmissionNote != "":
			t.Errorf("%s: a policy, and a note of the rule's own: %q", r.ID, r.AdmissionNote)
		case vap && !strings.HasPrefix(d.AdmissionNote, "VAP "):
			t.Errorf("%s: a policy whose note does not start with \"VAP \": %q", r.ID, d.AdmissionNote)
		case !vap && (!strings.HasPrefix(r.AdmissionNote, "no VAP: ") || d.AdmissionNote != r.AdmissionNote):
			t.Errorf("%s: no policy; rule note %q, definition note %q, want one starting \"no VAP: \"", r.ID, r.AdmissionNote, d.AdmissionNote)
		}
	}
}

// TestSecretsObjectAdmissionsOrigin: the policies of the secrets object
// rules decide alike in both origins, as the rules do (they do not read
// the origin), and a bad origin is refused.
func TestSecretsObjectAdmissionsOrigin(t *testing.T) {
	for id := range secretsObjectAdmissions() {
		var forms []*governance.Admission
		for _, origin := range []string{"", `{"origin": "source"}`, `{"origin": "cluster"}`} {
			var params any
			if origin != "" {
				params = []byte(origin)
			}
			c, err := NewSecretsRuleCheck(id, params)
			if err != nil {
				t.Fatalf("%s %s: %v", id, origin, err)
			}
			if c.Admission == nil || len(c.Admission.Validations) == 0 {
				t.Fatalf("%s %s: no admission form", id, origin)
			}
			forms = append(forms, c.Admission)
		}
		for _, f := range forms[1:] {
			if !reflect.DeepEqual(f, forms[0]) {
				t.Errorf("%s: the policy differs by origin", id)
			}
		}
		if _, err := NewSecretsRuleCheck(id, []byte(`{"origin": "git"}`)); err == nil {
			t.Errorf("%s: bad origin accepted", id)
		}
	}
}
