package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// bundledPolicy is the AI platform's policy, used when --policy is not given.
//
//go:embed policy.yaml
var bundledPolicy []byte

var errUsage = errors.New("usage error")

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "vapgen:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// run parses the flags, generates the policy's ValidatingAdmissionPolicies
// and bindings and writes them as YAML to --output (or stdout).
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vapgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	policyFile := fs.String("policy", "", "GovernancePolicy file (default: the bundled examples/vapgen/policy.yaml)")
	kubeVersion := fs.String("kube-version", "", "oldest Kubernetes version the policies must compile on (default: the policy's kubernetesVersion)")
	output := fs.String("output", "", "file to write (default: stdout)")
	mutating := fs.Bool("mutating", false, "also write a MutatingAdmissionPolicy and binding per check with safe defaults, after the validating ones (Kubernetes 1.36 or later)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	data, err := generate(*policyFile, *kubeVersion, *mutating)
	if err != nil {
		return err
	}
	if *output == "" {
		_, err = stdout.Write(data)
		return err
	}
	return os.WriteFile(*output, data, 0o644)
}

// generate reads the policy (the bundled one for "") and renders its
// policies and bindings, with mutating the MutatingAdmissionPolicies and
// bindings of its checks' safe defaults after them.
func generate(policyFile, kubeVersion string, mutating bool) ([]byte, error) {
	var (
		policy *governance.Policy
		err    error
	)
	if policyFile == "" {
		policy, err = governance.ParsePolicy("examples/vapgen/policy.yaml", bundledPolicy)
	} else {
		policy, err = governance.LoadPolicyFile(policyFile)
	}
	if err != nil {
		return nil, err
	}
	// The catalog's checks (custom-cel is cel's own), for kubeVersion or
	// the policy's kubernetesVersion.
	var (
		gs []cel.Generated
		ms []cel.GeneratedMutating
	)
	if mutating {
		gs, ms, err = cel.GeneratePolicyWithMutating(policy, catalog.Definitions(), kubeVersion)
	} else {
		gs, err = cel.GeneratePolicy(policy, catalog.Definitions(), kubeVersion)
	}
	var ve *cel.VersionError
	if errors.As(err, &ve) {
		return nil, fmt.Errorf("%w: --kube-version: %v", errUsage, ve)
	}
	if err != nil {
		return nil, err
	}
	data, err := cel.Marshal(gs)
	if err != nil || len(ms) == 0 {
		return data, err
	}
	docs, err := cel.MarshalMutating(ms)
	if err != nil {
		return nil, err
	}
	if len(data) > 0 {
		data = append(data, "---\n"...)
	}
	return append(data, docs...), nil
}
