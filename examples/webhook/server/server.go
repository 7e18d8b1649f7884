package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/aigov/aigov/governance"
)

const (
	// DefaultTimeout bounds one review when neither Options.Timeout nor the
	// apiserver's timeout query parameter says otherwise. It equals the
	// default timeoutSeconds of a ValidatingWebhookConfiguration.
	DefaultTimeout = 10 * time.Second
	// MaxRequestBytes is the default of Options.MaxRequestBytes; the
	// apiserver never sends more than its own request limit (3 MiB of
	// object plus envelope).
	MaxRequestBytes = 8 << 20
	// DefaultMaxInFlightBytes is the default of Options.MaxInFlightBytes.
	DefaultMaxInFlightBytes = 64 << 20
	// retryAfter is the Retry-After of a 429: the apiserver's webhook client
	// retries a 429 that carries one while the call's deadline allows.
	retryAfter = "1"
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
	// Rules are the checks the webhook enforces (required unless Review
	// is set), e.g. catalog.Default() or the rules of a GovernancePolicy.
	Rules []governance.Rule
	// Review, when set, replaces the object-level review of Rules: it
	// judges a well-formed request (malformed ones never reach it) and
	// returns the response, or an error that the server turns into a
	// denial (or, with FailOpen, an admission with a warning). The
	// server keeps everything else: body and concurrency limits,
	// deadlines, metrics. `aigov serve` judges with the whole platform
	// in view this way.
	Review func(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, error)
	// FailOpen admits, with a warning naming the reason, a request whose
	// review fails or runs out of time, instead of denying it; it should
	// match the failurePolicy Ignore of the webhook's configuration.
	// Malformed requests are denied either way.
	FailOpen bool
	// Timeout is the longest a review may take, counted from the request's
	// arrival: the body must arrive within it too (else 408). The
	// apiserver's own deadline (the timeout query parameter) wins when it
	// is shorter. Zero means DefaultTimeout. A review that runs out of time
	// is denied.
	Timeout time.Duration
	// Namespaces looks up the namespace of a request; nil disables lookups.
	Namespaces NamespaceGetter
	// Logger receives one line per internal error; nil discards.
	Logger *slog.Logger

	// MaxRequestBytes bounds one AdmissionReview body; a larger one is
	// answered 413. Zero means MaxRequestBytes (8 MiB).
	MaxRequestBytes int64
	// MaxConcurrentReviews bounds the reviews being decoded and evaluated
	// at once (an evaluation that outlives its deadline counts until it
	// ends). A review beyond it is answered 429 Too Many Requests at once,
	// not queued; the apiserver retries it after the Retry-After second
	// while its deadline allows, then applies the failurePolicy. Zero
	// means DefaultMaxConcurrentReviews().
	MaxConcurrentReviews int
	// MaxInFlightBytes bounds the bytes of request bodies held by all
	// requests in flight, counted as they are read (a slow client holds
	// only what it has sent); a request that does not fit is answered 429
	// (before its body is read when its Content-Length already does not
	// fit). Decoded objects take a multiple of their bytes; that part is
	// bounded by MaxConcurrentReviews. It must hold at least one request
	// of MaxRequestBytes. Zero means DefaultMaxInFlightBytes (64 MiB).
	MaxInFlightBytes int64
}

// DefaultMaxConcurrentReviews is the default of
// Options.MaxConcurrentReviews: twice GOMAXPROCS (evaluation is CPU-bound;
// the factor two covers namespace lookups waiting on the network).
func DefaultMaxConcurrentReviews() int { return 2 * runtime.GOMAXPROCS(0) }

// Server is the webhook's HTTP handler: /validate, /metrics and /healthz.
// It is safe for concurrent use.
type Server struct {
	engine     *governance.Engine
	decoder    *governance.Decoder
	timeout    time.Duration
	maxBody    int64
	slots      chan struct{} // one token per review being decoded or evaluated
	budget     *byteBudget
	namespaces NamespaceGetter
	reviewer   func(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, error)
	failOpen   bool
	log        *slog.Logger
	metrics    *Metrics
	mux        *http.ServeMux
}

// New validates the options and builds a Server.
func New(opts Options) (*Server, error) {
	if len(opts.Rules) == 0 && opts.Review == nil {
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
	if opts.MaxRequestBytes < 0 || opts.MaxConcurrentReviews < 0 || opts.MaxInFlightBytes < 0 {
		return nil, fmt.Errorf("webhook: negative limit (MaxRequestBytes %d, MaxConcurrentReviews %d, MaxInFlightBytes %d)",
			opts.MaxRequestBytes, opts.MaxConcurrentReviews, opts.MaxInFlightBytes)
	}
	if opts.MaxRequestBytes == 0 {
		opts.MaxRequestBytes = MaxRequestBytes
	}
	if opts.MaxConcurrentReviews == 0 {
		opts.MaxConcurrentReviews = DefaultMaxConcurrentReviews()
	}
	if opts.MaxInFlightBytes == 0 {
		opts.MaxInFlightBytes = DefaultMaxInFlightBytes
	}
	if opts.MaxInFlightBytes < opts.MaxRequestBytes {
		return nil, fmt.Errorf("webhook: MaxInFlightBytes %d cannot hold one request of MaxRequestBytes %d",
			opts.MaxInFlightBytes, opts.MaxRequestBytes)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{engine: engine, decoder: dec, timeout: opts.Timeout, maxBody: opts.MaxRequestBytes,
		slots: make(chan struct{}, opts.MaxConcurrentReviews), budget: &byteBudget{limit: opts.MaxInFlightBytes},
		namespaces: opts.Namespaces, reviewer: opts.Review, failOpen: opts.FailOpen, log: logger, metrics: NewMetrics(), mux: http.NewServeMux()}
	s.metrics.inFlight = s.InFlight
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

// InFlight returns the reviews being decoded or evaluated and the bytes of
// request bodies held, now.
func (s *Server) InFlight() (reviews int, bodyBytes int64) {
	return len(s.slots), s.budget.used.Load()
}

// Serve serves TLS on ln until ctx is done, then shuts down gracefully
// (waiting at most five seconds for reviews in flight).
func (s *Server) Serve(ctx context.Context, ln net.Listener, cfg *tls.Config) error {
	srv := &http.Server{
		Handler:           s,
		TLSConfig:         cfg,
		ReadHeaderTimeout: 5 * time.Second,
		// The body must arrive before the review's deadline (handleValidate
		// sets it on the connection); this bounds the other endpoints.
		ReadTimeout:    s.timeout + 5*time.Second,
		MaxHeaderBytes: 64 << 10,
		WriteTimeout:   s.timeout + 5*time.Second,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
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

// handleValidate reads and decodes an AdmissionReview, reviews it and
// writes the answer. The review's deadline starts when the request arrives:
// the body must be in before it (else 408). Malformed envelopes are 400s,
// bodies over MaxRequestBytes 413s, requests beyond the concurrency limit
// or the in-flight byte budget 429s (the apiserver retries, then applies
// the configuration's failurePolicy); everything else is a 200 whose
// response allows or denies. Every answer is counted by status code.
func (s *Server) handleValidate(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	ctx, cancel := context.WithDeadline(r.Context(), arrived.Add(s.deadline(r)))
	defer cancel()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.httpError(w, "method not allowed: POST an admission.k8s.io/v1 AdmissionReview", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		s.httpError(w, fmt.Sprintf("unsupported content type %q: want application/json", ct), http.StatusUnsupportedMediaType)
		return
	}
	if r.ContentLength > s.maxBody {
		s.metrics.review("error")
		s.httpError(w, fmt.Sprintf("request body of %d bytes is over the limit of %d bytes", r.ContentLength, s.maxBody),
			http.StatusRequestEntityTooLarge)
		return
	}
	if r.ContentLength > s.budget.available() {
		s.throttle(w, "memory")
		return
	}

	l := &lease{s: s}
	handedOff := false
	defer func() {
		if !handedOff {
			l.release()
		}
	}()
	// The body must arrive before the review's deadline: a client that
	// sends it slowly is cut off. A ResponseWriter without deadlines (a
	// test recorder) reads an in-memory body.
	rc := http.NewResponseController(w)
	deadline, _ := ctx.Deadline()
	_ = rc.SetReadDeadline(deadline)
	l.body = &budgetReader{r: http.MaxBytesReader(w, r.Body, s.maxBody), b: s.budget}
	body, err := io.ReadAll(l.body)
	if err != nil {
		s.bodyError(w, err)
		return
	}
	// Nothing more is read from this request; a later read deadline on the
	// connection would cancel the request's context during evaluation.
	_ = rc.SetReadDeadline(time.Time{})

	select {
	case s.slots <- struct{}{}:
		l.slot = true
	default:
		s.throttle(w, "concurrency")
		return
	}
	review, err := decodeReview(body)
	if err != nil {
		s.metrics.review("error")
		s.httpError(w, err.Error(), http.StatusBadRequest)
		return
	}
	handedOff = true
	resp := s.evaluate(ctx, review.Request, l.release)
	out := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "AdmissionReview"},
		Response: resp,
	}
	data, err := json.Marshal(out)
	if err != nil { // cannot happen for these types; fail closed anyway
		s.httpError(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	s.metrics.request(http.StatusOK)
	_, _ = w.Write(data)
}

// httpError answers with a plain-text error and counts its status code.
func (s *Server) httpError(w http.ResponseWriter, msg string, code int) {
	s.metrics.request(code)
	http.Error(w, msg, code)
}

// throttle answers 429 for the named limit (concurrency or memory).
func (s *Server) throttle(w http.ResponseWriter, limit string) {
	s.metrics.throttled(limit)
	w.Header().Set("Retry-After", retryAfter)
	s.httpError(w, "aigov webhook busy: too many reviews in flight ("+limit+" limit); retry", http.StatusTooManyRequests)
}

// bodyError answers a failed body read: 429 over the byte budget, 413 over
// the size limit, 408 past the deadline, 400 otherwise.
func (s *Server) bodyError(w http.ResponseWriter, err error) {
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.Is(err, errOverBudget):
		s.throttle(w, "memory")
	case errors.As(err, &tooLarge):
		s.metrics.review("error")
		s.httpError(w, fmt.Sprintf("request body is over the limit of %d bytes", tooLarge.Limit), http.StatusRequestEntityTooLarge)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		s.metrics.review("timeout")
		s.log.Warn("request body did not arrive before the review's deadline", "err", err)
		s.httpError(w, "request body did not arrive before the review's deadline", http.StatusRequestTimeout)
	default:
		s.metrics.review("error")
		s.httpError(w, "reading body: "+err.Error(), http.StatusBadRequest)
	}
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
// reason, and so is a malformed one (a CREATE or UPDATE without an object,
// an unknown operation), with code 400. A DELETE, and a CONNECT without an
// object, are allowed: there is no object to judge.
func (s *Server) Review(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	return s.evaluate(ctx, req, nil)
}

// evaluate is Review; release, when not nil, is called once evaluation has
// ended, which may be after evaluate returned a timeout denial.
func (s *Server) evaluate(ctx context.Context, req *admissionv1.AdmissionRequest, release func()) *admissionv1.AdmissionResponse {
	if err := malformed(req); err != nil {
		if release != nil {
			release()
		}
		s.metrics.review("error")
		var uid types.UID
		if req != nil {
			uid = req.UID
		}
		s.log.Warn("denying malformed request", "uid", uid, "err", err)
		return &admissionv1.AdmissionResponse{
			UID:     uid,
			Allowed: false,
			Result: &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusBadRequest,
				Reason: metav1.StatusReasonBadRequest, Message: "aigov webhook (fail closed): malformed AdmissionReview: " + err.Error()},
		}
	}
	type outcome struct {
		resp *admissionv1.AdmissionResponse
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		if release != nil {
			defer release()
		}
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
		if s.failOpen {
			s.log.Error("admitting request unreviewed (fail open)", "uid", req.UID, "kind", req.Kind.Kind,
				"namespace", req.Namespace, "name", req.Name, "err", o.err)
			return &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true,
				Warnings: []string{"aigov webhook (fail open): not reviewed: " + o.err.Error()}}
		}
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

// malformed reports what makes a request unfit for review: a CREATE or
// UPDATE must carry the object (absent, JSON null or empty is malformed;
// the apiserver always sends it), and the operation must be one of the
// four. UPDATE's oldObject is not used by any check, so its absence is not
// an error.
func malformed(req *admissionv1.AdmissionRequest) error {
	if req == nil {
		return errors.New("no request")
	}
	switch req.Operation {
	case admissionv1.Create, admissionv1.Update:
		if noObject(req.Object) {
			return fmt.Errorf("%s request has no object", req.Operation)
		}
	case admissionv1.Delete, admissionv1.Connect:
	default:
		return fmt.Errorf("unknown operation %q", req.Operation)
	}
	return nil
}

// noObject reports whether an embedded object is absent: neither a
// decoded object nor raw bytes other than JSON null.
func noObject(ext k8sruntime.RawExtension) bool {
	if ext.Object != nil {
		return false
	}
	raw := bytes.TrimSpace(ext.Raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// review decodes the object, builds a one-object inventory (plus its
// Namespace when known), runs the engine and turns findings into the
// response. Checks that do not judge the object's kind are not counted.
func (s *Server) review(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, error) {
	if s.reviewer != nil {
		resp, err := s.reviewer(ctx, req)
		if err == nil && resp == nil {
			err = errors.New("the review returned no response")
		}
		if err == nil {
			resp.UID = req.UID
		}
		return resp, err
	}
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	if req.Operation == admissionv1.Delete || noObject(req.Object) {
		// Nothing to judge: a DELETE, or a CONNECT without an object
		// (malformed turned away CREATEs and UPDATEs without one).
		return resp, nil
	}
	raw := req.Object.Raw
	if len(bytes.TrimSpace(raw)) == 0 { // a Go caller's decoded object
		var err error
		if raw, err = json.Marshal(req.Object.Object); err != nil {
			return nil, fmt.Errorf("encoding %s: %w", req.Kind.Kind, err)
		}
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
