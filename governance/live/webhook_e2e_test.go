package live_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/aigov/aigov/governance/live"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/internal/testenv"
)

// servingPKI writes a test CA and a serving certificate for 127.0.0.1
// signed by it; it returns the CA's PEM and the certificate's files.
func servingPKI(t *testing.T) (caPEM []byte, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "aigov serve test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), certFile, keyFile
}

// loopbackAddr returns a loopback address nothing listens on now.
func loopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestAdmissionThroughTheAPIServer: on a private control plane with a
// slice of the fixed example platform, a search team without network
// policies and an exec Role in nlp-team, `aigov serve`'s webhook is
// registered through a ValidatingWebhookConfiguration with a test CA, and
// the real kube-apiserver calls it on loopback. The what-if cases are
// denied with their checks' explanations; changes next to existing
// findings are admitted.
func TestAdmissionThroughTheAPIServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	env, err := testenv.Start(ctx)
	require.NoError(t, err)
	t.Cleanup(env.Stop)

	for _, name := range []string{"00-namespaces.yaml", "01-serviceaccounts.yaml", "rbac.yaml", "networkpolicies.yaml",
		"vector-db.yaml", "nlp-inference.yaml", "recommender.yaml", "training.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", "multitenant", "fixed", name))
		require.NoError(t, err)
		_, err = env.ApplyYAML(ctx, data)
		require.NoError(t, err, name)
	}
	data, err := os.ReadFile("testdata/search-team.yaml")
	require.NoError(t, err)
	_, err = env.ApplyYAML(ctx, data)
	require.NoError(t, err)

	cs := env.Client(t)
	_, err = cs.RbacV1().Roles("nlp-team").Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "exec"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	binding := func(name, group string) *rbacv1.RoleBinding {
		return &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "exec"},
			Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: group}}}
	}
	// Existing debt, created before the webhook: recs-engineers may exec
	// into nlp-team's pods.
	_, err = cs.RbacV1().RoleBindings("nlp-team").Create(ctx, binding("recs-exec", "recs-engineers"), metav1.CreateOptions{})
	require.NoError(t, err)

	rules, err := policyset.Rules("testdata/admission-policy.yaml")
	require.NoError(t, err)
	caPEM, certFile, keyFile := servingPKI(t)
	addr := loopbackAddr(t)
	srv := start(t, live.Options{Config: env.Config, Rules: rules, Reports: live.ReportsNone,
		WebhookAddr: addr, TLSCertFile: certFile, TLSKeyFile: keyFile, WebhookTimeout: 5 * time.Second})
	poll(t, time.Minute, "the debt in the evaluation", func() (bool, string) {
		for _, f := range srv.Snapshot().Findings {
			if f.Check == "team-group-risks" && f.Object.Name == "recs-exec" {
				return true, ""
			}
		}
		return false, "no team-group-risks finding on recs-exec yet"
	})

	all := []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update, admissionregistrationv1.Delete}
	rule := func(group string, resources ...string) admissionregistrationv1.RuleWithOperations {
		return admissionregistrationv1.RuleWithOperations{Operations: all, Rule: admissionregistrationv1.Rule{
			APIGroups: []string{group}, APIVersions: []string{"*"}, Resources: resources}}
	}
	const vwcName = "aigov-serve-e2e"
	_, err = cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: vwcName},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:         "validate.aigov.dev",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://" + addr + "/validate"), CABundle: caPEM},
			Rules: []admissionregistrationv1.RuleWithOperations{rule(rbacv1.GroupName, "roles", "rolebindings"),
				rule("networking.k8s.io", "networkpolicies"), rule("", "services")},
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpIn, Values: []string{"nlp-team", "search-team"}}}},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          ptr.To[int32](10),
		}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	// The configuration takes effect once the apiserver's informer has
	// it: the first case is tried (dry run) until the webhook answers.
	rbs := cs.RbacV1().RoleBindings("nlp-team")
	var denial error
	poll(t, time.Minute, "the webhook to take effect", func() (bool, string) {
		_, denial = rbs.Create(ctx, binding("cv-exec", "cv-engineers"), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return denial != nil, "admitted"
	})
	denied := func(err error, mentions ...string) {
		t.Helper()
		require.Error(t, err)
		assert.True(t, apierrors.IsForbidden(err), "want the webhook's 403, got %v", err)
		msg := err.Error()
		assert.Contains(t, msg, `admission webhook "validate.aigov.dev" denied the request`)
		for _, m := range mentions {
			assert.Contains(t, msg, m)
		}
		t.Log(msg)
	}
	denied(denial, "[team-group-risks]", "cv-engineers", "POD_EXEC_ATTACH", "nlp-team")
	_, err = rbs.Create(ctx, binding("cv-exec", "cv-engineers"), metav1.CreateOptions{})
	denied(err, "[team-group-risks]")
	_, err = rbs.Get(ctx, "cv-exec", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the denied binding was stored: %v", err)

	_, err = cs.NetworkingV1().NetworkPolicies("nlp-team").Create(ctx, &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "qdrant-from-search"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "qdrant"}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "search"}}}}}},
		},
	}, metav1.CreateOptions{})
	denied(err, "[vector-db-isolation]", "qdrant", "search-team/ranker", "ingress allowed by NetworkPolicy nlp-team/qdrant-from-search")

	lb := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "ranker-public"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "ranker"},
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	_, err = cs.CoreV1().Services("search-team").Create(ctx, lb, metav1.CreateOptions{})
	denied(err, "[inference-exposure]", `exposes inference-server Deployment "ranker"`)

	// Harmless changes next to old findings are admitted: a label on the
	// binding that has a finding already, a ClusterIP Service for the
	// same server.
	old, err := rbs.Get(ctx, "recs-exec", metav1.GetOptions{})
	require.NoError(t, err)
	old.Labels = map[string]string{"reviewed": "pending"}
	_, err = rbs.Update(ctx, old, metav1.UpdateOptions{})
	assert.NoError(t, err, "a label on a binding with an old finding")
	lb.Name, lb.Spec.Type = "ranker", corev1.ServiceTypeClusterIP
	_, err = cs.CoreV1().Services("search-team").Create(ctx, lb, metav1.CreateOptions{})
	assert.NoError(t, err, "a ClusterIP Service")
	err = cs.CoreV1().Services("nlp-team").Delete(ctx, "qdrant-headless", metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
	assert.NoError(t, err, "deleting a Service creates no finding")
	_, err = cs.CoreV1().Services("search-team").Get(ctx, "ranker-public", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the denied Service was stored: %v", err)

	// The apiserver's calls are in the server's /metrics by kind and
	// verdict.
	metrics := scrape(t, srv)
	for _, series := range []string{
		`aigov_admission_review_duration_seconds_count{group="",kind="Service",verdict="denied"}`,
		`aigov_admission_review_duration_seconds_count{group="",kind="Service",verdict="allowed"}`,
		`aigov_admission_review_duration_seconds_count{group="rbac.authorization.k8s.io",kind="RoleBinding",verdict="denied"}`,
		`aigov_admission_review_duration_seconds_count{group="networking.k8s.io",kind="NetworkPolicy",verdict="denied"}`,
	} {
		assert.Contains(t, metrics, series)
	}
}
