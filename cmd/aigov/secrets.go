package main

import "github.com/spf13/cobra"

// newSecretsCommand is the "aigov secrets" command group. Placeholder: the group's
// commands arrive with the analyzer.
func newSecretsCommand() *cobra.Command {
	return &cobra.Command{Use: "secrets", Short: "secrets commands (being built)", Hidden: true}
}
