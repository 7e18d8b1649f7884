package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestHelpExamplesRun: every example of every command's --help that reads
// bundled files runs as written from the repository root and exits 0 or 1
// (a finding or a "no"), never with a usage or input error: help teaches
// commands that work. Examples that need a live cluster, read standard
// input or show a syntax summary are skipped by the README test's rules.
func TestHelpExamplesRun(t *testing.T) {
	var out, errOut bytes.Buffer
	root := newRootCommand(strings.NewReader(""), &out, &errOut)
	t.Chdir("../..")
	ran := 0
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			visit(sub)
		}
		for i, line := range strings.Split(c.Example, "\n") {
			line = strings.TrimSpace(line)
			cmd, ok := parseREADMECommand(line, i+1)
			if !ok {
				continue
			}
			where := fmt.Sprintf("%s example %d", c.CommandPath(), i+1)
			// A redirection ends the command's own words.
			if j := slices.IndexFunc(cmd.args, func(a string) bool { return strings.HasPrefix(a, ">") }); j >= 0 {
				cmd.args = cmd.args[:j]
			}
			reason := readmeSkipReason(cmd)
			switch {
			case reason != "":
			case slices.Contains(cmd.args, "--write"):
				reason = "writes files in place"
			case len(cmd.args) > 0 && cmd.args[0] == "serve":
				reason = "serves until stopped"
			case slices.Contains(cmd.args, "--baseline"):
				reason = "reads the baseline the example before writes"
			}
			if reason != "" {
				t.Logf("%s: skipped %q: %s", where, cmd.text, reason)
				continue
			}
			readsInput := slices.ContainsFunc(cmd.args, func(a string) bool {
				flag, _, _ := strings.Cut(a, "=")
				return slices.Contains(readmeInputFlags, flag)
			})
			if readsInput && !strings.Contains(cmd.text, "examples/") {
				t.Errorf("%s: %q reads no bundled file: use examples/... so that it runs as written", where, cmd.text)
				continue
			}
			ran++
			code, stdout, stderr, panicked := runREADMECommand(cmd.args)
			switch {
			case panicked != "":
				t.Errorf("%s: %q panicked:\n%s", where, cmd.text, panicked)
			case code != 0 && code != 1:
				t.Errorf("%s: %q: exit %d\nstderr: %s\nstdout: %s", where, cmd.text, code, clip(stderr), clip(stdout))
			}
		}
	}
	visit(root)
	if ran < 20 {
		t.Errorf("ran %d help examples, want at least 20: is the extraction broken?", ran)
	}
}
