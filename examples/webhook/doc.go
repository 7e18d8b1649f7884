// Webhook serves aigov's checks as a validating admission webhook
// (admission.k8s.io/v1) over TLS, failing closed, with Prometheus-style
// metrics at /metrics and a health check at /healthz.
//
//	go run ./examples/webhook --tls-cert-file tls.crt --tls-private-key-file tls.key \
//	    [--addr :8443] [--policy policy.yaml] [--timeout 10s] [--kubeconfig K [--context C]] \
//	    [--max-concurrent-reviews N] [--max-request-bytes 8Mi] [--max-in-flight-bytes 64Mi]
//
// Without --policy it enforces the object-level checks of catalog.Default()
// (inventory checks need the whole platform; see server.ObjectRules). With
// --kubeconfig it reads the namespace of every request, so that policy
// namespaceSelectors see the namespace's labels.
//
// It fails closed and is bounded: --timeout counts from the request's
// arrival and bounds the body's arrival too (a slow client gets 408); at
// most --max-concurrent-reviews reviews (default twice GOMAXPROCS) are
// evaluated at once and requests in flight hold at most
// --max-in-flight-bytes of bodies; beyond either the answer is 429 with
// Retry-After, which the apiserver retries and then treats per the
// failurePolicy. Watch aigov_webhook_throttled_total in /metrics: steady
// 429s mean too few replicas or too low a limit.
//
// Register it with a ValidatingWebhookConfiguration whose clientConfig
// points at /validate with the CA that signed the serving certificate:
//
//	webhooks:
//	- name: aigov.example.com
//	  clientConfig: {url: "https://HOST:8443/validate", caBundle: BASE64-CA}
//	  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
//	  failurePolicy: Fail
//	  sideEffects: None
//	  admissionReviewVersions: [v1]
//	  namespaceSelector: {matchLabels: {platform.aigov.dev/managed: "true"}}
//
// The handler lives in package server (examples/webhook/server).
package main
