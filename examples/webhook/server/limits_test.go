package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/aigov/aigov/examples/webhook/server"
	"github.com/aigov/aigov/governance"
)

// startHTTP serves s on a loopback port until the test ends.
func startHTTP(t *testing.T, s *server.Server) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

// httpClient does not retry and gives up well after any expected answer.
var httpClient = &http.Client{Timeout: 30 * time.Second}

// postURL posts body (with its Content-Length) to url and returns the
// status, the Retry-After header and, for 200s, the review response.
func postURL(t *testing.T, url string, body io.Reader) (int, string, *admissionv1.AdmissionResponse) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, resp.Header.Get("Retry-After"), nil
	}
	var out admissionv1.AdmissionReview
	require.NoError(t, json.Unmarshal(data, &out))
	require.NotNil(t, out.Response)
	return resp.StatusCode, "", out.Response
}

// onlyReader hides a reader's length, so that the request is chunked
// (no Content-Length).
type onlyReader struct{ io.Reader }

// waitFor polls cond every 5 ms for at most 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// idle reports whether the server holds no review and no body bytes.
func idle(s *server.Server) func() bool {
	return func() bool { r, b := s.InFlight(); return r == 0 && b == 0 }
}

// signallingRule is a check that reports each call on entered and then
// blocks until release is closed.
func signallingRule(entered chan<- struct{}, release <-chan struct{}) governance.Rule {
	return governance.Rule{Action: governance.ActionDeny, Check: governance.Check{
		ID: "slow-check", Description: "blocks", Severity: governance.SeverityLow,
		Object: func(*governance.Object) []governance.Violation {
			entered <- struct{}{}
			<-release
			return nil
		},
	}}
}

// slowRequest opens a raw connection to ts and sends the headers of a
// POST /validate with the given Content-Length, then the first prefix
// bytes of its body.
func slowRequest(t *testing.T, ts *httptest.Server, contentLength, prefix int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	_, err = fmt.Fprintf(conn, "POST /validate HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		contentLength, strings.Repeat(" ", prefix))
	require.NoError(t, err)
	return conn
}

// TestSlowBodyIsCutOff: a client that sends its body a byte per 100 ms is
// cut off with 408 at the review's deadline, which starts when the request
// arrives; the bytes it held are returned.
func TestSlowBodyIsCutOff(t *testing.T) {
	s := newServer(t, server.Options{Timeout: 200 * time.Millisecond})
	ts := startHTTP(t, s)
	start := time.Now()
	conn := slowRequest(t, ts, 10000, 0)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for range 100 { // at most 10 s, far fewer bytes than announced
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "no answer: the slow body was not cut off")
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Less(t, time.Since(start), 5*time.Second, "cut off long after the 200 ms deadline")
	assert.Equal(t, uint64(1), s.Metrics().Requests(http.StatusRequestTimeout))
	assert.Equal(t, uint64(1), s.Metrics().Reviews("timeout"))
	waitFor(t, "the body's bytes to be returned", idle(s))
}

// TestConcurrencyLimit: with one slot and a review being evaluated, a
// second review is refused at once with 429 and Retry-After; once the
// first ends, reviews are served again.
func TestConcurrencyLimit(t *testing.T) {
	entered, release := make(chan struct{}, 4), make(chan struct{})
	s := newServer(t, server.Options{Rules: []governance.Rule{signallingRule(entered, release)},
		Timeout: time.Minute, MaxConcurrentReviews: 1})
	ts := startHTTP(t, s)
	url := ts.URL + "/validate"

	first := make(chan int, 1)
	firstBody := review(t, compliantPod())
	go func() {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(firstBody))
		if err != nil {
			first <- -1
			return
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			first <- -1
			return
		}
		_ = resp.Body.Close()
		first <- resp.StatusCode
	}()
	select {
	case <-entered:
	case <-time.After(30 * time.Second):
		close(release)
		t.Fatal("the first review never reached the check")
	}
	code, retry, _ := postURL(t, url, bytes.NewReader(review(t, privilegedPod())))
	assert.Equal(t, http.StatusTooManyRequests, code)
	assert.Equal(t, "1", retry)
	reviews, _ := s.InFlight()
	assert.Equal(t, 1, reviews)

	close(release)
	assert.Equal(t, http.StatusOK, <-first)
	waitFor(t, "the slot to be free", idle(s))
	code, _, resp := postURL(t, url, bytes.NewReader(review(t, compliantPod())))
	require.Equal(t, http.StatusOK, code)
	assert.True(t, resp.Allowed)

	assert.Equal(t, uint64(1), s.Metrics().Requests(http.StatusTooManyRequests))
	assert.Equal(t, uint64(1), s.Metrics().Throttled("concurrency"))
	assert.Zero(t, s.Metrics().Throttled("memory"))
	assert.Equal(t, uint64(2), s.Metrics().Requests(http.StatusOK))
	text := metricsText(t, s)
	assert.Contains(t, text, `aigov_webhook_requests_total{code="429"} 1`+"\n")
	assert.Contains(t, text, `aigov_webhook_throttled_total{limit="concurrency"} 1`+"\n")
	assert.Contains(t, text, "aigov_webhook_reviews_in_flight 0\n")
}

// TestTimedOutEvaluationKeepsItsSlot: a review denied for its deadline
// whose evaluation still runs keeps its slot, so runaway evaluations
// cannot pile up beyond the limit.
func TestTimedOutEvaluationKeepsItsSlot(t *testing.T) {
	entered, release := make(chan struct{}, 4), make(chan struct{})
	s := newServer(t, server.Options{Rules: []governance.Rule{signallingRule(entered, release)},
		Timeout: 100 * time.Millisecond, MaxConcurrentReviews: 1})
	ts := startHTTP(t, s)
	url := ts.URL + "/validate"
	code, _, resp := postURL(t, url, bytes.NewReader(review(t, compliantPod())))
	require.Equal(t, http.StatusOK, code)
	assert.False(t, resp.Allowed)
	assert.Contains(t, resp.Result.Message, "did not finish in time")

	code, _, _ = postURL(t, url, bytes.NewReader(review(t, compliantPod())))
	assert.Equal(t, http.StatusTooManyRequests, code, "the timed-out evaluation's slot was given away")

	close(release)
	waitFor(t, "the evaluation to end", idle(s))
	code, _, resp = postURL(t, url, bytes.NewReader(review(t, compliantPod())))
	require.Equal(t, http.StatusOK, code)
	assert.True(t, resp.Allowed)
}

// TestMemoryBudget: the bodies of requests in flight share a byte budget.
// With a client holding most of it, a request whose Content-Length does
// not fit is refused before its body is read, and a chunked one while it
// is read; both are 429s, and the budget is whole again afterwards.
func TestMemoryBudget(t *testing.T) {
	s := newServer(t, server.Options{MaxRequestBytes: 4096, MaxInFlightBytes: 6144, Timeout: time.Minute})
	ts := startHTTP(t, s)
	url := ts.URL + "/validate"

	holder := slowRequest(t, ts, 4000, 3000)
	waitFor(t, "the held body to be read", func() bool { _, b := s.InFlight(); return b >= 3000 })

	big := bytes.Repeat([]byte(" "), 4000)
	code, retry, _ := postURL(t, url, bytes.NewReader(big))
	assert.Equal(t, http.StatusTooManyRequests, code, "Content-Length over the budget")
	assert.Equal(t, "1", retry)
	code, _, _ = postURL(t, url, onlyReader{bytes.NewReader(big)})
	assert.Equal(t, http.StatusTooManyRequests, code, "chunked body over the budget")
	assert.Equal(t, uint64(2), s.Metrics().Throttled("memory"))
	assert.Equal(t, uint64(2), s.Metrics().Requests(http.StatusTooManyRequests))
	assert.Contains(t, metricsText(t, s), `aigov_webhook_throttled_total{limit="memory"} 2`+"\n")

	require.NoError(t, holder.Close())
	waitFor(t, "the held bytes to be returned", idle(s))
	// A review near the size limit fits again.
	pod := compliantPod()
	pod.Annotations = map[string]string{"pad": strings.Repeat("x", 2500)}
	body := review(t, pod)
	require.Less(t, len(body), 4096)
	code, _, resp := postURL(t, url, onlyReader{bytes.NewReader(body)})
	require.Equal(t, http.StatusOK, code)
	assert.True(t, resp.Allowed, "%+v", resp.Result)
	assert.Equal(t, types.UID("uid-web"), resp.UID)
}

// TestRequestSizeLimit: a body over MaxRequestBytes is a 413, whether
// announced by Content-Length or found while reading a chunked body.
func TestRequestSizeLimit(t *testing.T) {
	s := newServer(t, server.Options{MaxRequestBytes: 1024})
	ts := startHTTP(t, s)
	big := bytes.Repeat([]byte(" "), 2000)
	code, _, _ := postURL(t, ts.URL+"/validate", bytes.NewReader(big))
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	code, _, _ = postURL(t, ts.URL+"/validate", onlyReader{bytes.NewReader(big)})
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, uint64(2), s.Metrics().Requests(http.StatusRequestEntityTooLarge))
	waitFor(t, "the bytes to be returned", idle(s))
}

// TestRefusalsAreCounted: 405, 415 and 400 answers are counted by code in
// /metrics, next to the 200s.
func TestRefusalsAreCounted(t *testing.T) {
	s := newServer(t, server.Options{})
	ts := startHTTP(t, s)
	resp, err := httpClient.Get(ts.URL + "/validate")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, err = httpClient.Post(ts.URL+"/validate", "application/yaml", strings.NewReader("kind: AdmissionReview"))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
	for range 2 {
		code, _, _ := postURL(t, ts.URL+"/validate", strings.NewReader(`{"apiVersion":`))
		assert.Equal(t, http.StatusBadRequest, code)
	}
	code, _, _ := postURL(t, ts.URL+"/validate", bytes.NewReader(review(t, compliantPod())))
	assert.Equal(t, http.StatusOK, code)

	m := s.Metrics()
	assert.Equal(t, uint64(1), m.Requests(http.StatusMethodNotAllowed))
	assert.Equal(t, uint64(1), m.Requests(http.StatusUnsupportedMediaType))
	assert.Equal(t, uint64(2), m.Requests(http.StatusBadRequest))
	assert.Equal(t, uint64(1), m.Requests(http.StatusOK))
	text := metricsText(t, s)
	for _, want := range []string{
		"# TYPE aigov_webhook_requests_total counter\n",
		`aigov_webhook_requests_total{code="200"} 1` + "\n",
		`aigov_webhook_requests_total{code="400"} 2` + "\n",
		`aigov_webhook_requests_total{code="405"} 1` + "\n",
		`aigov_webhook_requests_total{code="415"} 1` + "\n",
		`aigov_admission_reviews_total{result="allowed"} 1` + "\n",
		`aigov_admission_reviews_total{result="error"} 2` + "\n",
	} {
		assert.Contains(t, text, want)
	}
	// Codes are sorted numerically.
	assert.Less(t, strings.Index(text, `code="200"`), strings.Index(text, `code="405"`))
}

func metricsText(t *testing.T, s *server.Server) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}
