package kustomize_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/kustomize"
)

func TestReadRendersKustomization(t *testing.T) {
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	objs, errs := kustomize.Read(loader, "testdata/base")
	require.Empty(t, errs)
	inv, err := loader.Build(objs, nil)
	require.NoError(t, err)
	deps := governance.Typed[*appsv1.Deployment](inv)
	require.Len(t, deps, 1)
	assert.Equal(t, "nlp-team", deps[0].Namespace, "the namespace transformer ran")
	assert.Equal(t, "nlp", deps[0].Labels["team"], "commonLabels ran")
	assert.Equal(t, "testdata/base (kustomize)", inv.Objects()[0].Source.File)
	assert.Equal(t, 1, inv.Objects()[0].Source.Document)
}

func TestReadReportsBrokenKustomization(t *testing.T) {
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	_, errs := kustomize.Read(loader, "testdata/missing")
	require.Len(t, errs, 1)
	assert.Equal(t, "testdata/missing", errs[0].Source.File)
	assert.Contains(t, errs[0].Error(), "kustomize:")
}
