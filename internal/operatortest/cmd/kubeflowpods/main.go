// Command kubeflowpods prints, as JSON, the pods the Kubeflow
// training-operator (github.com/kubeflow/training-operator v1.9.0) creates
// for the PyTorchJob, TFJob, XGBoostJob, PaddleJob and JAXJob resources in
// the YAML files given as arguments, by running the operator's own
// reconcilers: each kind's NewReconciler (pkg/controller.v1/<kind>) is
// given a stand-in manager whose client is a controller-runtime fake
// client holding the job, then its pod and service controls are pointed at
// a client-go fake clientset, and Reconcile runs once, as the manager
// would call it for the job: Scheme.Default (the SetDefaults_* functions:
// replicas, canonical replica type keys, default port, restart policy),
// then JobController.ReconcileJobs, which creates each replica type's
// pods through createNewPod (labels, master role, SetClusterSpec env and
// init containers, restart policy) and the fake clientset's Create. The
// pods printed are those the fake clientset holds afterwards, grouped by
// replica type; a type's count is the number of pods created for it, and
// the pod shown is its replica index 0. Gang scheduling is off (the
// operator's default without --gang-scheduler-name), and the operator's
// configuration is its flags' defaults (cmd/training-operator.v1/main.go,
// pkg/config: the PyTorch init container's image alpine:3.10 and 100
// tries, its template built in: the default template file is absent).
//
// What the apiserver would do first (the CRDs' defaults) is not done: the
// kinds' CRDs in v1.9.0 default nothing the build reads.
//
// This module is test-only: it does not import aigov.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/aigov/aigov/internal/operatortest/internal/podio"
	"github.com/go-logr/logr"
	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	kubefake "k8s.io/client-go/kubernetes/fake"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/yaml"

	kubeflowv1 "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1"
	"github.com/kubeflow/training-operator/pkg/config"
	"github.com/kubeflow/training-operator/pkg/controller.v1/common"
	"github.com/kubeflow/training-operator/pkg/controller.v1/control"
	"github.com/kubeflow/training-operator/pkg/controller.v1/jax"
	paddle "github.com/kubeflow/training-operator/pkg/controller.v1/paddlepaddle"
	"github.com/kubeflow/training-operator/pkg/controller.v1/pytorch"
	"github.com/kubeflow/training-operator/pkg/controller.v1/tensorflow"
	"github.com/kubeflow/training-operator/pkg/controller.v1/xgboost"
)

// Resource is one input job with the pods the operator creates for it.
type Resource struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Pods      []Pod  `json:"pods"`
}

// Pod is one replica type: Replicas pods, shown by the one of index 0.
type Pod struct {
	ReplicaType string     `json:"replicaType"`
	Replicas    int32      `json:"replicas"`
	Pod         corev1.Pod `json:"pod"`
}

func main() {
	podio.Main("kubeflowpods", os.Stdout, func(files []string) (any, error) { return run(context.Background(), files) })
}

func run(ctx context.Context, files []string) ([]Resource, error) {
	// The reconcilers log through controller-runtime's logger (dropped
	// here) and logrus (to standard error); only the JSON goes to
	// standard output.
	ctrl.SetLogger(logr.Discard())
	logrus.SetOutput(os.Stderr)
	// The operator's main sets these from its flags.
	config.Config.PyTorchInitContainerImage = config.PyTorchInitContainerImageDefault
	config.Config.PyTorchInitContainerTemplateFile = config.PyTorchInitContainerTemplateFileDefault
	config.Config.PyTorchInitContainerMaxTries = config.PyTorchInitContainerMaxTriesDefault
	config.Config.MPIKubectlDeliveryImage = config.MPIKubectlDeliveryImageDefault
	var out []Resource
	err := podio.EachDocument(files, func(doc []byte) error {
		r, err := podsOf(ctx, doc)
		out = append(out, r)
		return err
	})
	return out, err
}

// standInManager is the part of a manager NewReconciler reads; anything
// else panics (the nil embedded interface), which would show a build path
// this command does not cover.
type standInManager struct {
	manager.Manager
	client   client.Client
	scheme   *apiruntime.Scheme
	recorder record.EventRecorder
}

func (m standInManager) GetClient() client.Client                        { return m.client }
func (m standInManager) GetScheme() *apiruntime.Scheme                   { return m.scheme }
func (m standInManager) GetAPIReader() client.Reader                     { return m.client }
func (m standInManager) GetEventRecorderFor(string) record.EventRecorder { return m.recorder }

// GetConfig is a configuration NewReconciler makes a clientset of; the
// clientset is replaced before use and never connects.
func (m standInManager) GetConfig() *rest.Config { return &rest.Config{Host: "http://127.0.0.1:1"} }

func podsOf(ctx context.Context, doc []byte) (Resource, error) {
	var meta metav1.PartialObjectMetadata
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return Resource{}, err
	}
	r := Resource{Kind: meta.Kind, Namespace: meta.Namespace, Name: meta.Name}
	scheme := apiruntime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return r, err
	}
	if err := kubeflowv1.AddToScheme(scheme); err != nil {
		return r, err
	}
	var job client.Object
	switch meta.Kind {
	case kubeflowv1.PyTorchJobKind:
		job = &kubeflowv1.PyTorchJob{}
	case kubeflowv1.TFJobKind:
		job = &kubeflowv1.TFJob{}
	case kubeflowv1.XGBoostJobKind:
		job = &kubeflowv1.XGBoostJob{}
	case kubeflowv1.PaddleJobKind:
		job = &kubeflowv1.PaddleJob{}
	case kubeflowv1.JAXJobKind:
		job = &kubeflowv1.JAXJob{}
	default:
		return r, fmt.Errorf("kind %q is not a training-operator v1 kind", meta.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, job); err != nil {
		return r, err
	}
	// The apiserver gives every object a UID; the controller's pods
	// point at it (their owner reference), and its pod lists keep only
	// pods whose owner has the job's UID.
	job.SetUID(types.UID("uid-" + meta.Namespace + "-" + meta.Name))
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(job).WithStatusSubresource(job).Build()
	mgr := standInManager{client: c, scheme: scheme, recorder: record.NewFakeRecorder(1000)}
	kube := kubefake.NewClientset()

	var reconciler interface {
		Reconcile(context.Context, ctrl.Request) (ctrl.Result, error)
	}
	var jc *common.JobController
	setup := common.GenNonGangSchedulerSetupFunc()
	switch meta.Kind {
	case kubeflowv1.PyTorchJobKind:
		rec := pytorch.NewReconciler(mgr, setup)
		reconciler, jc = rec, &rec.JobController
	case kubeflowv1.TFJobKind:
		rec := tensorflow.NewReconciler(mgr, setup)
		reconciler, jc = rec, &rec.JobController
	case kubeflowv1.XGBoostJobKind:
		rec := xgboost.NewReconciler(mgr, setup)
		reconciler, jc = rec, &rec.JobController
	case kubeflowv1.PaddleJobKind:
		rec := paddle.NewReconciler(mgr, setup)
		reconciler, jc = rec, &rec.JobController
	case kubeflowv1.JAXJobKind:
		rec := jax.NewReconciler(mgr, setup)
		reconciler, jc = rec, &rec.JobController
	}
	jc.KubeClientSet = kube
	jc.PodControl = control.RealPodControl{KubeClient: kube, Recorder: mgr.recorder}
	jc.ServiceControl = control.RealServiceControl{KubeClient: kube, Recorder: mgr.recorder}

	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: meta.Namespace, Name: meta.Name}}
	if _, err := reconciler.Reconcile(ctx, req); err != nil {
		// The status update after the pods are made may fail on the
		// fake client; the pods are what is printed.
		fmt.Fprintf(os.Stderr, "kubeflowpods: %s %s/%s: reconcile: %v\n", meta.Kind, meta.Namespace, meta.Name, err)
	}
	pods, err := kube.CoreV1().Pods(meta.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return r, err
	}

	// The replica types as the defaulted job spells them: the pods'
	// replica-type label is their lower case.
	if err := c.Get(ctx, client.ObjectKeyFromObject(job), job); err != nil {
		return r, err
	}
	defaulted := job.DeepCopyObject()
	scheme.Default(defaulted)
	types := map[string]string{}
	for _, t := range replicaTypes(defaulted) {
		types[strings.ToLower(t)] = t
	}
	byType := map[string]*Pod{}
	for _, p := range pods.Items {
		rt := p.Labels[kubeflowv1.ReplicaTypeLabel]
		entry, ok := byType[rt]
		if !ok {
			entry = &Pod{ReplicaType: types[rt]}
			if entry.ReplicaType == "" {
				entry.ReplicaType = rt
			}
			byType[rt] = entry
		}
		entry.Replicas++
		if idx, _ := strconv.Atoi(p.Labels[kubeflowv1.ReplicaIndexLabel]); idx == 0 {
			entry.Pod = p
		}
	}
	for _, t := range replicaTypes(defaulted) {
		if p, ok := byType[strings.ToLower(t)]; ok {
			r.Pods = append(r.Pods, *p)
		} else {
			r.Pods = append(r.Pods, Pod{ReplicaType: t})
		}
	}
	return r, nil
}

// replicaTypes returns the replica types of a defaulted job, sorted.
func replicaTypes(job apiruntime.Object) []string {
	var specs map[kubeflowv1.ReplicaType]*kubeflowv1.ReplicaSpec
	switch j := job.(type) {
	case *kubeflowv1.PyTorchJob:
		specs = j.Spec.PyTorchReplicaSpecs
	case *kubeflowv1.TFJob:
		specs = j.Spec.TFReplicaSpecs
	case *kubeflowv1.XGBoostJob:
		specs = j.Spec.XGBReplicaSpecs
	case *kubeflowv1.PaddleJob:
		specs = j.Spec.PaddleReplicaSpecs
	case *kubeflowv1.JAXJob:
		specs = j.Spec.JAXReplicaSpecs
	}
	out := make([]string, 0, len(specs))
	for t := range specs {
		out = append(out, string(t))
	}
	sort.Strings(out)
	return out
}
