package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
)

// TestEveryCommandHasExamples: every runnable command's --help teaches by
// example.
func TestEveryCommandHasExamples(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Runnable() && !c.HasSubCommands() && c.Name() != "help" && c.Name() != "completion" && c.Name() != "version" {
			assert.NotEmpty(t, strings.TrimSpace(c.Example), "%s has no Examples section", c.CommandPath())
		}
	}
	walk(newRootCommand(nil, nil, nil))
}

// TestHelpTeachesRight pins help texts that once taught the wrong thing.
func TestHelpTeachesRight(t *testing.T) {
	_, out, _ := aigov(t, "", "rbac", "can-i", "--help")
	assert.NotContains(t, out, "pods/exec", "pods/exec names a pod called exec; the subresource is --subresource exec")
	assert.Contains(t, out, "--subresource exec")

	_, out, _ = aigov(t, "", "check", "--help")
	assert.Contains(t, out, "--baseline FILE")
	assert.Contains(t, out, "--policy FILE")

	code, _, stderr := aigov(t, "", "netpol", "eval", "-f", platform, "--from", "nlp-team/llm-service",
		"--to", "nlp-team/qdrant", "--port", "99999")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--port 99999 is out of range")
}
