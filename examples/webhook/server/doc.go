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
//     A body that is not an admission.k8s.io/v1 AdmissionReview is a 400.
//   - GET /metrics: aigov_policy_results_total{check,result="pass|fail"} and
//     aigov_admission_reviews_total{result} in the text exposition format.
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
// failurePolicy of Fail and the webhook agree.
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
