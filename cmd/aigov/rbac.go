package main

import "github.com/spf13/cobra"

// newRBACCommand is the "aigov rbac" command group. Placeholder: the group's
// commands arrive with the analyzer.
func newRBACCommand() *cobra.Command {
	return &cobra.Command{Use: "rbac", Short: "rbac commands (being built)", Hidden: true}
}
