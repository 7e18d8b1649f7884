package secrets

import (
	"path"
	"regexp"
	"strings"
)

// Part says which part of a field a Value's Text is.
type Part int

// Parts.
const (
	// PartWhole is the whole field (the zero value).
	PartWhole Part = iota
	// PartAssignment is the VALUE of a NAME=VALUE assignment in an args or
	// command item: an item of that form, or an assignment in a shell
	// script (the item after "sh -c", "bash -c", …), such as
	// `export DB_PASSWORD=...`. Name is NAME.
	PartAssignment
	// PartUserPassword is the password of "user:password" given to curl's
	// -u/--user (as the next item, attached as -uuser:password, or as
	// --user=user:password, in an item or a shell script). Name is
	// "--user", Program "curl".
	PartUserPassword
	// PartPassword is a password given on a MySQL or MariaDB client's
	// command line (-pPASSWORD or --password=PASSWORD). Name is
	// "--password", Program the client.
	PartPassword
	// PartKey is the key of an entry (an annotation, ConfigMap or Secret
	// key, an env variable's name, a custom resource's map key) that is no
	// plain name (SafeName), scanned as a value of its own; Name is "".
	PartKey
)

// assignmentRE is NAME=VALUE with a shell variable name.
var assignmentRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)

// shells are the programs whose -c option takes a script.
var shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true}

// mysqlClients take the password attached to -p or as --password=.
var mysqlClients = map[string]bool{
	"mysql": true, "mysqldump": true, "mysqladmin": true, "mysqlimport": true, "mysqlshow": true,
	"mysqlcheck": true, "mysqlpump": true, "mysqlsh": true, "mariadb": true, "mariadb-dump": true,
	"mariadb-admin": true, "mariadb-import": true, "mariadb-check": true,
}

// prefixCommands run the command that follows them: they are skipped when
// looking for the program of a command line.
var prefixCommands = map[string]bool{"exec": true, "env": true, "sudo": true, "nohup": true, "time": true,
	"command": true, "nice": true, "xargs": true}

// cmdItem is one args or command item of a container.
type cmdItem struct {
	path  string
	field Field
	text  string
}

// embedded is a credential-bearing part found inside an item.
type embedded struct {
	part          Part
	name, program string
	text          string
}

// commandLineValues adds, for every item of a container's command and args
// (one command line, as the kubelet runs it), the item itself named by its
// flag, and the assignments, curl user passwords and MySQL passwords
// inside it (in shell scripts too), named and marked by their Part.
// program is the command's first item, or when the container has no
// command, the image's repository name (the image's entrypoint is often
// named after it: curlimages/curl, bash); the first item is the program
// itself when fromCommand is set.
func commandLineValues(items []cmdItem, program string, fromCommand bool, add partAddFunc) {
	prevFlag := ""
	scriptNext, shellOpts := false, shells[program]
	for i, it := range items {
		a := it.text
		name := prevFlag
		if strings.HasPrefix(a, "-") {
			if flag, _, ok := strings.Cut(a, "="); ok {
				name = flag
			}
		}
		add(it.path, it.field, name, a, PartWhole, "")
		if i == 0 && fromCommand {
			continue
		}
		var parts []embedded
		if scriptNext {
			parts = scriptParts(a, 0)
		} else {
			parts = argParts(program, prevFlag, a)
			if p, ok := assignmentPart(a); ok {
				parts = append(parts, p)
			}
		}
		scriptNext = shellOpts && isShellCFlag(a)
		shellOpts = shellOpts && !scriptNext && strings.HasPrefix(a, "-")
		for _, p := range parts {
			add(it.path, it.field, p.name, p.text, p.part, p.program)
		}
		prevFlag = ""
		if flagLike(a) {
			prevFlag = a
		}
	}
}

// programOf returns the program a container runs: the base name of its
// command's first item, else the base name of its image's repository.
func programOf(command []string, image string) string {
	if len(command) > 0 {
		return path.Base(command[0])
	}
	if image == "" {
		return ""
	}
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	repo := path.Base(image)
	if i := strings.IndexByte(repo, ':'); i >= 0 {
		repo = repo[:i]
	}
	return repo
}

// isShellCFlag reports whether a shell option item holds -c ("-c",
// "-ec", "-euxc"): the next item is then the script.
func isShellCFlag(a string) bool {
	if len(a) < 2 || a[0] != '-' || a[1] == '-' {
		return false
	}
	for i := 1; i < len(a); i++ {
		if !(a[i] >= 'a' && a[i] <= 'z' || a[i] >= 'A' && a[i] <= 'Z') {
			return false
		}
	}
	return strings.ContainsRune(a[1:], 'c')
}

var flagLikeRE = regexp.MustCompile(`^(?:--[A-Za-z0-9][A-Za-z0-9._-]*|-[A-Za-z0-9]|-[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*)$`)

// flagLike reports whether an item is a flag that names the next item:
// "--name" without '=', "-x", or a lower-case single-dash name
// ("-api-key", Go's flag style). An item with an attached value
// ("-pHunter2") is not. Names are for detection (SensitiveName,
// NameContext); reports print them through DisplayName, which shows a
// single-dash name longer than "-x" redacted.
func flagLike(a string) bool { return flagLikeRE.MatchString(a) }

// assignmentPart returns the VALUE of an item that is NAME=VALUE.
func assignmentPart(a string) (embedded, bool) {
	m := assignmentRE.FindStringSubmatch(a)
	if m == nil || m[2] == "" {
		return embedded{}, false
	}
	return embedded{part: PartAssignment, name: m[1], text: m[2]}, true
}

// argParts returns the passwords of program's command line in item a,
// given the item before it (prev, when it was a flag).
func argParts(program, prev, a string) []embedded {
	switch {
	case program == "curl":
		var userpass string
		switch {
		case prev == "-u" || prev == "--user":
			userpass = a
		case strings.HasPrefix(a, "--user="):
			userpass = strings.TrimPrefix(a, "--user=")
		case strings.HasPrefix(a, "-u") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			userpass = a[2:]
		default:
			return nil
		}
		if _, pw, ok := strings.Cut(userpass, ":"); ok && pw != "" {
			return []embedded{{part: PartUserPassword, name: "--user", program: "curl", text: pw}}
		}
	case mysqlClients[program]:
		var pw string
		switch {
		case strings.HasPrefix(a, "--password="):
			pw = strings.TrimPrefix(a, "--password=")
		case strings.HasPrefix(a, "-p") && len(a) > 2:
			pw = a[2:]
		}
		if pw != "" {
			return []embedded{{part: PartPassword, name: "--password", program: program, text: pw}}
		}
	}
	return nil
}

// maxScriptDepth bounds scripts within scripts (sh -c "bash -c '…'").
const maxScriptDepth = 4

// scriptParts returns the assignments, curl user passwords and MySQL
// passwords of a shell script, command by command. Values with an
// expansion ('$' or '`') are left out: they are not literals.
func scriptParts(script string, depth int) []embedded {
	var out []embedded
	for _, cmd := range shellCommands(script) {
		program, prev := "", ""
		scriptNext := false
		for _, w := range cmd {
			switch {
			case scriptNext:
				if depth < maxScriptDepth {
					out = append(out, scriptParts(w, depth+1)...)
				}
				scriptNext = false
				continue
			case program == "":
				if p, ok := assignmentPart(w); ok {
					out = append(out, p)
				} else if !prefixCommands[w] && !(strings.HasPrefix(w, "-") && prev != "") {
					program = path.Base(w)
				}
				prev = w
				continue
			case shells[program] && isShellCFlag(w):
				scriptNext = true
				continue
			}
			if p, ok := assignmentPart(w); ok {
				out = append(out, p) // export NAME=VALUE, env NAME=VALUE, curl -d NAME=VALUE
			}
			out = append(out, argParts(program, prev, w)...)
			prev = ""
			if flagLike(w) {
				prev = w
			}
		}
	}
	kept := out[:0]
	for _, p := range out {
		if !strings.ContainsAny(p.text, "$`") {
			kept = append(kept, p)
		}
	}
	return kept
}

// maxScriptWords bounds the words read from one script.
const maxScriptWords = 4096

// shellCommands splits a shell script into simple commands (at newlines,
// ';', '&', '|', '(' and ')') of words, with quotes and backslash escapes
// removed: enough of the shell language to find assignments and
// options, not an interpreter.
func shellCommands(script string) [][]string {
	var (
		cmds  [][]string
		cmd   []string
		word  strings.Builder
		in    bool // a word is being read
		words int
	)
	endWord := func() {
		if in && words < maxScriptWords {
			cmd = append(cmd, word.String())
			words++
		}
		word.Reset()
		in = false
	}
	endCmd := func() {
		endWord()
		if len(cmd) > 0 {
			cmds = append(cmds, cmd)
		}
		cmd = nil
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case c == '\'':
			in = true
			j := strings.IndexByte(script[i+1:], '\'')
			if j < 0 {
				j = len(script) - i - 1
			}
			word.WriteString(script[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			in = true
			for i++; i < len(script) && script[i] != '"'; i++ {
				if script[i] == '\\' && i+1 < len(script) && strings.IndexByte("\"\\$`", script[i+1]) >= 0 {
					i++
				}
				word.WriteByte(script[i])
			}
		case c == '\\':
			in = true
			if i+1 < len(script) {
				i++
				if script[i] != '\n' {
					word.WriteByte(script[i])
				}
			}
		case c == ' ' || c == '\t':
			endWord()
		case c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')':
			endCmd()
		default:
			in = true
			word.WriteByte(c)
		}
	}
	endCmd()
	return cmds
}
