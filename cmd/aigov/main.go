// Command aigov governs Kubernetes AI platforms from manifests or a live
// cluster: RBAC least privilege, network reachability, GPU quota, leaked
// credentials, and native ValidatingAdmissionPolicies. Every command is a thin
// layer over aigov's Go packages.
//
// Exit codes: 0 success (or "yes", or nothing failing); 1 "no", rejected or
// failing findings; 2 usage or input error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aigov/aigov/internal/safetext"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the CLI and returns the process exit code. Standard output
// and error pass through safetext: no escape sequence, carriage return or
// bidirectional override from the input reaches the terminal, whatever the
// command prints.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	safeOut, safeErr := safetext.NewWriter(stdout), safetext.NewWriter(stderr)
	defer safeOut.Flush()
	defer safeErr.Flush()
	return execute(args, stdin, safeOut, stderrStream{Writer: safeErr, raw: stderr})
}

func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCommand(stdin, stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return 0
	}
	var exit *exitError
	if errors.As(err, &exit) {
		if exit.err != nil {
			fmt.Fprintln(stderr, "error:", exit.err)
		}
		return exit.code
	}
	// Input errors (file, document, line) and what cobra returns itself
	// (unknown flag, bad arguments) are both exit 2.
	fmt.Fprintln(stderr, "error:", err)
	return 2
}

// exitError carries an exit code; err (may be nil) is printed to stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// errFailing is exit code 1 with nothing more to say (the output said it).
var errFailing = &exitError{code: 1}
