// Package kustomize renders a kustomization directory (kubectl's -k) and
// loads the result into a governance.Inventory. It is its own package so that
// the core does not depend on kustomize.
package kustomize

import (
	"errors"
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/aigov/aigov/governance"
)

// Render builds the kustomization in dir and returns multi-document YAML.
func Render(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, &governance.InputError{Source: governance.Source{File: dir, Item: -1}, Err: fmt.Errorf("kustomize: %w", err)}
	}
	out, err := resMap.AsYaml()
	if err != nil {
		return nil, &governance.InputError{Source: governance.Source{File: dir, Item: -1}, Err: fmt.Errorf("kustomize: %w", err)}
	}
	return out, nil
}

// Read renders dir and decodes the objects, unfinished (see
// governance.Loader.Build). Their source names the kustomization directory
// and the document index in the rendered output.
func Read(loader *governance.Loader, dir string) ([]*governance.Object, governance.ErrorList) {
	out, err := Render(dir)
	if err != nil {
		var inputErr *governance.InputError
		errors.As(err, &inputErr)
		return nil, governance.ErrorList{inputErr}
	}
	return loader.Decoder().DecodeFile(dir+" (kustomize)", out)
}
