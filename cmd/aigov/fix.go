package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/governance/fix"
	"github.com/aigov/aigov/governance/policyset"
)

func newFixCommand() *cobra.Command {
	var (
		in         inputFlags
		policyFile string
		output     string
		write      bool
	)
	cmd := &cobra.Command{
		Use:   "fix",
		Short: "Print (or --write) the manifest edits that resolve fixable findings",
		Long: `Run the checks (the catalog's, or those a GovernancePolicy lists) and print, as a
unified diff, the edits of the YAML files that resolve the findings with a safe
fix: automountServiceAccountToken: false where a pod leaves it unset and mounts
no projected token; allowPrivilegeEscalation: false; capabilities.drop [ALL];
seccompProfile RuntimeDefault; runAsNonRoot: true where a non-root runAsUser is
in the manifest; privileged: false; the namespace's team label on workloads; a
GPU toleration on GPU pods; pods/logs spelled pods/log in RBAC rules; quota
keys limits.gpu and nvidia.com/gpu renamed requests.nvidia.com/gpu; Kyverno's
deprecated validationFailureAction moved into each rule. --write makes the
edits in place. Only the edited lines change: comments, key order, quoting and
indentation stay.

Findings without a safe edit (pin an image by digest, a pod that says it needs
its token, an image whose user is unknown) are printed as suggestions on
standard error and never written. JSON files are not rewritten: their edits
are suggestions. Kustomize inputs (-k) are refused: fixes belong in the overlay.

Exit codes: 0 nothing to fix, or --write wrote the fixes; 1 there are fixes not
written (as diff); 2 usage or input error.`,
		Example: `  # the edits that fix the example platform, as a diff
  aigov fix -f examples/multitenant

  # apply them with git, or let aigov write them
  aigov fix -f examples/multitenant > fixes.patch
  git apply fixes.patch
  aigov fix -f manifests/ -R --write   # in place, in your own repository

  # the checks of a policy; typed edits as JSON for a bot that opens PRs
  aigov fix -f examples/multitenant --policy examples/platformtest/policy.yaml -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case output != "text" && output != "json":
				return usageError("-o: unknown output format %q (want text or json)", output)
			case len(in.kustomize) > 0:
				return usageError("-k: aigov fix edits the files it reads, and a kustomization is rendered from its bases: " +
					"put the fixes in the overlay as patches (aigov check -k shows the findings), or fix the files with -f")
			case in.live():
				return usageError("aigov fix edits manifest files: give -f PATH, not a live cluster")
			case len(in.filenames) == 0:
				return usageError("nothing to fix: give -f PATH")
			}
			readFile, err := in.keepStdin(cmd, write)
			if err != nil {
				return err
			}
			rules, err := policyset.Rules(policyFile)
			if err != nil {
				return err
			}
			inv, err := in.loadShowingProgress(cmd)
			if err != nil {
				return err
			}
			res, err := fix.Run(inv, rules, fix.FixOptions{ReadFile: readFile})
			if err != nil {
				return err
			}
			if write {
				if err := res.Write(); err != nil {
					return err
				}
			}
			if err := writeFixResult(cmd.OutOrStdout(), cmd.ErrOrStderr(), output, res); err != nil {
				return err
			}
			if len(res.Edits) > 0 && !res.Written {
				return errFailing
			}
			return nil
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	f := cmd.Flags()
	f.StringVar(&policyFile, "policy", "", "GovernancePolicy `FILE`: fix the findings of exactly the checks it lists")
	f.StringVarP(&output, "output", "o", "text", "output format: text (a unified diff; suggestions on standard error) or json (the typed edits and suggestions)")
	f.BoolVarP(&write, "write", "w", false, "make the edits in the files instead of printing the diff")
	return cmd
}

// keepStdin reads standard input once when it is among the -f inputs, so
// that the loader reads it and fix reads the same bytes back; the files
// are read from disk. Standard input cannot be written.
func (in *inputFlags) keepStdin(cmd *cobra.Command, write bool) (func(string) ([]byte, error), error) {
	if !slices.Contains(in.filenames, "-") {
		return nil, nil
	}
	if write {
		return nil, usageError("--write cannot fix standard input in place: give the file with -f FILE")
	}
	limit := in.maxInputBytes
	if limit <= 0 {
		limit = 1 << 30
	}
	data, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, usageError("standard input is larger than --max-input-bytes %d", limit)
	}
	cmd.SetIn(bytes.NewReader(data))
	return func(name string) ([]byte, error) {
		if name == "-" {
			return data, nil
		}
		return os.ReadFile(name)
	}, nil
}

// writeFixResult encodes the result: text is the diff on out (or, after
// --write, a line per file written) and the suggestions and a summary on
// errOut, so that the diff can be piped to git apply; json is the typed
// edits, suggestions and files on out.
func writeFixResult(out, errOut io.Writer, format string, res *fix.Result) error {
	if format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if res.Written {
		for _, f := range res.Files {
			if _, err := fmt.Fprintf(out, "fixed %s (%s)\n", f.Name, plural(f.Edits, "edit")); err != nil {
				return err
			}
		}
	} else if err := res.WriteDiff(out); err != nil {
		return err
	}
	var b bytes.Buffer
	if len(res.Suggestions) > 0 {
		b.WriteString("suggestions (not written):\n")
		for _, s := range res.Suggestions {
			fmt.Fprintf(&b, "  %s  %s  %s\n    %s\n", s.Object.Source.File, s.Object.Display(), s.Check, s.Path)
			fmt.Fprintf(&b, "    %s\n", s.Message)
		}
	}
	switch {
	case len(res.Edits) == 0:
		fmt.Fprintf(&b, "nothing to fix; %s\n", plural(len(res.Suggestions), "suggestion"))
	case res.Written:
		fmt.Fprintf(&b, "%s written in %s; %s\n", plural(len(res.Edits), "edit"), plural(len(res.Files), "file"), plural(len(res.Suggestions), "suggestion"))
	default:
		fmt.Fprintf(&b, "%s in %s, not written (--write makes them); %s\n", plural(len(res.Edits), "edit"), plural(len(res.Files), "file"), plural(len(res.Suggestions), "suggestion"))
	}
	_, err := errOut.Write(b.Bytes())
	return err
}

// plural writes "1 edit" or "2 edits".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
