package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// newVAPCommand is the "aigov vap" command group: generate native
// ValidatingAdmissionPolicies and evaluate them in-process.
func newVAPCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vap",
		Short: "Generate ValidatingAdmissionPolicies and evaluate them in-process",
	}
	cmd.AddCommand(newVAPGenerateCommand(), newVAPTestCommand())
	return cmd
}

func newVAPGenerateCommand() *cobra.Command {
	var policyFile, kubeVersion, output, format string
	var cost, mutating bool
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a ValidatingAdmissionPolicy and binding per policy entry, or Kyverno ValidatingPolicies (YAML)",
		Long: `Generate one ValidatingAdmissionPolicy and one ValidatingAdmissionPolicyBinding
(admissionregistration.k8s.io/v1) per entry of a GovernancePolicy, parameters
inlined as CEL constants, API defaults filled in. Every expression is compiled
for the oldest Kubernetes version targeted (spec.kubernetesVersion, or
--kube-version); a rule that does not compile is an error (exit 2) naming the
rule and the reason, e.g. the version a function needs.

--format kyverno writes the same CEL as Kyverno ValidatingPolicies
(policies.kyverno.io/v1, Kyverno 1.17 or later) instead: one per policy, named
like it, its binding's match and the entry's action (Deny, Warn or Audit as
validationActions) folded into the policy, evaluation mode Kubernetes and pod
controller autogeneration off.

--mutating adds, after the validating policies, one MutatingAdmissionPolicy
and binding (admissionregistration.k8s.io/v1, Kubernetes 1.36 or later) per
entry whose check has a safe default: automount-token sets
automountServiceAccountToken: false where a pod spec leaves it unset and
projects no token of its own; pod-security-level (which gets no VAP: the
PodSecurity plugin judges) sets allowPrivilegeEscalation: false,
capabilities.drop [ALL] and a pod-level seccompProfile RuntimeDefault where
unset. The mutations add only what is absent, so a compliant object is
unchanged; Pods and Jobs are mutated on CREATE only. A target below 1.36 is
an error (exit 2).

--cost precedes each policy with its estimated worst-case CEL cost as YAML
comments, each MutatingAdmissionPolicy too (there the headline is the
costliest mutation: the apiserver runs each under a budget of its own).`,
		Example: `  aigov vap generate --policy examples/platformtest/policy.yaml | kubectl apply -f -
  aigov vap generate --policy examples/platformtest/policy.yaml --kube-version 1.33
  aigov vap generate --policy examples/platformtest/policy.yaml --format kyverno | kubectl apply -f -
  aigov vap generate --policy examples/platformtest/policy.yaml --mutating --kube-version 1.36 | kubectl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "yaml" {
				return usageError("unknown output format %q (want yaml)", output)
			}
			marshal, ok := generateMarshaler(format)
			if !ok {
				return usageError("unknown --format %q (want vap or kyverno)", format)
			}
			if mutating && format != "vap" {
				return usageError("--mutating writes MutatingAdmissionPolicies: use it with --format vap")
			}
			if policyFile == "" {
				return usageError("--policy is required")
			}
			policy, err := governance.LoadPolicyFile(policyFile)
			if err != nil {
				return err
			}
			var gs []cel.Generated
			var ms []cel.GeneratedMutating
			if mutating {
				gs, ms, err = cel.GeneratePolicyWithMutating(policy, catalog.Definitions(), kubeVersion)
			} else {
				gs, err = cel.GeneratePolicy(policy, catalog.Definitions(), kubeVersion)
			}
			if err != nil {
				return vapError(err)
			}
			var costs []cel.CostReport
			if cost {
				if costs, err = cel.PolicyCosts(policy, gs, kubeVersion); err != nil {
					return vapError(err)
				}
			}
			var data []byte
			for i, g := range gs {
				doc, err := marshal([]cel.Generated{g})
				if err != nil {
					return err
				}
				if i > 0 {
					data = append(data, "---\n"...)
				}
				if cost {
					data = append(data, costComment(costs[i])...)
				}
				data = append(data, doc...)
			}
			for _, m := range ms {
				doc, err := cel.MarshalMutating([]cel.GeneratedMutating{m})
				if err != nil {
					return err
				}
				if len(data) > 0 {
					data = append(data, "---\n"...)
				}
				if cost {
					data = append(data, mutatingCostComment(m.Cost)...)
				}
				data = append(data, doc...)
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&policyFile, "policy", "", "GovernancePolicy file (required)")
	f.StringVar(&kubeVersion, "kube-version", "", "oldest Kubernetes version the policies must compile on (overrides spec.kubernetesVersion)")
	f.StringVarP(&output, "output", "o", "yaml", "output format: yaml")
	f.StringVar(&format, "format", "vap", "what to write: vap (ValidatingAdmissionPolicy and binding) or kyverno (Kyverno ValidatingPolicy)")
	f.BoolVar(&mutating, "mutating", false, "also write a MutatingAdmissionPolicy and binding per check with safe defaults (Kubernetes 1.36 or later)")
	f.BoolVar(&cost, "cost", false, "precede each policy (each MutatingAdmissionPolicy too) with its estimated worst-case CEL cost as YAML comments")
	return cmd
}

// generateMarshaler returns the writer of --format's documents for the
// generated policies; ok is false for an unknown format.
func generateMarshaler(format string) (marshal func([]cel.Generated) ([]byte, error), ok bool) {
	switch format {
	case "vap":
		return cel.Marshal, true
	case "kyverno":
		return cel.MarshalKyverno, true
	}
	return nil, false
}

// costComment renders a policy's cost estimate as YAML comment lines.
func costComment(r cel.CostReport) string {
	return costLines(fmt.Sprintf("# aigov estimated cost: %s per evaluation (runtime budget %d, per-call limit %d)\n", costText(r.Total), cel.RuntimeCostBudget, cel.PerCallLimit), r)
}

// mutatingCostComment renders a MutatingAdmissionPolicy's cost estimate:
// the apiserver runs each mutation under a runtime budget of its own, the
// variables it reads charged to it, so the headline is the costliest
// mutation.
func mutatingCostComment(r cel.CostReport) string {
	return costLines(fmt.Sprintf("# aigov estimated cost: %s for the costliest mutation, its variables included (runtime budget %d per mutation, per-call limit %d)\n", costText(r.Total), cel.RuntimeCostBudget, cel.PerCallLimit), r)
}

// costLines renders an estimate's expressions and warnings after headline.
func costLines(headline string, r cel.CostReport) string {
	var b strings.Builder
	b.WriteString(headline)
	for _, e := range r.Expressions {
		fmt.Fprintf(&b, "#   %s: %s", e.Field, costText(e.Max))
		if e.Kind != "" {
			fmt.Fprintf(&b, " (%s)", e.Kind)
		}
		b.WriteString("\n")
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "# warning: %s\n", w)
	}
	return b.String()
}

func costText(n uint64) string {
	if n == math.MaxUint64 {
		return "unbounded"
	}
	return strconv.FormatUint(n, 10)
}

// vapError makes a version the compiler refuses a usage error and any
// other error exit 2.
func vapError(err error) error {
	var ve *cel.VersionError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		return usageError("--kube-version: %v", ve)
	}
	return &exitError{code: 2, err: err}
}

func newVAPTestCommand() *cobra.Command {
	var (
		in         inputFlags
		policyFile string
		output     string
	)
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Evaluate policies on objects in-process, with the apiserver's admission code",
		Long: `Evaluate ValidatingAdmissionPolicies and bindings on every input object as a
CREATE request (Namespaces too), with the kube-apiserver's own validating
admission code: matching, failurePolicy, validationActions, messages and
warnings. --policy takes a GovernancePolicy (its policies are generated first)
or ValidatingAdmissionPolicy and binding YAML. An object's namespaceObject is
the Namespace of that name in the input, else a bare Namespace. Exit 1 when
any object is denied.`,
		Example: `  aigov vap test --policy examples/platformtest/policy.yaml -f examples/multitenant
  aigov vap test --policy examples/platformtest/policy.yaml -f examples/quota/gpu-pod.yaml -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return usageError("unknown output format %q (want text or json)", output)
			}
			if policyFile == "" {
				return usageError("--policy is required")
			}
			policies, bindings, err := cel.LoadPolicies(policyFile, catalog.Definitions(), "")
			if err != nil {
				return vapError(err)
			}
			adm, err := cel.NewAdmission(policies, bindings)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			inv, err := in.loadShowingProgress(cmd)
			if err != nil {
				return err
			}
			doc, err := adm.AdmitInventory(context.Background(), inv)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			w := cmd.OutOrStdout()
			if output == "json" {
				if err := writeJSON(w, doc); err != nil {
					return err
				}
			} else {
				for _, r := range doc.Results {
					kind, name, _ := strings.Cut(r.Object, "/") // Kind/name
					fmt.Fprintf(w, "%s\t%s\n", r.Decision, governance.DisplayName(kind, r.Namespace, name))
					for _, m := range r.Messages {
						fmt.Fprintf(w, "  denied: %s\n", m)
					}
					for _, m := range r.Warnings {
						fmt.Fprintf(w, "  warning: %s\n", m)
					}
				}
			}
			if doc.Denied() {
				return errFailing
			}
			return nil
		},
	}
	in.register(cmd)
	registerProgress(cmd)
	f := cmd.Flags()
	f.StringVar(&policyFile, "policy", "", "GovernancePolicy, or ValidatingAdmissionPolicy and binding YAML (required)")
	f.StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
