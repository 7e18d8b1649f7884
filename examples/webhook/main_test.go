package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	"github.com/aigov/aigov/internal/testenv"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }

// testPKI is a CA and a serving certificate for 127.0.0.1 signed by it,
// written as PEM files.
type testPKI struct {
	caPEM             []byte
	certFile, keyFile string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "aigov webhook test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)

	dir := t.TempDir()
	p := testPKI{
		caPEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		certFile: filepath.Join(dir, "tls.crt"),
		keyFile:  filepath.Join(dir, "tls.key"),
	}
	require.NoError(t, os.WriteFile(p.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o600))
	require.NoError(t, os.WriteFile(p.keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return p
}

// syncBuffer is an io.Writer safe for the server's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startWebhook runs the program (run, as main does) on a loopback port
// until the test ends and returns its address.
func startWebhook(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	logs := &syncBuffer{}
	go func() {
		errc <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), logs,
			func(a net.Addr) { addrc <- a.String() })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("webhook stopped with %v", err)
		}
		if t.Failed() {
			t.Logf("webhook log:\n%s", logs.String())
		}
	})
	select {
	case a := <-addrc:
		return a
	case err := <-errc:
		errc <- err
		t.Fatalf("webhook did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("webhook did not start within 30s")
	}
	return ""
}

func httpsClient(caPEM []byte) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return string(body)
}

func testPod(name string, privileged bool) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: ptr.To(false),
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot:   ptr.To(true),
				RunAsUser:      ptr.To[int64](1000),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name:  "app",
				Image: "registry.example.com/web:1.0",
				Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}},
				SecurityContext: &corev1.SecurityContext{
					Privileged:               ptr.To(privileged),
					AllowPrivilegeEscalation: ptr.To(privileged),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
}

// TestWebhookWithRealAPIServer registers the webhook with the test
// environment's kube-apiserver for one fresh namespace and proves that a
// privileged pod is denied with the check's message, a compliant pod is
// admitted, and /metrics counts both.
func TestWebhookWithRealAPIServer(t *testing.T) {
	env := testenv.Shared(t)
	pki := newTestPKI(t)
	addr := startWebhook(t, "--tls-cert-file", pki.certFile, "--tls-private-key-file", pki.keyFile,
		"--kubeconfig", env.Kubeconfig, "--timeout", "5s")
	web := httpsClient(pki.caPEM)
	assert.Equal(t, "ok\n", get(t, web, "https://"+addr+"/healthz"))

	const selectorKey = "aigov.dev/webhook-e2e"
	ns := env.CreateNamespace(t, "webhook", map[string]string{selectorKey: "on"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := env.WaitForServiceAccount(ctx, ns, "default")
	require.NoError(t, err)

	cs := env.Client(t)
	vwcName := ns + ".aigov.dev"
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: vwcName},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name: "pods.aigov.dev",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{
				URL:      ptr.To("https://" + addr + "/validate"),
				CABundle: pki.caPEM,
			},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"},
					Resources: []string{"pods"}, Scope: ptr.To(admissionregistrationv1.NamespacedScope)},
			}},
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{
				selectorKey: "on", corev1.LabelMetadataName: ns}},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          ptr.To[int32](10),
		}},
	}
	_, err = cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, vwc, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		err := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(context.Background(), vwcName, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting %s: %v", vwcName, err)
		}
	})

	// The configuration takes effect once the apiserver's informer sees it:
	// poll with the violating pod (dry run) until it is denied.
	pods := cs.CoreV1().Pods(ns)
	var denial error
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := pods.Create(ctx, testPod("root", true), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil {
			return false, nil // not yet in effect
		}
		denial = err
		return true, nil
	})
	require.NoError(t, err, "the webhook never took effect")
	require.True(t, apierrors.IsForbidden(denial), "want 403 from the webhook, got %v", denial)
	msg := denial.Error()
	assert.Contains(t, msg, `admission webhook "pods.aigov.dev" denied the request`)
	assert.Contains(t, msg, `[privileged-container]`)
	assert.Contains(t, msg, `container "app"`)

	// A real create of the violating pod is denied too, and stores nothing.
	_, err = pods.Create(ctx, testPod("root", true), metav1.CreateOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `[privileged-container]`)
	_, err = pods.Get(ctx, "root", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "denied pod was stored: %v", err)

	// A compliant pod is admitted and stored.
	created, err := pods.Create(ctx, testPod("web", false), metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "web", created.Name)

	metrics := get(t, web, "https://"+addr+"/metrics")
	assert.Regexp(t, `(?m)^aigov_policy_results_total\{check="privileged-container",result="fail"\} [1-9][0-9]*$`, metrics)
	assert.Regexp(t, `(?m)^aigov_policy_results_total\{check="privileged-container",result="pass"\} [1-9][0-9]*$`, metrics)
	assert.Regexp(t, `(?m)^aigov_admission_reviews_total\{result="allowed"\} [1-9][0-9]*$`, metrics)
	assert.Regexp(t, `(?m)^aigov_admission_reviews_total\{result="denied"\} [1-9][0-9]*$`, metrics)
	if t.Failed() {
		t.Log("metrics:\n" + metrics)
	}

	// Other namespaces are not sent to the webhook.
	other := env.CreateNamespace(t, "webhook-other")
	_, err = env.WaitForServiceAccount(ctx, other, "default")
	require.NoError(t, err)
	_, err = cs.CoreV1().Pods(other).Create(ctx, testPod("root", true), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	assert.NoError(t, err)
}

func TestRunFlags(t *testing.T) {
	for name, args := range map[string][]string{
		"no certificate": {},
		"unknown flag":   {"--nope"},
		"extra argument": {"--tls-cert-file", "a", "--tls-private-key-file", "b", "extra"},
		"bad byte size":  {"--max-in-flight-bytes", "lots"},
		"negative size":  {"--max-request-bytes", "-1"},
		"fraction size":  {"--max-request-bytes", "1.5"},
	} {
		t.Run(name, func(t *testing.T) {
			err := run(context.Background(), args, io.Discard, nil)
			assert.True(t, errors.Is(err, errUsage), "got %v", err)
		})
	}
	err := run(context.Background(), []string{"--tls-cert-file", "/nonexistent.crt", "--tls-private-key-file", "/nonexistent.key"}, io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "serving certificate")

	pki := newTestPKI(t)
	bad := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("apiVersion: aigov.dev/v1alpha1\nkind: GovernancePolicy\nmetadata: {name: x}\nspec:\n  checks:\n  - id: no-such-check\n"), 0o600))
	err = run(context.Background(), []string{"--tls-cert-file", pki.certFile, "--tls-private-key-file", pki.keyFile, "--policy", bad}, io.Discard, nil)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "no-such-check"), "got %v", err)

	// The limits reach server.New, which checks them together.
	err = run(context.Background(), []string{"--tls-cert-file", pki.certFile, "--tls-private-key-file", pki.keyFile,
		"--max-request-bytes", "2Mi", "--max-in-flight-bytes", "1Mi"}, io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MaxInFlightBytes 1048576 cannot hold one request of MaxRequestBytes 2097152")
	err = run(context.Background(), []string{"--tls-cert-file", pki.certFile, "--tls-private-key-file", pki.keyFile,
		"--max-concurrent-reviews", "-1"}, io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "negative limit")
}

// TestSlowBodyIsCutOffOverTLS: served as in production (TLS, HTTP/1.1 and
// HTTP/2), a client that sends its body a byte per 100 ms is answered 408
// at the review's deadline instead of holding the request open.
func TestSlowBodyIsCutOffOverTLS(t *testing.T) {
	pki := newTestPKI(t)
	addr := startWebhook(t, "--tls-cert-file", pki.certFile, "--tls-private-key-file", pki.keyFile, "--timeout", "300ms")
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP/1.1", true: "HTTP/2"}[h2], func(t *testing.T) {
			c := httpsClient(pki.caPEM)
			c.Transport.(*http.Transport).ForceAttemptHTTP2 = h2
			pr, pw := io.Pipe()
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				defer func() { _ = pw.Close() }()
				for range 100 { // at most 10 s
					select {
					case <-stop:
						return
					case <-time.After(100 * time.Millisecond):
					}
					if _, err := pw.Write([]byte(" ")); err != nil {
						return
					}
				}
			}()
			req, err := http.NewRequest(http.MethodPost, "https://"+addr+"/validate", pr)
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			resp, err := c.Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
			assert.Equal(t, map[bool]int{false: 1, true: 2}[h2], resp.ProtoMajor)
			assert.Less(t, time.Since(start), 5*time.Second, "cut off long after the 300 ms deadline")
		})
	}
	metrics := get(t, httpsClient(pki.caPEM), "https://"+addr+"/metrics")
	assert.Contains(t, metrics, `aigov_webhook_requests_total{code="408"} 2`+"\n")
}
