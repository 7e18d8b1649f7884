// Package kustomize renders a kustomization directory (kubectl's -k) and
// decodes the result for a governance.Loader. It is its own package so that
// the core does not depend on kustomize.
package kustomize

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/aigov/aigov/governance"
)

// Render builds the kustomization in dir and returns multi-document YAML. A
// failure is an input error naming the directory.
func Render(dir string) ([]byte, *governance.InputError) {
	fail := func(err error) *governance.InputError {
		return &governance.InputError{Source: governance.Source{File: dir, Item: -1}, Err: fmt.Errorf("kustomize: %w", err)}
	}
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fail(err)
	}
	out, err := resMap.AsYaml()
	if err != nil {
		return nil, fail(err)
	}
	return out, nil
}

// Read renders dir and decodes the objects, unfinished (pass them to
// governance.Loader.Build). Their source names the kustomization directory
// and the document index in the rendered output.
func Read(loader *governance.Loader, dir string) ([]*governance.Object, governance.ErrorList) {
	out, err := Render(dir)
	if err != nil {
		return nil, governance.ErrorList{err}
	}
	return loader.Decoder().DecodeFile(dir+" (kustomize)", out)
}
