package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/safetext"
)

// WriteText writes a human-readable report: findings grouped by severity,
// most severe first, each as
//
//	FILE:LINE  Kind/namespace/name  check-id (entry name) [Warn] [known]
//	  path: message (and N pods)
//	  remediation: ...
//
// then the source's warnings and a summary line with the count per
// severity, the known (baselined) count and the number of objects loaded.
// The location is left out when the finding has no file; standard input
// shows as <stdin>; the action is shown only when it is not Deny. Strings
// from the input are escaped (safetext): names and paths print on one line,
// and no control character reaches the terminal.
//
// With an Overview the report opens with it (see Overview) and the listing
// gets a "FINDINGS BY ..." heading; with Groups the listing is by group.
func WriteText(w io.Writer, r Report) error {
	fs := sortedFindings(r.Findings)
	counts, known := severityCounts(fs)
	var b strings.Builder
	if r.Overview != nil {
		writeOverview(&b, r, fs)
		if len(fs) > 0 {
			by := r.GroupBy
			if by == "" || len(r.Groups) == 0 {
				by = GroupBySeverity
			}
			fmt.Fprintf(&b, "FINDINGS BY %s\n\n", strings.ToUpper(string(by)))
		}
	}
	if len(r.Groups) > 0 {
		writeGroups(&b, r.Groups)
		fs = nil
	}
	for i, f := range fs {
		if i == 0 || f.Severity != fs[i-1].Severity {
			if i > 0 {
				b.WriteByte('\n')
			}
			n := 0
			if f.Severity >= governance.SeverityInfo && f.Severity <= governance.SeverityCritical {
				n = counts[f.Severity]
			}
			fmt.Fprintf(&b, "%s (%d)\n", strings.ToUpper(f.Severity.String()), n)
		}
		writeTextFinding(&b, f)
	}
	if len(fs) > 0 {
		b.WriteByte('\n')
	}
	fs = sortedFindings(r.Findings)
	for _, warning := range r.Warnings {
		b.WriteString("warning: ")
		b.WriteString(indent(safetext.Block(warning), "  "))
		b.WriteByte('\n')
	}
	b.WriteString(summaryLine(len(fs), counts, known, r.Objects))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// writeGroups lists findings by group: "TITLE (N)", then each finding,
// most severe first, tagged with its severity.
func writeGroups(b *strings.Builder, groups []Group) {
	for _, g := range groups {
		fmt.Fprintf(b, "%s (%d)\n", strings.ToUpper(g.Title), len(g.Findings))
		for _, f := range sortedFindings(g.Findings) {
			b.WriteString("  [" + f.Severity.String() + "]")
			writeTextFinding(b, f)
		}
		b.WriteByte('\n')
	}
}

func writeTextFinding(b *strings.Builder, f governance.Finding) {
	b.WriteString("  ")
	if loc := textLocation(f.Object.Source); loc != "" {
		b.WriteString(safetext.Line(loc))
		b.WriteString("  ")
	}
	b.WriteString(safetext.Line(objectName(f.Object)))
	b.WriteString("  ")
	b.WriteString(safetext.Line(f.Check))
	if f.Name != "" {
		fmt.Fprintf(b, " (%s)", safetext.Line(f.Name))
	}
	if !isDeny(f.Action) {
		fmt.Fprintf(b, " [%s]", f.Action)
	}
	if f.Known {
		b.WriteString(" [known]")
	}
	b.WriteByte('\n')

	b.WriteString("    ")
	msg := safetext.Block(f.Message + f.FoldedText())
	if f.Path != "" {
		msg = safetext.Line(f.Path) + ": " + msg
	}
	b.WriteString(indent(msg, "      "))
	b.WriteByte('\n')
	if f.Remediation != "" {
		b.WriteString("    remediation: ")
		b.WriteString(indent(safetext.Block(f.Remediation), "      "))
		b.WriteByte('\n')
	}
}

// textLocation renders "file:line" ("<stdin>" for standard input), or "" when
// the finding has no file.
func textLocation(s governance.Source) string {
	file := s.File
	switch file {
	case "":
		return ""
	case "-":
		file = "<stdin>"
	}
	if s.Line > 0 {
		return file + ":" + strconv.Itoa(s.Line)
	}
	return file
}

// summaryLine renders e.g. "5 findings: 1 critical, 2 high, 1 medium,
// 0 low, 1 info (2 known); 42 objects loaded".
func summaryLine(total int, counts [governance.SeverityCritical + 1]int, known, objects int) string {
	var b strings.Builder
	if total == 0 {
		b.WriteString("no findings")
	} else {
		b.WriteString(plural(total, "finding"))
		b.WriteString(": ")
		for s := governance.SeverityCritical; s >= governance.SeverityInfo; s-- {
			fmt.Fprintf(&b, "%d %s", counts[s], s)
			if s > governance.SeverityInfo {
				b.WriteString(", ")
			}
		}
		fmt.Fprintf(&b, " (%d known)", known)
	}
	b.WriteString("; ")
	b.WriteString(plural(objects, "object"))
	b.WriteString(" loaded")
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// indent prefixes every line after the first, so that multi-line messages
// stay inside their finding.
func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}
