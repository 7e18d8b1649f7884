package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// newQuotaCommand is the "aigov quota" command group.
func newQuotaCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "quota",
		Short: "GPU, CPU and memory quota: usage, admission, headroom, per-team GPUs",
	}
	cmd.AddCommand(newQuotaStatusCommand(), newQuotaAdmitCommand(), newQuotaFitCommand(), newQuotaGPUCommand())
	return cmd
}

// quotaFlags are the flags every quota command shares.
type quotaFlags struct {
	in     inputFlags
	now    string
	output string
	object string
}

func (f *quotaFlags) register(cmd *cobra.Command, withObject, withNow bool) {
	f.in.register(cmd)
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	if withNow {
		cmd.Flags().StringVar(&f.now, "now", "", "clock for time-dependent quota rules (RFC3339); default the current time")
	}
	if withObject {
		cmd.Flags().StringVar(&f.object, "object", "", "the Pod (or workload, for its pod template) to evaluate")
	}
}

// ledger loads the inventory and builds the ledger.
func (f *quotaFlags) ledger(cmd *cobra.Command) (*quota.Ledger, error) {
	if f.output != "text" && f.output != "json" {
		return nil, usageError("unknown output format %q (want text or json)", f.output)
	}
	var opts quota.Options
	if f.now != "" {
		t, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return nil, usageError("--now: %v", err)
		}
		opts.Now = t
	}
	inv, err := f.in.load(cmd)
	if err != nil {
		return nil, err
	}
	return quota.NewLedger(inv, opts)
}

// pod reads --object: a Pod, or a workload whose pod template is used.
func (f *quotaFlags) pod(cmd *cobra.Command) (*corev1.Pod, error) {
	if f.object == "" {
		return nil, usageError("--object FILE is required")
	}
	var data []byte
	var err error
	if f.object == "-" {
		data, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), governance.MaxDocumentBytes+1))
		if err == nil && len(data) > governance.MaxDocumentBytes {
			err = fmt.Errorf("standard input is larger than %d bytes", governance.MaxDocumentBytes)
		}
	} else {
		data, err = governance.ReadFileLimited(f.object, governance.MaxDocumentBytes)
	}
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("reading --object: %w", err)}
	}
	loader, err := governance.NewLoader()
	if err != nil {
		return nil, err
	}
	if f.in.namespace != "" {
		loader.DefaultNamespace = f.in.namespace
	}
	objs, err := loader.Decode(f.object, data)
	if err != nil {
		return nil, err
	}
	inv, err := governance.NewInventory(objs)
	if err != nil {
		return nil, err
	}
	ws := inv.Workloads()
	if len(objs) != 1 || len(ws) != 1 {
		return nil, usageError("--object %s: want exactly one Pod or workload, found %d objects", f.object, len(objs))
	}
	return ws[0].Pod, nil
}

// quotaRun is the body of a quota subcommand: it gets the flags, the
// ledger they build and, for commands with --object, the pod it names
// (nil otherwise).
type quotaRun func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, pod *corev1.Pod) error

// newQuotaSubcommand is the shape every quota subcommand shares: no
// arguments, the quota flags (--object with withObject, --now with
// withNow), and run called with the ledger and pod they load.
func newQuotaSubcommand(use, short, example string, withObject, withNow bool, run quotaRun) *cobra.Command {
	var f quotaFlags
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := f.ledger(cmd)
			if err != nil {
				return err
			}
			var pod *corev1.Pod
			if withObject {
				if pod, err = f.pod(cmd); err != nil {
					return err
				}
			}
			return run(cmd, &f, l, pod)
		},
	}
	f.register(cmd, withObject, withNow)
	return cmd
}

func newQuotaStatusCommand() *cobra.Command {
	return newQuotaSubcommand("status", "Hard, used and remaining of every ResourceQuota",
		`  aigov quota status -f platform/
  aigov quota status --kubeconfig ~/.kube/config -o json`,
		false, true,
		func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, _ *corev1.Pod) error {
			if f.output == "json" {
				return writeJSON(cmd.OutOrStdout(), l.StatusDocument())
			}
			return printStatus(cmd.OutOrStdout(), l.Status(), l.Refused())
		})
}

func printStatus(out io.Writer, status []quota.QuotaStatus, refused []quota.RefusedQuota) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAMESPACE\tQUOTA\tKEY\tHARD\tUSED\tREMAINING\tSOURCE")
	for _, s := range status {
		for _, k := range quotaSortedNames(s.Hard) {
			h, u, r := s.Hard[k], s.Used[k], s.Remaining[k]
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Namespace, s.Name, k, h.String(), u.String(), r.String(), s.Source)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, r := range refused {
		fmt.Fprintf(out, "refused by the apiserver (not enforced): %s/%s: %s\n", r.Quota.Namespace, r.Quota.Name, r.Message)
	}
	return nil
}

func quotaSortedNames(l corev1.ResourceList) []corev1.ResourceName {
	var out []corev1.ResourceName
	for k := range l {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func newQuotaAdmitCommand() *cobra.Command {
	return newQuotaSubcommand("admit", "Would the apiserver admit this pod? (exit 0 admitted, 1 rejected)",
		`  aigov quota admit -f platform/ --object job-pod.yaml
  aigov quota admit -f platform/ --object pod.yaml -o json | jq .quotas`,
		true, true,
		func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, pod *corev1.Pod) error {
			res := l.Admit(pod)
			var err error
			if f.output == "json" {
				err = writeJSON(cmd.OutOrStdout(), res)
			} else {
				err = printAdmit(cmd.OutOrStdout(), res)
			}
			if err != nil {
				return err
			}
			if !res.Admitted {
				return errFailing
			}
			return nil
		})
}

func printAdmit(out io.Writer, r quota.Result) error {
	if r.Admitted {
		fmt.Fprintf(out, "admitted: %s/%s\n", r.Pod.Namespace, r.Pod.Name)
	} else {
		fmt.Fprintf(out, "rejected (%s): %s\n", r.Stage, r.Message)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "QUOTA\tMATCHES\tKEY\tHARD\tUSED BEFORE\tUSED AFTER")
	for _, q := range r.Quotas {
		for _, k := range quotaSortedNames(q.Hard) {
			h, b := q.Hard[k], q.UsedBefore[k]
			after := "-"
			if r.Admitted {
				a := q.UsedAfter[k]
				after = a.String()
			}
			fmt.Fprintf(w, "%s\t%t\t%s\t%s\t%s\t%s\n", q.Name, q.Matches, k, h.String(), b.String(), after)
		}
	}
	return w.Flush()
}

func newQuotaFitCommand() *cobra.Command {
	return newQuotaSubcommand("fit", "How many more pods of this shape fit, and which quota keys bind",
		`  aigov quota fit -f platform/ --object inference-pod.yaml
  aigov quota fit -f platform/ --object deploy.yaml -o json`,
		true, true,
		func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, pod *corev1.Pod) error {
			fit := l.Fit(pod)
			if f.output == "json" {
				return writeJSON(cmd.OutOrStdout(), fit)
			}
			switch {
			case fit.Fit < 0:
				fmt.Fprintln(cmd.OutOrStdout(), "fit: unbounded (no quota tracks what this pod is charged)")
			case fit.Fit == 0 && len(fit.Binding) == 0:
				fmt.Fprintf(cmd.OutOrStdout(), "fit: 0 (%s)\n", fit.Admission.Message)
			default:
				fmt.Fprintf(cmd.OutOrStdout(), "fit: %d (binding: %s)\n", fit.Fit, strings.Join(fit.BindingKeys(), ", "))
			}
			return nil
		})
}

func newQuotaGPUCommand() *cobra.Command {
	return newQuotaSubcommand("gpu", "Per-team GPU quota, use and cluster capacity",
		`  aigov quota gpu -f platform/
  aigov quota gpu --kubeconfig ~/.kube/config -o json`,
		false, false,
		func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, _ *corev1.Pod) error {
			rep := l.GPUs()
			if f.output == "json" {
				return writeJSON(cmd.OutOrStdout(), quota.NewGPUDocument(rep))
			}
			return printGPUs(cmd.OutOrStdout(), rep)
		})
}

func printGPUs(out io.Writer, rep quota.GPUReport) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TEAM\tRESOURCE\tQUOTA\tUSED\tFREE\tREQUESTED\tUNCAPPED NAMESPACES")
	for _, t := range rep.Teams {
		for _, r := range t.Resources {
			q, free := r.Quota, r.Free
			if q == "" {
				q, free = "none", "-"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Team, r.Resource, q, r.Used, free, r.Requested, strings.Join(r.Uncapped, ","))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, r := range quotaSortedKeys(rep.Capacity) {
		fmt.Fprintf(out, "capacity %s: %s, quota total %s, over-commitment %.2f\n", r, rep.Capacity[r], rep.QuotaTotal[r], rep.Overcommit[r])
	}
	for _, r := range rep.CapacityUnknown {
		total := rep.QuotaTotal[r]
		if total == "" {
			total = "none"
		}
		fmt.Fprintf(out, "capacity %s: unknown (DeviceClass absent or not a plain device.driver match, or no exact ResourceSlice count), quota total %s\n", r, total)
	}
	if rep.Kueue != nil {
		return printKueue(out, rep.Kueue)
	}
	return nil
}

// printKueue prints the Kueue view: per team and LocalQueue, the
// ClusterQueue's GPU quota per flavor. A null borrowing or lending limit
// in a cohort is "unlimited"; without a cohort neither applies ("-").
func printKueue(out io.Writer, k *quota.KueueReport) error {
	fmt.Fprintln(out, "\nkueue (ClusterQueue quota per flavor; ceiling = nominal + what the cohort can lend, capped by borrowingLimit):")
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TEAM\tLOCALQUEUE\tCLUSTERQUEUE\tCOHORT\tFLAVOR\tRESOURCE\tNOMINAL\tBORROWING LIMIT\tLENDING LIMIT\tCEILING")
	limit := func(cohort, v string) string {
		switch {
		case cohort == "":
			return "-"
		case v == "":
			return "unlimited"
		}
		return v
	}
	for _, t := range k.Teams {
		for _, q := range t.Queues {
			lq, cohort := q.Namespace+"/"+q.LocalQueue, q.Cohort
			if cohort == "" {
				cohort = "-"
			}
			if q.Missing {
				fmt.Fprintf(w, "%s\t%s\t%s (missing)\t-\t-\t-\t-\t-\t-\t-\n", t.Team, lq, q.ClusterQueue)
				continue
			}
			if len(q.GPUs) == 0 {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t-\t-\t0\t-\t-\t0\n", t.Team, lq, q.ClusterQueue, cohort)
			}
			for _, g := range q.GPUs {
				flavor := g.Flavor
				if g.FlavorMissing {
					flavor += " (missing)"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Team, lq, q.ClusterQueue, cohort, flavor, g.Resource,
					g.Nominal, limit(q.Cohort, g.BorrowingLimit), limit(q.Cohort, g.LendingLimit), g.Ceiling)
			}
			if len(q.SharedWith) > 0 {
				fmt.Fprintf(w, "%s\t%s\t%s\tshared with %s\t\t\t\t\t\t\n", t.Team, lq, q.ClusterQueue, strings.Join(q.SharedWith, ","))
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, c := range k.ClusterQueues {
		if len(c.LocalQueues) == 0 {
			fmt.Fprintf(out, "ClusterQueue %s has no LocalQueue in the inventory\n", c.Name)
		}
	}
	return nil
}

func quotaSortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
