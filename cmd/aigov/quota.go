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

func (f *quotaFlags) register(cmd *cobra.Command, mode objectMode, withNow bool) {
	f.in.register(cmd)
	registerProgress(cmd)
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	if withNow {
		cmd.Flags().StringVar(&f.now, "now", "", "clock for time-dependent quota rules (RFC3339); default the current time")
	}
	switch mode {
	case podObject:
		cmd.Flags().StringVar(&f.object, "object", "", "the Pod (or workload, for its pod template) to evaluate; pods and workloads only")
	case anyObject:
		cmd.Flags().StringVar(&f.object, "object", "", "the object to admit: a Pod, a workload (its pod template), or any object quota charges (ResourceClaim, PersistentVolumeClaim, Service, ...)")
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
	inv, err := f.in.loadShowingProgress(cmd)
	if err != nil {
		return nil, err
	}
	return quota.NewLedger(inv, opts)
}

// quotaObject is what --object names: a Pod (also a workload's pod
// template) in Pod, or any other object in Object (Pod nil).
type quotaObject struct {
	Pod    *corev1.Pod
	Object *governance.Object
}

// readObject reads --object: a Pod, a workload whose pod template is used, or
// another object quota charges (ResourceClaim, PersistentVolumeClaim,
// Service, ...). With podsOnly, only the first two.
func (f *quotaFlags) readObject(cmd *cobra.Command, podsOnly bool) (quotaObject, error) {
	if f.object == "" {
		return quotaObject{}, usageError("--object FILE is required")
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
		return quotaObject{}, &exitError{code: 2, err: fmt.Errorf("reading --object: %w", err)}
	}
	loader, err := governance.NewLoader()
	if err != nil {
		return quotaObject{}, err
	}
	if f.in.namespace != "" {
		loader.DefaultNamespace = f.in.namespace
	}
	objs, err := loader.Decode(f.object, data)
	if err != nil {
		return quotaObject{}, err
	}
	inv, err := governance.NewInventory(objs)
	if err != nil {
		return quotaObject{}, err
	}
	if len(objs) != 1 {
		what := "object"
		if podsOnly {
			what = "Pod or workload"
		}
		return quotaObject{}, usageError("--object %s: want exactly one %s, found %d objects", f.object, what, len(objs))
	}
	if ws := inv.Workloads(); len(ws) == 1 && ws[0].Pod != nil {
		return quotaObject{Pod: ws[0].Pod}, nil
	}
	if podsOnly {
		return quotaObject{}, usageError("--object %s: %s is not a Pod or workload; this command takes pods and workloads only (quota admit takes any object)", f.object, objs[0].GVK.Kind)
	}
	return quotaObject{Object: objs[0]}, nil
}

// quotaRun is the body of a quota subcommand: it gets the flags, the
// ledger they build and, for commands with --object, the object it names
// (zero otherwise).
type quotaRun func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, obj quotaObject) error

// objectMode says what --object a quota subcommand takes.
type objectMode int

const (
	noObject objectMode = iota
	podObject
	anyObject
)

// newQuotaSubcommand is the shape every quota subcommand shares: no
// arguments, the quota flags (--object unless mode is noObject, --now
// with withNow), and run called with the ledger and object they load.
func newQuotaSubcommand(use, short, example string, mode objectMode, withNow bool, run quotaRun) *cobra.Command {
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
			var obj quotaObject
			if mode != noObject {
				if obj, err = f.readObject(cmd, mode == podObject); err != nil {
					return err
				}
			}
			return run(cmd, &f, l, obj)
		},
	}
	f.register(cmd, mode, withNow)
	return cmd
}

func newQuotaStatusCommand() *cobra.Command {
	return newQuotaSubcommand("status", "Hard, used and remaining of every ResourceQuota",
		`  aigov quota status -f examples/multitenant
  aigov quota status --kubeconfig ~/.kube/config -o json`,
		noObject, true,
		func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, _ quotaObject) error {
			if f.output == "json" {
				return writeJSON(cmd.OutOrStdout(), l.StatusDocument())
			}
			return printStatus(cmd.OutOrStdout(), l.Status(), l.Refused())
		})
}

func printStatus(out io.Writer, status []quota.QuotaStatus, refused []quota.RefusedQuota) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAMESPACE\tQUOTA\tKEY\tHARD\tUSED\tREMAINING\tSOURCE\tENFORCED")
	var inert []string
	for _, s := range status {
		notEnforced := map[corev1.ResourceName]bool{}
		for _, k := range s.NotEnforced {
			notEnforced[k] = true
			inert = append(inert, fmt.Sprintf("%s/%s %s: %s", s.Namespace, s.Name, k, inertAdvice(k)))
		}
		for _, k := range quotaSortedNames(s.Hard) {
			h, u, r := s.Hard[k], s.Used[k], s.Remaining[k]
			enforced := "yes"
			if notEnforced[k] {
				enforced = "no"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Namespace, s.Name, k, h.String(), u.String(), r.String(), s.Source, enforced)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, line := range inert {
		fmt.Fprintf(out, "not enforced (stored, caps nothing): %s\n", line)
	}
	for _, r := range refused {
		fmt.Fprintf(out, "refused by the apiserver (not enforced): %s/%s: %s\n", r.Quota.Namespace, r.Quota.Name, r.Message)
	}
	return nil
}

// inertAdvice says why an inert key caps nothing and, where known, the
// key meant.
func inertAdvice(k corev1.ResourceName) string {
	_, reason, fix := quota.ClassifyKey(k)
	if fix != "" {
		return fmt.Sprintf("%s (use %s)", reason, fix)
	}
	return reason
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
	return newQuotaSubcommand("admit", "Would the apiserver admit this pod or object? (exit 0 admitted, 1 rejected)",
		`  aigov quota admit -f examples/multitenant --object examples/quota/gpu-pod.yaml
  aigov quota admit -f examples/multitenant --object examples/quota/gpu-pod.yaml -o json | jq .quotas
  aigov quota admit -f examples/multitenant --object examples/quota/pvc.yaml   # any quota-charged object: a PVC, a ResourceClaim, a Service, ...`,
		anyObject, true,
		func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, obj quotaObject) error {
			var res quota.Result
			name := ""
			if obj.Pod != nil {
				res = l.Admit(obj.Pod)
				name = obj.Pod.Namespace + "/" + obj.Pod.Name
			} else {
				res = l.AdmitObject(obj.Object.Obj)
				name = objectName(obj.Object)
			}
			var err error
			if f.output == "json" {
				err = writeJSON(cmd.OutOrStdout(), res)
			} else {
				err = printAdmit(cmd.OutOrStdout(), res, name)
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

// objectName is Kind/namespace/name, or Kind/name for a cluster-scoped
// object.
func objectName(o *governance.Object) string {
	if ns := o.Namespace(); ns != "" {
		return o.GVK.Kind + "/" + ns + "/" + o.Name()
	}
	return o.GVK.Kind + "/" + o.Name()
}

// printAdmit prints an admission result; name is what was admitted.
func printAdmit(out io.Writer, r quota.Result, name string) error {
	if r.Admitted {
		fmt.Fprintf(out, "admitted: %s\n", name)
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
	if err := w.Flush(); err != nil {
		return err
	}
	for _, q := range r.Quotas {
		for _, k := range quotaSortedNames(q.Hard) {
			if class, _, _ := quota.ClassifyKey(k); class == quota.KeyInert {
				fmt.Fprintf(out, "not enforced (stored, caps nothing): %s %s: %s\n", q.Name, k, inertAdvice(k))
			}
		}
	}
	return nil
}

func newQuotaFitCommand() *cobra.Command {
	cmd := newQuotaSubcommand("fit", "How many more pods of this shape fit, and which quota keys bind (pods and workloads only)",
		`  aigov quota fit -f examples/multitenant --object examples/quota/gpu-pod.yaml
  aigov quota fit -f examples/multitenant --object examples/quota/gpu-pod.yaml -o json`,
		podObject, true,
		func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, obj quotaObject) error {
			fit := l.Fit(obj.Pod)
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
	cmd.Long = "How many more pods of the shape of --object fit in its namespace's quotas, and which quota keys bind.\n" +
		"--object is a Pod or a workload (its pod template): fit is computed for pods only; for a ResourceClaim,\n" +
		"PersistentVolumeClaim, Service or other object, use `aigov quota admit --object`."
	return cmd
}

func newQuotaGPUCommand() *cobra.Command {
	return newQuotaSubcommand("gpu", "Per-team GPU quota, use and cluster capacity",
		`  aigov quota gpu -f examples/multitenant
  aigov quota gpu --kubeconfig ~/.kube/config -o json`,
		noObject, false,
		func(cmd *cobra.Command, f *quotaFlags, l *quota.Ledger, _ quotaObject) error {
			rep := l.GPUs()
			if f.output == "json" {
				return writeJSON(cmd.OutOrStdout(), quota.NewGPUDocument(rep))
			}
			return printGPUs(cmd.OutOrStdout(), rep)
		})
}

func printGPUs(out io.Writer, rep quota.GPUReport) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	// KUEUE (the requested GPUs of workloads admitted through a LocalQueue
	// of the input) only when the input holds Kueue objects, so that the
	// table stays as narrow as before without them.
	withKueue := rep.Kueue != nil
	if withKueue {
		fmt.Fprintln(w, "TEAM\tRESOURCE\tQUOTA\tUSED\tFREE\tREQUESTED\tKUEUE\tUNCAPPED NAMESPACES")
	} else {
		fmt.Fprintln(w, "TEAM\tRESOURCE\tQUOTA\tUSED\tFREE\tREQUESTED\tUNCAPPED NAMESPACES")
	}
	var notes []string
	for _, t := range rep.Teams {
		for _, r := range t.Resources {
			q, free := r.Quota, r.Free
			if q == "" {
				q, free = "none", "-"
			}
			if len(r.ScopedCaps) > 0 && r.Quota != "" {
				q += " (scoped)"
			}
			uncapped := strings.Join(r.Uncapped, ",")
			if uncapped == "" {
				uncapped = "-"
			}
			requested := r.Requested
			if withKueue {
				managed := r.Kueue
				if managed == "" {
					managed = "0"
				}
				requested += "\t" + managed
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Team, r.Resource, q, r.Used, free, requested, uncapped)
			notes = append(notes, gpuNotes(t.Team, r)...)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
	for _, r := range quotaSortedKeys(rep.Capacity) {
		total := rep.QuotaTotal[r]
		if total == "" {
			total = "none"
		}
		fmt.Fprintf(out, "capacity %s: %s, quota total %s, over-commitment %.2f\n", r, rep.Capacity[r], total, rep.Overcommit[r])
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

// gpuNotes are the footnotes of one row of `quota gpu`: each inert key
// (stored, never enforced, so not counted as quota) and each cap that
// comes from a scoped quota (it caps only the pods in its scopes).
func gpuNotes(team string, r quota.GPUUsage) []string {
	var out []string
	for _, k := range r.InertKeys {
		fix := ""
		if _, _, f := quota.ClassifyKey(corev1.ResourceName(k.Key)); f != "" {
			fix = "; use " + f
		}
		out = append(out, fmt.Sprintf("%s %s: %s/%s %s=%s is not enforced (stored, caps nothing%s): not counted as quota",
			team, r.Resource, k.Namespace, k.Quota, k.Key, k.Hard, fix))
	}
	for _, k := range r.ScopedCaps {
		out = append(out, fmt.Sprintf("%s %s: %s/%s %s=%s has scopes %s: it caps only the pods in those scopes; other pods' GPUs are uncapped",
			team, r.Resource, k.Namespace, k.Quota, k.Key, k.Hard, strings.Join(k.Scopes, ",")))
	}
	return out
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
