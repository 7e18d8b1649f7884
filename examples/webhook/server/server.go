package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

const (
	// DefaultTimeout bounds one review when neither Options.Timeout nor the
	// apiserver's timeout query parameter says otherwise. It equals the
	// default timeoutSeconds of a ValidatingWebhookConfiguration.
	DefaultTimeout = 10 * time.Second
	// MaxRequestBytes bounds an AdmissionReview body; the apiserver never
	// sends more than its own request limit (3 MiB of object plus envelope).
	MaxRequestBytes = 8 << 20
	// timeoutMargin is kept back from the apiserver's deadline so that our
	// denial arrives before the apiserver gives up on the call.
	timeoutMargin = 250 * time.Millisecond
)

// NamespaceGetter returns the Namespace object of a request's namespace, so
// that namespace labels (Pod Security levels, policy namespaceSelectors)
// are seen as in a full inventory. A nil Namespace with a nil error means
// "unknown": the review goes on without it.
type NamespaceGetter func(ctx context.Context, name string) (*corev1.Namespace, error)

// Options configure a Server.
type Options struct {
	// Rules are the checks the webhook enforces (required), e.g.
	// catalog.Default() or the rules of a GovernancePolicy.
	Rules []governance.Rule
	// Timeout is the longest a review may take; the apiserver's own deadline
	// (the timeout query parameter) wins when it is shorter. Zero means
	// DefaultTimeout. A review that runs out of time is denied.
	Timeout time.Duration
	// Namespaces looks up the namespace of a request; nil disables lookups.
	Namespaces NamespaceGetter
	// Logger receives one line per internal error; nil discards.
	Logger *slog.Logger
}

// Server is the webhook's HTTP handler: /validate, /metrics and /healthz.
// It is safe for concurrent use.
type Server struct {
	engine     *governance.Engine
	decoder    *governance.Decoder
	timeout    time.Duration
	namespaces NamespaceGetter
	log        *slog.Logger
	metrics    *Metrics
	mux        *http.ServeMux
}

// New validates the options and builds a Server.
func New(opts Options) (*Server, error) {
	if len(opts.Rules) == 0 {
		return nil, errors.New("webhook: no rules")
	}
	engine, err := governance.NewEngine(opts.Rules...)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	dec, err := governance.NewDecoder()
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("webhook: negative timeout %s", opts.Timeout)
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{engine: engine, decoder: dec, timeout: opts.Timeout, namespaces: opts.Namespaces,
		log: logger, metrics: NewMetrics(), mux: http.NewServeMux()}
	s.mux.HandleFunc("/validate", s.handleValidate)
	s.mux.Handle("/metrics", s.metrics)
	s.mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	return s, nil
}

// ServeHTTP serves /validate, /metrics and /healthz.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Metrics returns the server's counters.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Serve serves TLS on ln until ctx is done, then shuts down gracefully
// (waiting at most five seconds for reviews in flight).
func (s *Server) Serve(ctx context.Context, ln net.Listener, cfg *tls.Config) error {
	srv := &http.Server{
		Handler:           s,
		TLSConfig:         cfg,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       s.timeout + 5*time.Second,
		WriteTimeout:      s.timeout + 5*time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return err
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// handleValidate decodes an AdmissionReview, reviews it and writes the
// answer. Malformed reviews are 400s (the apiserver then applies the
// configuration's failurePolicy); everything else is a 200 whose response
// allows or denies.
func (s *Server) handleValidate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed: POST an admission.k8s.io/v1 AdmissionReview", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		http.Error(w, fmt.Sprintf("unsupported content type %q: want application/json", ct), http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		s.metrics.review("error")
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	review, err := decodeReview(body)
	if err != nil {
		s.metrics.review("error")
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.deadline(r))
	defer cancel()
	resp := s.Review(ctx, review.Request)
	out := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "AdmissionReview"},
		Response: resp,
	}
	data, err := json.Marshal(out)
	if err != nil { // cannot happen for these types; fail closed anyway
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// deadline is the review's time limit: the server's timeout, or the
// apiserver's (query parameter timeout=Ns) less a margin when shorter.
func (s *Server) deadline(r *http.Request) time.Duration {
	d := s.timeout
	if q := r.URL.Query().Get("timeout"); q != "" {
		if t, err := time.ParseDuration(q); err == nil && t > 0 {
			if t > 2*timeoutMargin {
				t -= timeoutMargin
			}
			d = min(d, t)
		}
	}
	return d
}

// decodeReview checks the envelope: admission.k8s.io/v1 AdmissionReview
// with a request that has a uid.
func decodeReview(body []byte) (*admissionv1.AdmissionReview, error) {
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil {
		return nil, fmt.Errorf("malformed AdmissionReview: %v", err)
	}
	gvk := review.GroupVersionKind()
	if gvk != admissionv1.SchemeGroupVersion.WithKind("AdmissionReview") {
		return nil, fmt.Errorf("unsupported kind %q (apiVersion %q): want admission.k8s.io/v1 AdmissionReview", gvk.Kind, gvk.GroupVersion())
	}
	if review.Request == nil {
		return nil, errors.New("AdmissionReview has no request")
	}
	if review.Request.UID == "" {
		return nil, errors.New("AdmissionReview request has no uid")
	}
	return &review, nil
}

// Review evaluates one admission request. It never fails open: a request
// it cannot decode or evaluate within ctx's deadline is denied, with the
// reason.
func (s *Server) Review(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	type outcome struct {
		resp *admissionv1.AdmissionResponse
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("panic during evaluation: %v", p)}
			}
		}()
		resp, err := s.review(ctx, req)
		done <- outcome{resp, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		o.err = fmt.Errorf("evaluation did not finish in time: %w", ctx.Err())
	}
	if o.err == nil && ctx.Err() != nil {
		o.err = fmt.Errorf("evaluation did not finish in time: %w", ctx.Err())
	}
	if o.err != nil {
		result := "error"
		if errors.Is(o.err, context.DeadlineExceeded) || errors.Is(o.err, context.Canceled) {
			result = "timeout"
		}
		s.metrics.review(result)
		s.log.Error("denying request", "uid", req.UID, "kind", req.Kind.Kind,
			"namespace", req.Namespace, "name", req.Name, "err", o.err)
		return &admissionv1.AdmissionResponse{
			UID:     req.UID,
			Allowed: false,
			Result: &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusInternalServerError,
				Reason: metav1.StatusReasonInternalError, Message: "aigov webhook (fail closed): " + o.err.Error()},
		}
	}
	if o.resp.Allowed {
		s.metrics.review("allowed")
	} else {
		s.metrics.review("denied")
	}
	return o.resp
}

// review decodes the object, builds a one-object inventory (plus its
// Namespace when known), runs the engine and turns findings into the
// response. Checks that do not judge the object's kind are not counted.
func (s *Server) review(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, error) {
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	raw := req.Object.Raw
	if req.Operation == admissionv1.Delete || len(raw) == 0 {
		// Nothing to judge: a DELETE, or a CONNECT without an object.
		return resp, nil
	}
	src := governance.Source{File: "admission:" + string(req.UID), Item: -1}
	objs, errs := s.decoder.DecodeJSON(raw, src)
	if len(errs) > 0 {
		return nil, fmt.Errorf("decoding %s: %w", req.Kind.Kind, errs)
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("decoding %s: want one object, got %d", req.Kind.Kind, len(objs))
	}
	obj := objs[0]
	meta := obj.Meta()
	if meta.GetNamespace() == "" && req.Namespace != "" && !governance.IsClusterScoped(obj.GVK.GroupKind()) {
		meta.SetNamespace(req.Namespace)
	}
	if meta.GetName() == "" {
		name := req.Name
		if name == "" {
			name = meta.GetGenerateName() + "<generated>"
		}
		meta.SetName(name)
	}
	governance.ApplyDefaults(obj)
	inventory := []*governance.Object{obj}
	if ns := obj.Namespace(); ns != "" && s.namespaces != nil {
		nsObj, err := s.namespaces(ctx, ns)
		if err != nil {
			return nil, fmt.Errorf("looking up namespace %q: %w", ns, err)
		}
		if nsObj != nil {
			nsObj = nsObj.DeepCopy()
			nsObj.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}
			o := &governance.Object{Obj: nsObj, GVK: corev1.SchemeGroupVersion.WithKind("Namespace"),
				Source: governance.Source{File: "namespace:" + ns, Item: -1}, Typed: true}
			governance.ApplyDefaults(o)
			inventory = append(inventory, o)
		}
	}
	inv, err := governance.NewInventory(inventory)
	if err != nil {
		return nil, err
	}
	findings := s.engine.Run(inv)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Only the findings about the request's object count (the Namespace is
	// context, not under review).
	key := obj.Key()
	failed := map[string]bool{}
	var denials []string
	for _, f := range findings {
		if f.Object.Kind != key.Kind || f.Object.Namespace != key.Namespace || f.Object.Name != key.Name {
			continue
		}
		failed[ruleLabel(f.Check, f.Name)] = true
		msg := fmt.Sprintf("[%s] %s", ruleLabel(f.Check, f.Name), f.Message)
		switch f.Action {
		case governance.ActionWarn:
			resp.Warnings = append(resp.Warnings, msg)
		case governance.ActionAudit:
			if resp.AuditAnnotations == nil {
				resp.AuditAnnotations = map[string]string{}
			}
			// The apiserver prefixes keys with the webhook's name and a slash.
			k := strings.ReplaceAll(ruleLabel(f.Check, f.Name), "/", ".")
			if prev, ok := resp.AuditAnnotations[k]; ok {
				msg = prev + "; " + msg
			}
			resp.AuditAnnotations[k] = msg
		default:
			denials = append(denials, msg)
		}
	}
	for _, r := range s.engine.Rules() {
		if !judges(r.Check, key) {
			continue
		}
		label := ruleLabel(r.Check.ID, r.Name)
		s.metrics.result(label, !failed[label])
	}
	if len(denials) > 0 {
		resp.Allowed = false
		resp.Result = &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusForbidden,
			Reason:  metav1.StatusReasonForbidden,
			Message: fmt.Sprintf("aigov denied %s %q: %s", key.Kind, key.Name, strings.Join(denials, "; ")),
		}
	}
	return resp, nil
}

// ruleLabel is a rule's name in messages and metrics: the check ID, with
// the policy entry's name after a slash when it has one.
func ruleLabel(id, name string) string {
	if name == "" {
		return id
	}
	return id + "/" + name
}

// judges reports whether a check evaluates objects of the key's kind.
func judges(c governance.Check, k governance.Key) bool {
	if len(c.Kinds) == 0 {
		return true
	}
	gk := schema.GroupKind{Group: k.Group, Kind: k.Kind}
	for _, kind := range c.Kinds {
		if kind == gk {
			return true
		}
	}
	return false
}
