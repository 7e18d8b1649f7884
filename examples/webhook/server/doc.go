// Package server is the aigov validating admission webhook: an
// http.Handler that answers admission.k8s.io/v1 AdmissionReviews with the
// verdict of aigov's catalog checks, plus Prometheus-style metrics and a
// health endpoint. The program in examples/webhook wraps it with flags and
// TLS; tests and other programs start it directly.
//
// Endpoints:
//
//   - POST /validate: an AdmissionReview in, an AdmissionReview out. The
//     object is decoded with governance's decoder into its k8s.io/api type,
//     put in a one-object inventory together with its Namespace (when a
//     NamespaceGetter is configured, so that Pod Security levels and
//     namespace selectors see the labels), and judged by the rules. Findings
//     of Deny rules deny the request with every finding's message; Warn rules
//     become admission warnings; Audit rules become audit annotations.
//     A body that is not an admission.k8s.io/v1 AdmissionReview is a 400,
//     one over Options.MaxRequestBytes a 413, another method a 405, another
//     content type a 415.
//   - GET /metrics: aigov_policy_results_total{check,result="pass|fail"},
//     aigov_admission_reviews_total{result},
//     aigov_webhook_requests_total{code} (every answer of /validate by HTTP
//     status), aigov_webhook_throttled_total{limit="concurrency|memory"} and
//     the gauges aigov_webhook_reviews_in_flight and
//     aigov_webhook_request_bytes_in_flight, in the text exposition format.
//   - GET /healthz: "ok".
//
// Only object-level checks belong in a webhook: PolicyRules keeps those
// (ObjectRules); inventory checks run in `aigov check` over the whole
// platform.
//
// The webhook fails closed: a review that cannot be decoded, whose
// namespace cannot be looked up, whose evaluation panics, or that does not
// finish before its deadline (Options.Timeout, or the apiserver's timeout
// query parameter when shorter) is denied with the reason, so that a
// failurePolicy of Fail and the webhook agree. A CREATE or UPDATE without
// its object (absent or null) is denied as malformed, with code 400 in the
// response's status; DELETE, and CONNECT without an object, are allowed.
//
// It is bounded in time and memory. The deadline starts when the request
// arrives, and the body must arrive before it: a client that sends it
// slowly is answered 408 and cut off. At most Options.MaxConcurrentReviews
// reviews are decoded and evaluated at once (default 2×GOMAXPROCS; an
// evaluation that overruns its deadline keeps its slot until it ends), and
// the bodies of all requests in flight hold at most Options.MaxInFlightBytes
// (default 64 MiB, reserved as bytes are read). A request beyond either
// limit is answered 429 Too Many Requests at once with Retry-After: 1; the
// apiserver retries it while its deadline allows and then applies the
// webhook's failurePolicy.
//
// A minimal program:
//
//	rules, err := server.PolicyRules("") // catalog.Default(), object-level
//	if err != nil { ... }
//	srv, err := server.New(server.Options{Rules: rules, Timeout: 5 * time.Second})
//	if err != nil { ... }
//	ln, err := net.Listen("tcp", ":8443")
//	if err != nil { ... }
//	cert, err := tls.LoadX509KeyPair("tls.crt", "tls.key")
//	if err != nil { ... }
//	err = srv.Serve(ctx, ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
package server
