// Command trainerjobset prints, as JSON, the JobSet the Kubeflow Trainer
// controller (github.com/kubeflow/trainer/v2 v2.0.0) builds for each
// TrainJob in the YAML files given as arguments, by calling the
// controller's own runtime: the TrainingRuntime and ClusterTrainingRuntime
// resources of the files are loaded into a controller-runtime fake client
// whose scheme holds the Trainer, JobSet and scheduler-plugins types;
// core.New (pkg/runtime/core/core.go) builds the runtimes the controller
// registers, with a field indexer that accepts every index (the fake
// client needs none: NewObjects only reads objects by name); and each
// TrainJob goes to the runtime its runtimeRef names
// (runtime.RuntimeRefToRuntimeRegistryKey) and through NewObjects, as
// TrainJobReconciler.reconcileObjects (pkg/controller/trainjob_controller.go)
// does. The JobSet among the objects is converted to unstructured content
// the way the reconciler converts it before its server-side apply, so the
// output is what the controller sends to the apiserver. aigov's
// governance/internal/operator/trainer_proof_test.go runs it and compares
// the pods aigov derives from that JobSet with those it derives from the
// TrainJob.
//
// The apiserver's CRD defaults are not applied by the fake client: the
// TrainJobs and runtimes given must spell out the defaulted fields the
// build reads (runtimeRef apiGroup and kind; the MPI policy's
// mpiImplementation, sshAuthMountPath, numProcPerNode and
// runLauncherAsNode; the Torch policy's numProcPerNode). A missing one is
// an error here rather than a silent difference.
//
// This module is test-only: it does not import aigov.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	apiruntime "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	jobsetv1alpha2 "sigs.k8s.io/jobset/api/jobset/v1alpha2"
	jobsetv1alpha2ac "sigs.k8s.io/jobset/client-go/applyconfiguration/jobset/v1alpha2"
	schedulerpluginsv1alpha1 "sigs.k8s.io/scheduler-plugins/apis/scheduling/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/internal/operatortest/internal/podio"
	trainer "github.com/kubeflow/trainer/v2/pkg/apis/trainer/v1alpha1"
	trainerruntime "github.com/kubeflow/trainer/v2/pkg/runtime"
	"github.com/kubeflow/trainer/v2/pkg/runtime/core"
)

func main() {
	podio.Main("trainerjobset", os.Stdout, func(files []string) (any, error) { return run(context.Background(), files) })
}

// acceptingIndexer is a field indexer that registers nothing: the fake
// client serves the reads NewObjects makes (by name) without indexes.
type acceptingIndexer struct{}

func (acceptingIndexer) IndexField(context.Context, client.Object, string, client.IndexerFunc) error {
	return nil
}

func run(ctx context.Context, files []string) ([]map[string]any, error) {
	scheme := apiruntime.NewScheme()
	for _, add := range []func(*apiruntime.Scheme) error{clientgoscheme.AddToScheme, trainer.AddToScheme,
		jobsetv1alpha2.AddToScheme, schedulerpluginsv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("scheme: %w", err)
		}
	}
	var runtimes []client.Object
	var trainJobs []*trainer.TrainJob
	err := podio.EachDocument(files, func(doc []byte) error {
		var meta struct{ Kind string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			return err
		}
		var obj client.Object
		switch meta.Kind {
		case trainer.TrainingRuntimeKind:
			obj = &trainer.TrainingRuntime{}
		case trainer.ClusterTrainingRuntimeKind:
			obj = &trainer.ClusterTrainingRuntime{}
		case trainer.TrainJobKind:
			obj = &trainer.TrainJob{}
		default:
			return fmt.Errorf("kind %q is not a Trainer kind", meta.Kind)
		}
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			return err
		}
		if err := requireDefaults(obj); err != nil {
			return fmt.Errorf("%s/%s: %w", meta.Kind, obj.GetName(), err)
		}
		if tj, ok := obj.(*trainer.TrainJob); ok {
			trainJobs = append(trainJobs, tj)
		} else {
			runtimes = append(runtimes, obj)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(runtimes...).Build()
	registry, err := core.New(ctx, c, acceptingIndexer{})
	if err != nil {
		return nil, fmt.Errorf("runtimes: %w", err)
	}
	var out []map[string]any
	for _, tj := range trainJobs {
		key := trainerruntime.RuntimeRefToRuntimeRegistryKey(tj.Spec.RuntimeRef)
		rt, ok := registry[key]
		if !ok {
			return nil, fmt.Errorf("TrainJob %s/%s: unsupported runtime %s", tj.Namespace, tj.Name, key)
		}
		objects, err := rt.NewObjects(ctx, tj)
		if err != nil {
			return nil, fmt.Errorf("TrainJob %s/%s: %w", tj.Namespace, tj.Name, err)
		}
		var jobSet map[string]any
		for _, o := range objects {
			if _, isJobSet := o.(*jobsetv1alpha2ac.JobSetApplyConfiguration); !isJobSet {
				continue
			}
			if jobSet, err = apiruntime.DefaultUnstructuredConverter.ToUnstructured(o); err != nil {
				return nil, fmt.Errorf("TrainJob %s/%s: JobSet: %w", tj.Namespace, tj.Name, err)
			}
		}
		if jobSet == nil {
			return nil, fmt.Errorf("TrainJob %s/%s: the runtime built no JobSet", tj.Namespace, tj.Name)
		}
		out = append(out, jobSet)
	}
	return out, nil
}

// requireDefaults reports a defaulted field the build reads that obj
// leaves out (the apiserver would fill it in; the fake client does not).
func requireDefaults(obj client.Object) error {
	var policy *trainer.MLPolicy
	switch o := obj.(type) {
	case *trainer.TrainJob:
		if o.Spec.RuntimeRef.APIGroup == nil || o.Spec.RuntimeRef.Kind == nil {
			return errors.New("spec.runtimeRef: spell out apiGroup and kind (CRD defaults)")
		}
		return nil
	case *trainer.TrainingRuntime:
		policy = o.Spec.MLPolicy
	case *trainer.ClusterTrainingRuntime:
		policy = o.Spec.MLPolicy
	}
	if policy == nil {
		return nil
	}
	if t := policy.Torch; t != nil && t.NumProcPerNode == nil {
		return errors.New("spec.mlPolicy.torch: spell out numProcPerNode (CRD default auto)")
	}
	if m := policy.MPI; m != nil && (m.NumProcPerNode == nil || m.MPIImplementation == nil ||
		m.SSHAuthMountPath == nil || m.RunLauncherAsNode == nil) {
		return errors.New("spec.mlPolicy.mpi: spell out numProcPerNode, mpiImplementation, sshAuthMountPath and runLauncherAsNode (CRD defaults)")
	}
	return nil
}
