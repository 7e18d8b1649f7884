package main

import "github.com/spf13/cobra"

// newNetpolCommand is the "aigov netpol" command group. Placeholder: the group's
// commands arrive with the analyzer.
func newNetpolCommand() *cobra.Command {
	return &cobra.Command{Use: "netpol", Short: "netpol commands (being built)", Hidden: true}
}
