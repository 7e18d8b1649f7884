package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/governance/policyset"
)

// checksWidth is the widest line `aigov checks` prints: the kinds and
// parameters of a check wrap under their column instead of widening it.
const checksWidth = 100

func newChecksCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List the catalog: check IDs, parameters, severities and kinds",
		Long: `List every check of the catalog (and custom-cel): its ID, severity, whether
it compiles to a ValidatingAdmissionPolicy, the kinds it reads and its
parameters; a check that could run at admission but has no policy says why
("no VAP: ..."). The text table fits 100 columns; -o json has every field.`,
		Example: `  aigov checks
  aigov checks -o json | jq '.checks[].id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc := policyset.Checks()
			switch output {
			case "json":
				return writeJSON(cmd.OutOrStdout(), doc)
			case "text", "":
				return writeChecksText(cmd.OutOrStdout(), doc)
			default:
				return usageError("unknown output format %q (want text or json)", output)
			}
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// writeChecksText writes one row per check: ID, severity, VAP and the
// kinds it reads, the kinds and a "params:" line wrapped at checksWidth
// under the KINDS column.
func writeChecksText(w io.Writer, doc policyset.ChecksDocument) error {
	idWidth := len("ID")
	for _, d := range doc.Checks {
		idWidth = max(idWidth, len(d.ID))
	}
	const sevWidth, vapWidth = len("critical"), len("VAP")
	indent := idWidth + 2 + sevWidth + 2 + vapWidth + 2
	textWidth := max(checksWidth-indent, 20)
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s  %-*s  %-*s  %s\n", idWidth, "ID", sevWidth, "SEVERITY", vapWidth, "VAP", "KINDS / PARAMS")
	for _, d := range doc.Checks {
		vap := "no"
		if d.VAP {
			vap = "yes"
		}
		lines := wrapWords(strings.Join(d.Kinds, ", "), textWidth)
		var params []string
		for _, p := range d.Params {
			params = append(params, p.Name)
		}
		if len(params) > 0 {
			lines = append(lines, wrapWords("params: "+strings.Join(params, ", "), textWidth)...)
		}
		if d.AdmissionNote != "" {
			lines = append(lines, wrapWords(d.AdmissionNote, textWidth)...)
		}
		for i, line := range lines {
			if i == 0 {
				fmt.Fprintf(&b, "%-*s  %-*s  %-*s  %s\n", idWidth, d.ID, sevWidth, d.Severity, vapWidth, vap, line)
				continue
			}
			fmt.Fprintf(&b, "%*s%s\n", indent, "", line)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wrapWords breaks text at spaces into lines of at most width characters
// (a longer word stands alone on its line).
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}
