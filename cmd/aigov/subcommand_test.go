package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUnknownSubcommand: a mistyped subcommand is a usage error (exit 2)
// with "unknown command" and a suggestion, at every level, as kubectl
// answers; a group called bare still prints its help and succeeds.
func TestUnknownSubcommand(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		suggest string
	}{
		{[]string{"rbac", "who_can", "get", "pods"}, "who-can"},
		{[]string{"secrets", "scna", "-f", "x"}, "scan"},
		{[]string{"netpol", "matrx"}, "matrix"},
		{[]string{"quota", "admt"}, "admit"},
		{[]string{"vap", "generat"}, "generate"},
		{[]string{"chekc"}, "check"},
	} {
		code, stdout, stderr := aigov(t, "", tc.args...)
		assert.Equal(t, 2, code, "%v: stdout %s", tc.args, stdout)
		assert.Contains(t, stderr, "unknown command", "%v", tc.args)
		assert.Contains(t, stderr, tc.suggest, "%v: the suggestion", tc.args)
		assert.Empty(t, stdout, "%v: no help on stdout for a mistake", tc.args)
	}
	for _, group := range []string{"rbac", "netpol", "quota", "secrets", "vap"} {
		code, stdout, _ := aigov(t, "", group)
		assert.Equal(t, 0, code, group)
		assert.Contains(t, stdout, "Available Commands", group)
	}
}
