package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	"github.com/aigov/aigov/governance/report"
)

// FieldManager is the server-side apply field manager of the reports.
const FieldManager = "aigov"

// writer makes the cluster hold the reports of the latest evaluation. Its
// client is rate-limited (Options.WriteQPS), which bounds the write rate
// however often evaluations come.
type writer struct {
	client  dynamic.Interface
	api     reportAPI
	log     *slog.Logger
	metrics *metrics
	// written maps the namespace of each report aigov holds in the
	// cluster ("" the cluster report) to the digest of the content last
	// applied; "" when the content is unknown (found at adoption).
	written map[string]string
}

func newWriter(client dynamic.Interface, api reportAPI, log *slog.Logger, m *metrics) *writer {
	return &writer{client: client, api: api, log: log, metrics: m}
}

// adopt lists the reports aigov wrote before (an earlier process, an
// earlier leader), so that sync deletes those no longer wanted and a
// restart leaves neither duplicates nor stale reports.
func (w *writer) adopt(ctx context.Context) error {
	w.written = map[string]string{}
	sel := metav1.ListOptions{LabelSelector: report.ManagedByLabel + "=" + report.ToolName}
	list, err := w.client.Resource(w.api.namespaced).List(ctx, sel)
	if err != nil {
		return fmt.Errorf("listing %s: %w", resourceName(w.api.namespaced), err)
	}
	for _, r := range list.Items {
		if ns := r.GetNamespace(); ns != "" && r.GetName() == w.api.name(ns) {
			w.written[ns] = ""
		}
	}
	clusterList, err := w.client.Resource(w.api.cluster).List(ctx, sel)
	if err != nil {
		return fmt.Errorf("listing %s: %w", resourceName(w.api.cluster), err)
	}
	for _, r := range clusterList.Items {
		if r.GetName() == w.api.name("") {
			w.written[""] = ""
		}
	}
	return nil
}

// sync applies every wanted report whose content changed and deletes the
// namespace reports no longer wanted. A namespace that is gone or being
// deleted is not an error: its report goes with it.
func (w *writer) sync(ctx context.Context, want []reportObject) error {
	if w.written == nil {
		if err := w.adopt(ctx); err != nil {
			return err
		}
	}
	var errs []error
	wanted := map[string]bool{}
	for _, r := range want {
		wanted[r.namespace] = true
		if digest, ok := w.written[r.namespace]; ok && digest == r.digest {
			continue
		}
		gvr := w.api.cluster
		if r.namespace != "" {
			gvr = w.api.namespaced
		}
		_, err := w.client.Resource(gvr).Namespace(r.namespace).Apply(ctx, r.obj.GetName(), r.obj,
			metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
		switch {
		case err == nil:
			w.written[r.namespace] = r.digest
			w.metrics.reportWrite("applied")
		case r.namespace != "" && namespaceGoing(err):
			w.log.Debug("not writing the report of a namespace that is going", "namespace", r.namespace, "err", err)
		default:
			w.metrics.reportWrite("error")
			errs = append(errs, fmt.Errorf("applying %s %s/%s: %w", r.obj.GetKind(), r.namespace, r.obj.GetName(), err))
		}
	}
	for ns := range w.written {
		if ns == "" || wanted[ns] {
			continue
		}
		err := w.client.Resource(w.api.namespaced).Namespace(ns).Delete(ctx, w.api.name(ns), metav1.DeleteOptions{})
		switch {
		case err == nil:
			delete(w.written, ns)
			w.metrics.reportWrite("deleted")
		case apierrors.IsNotFound(err):
			delete(w.written, ns)
		default:
			w.metrics.reportWrite("error")
			errs = append(errs, fmt.Errorf("deleting %s %s/%s: %w", w.api.kind, ns, w.api.name(ns), err))
		}
	}
	return errors.Join(errs...)
}

// forget makes the next sync rewrite every report: after an error whose
// effect is unknown, and periodically, so that a report someone deleted
// or edited comes back.
func (w *writer) forget() { w.written = nil }

// namespaceGoing reports whether err says the namespace is gone or
// terminating.
func namespaceGoing(err error) bool {
	if apierrors.IsNotFound(err) {
		return true
	}
	return apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause)
}
