// Webhook serves aigov's checks as a validating admission webhook
// (admission.k8s.io/v1) over TLS, failing closed, with Prometheus-style
// metrics at /metrics and a health check at /healthz.
//
//	go run ./examples/webhook --tls-cert-file tls.crt --tls-private-key-file tls.key \
//	    [--addr :8443] [--policy policy.yaml] [--timeout 10s] [--kubeconfig K [--context C]]
//
// Without --policy it enforces the object-level checks of catalog.Default()
// (inventory checks need the whole platform; see server.ObjectRules). With
// --kubeconfig it reads the namespace of every request, so that policy
// namespaceSelectors see the namespace's labels.
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
