package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The README's commands run as written from the repository root on bundled
// files. TestREADME extracts every `aigov …` (or `go run ./cmd/aigov …`)
// command from README.md — the lines of its sh, console and plain code
// blocks, and the inline code of its prose that reads input — runs each
// in-process with the working directory at the repository root, and fails
// when one exits 2 (usage or input error), exits with a code other than 0
// or 1, or panics. Exit 1 is a verdict ("no", rejected, findings), not a
// breakage.

// readmeMinCommands is a floor on the commands TestREADME executes, so
// that it cannot pass by extracting nothing.
const readmeMinCommands = 20

// readmeSkips are README commands (as extracted: the command text without
// its comment, before any pipe) that TestREADME must not run, each with
// the reason. An entry no README command matches fails the test.
// Lines detected as syntax summaries, commands that need a live cluster
// and prose that names a command without input are skipped by rule
// (readmeSkipReason), not listed here.
var readmeSkips = map[string]string{}

// readmeExpect are README commands whose documented outcome is not exit 0
// or 1: the exit code and a text stderr must contain.
var readmeExpect = map[string]struct {
	code   int
	stderr string
}{
	// The CLI section's example of a mistyped command.
	"aigov rbac who_can": {2, `unknown command "who_can"`},
}

// readmePipePrograms are the programs a README command may pipe aigov's
// output into; only the aigov part runs. A `|` followed by anything else
// separates alternatives of a syntax summary (`can-i | who-can`,
// `-o text|json`).
var readmePipePrograms = []string{"kubectl", "jq", "yq", "head", "tail", "less", "grep", "dot", "tee", "sort", "wc"}

// readmeInputFlags: a prose mention with one of these flags reads input
// and is a runnable example; without one it names a command or a flag
// (`aigov checks`, `aigov vap generate --cost`).
var readmeInputFlags = []string{"-f", "--filename", "-k", "--kustomize", "--policy", "--audit", "--before", "--after", "--object", "--baseline"}

type readmeCommand struct {
	line  int      // 1-based line of README.md
	text  string   // the command as written, without comment, up to a pipe
	args  []string // the arguments after aigov
	prose bool     // inline code in prose, not a code block line
	pipe  []string // the words after an unquoted |, if any
	// syntax is set when the line is not a command: a syntax summary
	// (brackets, placeholders, alternatives) or a tokenizing error.
	syntax string
}

func TestREADME(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(string(data))
	t.Chdir("../..") // the repository root: commands run as written there
	if _, err := os.Stat("go.mod"); err != nil {
		t.Fatalf("not at the repository root: %v", err)
	}

	usedSkips := map[string]bool{}
	usedExpect := map[string]bool{}
	executed := 0
	for _, c := range cmds {
		where := fmt.Sprintf("README.md:%d", c.line)
		if reason, ok := readmeSkips[c.text]; ok {
			usedSkips[c.text] = true
			t.Logf("%s: skipped %q: %s", where, c.text, reason)
			continue
		}
		want, expected := readmeExpect[c.text]
		if expected {
			usedExpect[c.text] = true
		} else if reason := readmeSkipReason(c); reason != "" {
			t.Logf("%s: skipped %q: %s", where, c.text, reason)
			continue
		}
		if len(c.pipe) > 0 {
			t.Logf("%s: running the aigov part of a pipeline into %q", where, c.pipe[0])
		}
		executed++
		code, stdout, stderr, panicked := runREADMECommand(c.args)
		t.Logf("%s: exit %d: %s", where, code, c.text)
		if panicked != "" {
			t.Errorf("%s: %s panicked:\n%s", where, c.text, panicked)
			continue
		}
		if expected {
			if code != want.code || !strings.Contains(stderr, want.stderr) {
				t.Errorf("%s: %s: exit %d, stderr %q; the README says exit %d with %q", where, c.text, code, clip(stderr), want.code, want.stderr)
			}
			continue
		}
		if code != 0 && code != 1 {
			t.Errorf("%s: %s: exit %d (want 0 or 1: the README's commands run as written from the repository root)\nstderr: %s\nstdout: %s", where, c.text, code, clip(stderr), clip(stdout))
		}
	}
	for text := range readmeSkips {
		if !usedSkips[text] {
			t.Errorf("readmeSkips lists %q, which the README no longer has", text)
		}
	}
	for text := range readmeExpect {
		if !usedExpect[text] {
			t.Errorf("readmeExpect lists %q, which the README no longer has", text)
		}
	}
	if executed < readmeMinCommands {
		t.Errorf("ran %d README commands, want at least %d: is the extraction broken?", executed, readmeMinCommands)
	}
	t.Logf("ran %d of %d README commands", executed, len(cmds))
}

// readmeSkipReason says why TestREADME does not run c ("" to run it).
func readmeSkipReason(c readmeCommand) string {
	switch {
	case c.syntax != "":
		return c.syntax
	case slices.ContainsFunc(c.args, func(a string) bool {
		return a == "--kubeconfig" || a == "--context" || strings.HasPrefix(a, "--kubeconfig=") || strings.HasPrefix(a, "--context=")
	}):
		return "needs a live cluster"
	case c.prose && !slices.ContainsFunc(c.args, func(a string) bool {
		flag, _, _ := strings.Cut(a, "=")
		return slices.Contains(readmeInputFlags, flag)
	}):
		return "prose naming a command or flag, reading no input"
	}
	return ""
}

// runREADMECommand runs the CLI in-process with empty standard input.
func runREADMECommand(args []string) (code int, stdout, stderr, panicked string) {
	var out, errOut bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			panicked = fmt.Sprintf("%v\n%s", r, debug.Stack())
		}
	}()
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String(), ""
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

// readmeCommands extracts the aigov commands of a Markdown document: the
// lines of ```sh, ```console and plain ``` code blocks that start with
// `aigov `, `$ aigov `, `go run ./cmd/aigov ` (lines ending in \ are
// joined), and the inline code spans of the prose outside code blocks that
// start the same way (a span may continue on the next line).
func readmeCommands(md string) []readmeCommand {
	var cmds []readmeCommand
	lines := strings.Split(md, "\n")
	inBlock, runnable := false, false
	proseStart := 0
	var prose []string
	flushProse := func() {
		text := strings.Join(prose, "\n")
		for _, m := range inlineCode.FindAllStringSubmatchIndex(text, -1) {
			span := strings.Join(strings.Fields(text[m[2]:m[3]]), " ")
			line := proseStart + strings.Count(text[:m[0]], "\n") + 1
			if c, ok := parseREADMECommand(span, line); ok {
				c.prose = true
				cmds = append(cmds, c)
			}
		}
		prose = nil
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if fence, ok := strings.CutPrefix(strings.TrimSpace(l), "```"); ok {
			if inBlock {
				inBlock = false
				proseStart = i + 1
				continue
			}
			flushProse()
			inBlock = true
			info := strings.TrimSpace(fence)
			runnable = slices.Contains([]string{"", "sh", "shell", "bash", "console"}, info)
			continue
		}
		if !inBlock {
			prose = append(prose, l)
			continue
		}
		if !runnable {
			continue
		}
		start := i
		for strings.HasSuffix(l, `\`) && i+1 < len(lines) {
			i++
			l = strings.TrimSuffix(l, `\`) + " " + strings.TrimSpace(lines[i])
		}
		if c, ok := parseREADMECommand(strings.TrimPrefix(strings.TrimSpace(l), "$ "), start+1); ok {
			cmds = append(cmds, c)
		}
	}
	flushProse()
	slices.SortStableFunc(cmds, func(a, b readmeCommand) int { return a.line - b.line })
	return cmds
}

// parseREADMECommand reads one command line (ok when it is an aigov
// command) as a shell would split it: quotes, backslash escapes, a
// comment from an unquoted # that starts a word, a pipe at an unquoted |.
// A syntax summary is marked, not run.
func parseREADMECommand(s string, line int) (readmeCommand, bool) {
	c := readmeCommand{line: line}
	var prefix int
	switch {
	case strings.HasPrefix(s, "aigov "):
		prefix = 1
	case strings.HasPrefix(s, "go run ./cmd/aigov "):
		prefix = 3
	default:
		return c, false
	}
	segments, end, err := shellSplit(s)
	c.text = strings.TrimSpace(s[:end])
	if err != nil {
		c.syntax = "not a shell command: " + err.Error()
		return c, true
	}
	words := segments[0]
	c.args = words[prefix:]
	if len(segments) > 1 {
		c.pipe = segments[1]
		if len(c.pipe) == 0 || !slices.Contains(readmePipePrograms, c.pipe[0]) {
			c.syntax = "syntax summary: | separates alternatives"
			return c, true
		}
	}
	for _, w := range c.args {
		_, value, _ := strings.Cut(w, "=")
		switch {
		case strings.ContainsAny(w, "[]"):
			c.syntax = "syntax summary: [optional] parts"
		case strings.Contains(w, "...") || strings.Contains(w, "…"):
			c.syntax = "syntax summary: ... repetition"
		case isPlaceholder(w) || strings.HasPrefix(w, "-") && isPlaceholder(value):
			c.syntax = fmt.Sprintf("syntax summary: placeholder %s", w)
		}
		if c.syntax != "" {
			break
		}
	}
	return c, true
}

// isPlaceholder: PATH, FILE, DIR, NS, F, NS:NAME, RULE,... — upper-case
// words standing for a value.
func isPlaceholder(w string) bool {
	w = strings.TrimSuffix(w, ",...")
	if w == "" {
		return false
	}
	for part := range strings.SplitSeq(w, ":") {
		if part == "" || strings.IndexFunc(part, func(r rune) bool { return !unicode.IsUpper(r) && r != '_' }) >= 0 {
			return false
		}
	}
	return true
}

// shellSplit splits s into the words of each pipeline segment, stopping at
// an unquoted # that starts a word; end is the offset where the comment
// (or the string) starts.
func shellSplit(s string) (segments [][]string, end int, err error) {
	var (
		words   []string
		word    strings.Builder
		inWord  bool
		quote   rune
		escaped bool
	)
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	end = len(s)
loop:
	for i, r := range s {
		switch {
		case escaped:
			word.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				word.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '#' && !inWord:
			end = i
			break loop
		case r == '|':
			endWord()
			segments = append(segments, words)
			words = nil
		case unicode.IsSpace(r):
			endWord()
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, end, fmt.Errorf("unterminated %c quote", quote)
	}
	if escaped {
		return nil, end, fmt.Errorf("trailing backslash")
	}
	endWord()
	segments = append(segments, words)
	return segments, end, nil
}

// TestREADMEExtraction: what counts as a README command, how it is split,
// and which lines are syntax summaries.
func TestREADMEExtraction(t *testing.T) {
	md := strings.Join([]string{
		"# Title", // 1
		"Run `aigov check -f examples/multitenant` and", // 2
		"`aigov checks`; the mistyped `aigov",           // 3
		"rbac who_can`.",                                // 4
		"```go",                                         // 5
		"aigov check -f not/a/command",                  // 6
		"```",                                           // 7
		"```sh",                                         // 8
		"aigov rbac can-i get pods --as 'a b' -f x \\",              // 9
		"    -n ns   # a comment | not a pipe",                      // 10
		"$ aigov vap generate --policy p.yaml | kubectl apply -f -", // 11
		"go run ./cmd/aigov check -f d",                             // 12
		"go test ./...",                                             // 13
		"```",                                                       // 14
		"```",                                                       // 15
		"aigov check   -f PATH [-R]",                                // 16
		"aigov rbac    can-i | who-can",                             // 17
		"aigov exposure -f x -o text|json",                          // 18
		"aigov rbac generate --serviceaccount NS:NAME --audit a",    // 19
		"aigov secrets scan -f x --enable RULE,...",                 // 20
		"aigov version",                                             // 21
		`aigov check -f "unterminated`,                              // 22
		"```",                                                       // 23
		"`aigov exposure -f PATH -o text|json|dot|mermaid` prints.", // 24
	}, "\n")
	type got struct {
		line   int
		text   string
		args   string
		prose  bool
		pipe   string
		syntax string
	}
	var gots []got
	for _, c := range readmeCommands(md) {
		gots = append(gots, got{c.line, c.text, strings.Join(c.args, "¦"), c.prose, strings.Join(c.pipe, " "), c.syntax})
	}
	want := []got{
		{line: 2, text: "aigov check -f examples/multitenant", args: "check¦-f¦examples/multitenant", prose: true},
		{line: 3, text: "aigov checks", args: "checks", prose: true},
		{line: 3, text: "aigov rbac who_can", args: "rbac¦who_can", prose: true},
		{line: 9, text: "aigov rbac can-i get pods --as 'a b' -f x  -n ns", args: "rbac¦can-i¦get¦pods¦--as¦a b¦-f¦x¦-n¦ns"},
		{line: 11, text: "aigov vap generate --policy p.yaml | kubectl apply -f -", args: "vap¦generate¦--policy¦p.yaml", pipe: "kubectl apply -f -"},
		{line: 12, text: "go run ./cmd/aigov check -f d", args: "check¦-f¦d"},
		{line: 16, text: "aigov check   -f PATH [-R]", args: "check¦-f¦PATH¦[-R]", syntax: "syntax summary: placeholder PATH"},
		{line: 17, text: "aigov rbac    can-i | who-can", args: "rbac¦can-i", pipe: "who-can", syntax: "syntax summary: | separates alternatives"},
		{line: 18, text: "aigov exposure -f x -o text|json", args: "exposure¦-f¦x¦-o¦text", pipe: "json", syntax: "syntax summary: | separates alternatives"},
		{line: 19, text: "aigov rbac generate --serviceaccount NS:NAME --audit a", args: "rbac¦generate¦--serviceaccount¦NS:NAME¦--audit¦a", syntax: "syntax summary: placeholder NS:NAME"},
		{line: 20, text: "aigov secrets scan -f x --enable RULE,...", args: "secrets¦scan¦-f¦x¦--enable¦RULE,...", syntax: "syntax summary: ... repetition"},
		{line: 21, text: "aigov version", args: "version"},
		{line: 22, text: `aigov check -f "unterminated`, syntax: "not a shell command: unterminated \" quote"},
		{line: 24, text: "aigov exposure -f PATH -o text|json|dot|mermaid", args: "exposure¦-f¦PATH¦-o¦text", prose: true, pipe: "json", syntax: "syntax summary: | separates alternatives"},
	}
	if !slices.Equal(gots, want) {
		t.Errorf("extracted:\n%v\nwant:\n%v", gots, want)
	}

	// Which extracted commands run.
	skip := map[int]string{}
	for _, c := range readmeCommands(md) {
		skip[c.line] += readmeSkipReason(c) + ";"
	}
	for line, wantRun := range map[int]bool{2: true, 3: false, 9: true, 11: true, 12: true, 16: false, 21: true, 24: false} {
		if run := skip[line] == ";"; run != wantRun {
			t.Errorf("line %d: runs %v, want %v (%s)", line, run, wantRun, skip[line])
		}
	}
	if r := readmeSkipReason(readmeCommand{args: []string{"check", "--kubeconfig", "k"}}); r != "needs a live cluster" {
		t.Errorf("--kubeconfig: %q", r)
	}
}

// TestREADMEPathsExist: the README points at bundled files, not
// placeholders: every -f, --object, --audit, --policy, --before and --after
// argument of a command TestREADME runs exists at the repository root.
func TestREADMEPathsExist(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, c := range readmeCommands(string(data)) {
		if _, listed := readmeSkips[c.text]; listed || readmeSkipReason(c) != "" {
			continue
		}
		for i, a := range c.args {
			flag, value, hasValue := strings.Cut(a, "=")
			if !hasValue {
				if i+1 == len(c.args) {
					break
				}
				value = c.args[i+1]
			}
			if !slices.Contains([]string{"-f", "--filename", "--object", "--audit", "--policy", "--before", "--after", "--baseline"}, flag) || value == "-" {
				continue
			}
			checked++
			if _, err := os.Stat(filepath.Join("../..", value)); err != nil {
				t.Errorf("README.md:%d: %s: %v", c.line, c.text, err)
			}
		}
	}
	if checked < readmeMinCommands {
		t.Errorf("checked %d paths, want at least %d", checked, readmeMinCommands)
	}
}
