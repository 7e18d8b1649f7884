package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// writeExposureText writes the folded exposure document as text, as the
// JSON document folds it: the accesses every Secret of the input has
// first, then those every Secret of a namespace has, then each Secret with
// its count and only its own accesses. Listed per Secret, the text of a
// 10,000-pod platform with 100 cluster admins was 215 MB.
func writeSecretsExposureText(w io.Writer, doc secrets.FoldedExposureDocument) error {
	ew := &errWriter{w: w}
	if l := doc.EverySecret; l != nil {
		ew.printf("Every Secret of the input (%d) can be read by:\n", l.Secrets)
		for _, a := range l.Access {
			writeAccessText(ew, a)
		}
	}
	for _, l := range doc.Namespaces {
		ew.printf("Every Secret of namespace %s (%d) can %sbe read by:\n", l.Namespace, l.Secrets, alsoIf(doc.EverySecret != nil))
		for _, a := range l.Access {
			writeAccessText(ew, a)
		}
	}
	shared := map[string]bool{}
	for _, l := range doc.Namespaces {
		shared[l.Namespace] = true
	}
	for _, s := range doc.Secrets {
		ew.printf("%s", governance.DisplayName("Secret", s.Namespace, s.Name))
		if len(s.UsedBy) > 0 {
			used := make([]string, len(s.UsedBy))
			for i, u := range s.UsedBy { // Kind/name in the Secret's namespace
				kind, name, _ := strings.Cut(u, "/")
				used[i] = governance.DisplayName(kind, s.Namespace, name)
			}
			ew.printf(" (used by %s)", strings.Join(used, ", "))
		}
		ew.printf("\n")
		if s.AccessCount == 0 {
			ew.printf("  nobody (in the given RBAC objects)\n")
			continue
		}
		if inherited := s.AccessCount - countExpanded(s, s.Access); inherited > 0 {
			var levels []string
			if doc.EverySecret != nil {
				levels = append(levels, "every Secret")
			}
			if shared[s.Namespace] {
				levels = append(levels, "every Secret of "+s.Namespace)
			}
			ew.printf("  %d of its %d accesses are listed above (%s)\n", inherited, s.AccessCount, strings.Join(levels, ", "))
		}
		for _, a := range s.Access {
			writeAccessText(ew, a)
		}
		for _, u := range s.UsedBy {
			if pods := s.Pods[u]; len(pods) > 0 {
				ew.printf("  pods of %s for exec: %s\n", u, strings.Join(pods, ","))
			}
		}
	}
	return ew.err
}

// countExpanded is the number of accesses as of s's in Exposure's list:
// an exec access into every using workload counts once per workload.
func countExpanded(s secrets.FoldedSecret, as []secrets.Access) int {
	n := 0
	for _, a := range as {
		if a.Via == secrets.ViaExec && a.Workload == secrets.EveryUsingWorkload {
			n += len(s.UsedBy)
			continue
		}
		n++
	}
	return n
}

func alsoIf(b bool) string {
	if b {
		return "also "
	}
	return ""
}

// writeAccessText writes one access: the subject, how, and the grants.
func writeAccessText(ew *errWriter, a secrets.Access) {
	how := a.Via + " (" + strings.Join(a.Verbs, ",") + ")"
	if len(a.Resources) > 0 {
		how += " " + strings.Join(a.Resources, ",")
	}
	switch {
	case a.Workload == secrets.EveryUsingWorkload:
		how += " into every workload that uses it"
	case a.Workload != "":
		how += " into " + a.Workload
	}
	if len(a.Pods) > 0 {
		how += " (pods " + strings.Join(a.Pods, ",") + ")"
	}
	if a.Impersonates != nil {
		how += " as " + secrets.Access{Subject: *a.Impersonates}.SubjectString() + ", who can " + strings.Join(a.Through, ",")
	}
	ew.printf("  %-40s %s\n", a.SubjectString(), how)
	if a.Superuser {
		ew.printf("      system:masters: allowed before RBAC\n")
	}
	for _, g := range a.Grants {
		ew.printf("      %s\n", g)
	}
	if len(a.RunsAs) > 0 {
		ew.printf("      workloads running as it: %s\n", strings.Join(a.RunsAs, ", "))
	}
}

// errWriter keeps the first write error, so that a long listing is
// written without checking each line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
