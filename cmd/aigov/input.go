package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

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

	// validate and maxInputBytes: see the flags (files only); validation
	// says they were registered (else the defaults apply).
	validate      string
	maxInputBytes int64
	validation    bool
}

func (in *inputFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringSliceVarP(&in.filenames, "filename", "f", nil, "file, directory (its .yaml, .yml, .json files) or - for stdin; repeatable")
	f.BoolVarP(&in.recursive, "recursive", "R", false, "descend into sub-directories of -f directories")
	f.StringSliceVarP(&in.kustomize, "kustomize", "k", nil, "kustomization directory to render and read; repeatable")
	f.StringVar(&in.kubeconfig, "kubeconfig", "", "read a live cluster with this kubeconfig")
	f.StringVar(&in.context, "context", "", "kubeconfig context of the live cluster")
	f.StringVarP(&in.namespace, "namespace", "n", "", "namespace for objects without one (files) or to read (cluster)")
	f.BoolVarP(&in.allNamespaces, "all-namespaces", "A", false, "read every namespace of a live cluster (the default)")
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

// load reads the inventory. Input errors come back as they are (exit 2).
func (in *inputFlags) load(cmd *cobra.Command) (*governance.Inventory, error) {
	files := len(in.filenames) > 0 || len(in.kustomize) > 0
	switch {
	case files && in.live():
		return nil, usageError("use either -f/-k or --kubeconfig/--context, not both")
	case !files && !in.live():
		return nil, usageError("nothing to read: give -f PATH, -k DIR or --kubeconfig FILE")
	case in.live():
		ns := in.namespace
		if in.allNamespaces {
			ns = ""
		}
		return cluster.Load(context.Background(), cluster.Options{Kubeconfig: in.kubeconfig, Context: in.context, Namespace: ns})
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
	loader.Recursive = in.recursive
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
