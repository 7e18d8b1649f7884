package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/aigov/aigov/examples/webhook/server"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// compliantPod passes every default catalog check.
func compliantPod() *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team-a"},
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
					AllowPrivilegeEscalation: ptr.To(false),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
}

func privilegedPod() *corev1.Pod {
	p := compliantPod()
	p.Name = "root"
	p.Spec.Containers[0].SecurityContext.Privileged = ptr.To(true)
	return p
}

func review(t *testing.T, obj runtime.Object) []byte {
	t.Helper()
	raw, err := json.Marshal(obj)
	require.NoError(t, err)
	meta := obj.(metav1.Object)
	r := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:       types.UID("uid-" + meta.GetName()),
			Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
			Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
			Namespace: meta.GetNamespace(),
			Name:      meta.GetName(),
			Operation: admissionv1.Create,
			Object:    runtime.RawExtension{Raw: raw},
		},
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return b
}

func newServer(t *testing.T, opts server.Options) *server.Server {
	t.Helper()
	if opts.Rules == nil {
		rules, err := server.PolicyRules("")
		require.NoError(t, err)
		opts.Rules = rules
	}
	s, err := server.New(opts)
	require.NoError(t, err)
	return s
}

// post sends body to /validate and returns the status and, for 200s,
// the response.
func post(t *testing.T, h http.Handler, target string, body []byte) (int, *admissionv1.AdmissionResponse) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return rec.Code, nil
	}
	var out admissionv1.AdmissionReview
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	assert.Equal(t, "AdmissionReview", out.Kind)
	assert.Equal(t, "admission.k8s.io/v1", out.APIVersion)
	require.NotNil(t, out.Response)
	return rec.Code, out.Response
}

func TestDeniesPrivilegedPodWithMessage(t *testing.T) {
	s := newServer(t, server.Options{})
	code, resp := post(t, s, "/validate", review(t, privilegedPod()))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, types.UID("uid-root"), resp.UID)
	assert.False(t, resp.Allowed)
	require.NotNil(t, resp.Result)
	assert.Equal(t, int32(http.StatusForbidden), resp.Result.Code)
	assert.Contains(t, resp.Result.Message, `[privileged-container] `)
	assert.Contains(t, resp.Result.Message, `container "app"`)
	assert.Equal(t, uint64(1), s.Metrics().PolicyResult(catalog.IDPrivilegedContainer, "fail"))
	assert.Equal(t, uint64(1), s.Metrics().Reviews("denied"))
}

func TestAdmitsCompliantPod(t *testing.T) {
	s := newServer(t, server.Options{})
	code, resp := post(t, s, "/validate", review(t, compliantPod()))
	require.Equal(t, http.StatusOK, code)
	assert.True(t, resp.Allowed, "result: %+v", resp.Result)
	assert.Empty(t, resp.Warnings)
	assert.Equal(t, uint64(1), s.Metrics().PolicyResult(catalog.IDPrivilegedContainer, "pass"))
	// Checks of other kinds (Namespaces, Roles) are not counted for a Pod.
	assert.Zero(t, s.Metrics().PolicyResult(catalog.IDNamespaceDataClassification, "pass"))
}

func TestWarnActionBecomesWarning(t *testing.T) {
	c, err := catalog.NewPrivilegedContainer(nil)
	require.NoError(t, err)
	s := newServer(t, server.Options{Rules: []governance.Rule{{Check: c, Action: governance.ActionWarn}}})
	_, resp := post(t, s, "/validate", review(t, privilegedPod()))
	assert.True(t, resp.Allowed)
	require.Len(t, resp.Warnings, 1)
	assert.Contains(t, resp.Warnings[0], "[privileged-container]")
}

func TestNamespaceLabelsReachScopedRules(t *testing.T) {
	c, err := catalog.NewPrivilegedContainer(nil)
	require.NoError(t, err)
	sel, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchLabels: map[string]string{"managed": "true"}})
	require.NoError(t, err)
	rules := []governance.Rule{{Check: c, Action: governance.ActionDeny, Scope: governance.Scope{NamespaceSelector: sel}}}
	lookup := func(managed string) server.NamespaceGetter {
		return func(_ context.Context, name string) (*corev1.Namespace, error) {
			return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"managed": managed}}}, nil
		}
	}
	_, resp := post(t, newServer(t, server.Options{Rules: rules, Namespaces: lookup("true")}), "/validate", review(t, privilegedPod()))
	assert.False(t, resp.Allowed)
	_, resp = post(t, newServer(t, server.Options{Rules: rules, Namespaces: lookup("false")}), "/validate", review(t, privilegedPod()))
	assert.True(t, resp.Allowed)
}

func TestBadRequests(t *testing.T) {
	s := newServer(t, server.Options{})
	wrongKind, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Pod", "request": map[string]any{"uid": "x"}})
	require.NoError(t, err)
	v1beta1, err := json.Marshal(map[string]any{"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": map[string]any{"uid": "x"}})
	require.NoError(t, err)
	noRequest := []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`)
	noUID := []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}`)
	for name, body := range map[string][]byte{
		"bad JSON":   []byte(`{"apiVersion":`),
		"not JSON":   []byte(`kind: AdmissionReview`),
		"wrong kind": wrongKind,
		"v1beta1":    v1beta1,
		"no request": noRequest,
		"no uid":     noUID,
	} {
		t.Run(name, func(t *testing.T) {
			code, _ := post(t, s, "/validate", body)
			assert.Equal(t, http.StatusBadRequest, code)
		})
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/validate", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

// TestUndecodableObjectIsDenied: a well-formed review whose object the
// decoder refuses fails closed (denied, 200), not open.
func TestUndecodableObjectIsDenied(t *testing.T) {
	s := newServer(t, server.Options{})
	body := []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
"kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"a",
"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":"not-a-list"}}}}`)
	code, resp := post(t, s, "/validate", body)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, types.UID("u1"), resp.UID)
	assert.False(t, resp.Allowed)
	assert.Contains(t, resp.Result.Message, "fail closed")
	assert.Equal(t, uint64(1), s.Metrics().Reviews("error"))
}

// blockingRule is a check that does not return until release is closed.
func blockingRule(release <-chan struct{}) governance.Rule {
	return governance.Rule{Action: governance.ActionDeny, Check: governance.Check{
		ID: "slow-check", Description: "blocks", Severity: governance.SeverityLow,
		Object: func(*governance.Object) []governance.Violation { <-release; return nil },
	}}
}

func TestTimeoutDenies(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := newServer(t, server.Options{Rules: []governance.Rule{blockingRule(release)}, Timeout: 50 * time.Millisecond})
	start := time.Now()
	code, resp := post(t, s, "/validate", review(t, compliantPod()))
	require.Equal(t, http.StatusOK, code)
	assert.False(t, resp.Allowed)
	assert.Contains(t, resp.Result.Message, "did not finish in time")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, uint64(1), s.Metrics().Reviews("timeout"))
}

// TestApiserverTimeoutWins: the apiserver's timeout query parameter
// shortens the server's own timeout.
func TestApiserverTimeoutWins(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := newServer(t, server.Options{Rules: []governance.Rule{blockingRule(release)}, Timeout: time.Minute})
	start := time.Now()
	_, resp := post(t, s, "/validate?timeout=1s", review(t, compliantPod()))
	assert.False(t, resp.Allowed)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestPanickingCheckDenies(t *testing.T) {
	s := newServer(t, server.Options{Rules: []governance.Rule{{Action: governance.ActionDeny, Check: governance.Check{
		ID: "broken-check", Description: "panics", Severity: governance.SeverityLow,
		Object: func(*governance.Object) []governance.Violation { panic("boom") },
	}}}})
	_, resp := post(t, s, "/validate", review(t, compliantPod()))
	assert.False(t, resp.Allowed)
	assert.Contains(t, resp.Result.Message, "boom")
}

func TestMetricsAndHealthz(t *testing.T) {
	s := newServer(t, server.Options{})
	post(t, s, "/validate", review(t, privilegedPod()))
	post(t, s, "/validate", review(t, compliantPod()))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4"))
	body := rec.Body.String()
	for _, want := range []string{
		"# TYPE aigov_policy_results_total counter\n",
		`aigov_policy_results_total{check="privileged-container",result="fail"} 1` + "\n",
		`aigov_policy_results_total{check="privileged-container",result="pass"} 1` + "\n",
		`aigov_admission_reviews_total{result="allowed"} 1` + "\n",
		`aigov_admission_reviews_total{result="denied"} 1` + "\n",
	} {
		assert.Contains(t, body, want)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "ok\n", rec.Body.String())
}

func TestNewRefusesBadOptions(t *testing.T) {
	_, err := server.New(server.Options{})
	assert.Error(t, err)
	rules, err := catalog.Default()
	require.NoError(t, err)
	_, err = server.New(server.Options{Rules: rules, Timeout: -time.Second})
	assert.Error(t, err)
	_, err = server.New(server.Options{Rules: append(rules, rules[0])})
	assert.Error(t, err, "duplicate rule")
	for name, opts := range map[string]server.Options{
		"negative request bytes":    {MaxRequestBytes: -1},
		"negative concurrency":      {MaxConcurrentReviews: -1},
		"negative budget":           {MaxInFlightBytes: -1},
		"budget under one request":  {MaxRequestBytes: 2048, MaxInFlightBytes: 1024},
		"default budget under size": {MaxRequestBytes: server.DefaultMaxInFlightBytes + 1},
	} {
		opts.Rules = rules
		_, err = server.New(opts)
		assert.Error(t, err, name)
	}
	_, err = server.New(server.Options{Rules: rules, MaxRequestBytes: 1024, MaxInFlightBytes: 1024, MaxConcurrentReviews: 1})
	assert.NoError(t, err)
}

// rawReview is an AdmissionReview for a Pod with the given operation and
// request fields after the kind and operation (e.g. `"object":null`).
func rawReview(op, fields string) []byte {
	if fields != "" {
		fields = "," + fields
	}
	return []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-` + op + `",
"kind":{"version":"v1","kind":"Pod"},"resource":{"version":"v1","resource":"pods"},"namespace":"team-a","name":"p",
"operation":"` + op + `"` + fields + `}}`)
}

// TestMissingObjectIsDeniedAsMalformed: a CREATE or UPDATE without its
// object (absent or JSON null) fails closed with a 400 status in the
// response, instead of being allowed for having nothing to judge.
func TestMissingObjectIsDeniedAsMalformed(t *testing.T) {
	for _, op := range []string{"CREATE", "UPDATE"} {
		for name, fields := range map[string]string{
			"absent":              "",
			"null":                `"object":null`,
			"null with oldObject": `"object":null,"oldObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}`,
		} {
			t.Run(op+" "+name, func(t *testing.T) {
				s := newServer(t, server.Options{})
				code, resp := post(t, s, "/validate", rawReview(op, fields))
				require.Equal(t, http.StatusOK, code)
				assert.Equal(t, types.UID("u-"+op), resp.UID)
				assert.False(t, resp.Allowed)
				require.NotNil(t, resp.Result)
				assert.Equal(t, int32(http.StatusBadRequest), resp.Result.Code)
				assert.Equal(t, metav1.StatusReasonBadRequest, resp.Result.Reason)
				assert.Contains(t, resp.Result.Message, "malformed AdmissionReview")
				assert.Contains(t, resp.Result.Message, op+" request has no object")
				assert.Equal(t, uint64(1), s.Metrics().Reviews("error"))
				assert.Zero(t, s.Metrics().Reviews("allowed"))
			})
		}
	}
	// Empty raw bytes, as a Go caller of Review may pass them.
	s := newServer(t, server.Options{})
	for _, raw := range [][]byte{nil, {}, []byte("  "), []byte(" null ")} {
		resp := s.Review(context.Background(), &admissionv1.AdmissionRequest{UID: "u", Operation: admissionv1.Update,
			Kind: metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}, Object: runtime.RawExtension{Raw: raw}})
		assert.False(t, resp.Allowed, "raw %q", raw)
		require.NotNil(t, resp.Result)
		assert.Equal(t, int32(http.StatusBadRequest), resp.Result.Code)
	}
	resp := s.Review(context.Background(), nil)
	assert.False(t, resp.Allowed)
}

// TestOperationsWithoutObject: DELETE and CONNECT have nothing to judge and
// are allowed; an unknown operation is malformed; an UPDATE is judged on
// its object and needs no oldObject (no check compares old and new).
func TestOperationsWithoutObject(t *testing.T) {
	s := newServer(t, server.Options{})
	for _, op := range []string{"DELETE", "CONNECT"} {
		_, resp := post(t, s, "/validate", rawReview(op, `"object":null`))
		assert.True(t, resp.Allowed, op)
	}
	_, resp := post(t, s, "/validate", rawReview("PATCH", ""))
	assert.False(t, resp.Allowed)
	assert.Contains(t, resp.Result.Message, `unknown operation "PATCH"`)

	for _, tc := range []struct {
		pod     *corev1.Pod
		allowed bool
	}{{compliantPod(), true}, {privilegedPod(), false}} {
		raw, err := json.Marshal(tc.pod)
		require.NoError(t, err)
		_, resp := post(t, s, "/validate", rawReview("UPDATE", `"object":`+string(raw)))
		assert.Equal(t, tc.allowed, resp.Allowed, "%s: %+v", tc.pod.Name, resp.Result)
	}
}

// TestReviewOfDecodedObject: a Go caller may pass the object decoded
// (RawExtension.Object) instead of as bytes; it is judged, not refused.
func TestReviewOfDecodedObject(t *testing.T) {
	s := newServer(t, server.Options{})
	resp := s.Review(context.Background(), &admissionv1.AdmissionRequest{UID: "u", Operation: admissionv1.Create,
		Kind: metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}, Namespace: "team-a", Name: "root",
		Object: runtime.RawExtension{Object: privilegedPod()}})
	assert.False(t, resp.Allowed)
	require.NotNil(t, resp.Result)
	assert.Contains(t, resp.Result.Message, "[privileged-container]")
}
