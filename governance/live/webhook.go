package live

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/examples/webhook/server"
	"github.com/aigov/aigov/governance"
)

// Admission with the platform in view. Every replica answers /validate
// from its own latest evaluation (Snapshot): the request's object (its
// oldObject for a DELETE) is decoded with the governance Decoder, the
// evaluated inventory is copied with the change applied
// (Inventory.WithChange: the object replaced, added or removed, the other
// objects and their workloads shared), and the rules the change can touch
// (relevance) run on it, object checks on the changed object and its
// owners only, the facts the change cannot touch taken from the
// evaluation, the reachability graph derived from the evaluation's when
// the change allows (deriveGraph). A finding whose identity (check, policy entry, object,
// path) the evaluation did not have is one the change creates: Deny
// rules' deny the request with their messages, Warn rules' become
// admission warnings. Findings the evaluation already had are existing
// debt and never block. Audit rules are not run at admission: their
// findings are in the reports.

// maxDenialFindings bounds the findings a denial or the warnings list;
// the rest are counted.
const maxDenialFindings = 10

// admitter reviews admission requests against the latest evaluation.
type admitter struct {
	engine    *governance.Engine
	relevance *relevance
	snapshot  func() *Snapshot
	loader    *governance.Loader
	log       *slog.Logger

	mu       sync.Mutex // guards the loader (its Build) and known
	knownGen int
	known    map[findingID]bool

	// fullWhatIf runs every rule that is not Audit on a fresh pass of
	// the changed inventory: no relevance, no facts carried over, no
	// reachability graph derived from the evaluation's (deriveGraph). It
	// is the reference the tests hold the fast path to.
	fullWhatIf bool
}

// findingID is what tells two findings apart across evaluations.
type findingID struct {
	check, name                 string
	group, kind, namespace, obj string
	path                        string
}

func idOf(f governance.Finding) findingID {
	group, _, found := strings.Cut(f.Object.APIVersion, "/")
	if !found {
		group = ""
	}
	return findingID{check: f.Check, name: f.Name, group: group, kind: f.Object.Kind,
		namespace: f.Object.Namespace, obj: f.Object.Name, path: f.Path}
}

func newAdmitter(engine *governance.Engine, snapshot func() *Snapshot, log *slog.Logger) (*admitter, error) {
	loader, err := governance.NewLoader()
	if err != nil {
		return nil, err
	}
	return &admitter{engine: engine, relevance: newRelevance(engine.Rules()), snapshot: snapshot, loader: loader, log: log}, nil
}

// knownFindings returns the identities of snap's findings, computed once
// per evaluation.
func (a *admitter) knownFindings(snap *Snapshot) map[findingID]bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.known == nil || a.knownGen != snap.Generation {
		known := make(map[findingID]bool, len(snap.Findings))
		for _, f := range snap.Findings {
			known[idOf(f)] = true
		}
		a.known, a.knownGen = known, snap.Generation
	}
	return a.known
}

// badRequest is the answer to a review whose object cannot be judged.
func badRequest(format string, args ...any) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{Allowed: false, Result: &metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusBadRequest, Reason: metav1.StatusReasonBadRequest,
		Message: "aigov: malformed AdmissionReview: " + fmt.Sprintf(format, args...)}}
}

// decodeObject decodes the object under review and finishes it as the
// evaluation's objects are finished (defaults, namespace and name from the
// request when the object leaves them out).
func (a *admitter) decodeObject(req *admissionv1.AdmissionRequest, raw []byte) (*governance.Object, error) {
	src := governance.Source{File: "admission:" + string(req.UID), Item: -1}
	objs, errs := a.loader.Decoder().DecodeJSON(raw, src)
	if len(errs) == 0 && len(objs) == 1 {
		meta := objs[0].Meta()
		if meta.GetNamespace() == "" && req.Namespace != "" && !governance.IsClusterScoped(objs[0].GVK.GroupKind()) {
			meta.SetNamespace(req.Namespace)
		}
		if meta.GetName() == "" {
			name := req.Name
			if name == "" {
				name = meta.GetGenerateName() + "<generated>"
			}
			meta.SetName(name)
		}
	}
	a.mu.Lock()
	inv, err := a.loader.Build(objs, errs)
	a.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if inv.Len() != 1 {
		return nil, fmt.Errorf("want one object, got %d", inv.Len())
	}
	o := inv.Objects()[0]
	if len(o.UnknownFields) > 0 {
		// The strict loader's verdict, as `aigov check` gives it for a
		// file: the object is not what its kind's schema describes.
		return nil, fmt.Errorf("unknown field(s) %s", strings.Join(o.UnknownFields, ", "))
	}
	return o, nil
}

// review judges one well-formed request (see the package comment above).
func (a *admitter) review(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, error) {
	snap := a.snapshot()
	if snap == nil || snap.inventory == nil {
		return nil, errors.New("not ready: the first evaluation of the cluster has not finished")
	}
	ext := req.Object
	if req.Operation == admissionv1.Delete {
		ext = req.OldObject
	}
	raw := bytes.TrimSpace(ext.Raw)
	if len(raw) == 0 && ext.Object != nil { // a Go caller's decoded object
		var err error
		if raw, err = json.Marshal(ext.Object); err != nil {
			return nil, fmt.Errorf("encoding %s: %w", req.Kind.Kind, err)
		}
	}
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		if req.Operation == admissionv1.Connect {
			return &admissionv1.AdmissionResponse{Allowed: true}, nil
		}
		return badRequest("%s of %s %q has no object to judge (a DELETE needs oldObject)", req.Operation, req.Kind.Kind, req.Name), nil
	}
	obj, err := a.decodeObject(req, raw)
	if err != nil {
		return badRequest("%s %q does not decode: %v", req.Kind.Kind, req.Name, err), nil
	}
	key := obj.Key()
	var added *governance.Object
	if req.Operation != admissionv1.Delete {
		added = obj
	}
	whatIf, err := snap.inventory.WithChange(key, added)
	if err != nil {
		return nil, fmt.Errorf("applying the change to the inventory: %w", err)
	}
	gk := obj.GVK.GroupKind()
	var rules []int
	for i, r := range a.engine.Rules() {
		if r.Action != governance.ActionAudit && (a.fullWhatIf || a.relevance.ruleTouched(gk, i)) {
			rules = append(rules, i)
		}
	}
	resp := &admissionv1.AdmissionResponse{Allowed: true}
	if len(rules) == 0 {
		return resp, nil
	}
	pass := governance.NewPass(whatIf)
	if !a.fullWhatIf {
		pass.CarryFacts(snap.pass, a.relevance.untouchedFacts(gk))
	}
	defer a.deriveGraph(snap, whatIf, gk, key)()
	var objects []*governance.Object
	if added != nil {
		objects = append([]*governance.Object{added}, whatIf.Owners(added)...)
	}
	findings, err := a.engine.RunSubset(pass, rules, objects)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	known := a.knownFindings(snap)
	var denials, warnings []string
	for _, f := range findings {
		if known[idOf(f)] {
			continue
		}
		line := describe(f)
		switch f.Action {
		case governance.ActionDeny:
			denials = append(denials, line)
		case governance.ActionWarn:
			warnings = append(warnings, line)
		}
	}
	resp.Warnings = bounded(warnings)
	if len(denials) > 0 {
		resp.Allowed = false
		what := governance.DisplayName(key.Kind, key.Namespace, key.Name)
		resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusForbidden, Reason: metav1.StatusReasonForbidden,
			Message: fmt.Sprintf("aigov denied %s of %s: it creates %d finding(s) of Deny checks: %s",
				strings.ToLower(string(req.Operation)), what, len(denials), strings.Join(bounded(denials), "; "))}
	}
	return resp, nil
}

// describe renders a new finding for a person: the check (and entry), the
// object and field, and the check's message, which carries the analyzers'
// explanation (the RBAC grant, the network policy rules that allow a
// connection).
func describe(f governance.Finding) string {
	label := f.Check
	if f.Name != "" {
		label += "/" + f.Name
	}
	where := f.Object.Display()
	if f.Path != "" {
		where += " " + f.Path
	}
	return fmt.Sprintf("[%s] %s: %s", label, where, f.Message)
}

// bounded keeps the first maxDenialFindings lines and counts the rest.
func bounded(lines []string) []string {
	if len(lines) <= maxDenialFindings {
		return lines
	}
	return append(lines[:maxDenialFindings:maxDenialFindings], fmt.Sprintf("and %d more", len(lines)-maxDenialFindings))
}

// webhookServer is the admission webhook's handler (/validate, and the
// webhook's own /metrics and /healthz), with examples/webhook/server's
// limits: body size, in-flight bytes and reviews, the review's deadline.
func (s *Server) webhookServer() (*server.Server, error) {
	return server.New(server.Options{Review: s.measuredReview, Timeout: s.opts.WebhookTimeout,
		FailOpen: s.opts.WebhookFailOpen, Logger: s.log})
}

// measuredReview is admitter.review, timed into the admission histogram
// of the server's /metrics by the kind under review and the verdict. A
// review that outlives its deadline is counted when it ends, as a
// timeout, with the time it really took.
func (s *Server) measuredReview(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, error) {
	start := time.Now()
	resp, err := s.admitter.review(ctx, req)
	s.metrics.admitted(req.Kind.Group, req.Kind.Kind, verdictOf(ctx, resp, err), time.Since(start))
	return resp, err
}

func verdictOf(ctx context.Context, resp *admissionv1.AdmissionResponse, err error) string {
	switch {
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		// The webhook answers a review that ends after its deadline as
		// timed out, whatever the review found.
		return verdictTimeout
	case err != nil || resp == nil:
		return verdictError
	case !resp.Allowed && resp.Result != nil && resp.Result.Code == http.StatusBadRequest:
		return verdictInvalid
	case !resp.Allowed:
		return verdictDenied
	case len(resp.Warnings) > 0:
		return verdictWarned
	}
	return verdictAllowed
}

// serveWebhook serves the webhook with TLS on WebhookAddr until ctx ends.
func (s *Server) serveWebhook(ctx context.Context, errc chan<- error) error {
	if s.opts.WebhookAddr == "" {
		return nil
	}
	srv, err := s.webhookServer()
	if err != nil {
		return fmt.Errorf("live: webhook: %w", err)
	}
	ln, err := net.Listen("tcp", s.opts.WebhookAddr)
	if err != nil {
		return fmt.Errorf("live: listening on %s: %w", s.opts.WebhookAddr, err)
	}
	go func() {
		certs := &certFiles{cert: s.opts.TLSCertFile, key: s.opts.TLSKeyFile}
		cfg := &tls.Config{GetCertificate: certs.get, MinVersion: tls.VersionTLS12}
		if err := srv.Serve(ctx, ln, cfg); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("live: serving the webhook on %s: %w", s.opts.WebhookAddr, err)
		}
	}()
	s.log.Info("serving admission", "addr", ln.Addr().String(), "timeout", s.opts.WebhookTimeout, "failOpen", s.opts.WebhookFailOpen)
	return nil
}

// certFiles reads the serving certificate at each handshake, again when
// the files changed: a rotated certificate (cert-manager renews the
// Secret, the kubelet updates the mount) is served without a restart, and
// a server whose Secret is not there yet keeps serving its reports; only
// its handshakes fail until the files appear.
type certFiles struct {
	cert, key string
	mu        sync.Mutex
	modified  time.Time
	loaded    *tls.Certificate
}

func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var latest time.Time
	for _, f := range []string{c.cert, c.key} {
		info, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("webhook certificate: %w", err)
		}
		if info.ModTime().After(latest) {
			latest = info.ModTime()
		}
	}
	if c.loaded == nil || !latest.Equal(c.modified) {
		cert, err := tls.LoadX509KeyPair(c.cert, c.key)
		if err != nil {
			return nil, fmt.Errorf("webhook certificate: %w", err)
		}
		c.loaded, c.modified = &cert, latest
	}
	return c.loaded, nil
}

// webhookTimeoutDefault equals the apiserver's default timeoutSeconds.
const webhookTimeoutDefault = 10 * time.Second
