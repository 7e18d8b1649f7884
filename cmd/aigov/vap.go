package main

import "github.com/spf13/cobra"

// newVAPCommand is the "aigov vap" command group. Placeholder: the group's
// commands arrive with the analyzer.
func newVAPCommand() *cobra.Command {
	return &cobra.Command{Use: "vap", Short: "vap commands (being built)", Hidden: true}
}
