package main

import "github.com/spf13/cobra"

// newQuotaCommand is the "aigov quota" command group. Placeholder: the group's
// commands arrive with the analyzer.
func newQuotaCommand() *cobra.Command {
	return &cobra.Command{Use: "quota", Short: "quota commands (being built)", Hidden: true}
}
