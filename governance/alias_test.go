package governance_test

import (
	"testing"

	"github.com/aigov/aigov/governance"
)

// mergedOwner is needs-owner after a merge: it kept the ID needs-owner and
// took over "owner-label", the ID of the check it absorbed.
func mergedOwner() governance.Definition {
	return governance.Definition{
		ID: "needs-owner", Aliases: []string{"owner-label"}, Severity: governance.SeverityLow,
		New: func(params any) (governance.Check, error) {
			if err := governance.NoParams(params); err != nil {
				return governance.Check{}, err
			}
			c := needsOwner(governance.SeverityLow)
			c.Aliases = []string{"owner-label"}
			return c, nil
		},
	}
}

// TestAliasInPolicy: a policy entry naming an alias configures the
// surviving check, whose findings carry the surviving ID; listing both IDs
// is listing the check twice.
func TestAliasInPolicy(t *testing.T) {
	defs := []governance.Definition{mergedOwner()}
	if d, err := governance.Lookup(defs, "owner-label"); err != nil || d.ID != "needs-owner" {
		t.Fatalf("Lookup(alias) = %q, %v", d.ID, err)
	}
	p, err := governance.ParsePolicy("policy.yaml", []byte(policyHead+"  checks:\n  - id: owner-label\n    action: Warn\n"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := p.Rules(defs)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ml}\n", rules...)
	if want := "low needs-owner ConfigMap ml/c metadata.labels[owner] Warn\n"; got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}

	p, err = governance.ParsePolicy("policy.yaml", []byte(policyHead+"  checks:\n  - id: owner-label\n  - id: needs-owner\n"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err = p.Rules(defs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := governance.NewEngine(rules...); err == nil {
		t.Error("a check listed by its ID and by its alias ran twice")
	}
}

// TestAliasInExemption: an exemption annotation naming the alias exempts
// the object from the surviving check; an unrelated ID does not.
func TestAliasInExemption(t *testing.T) {
	c, err := mergedOwner().New(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, `apiVersion: v1
kind: ConfigMap
metadata:
  name: by-alias
  namespace: ml
  annotations: {aigov.dev/exempt: owner-label, aigov.dev/exempt-reason: reviewed}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: by-id
  namespace: ml
  annotations: {aigov.dev/exempt: needs-owner, aigov.dev/exempt-reason: reviewed}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  namespace: ml
  annotations: {aigov.dev/exempt: owner-labels, aigov.dev/exempt-reason: reviewed}
`, governance.Rule{Check: c})
	if want := "low needs-owner ConfigMap ml/other metadata.labels[owner] Deny\n"; got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
}

func TestAliasValidate(t *testing.T) {
	for _, aliases := range [][]string{{"needs-owner"}, {"Owner_Label"}, {""}} {
		c := needsOwner(governance.SeverityLow)
		c.Aliases = aliases
		if err := c.Validate(); err == nil {
			t.Errorf("aliases %q accepted", aliases)
		}
	}
	c := needsOwner(governance.SeverityLow)
	c.Aliases = []string{"owner-label"}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}
