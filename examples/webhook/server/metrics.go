package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Metrics counts results in the Prometheus text exposition format
// (version 0.0.4), without a client library:
//
//	aigov_policy_results_total{check="privileged-container",result="fail"} 1
//	aigov_admission_reviews_total{result="denied"} 1
//	aigov_webhook_requests_total{code="429"} 1
//	aigov_webhook_throttled_total{limit="concurrency"} 1
//
// check is the catalog ID (with "/entry-name" for named policy entries);
// a check is counted once per reviewed object of a kind it judges. Review
// results are allowed, denied, error (bad request, malformed or
// undecodable review, evaluation failure) and timeout (including a body
// that did not arrive in time). Every answer of /validate is counted by
// HTTP status code (200, 400, 405, 408, 413, 415, 429, 500); 429s also by
// the limit that refused them (concurrency or memory). A Server's metrics
// also show the gauges aigov_webhook_reviews_in_flight and
// aigov_webhook_request_bytes_in_flight.
type Metrics struct {
	mu        sync.Mutex
	results   map[[2]string]uint64 // {check, pass|fail}
	reviews   map[string]uint64
	requests  map[int]uint64    // by HTTP status code
	throttles map[string]uint64 // by limit
	// inFlight reads the gauges of the Server these metrics belong to.
	inFlight func() (reviews int, bodyBytes int64)
}

// NewMetrics returns zeroed counters.
func NewMetrics() *Metrics {
	return &Metrics{results: map[[2]string]uint64{}, reviews: map[string]uint64{},
		requests: map[int]uint64{}, throttles: map[string]uint64{}}
}

func (m *Metrics) result(check string, pass bool) {
	r := "fail"
	if pass {
		r = "pass"
	}
	m.mu.Lock()
	m.results[[2]string{check, r}]++
	m.mu.Unlock()
}

func (m *Metrics) review(result string) {
	m.mu.Lock()
	m.reviews[result]++
	m.mu.Unlock()
}

func (m *Metrics) request(code int) {
	m.mu.Lock()
	m.requests[code]++
	m.mu.Unlock()
}

func (m *Metrics) throttled(limit string) {
	m.mu.Lock()
	m.throttles[limit]++
	m.mu.Unlock()
}

// Requests returns the aigov_webhook_requests_total counter of an HTTP
// status code.
func (m *Metrics) Requests(code int) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.requests[code]
}

// Throttled returns the aigov_webhook_throttled_total counter of a limit
// ("concurrency" or "memory").
func (m *Metrics) Throttled(limit string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.throttles[limit]
}

// PolicyResult returns the aigov_policy_results_total counter of a check
// and result ("pass" or "fail").
func (m *Metrics) PolicyResult(check, result string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.results[[2]string{check, result}]
}

// Reviews returns the aigov_admission_reviews_total counter of a result.
func (m *Metrics) Reviews(result string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reviews[result]
}

// WriteText writes the counters in the text exposition format, sorted.
func (m *Metrics) WriteText(b *strings.Builder) {
	m.mu.Lock()
	results := make([][2]string, 0, len(m.results))
	for k := range m.results {
		results = append(results, k)
	}
	resultCounts := make(map[[2]string]uint64, len(m.results))
	for k, v := range m.results {
		resultCounts[k] = v
	}
	reviews := make([]string, 0, len(m.reviews))
	reviewCounts := make(map[string]uint64, len(m.reviews))
	for k, v := range m.reviews {
		reviews = append(reviews, k)
		reviewCounts[k] = v
	}
	codes := make([]int, 0, len(m.requests))
	codeCounts := make(map[int]uint64, len(m.requests))
	for k, v := range m.requests {
		codes = append(codes, k)
		codeCounts[k] = v
	}
	limits := make([]string, 0, len(m.throttles))
	limitCounts := make(map[string]uint64, len(m.throttles))
	for k, v := range m.throttles {
		limits = append(limits, k)
		limitCounts[k] = v
	}
	inFlight := m.inFlight
	m.mu.Unlock()
	slices.Sort(codes)
	slices.Sort(limits)
	slices.SortFunc(results, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	slices.Sort(reviews)

	b.WriteString("# HELP aigov_policy_results_total Check results of reviewed objects, by check and result (pass or fail).\n")
	b.WriteString("# TYPE aigov_policy_results_total counter\n")
	for _, k := range results {
		fmt.Fprintf(b, "aigov_policy_results_total{check=\"%s\",result=\"%s\"} %d\n", escapeLabel(k[0]), k[1], resultCounts[k])
	}
	b.WriteString("# HELP aigov_admission_reviews_total Admission reviews answered, by result (allowed, denied, error, timeout).\n")
	b.WriteString("# TYPE aigov_admission_reviews_total counter\n")
	for _, k := range reviews {
		fmt.Fprintf(b, "aigov_admission_reviews_total{result=\"%s\"} %d\n", escapeLabel(k), reviewCounts[k])
	}
	b.WriteString("# HELP aigov_webhook_requests_total Answers of /validate, by HTTP status code.\n")
	b.WriteString("# TYPE aigov_webhook_requests_total counter\n")
	for _, k := range codes {
		fmt.Fprintf(b, "aigov_webhook_requests_total{code=\"%d\"} %d\n", k, codeCounts[k])
	}
	b.WriteString("# HELP aigov_webhook_throttled_total Requests answered 429, by the limit that refused them (concurrency or memory).\n")
	b.WriteString("# TYPE aigov_webhook_throttled_total counter\n")
	for _, k := range limits {
		fmt.Fprintf(b, "aigov_webhook_throttled_total{limit=\"%s\"} %d\n", escapeLabel(k), limitCounts[k])
	}
	if inFlight != nil {
		reviews, bodyBytes := inFlight()
		b.WriteString("# HELP aigov_webhook_reviews_in_flight Reviews being decoded or evaluated.\n")
		b.WriteString("# TYPE aigov_webhook_reviews_in_flight gauge\n")
		fmt.Fprintf(b, "aigov_webhook_reviews_in_flight %d\n", reviews)
		b.WriteString("# HELP aigov_webhook_request_bytes_in_flight Bytes of request bodies held by requests in flight.\n")
		b.WriteString("# TYPE aigov_webhook_request_bytes_in_flight gauge\n")
		fmt.Fprintf(b, "aigov_webhook_request_bytes_in_flight %d\n", bodyBytes)
	}
}

// ServeHTTP serves the counters for a Prometheus scrape.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	m.WriteText(&b)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// escapeLabel escapes a label value: backslash, double quote and newline.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
