package governance_test

import (
	"testing"
)

func TestTeamOf(t *testing.T) {
	inv := loadString(t, "ns.yaml", `
apiVersion: v1
kind: Namespace
metadata: {name: ml, labels: {team: vision}}
---
apiVersion: v1
kind: Namespace
metadata: {name: bare}
---
apiVersion: v1
kind: Namespace
metadata: {name: empty, labels: {team: ""}}
`)
	for ns, want := range map[string]string{"ml": "vision", "bare": "", "empty": "", "missing": ""} {
		if got := inv.TeamOf(ns); got != want {
			t.Errorf("TeamOf(%q) = %q, want %q", ns, got, want)
		}
	}
}
