package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/cluster"
	"github.com/aigov/aigov/governance/kustomize"
)

// inputFlags are kubectl's ways of naming what to read.
type inputFlags struct {
	filenames     []string
	recursive     bool
	kustomize     []string
	kubeconfig    string
	context       string
	namespace     string
	allNamespaces bool

	// requestTimeout, allowPartial and allowEmpty: see the flags.
	requestTimeout string
	allowPartial   bool
	allowEmpty     bool
	// partialAfterRun says the command decides itself, after its run, what
	// a partial cluster read means (check: it fails only with an explicit
	// --fail-on), so load does not fail on one.
	partialAfterRun bool
	// warningsInOutput says the command's output carries the inventory's
	// warnings (check's text report), so load does not repeat them on
	// stderr.
	warningsInOutput bool
	// source names what was read, for messages; missing are the kinds the
	// command needs that the cluster served but did not let it read.
	source  string
	missing []governance.Degradation

	// validate and maxInputBytes: see the flags (files only); validation
	// says they were registered (else the defaults apply).
	validate      string
	maxInputBytes int64
	validation    bool
	// progress, when set, is told of the files as they are read.
	progress governance.ProgressFunc
}

func (in *inputFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringSliceVarP(&in.filenames, "filename", "f", nil, "file, directory (its .yaml, .yml, .json files) or - for stdin; repeatable")
	f.BoolVarP(&in.recursive, "recursive", "R", false, "descend into sub-directories of -f directories")
	f.StringSliceVarP(&in.kustomize, "kustomize", "k", nil, "kustomization directory to render and read; repeatable")
	f.StringVar(&in.kubeconfig, "kubeconfig", "", "read a live cluster with this kubeconfig")
	f.StringVar(&in.context, "context", "", "kubeconfig context of the live cluster")
	f.StringVarP(&in.namespace, "namespace", "n", "", "namespace for objects without one (files) or to read (cluster)")
	f.BoolVarP(&in.allNamespaces, "all-namespaces", "A", false, "every namespace, as kubectl -A: a live cluster is read whole (the default) and files always are; rbac can-i and who-can ask about the request in every namespace")
	f.StringVar(&in.requestTimeout, "request-timeout", "60s", "live cluster: how long to wait for each request (30s, 1m, or a number of seconds; 0 waits without bound); the whole read is bounded by 10 times this, or 10m with 0")
	f.BoolVar(&in.allowPartial, "allow-partial", false, "live cluster: when some kinds could not be read (forbidden), still exit on the results instead of with 2")
	f.BoolVar(&in.allowEmpty, "allow-empty", false, "accept inputs that hold no objects instead of exiting with 2")
	in.registerValidation(cmd)
}

// registerValidation adds --validate and --max-input-bytes (commands that
// register only some input flags call it; unregistered, they take their
// defaults).
func (in *inputFlags) registerValidation(cmd *cobra.Command) {
	in.validation = true
	f := cmd.Flags()
	f.StringVar(&in.validate, "validate", "strict", "unknown and duplicate fields of -f/-k objects: strict (or true) makes them errors (exit 2), warn warnings, ignore (or false) nothing, as kubectl's --validate")
	f.Lookup("validate").NoOptDefVal = "strict"
	f.Int64Var(&in.maxInputBytes, "max-input-bytes", governance.DefaultMaxInputBytes, "most bytes read from all -f files and standard input together (exit 2 beyond)")
}

func (in *inputFlags) live() bool { return in.kubeconfig != "" || in.context != "" }

// load reads the inventory and applies the CLI's rules on what was read:
//
//   - input errors come back as they are (exit 2);
//   - warnings of the source (kinds a cluster did not let the caller read)
//     are printed on stderr, unless the command's output carries them;
//   - a cluster of which none of the kinds the command needs could be read
//     is exit 2 (see neededResources);
//   - a cluster read that misses some of them is exit 2 unless
//     --allow-partial, or the command decides itself (partialAfterRun);
//   - zero objects is exit 2 naming the inputs, unless --allow-empty.
func (in *inputFlags) load(cmd *cobra.Command) (*governance.Inventory, error) {
	inv, err := in.read(cmd)
	if err != nil {
		return nil, err
	}
	if !in.warningsInOutput {
		for _, w := range inv.Warnings {
			fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
		}
	}
	in.missing = nil
	needed := neededResources[cmd.CommandPath()]
	for _, d := range inv.Degraded {
		if len(needed) == 0 || containsResource(needed, d.Resource) {
			in.missing = append(in.missing, d)
		}
	}
	if !in.partialAfterRun {
		if err := in.partialError(); err != nil {
			return nil, err
		}
	}
	if inv.Len() == 0 && !in.allowEmpty {
		return nil, usageError("no objects passed: %s holds none (--allow-empty accepts that)", in.describe())
	}
	return inv, nil
}

// partialError is exit 2 when the last load missed kinds the command needs
// and --allow-partial was not given.
func (in *inputFlags) partialError() error {
	if len(in.missing) == 0 || in.allowPartial {
		return nil
	}
	names := make([]string, len(in.missing))
	for i, d := range in.missing {
		names[i] = d.Resource + " (" + d.Reason + ")"
	}
	return usageError("partial read: could not read %s from %s; --allow-partial accepts results without them",
		strings.Join(names, ", "), in.source)
}

// describe names the inputs for messages.
func (in *inputFlags) describe() string {
	if in.live() {
		return in.source
	}
	var parts []string
	for _, f := range in.filenames {
		if f == "-" {
			f = "standard input"
		}
		parts = append(parts, f)
	}
	for _, k := range in.kustomize {
		parts = append(parts, "-k "+k)
	}
	return strings.Join(parts, ", ")
}

// rbacResources are what every RBAC question reads.
var rbacResources = []schema.GroupResource{
	{Group: "rbac.authorization.k8s.io", Resource: "roles"},
	{Group: "rbac.authorization.k8s.io", Resource: "rolebindings"},
	{Group: "rbac.authorization.k8s.io", Resource: "clusterroles"},
	{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"},
}

var netpolResources = []schema.GroupResource{
	{Resource: "namespaces"}, {Resource: "pods"},
	{Group: "networking.k8s.io", Resource: "networkpolicies"},
	{Group: "policy.networking.k8s.io", Resource: "adminnetworkpolicies"},
	{Group: "policy.networking.k8s.io", Resource: "baselineadminnetworkpolicies"},
	{Group: "policy.networking.k8s.io", Resource: "clusternetworkpolicies"},
}

var quotaResources = []schema.GroupResource{
	{Resource: "namespaces"}, {Resource: "pods"}, {Resource: "resourcequotas"}, {Resource: "limitranges"},
	{Group: "scheduling.k8s.io", Resource: "priorityclasses"},
}

// neededResources are, per command, the kinds a cluster read must include:
// when none of them could be read the run fails (exit 2), and when some
// could not, it fails unless --allow-partial. Kinds a command does not
// need are warnings only. A command not listed (check, secrets scan,
// secrets exposure, exposure, vap test) needs every kind.
var neededResources = map[string][]schema.GroupResource{
	"aigov rbac can-i":       rbacResources,
	"aigov rbac who-can":     rbacResources,
	"aigov rbac risks":       rbacResources,
	"aigov rbac lint":        rbacResources,
	"aigov rbac unused":      rbacResources,
	"aigov rbac generate":    rbacResources,
	"aigov rbac escalations": rbacResources,
	"aigov netpol eval":      netpolResources,
	"aigov netpol matrix":    netpolResources,
	"aigov netpol exposure":  netpolResources,
	"aigov quota status":     quotaResources,
	"aigov quota admit":      quotaResources,
	"aigov quota fit":        quotaResources,
	"aigov quota gpu":        quotaResources,
}

func containsResource(list []schema.GroupResource, name string) bool {
	for _, r := range list {
		if r.String() == name {
			return true
		}
	}
	return false
}

// parseRequestTimeout reads kubectl's --request-timeout: a number of
// seconds or a Go duration ("30s", "1m"); 0 is no bound.
func parseRequestTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.ParseInt(s, 10, 64); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	switch {
	case err != nil:
		return 0, fmt.Errorf("want a number of seconds or a duration such as 30s or 1m, got %q", s)
	case d < 0:
		return 0, fmt.Errorf("must not be negative, got %q", s)
	}
	return d, nil
}

// clusterDeadline bounds a whole cluster read: discovery and ~30 lists.
func clusterDeadline(requestTimeout time.Duration) time.Duration {
	if requestTimeout == 0 {
		return 10 * time.Minute
	}
	return 10 * requestTimeout
}

// loadCluster reads the live cluster, the kinds the command needs required.
func (in *inputFlags) loadCluster(cmd *cobra.Command) (*governance.Inventory, error) {
	timeout, err := parseRequestTimeout(in.requestTimeout)
	if err != nil {
		return nil, usageError("--request-timeout: %v", err)
	}
	cfg, err := cluster.RESTConfig(in.kubeconfig, in.context)
	if err != nil {
		return nil, err
	}
	ns := in.namespace
	if in.allNamespaces {
		ns = ""
	}
	in.source = "the cluster at " + cfg.Host
	if ns != "" {
		in.source += " (namespace " + ns + ")"
	}
	deadline := clusterDeadline(timeout)
	inv, err := cluster.Load(context.Background(), cluster.Options{Config: cfg, Namespace: ns,
		Timeout: timeout, Deadline: deadline, Required: neededResources[cmd.CommandPath()]})
	var netErr net.Error
	if err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout()) {
		err = fmt.Errorf("%w (--request-timeout %s per request, %s for the whole read)", err, timeout, deadline)
	}
	return inv, err
}

// read reads the inventory from the files or the cluster the flags name.
func (in *inputFlags) read(cmd *cobra.Command) (*governance.Inventory, error) {
	files := len(in.filenames) > 0 || len(in.kustomize) > 0
	switch {
	case files && in.live():
		return nil, usageError("use either -f/-k or --kubeconfig/--context, not both")
	case !files && !in.live():
		return nil, usageError("nothing to read: give -f PATH, -k DIR or --kubeconfig FILE")
	case in.live():
		return in.loadCluster(cmd)
	}
	validation, maxInput := governance.ValidationStrict, int64(governance.DefaultMaxInputBytes)
	if in.validation {
		var err error
		if validation, err = governance.ParseValidationMode(in.validate); err != nil {
			return nil, usageError("--validate: %v", err)
		}
		if maxInput = in.maxInputBytes; maxInput <= 0 {
			return nil, usageError("--max-input-bytes must be positive, got %d", maxInput)
		}
	}
	loader, err := governance.NewLoader()
	if err != nil {
		return nil, err
	}
	loader.Validation, loader.MaxInputBytes = validation, maxInput
	loader.Recursive, loader.Progress = in.recursive, in.progress
	loader.Stdin = cmd.InOrStdin()
	if in.namespace != "" {
		loader.DefaultNamespace = in.namespace
	}
	var objs []*governance.Object
	var errs governance.ErrorList
	for _, p := range in.filenames {
		o, e := loader.Read(p)
		objs, errs = append(objs, o...), append(errs, e...)
	}
	for _, dir := range in.kustomize {
		o, e := kustomize.Read(loader, dir)
		objs, errs = append(objs, o...), append(errs, e...)
	}
	return loader.Build(objs, errs)
}

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}
