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
//
// check is the catalog ID (with "/entry-name" for named policy entries);
// a check is counted once per reviewed object of a kind it judges. Review
// results are allowed, denied, error (bad request or evaluation failure)
// and timeout.
type Metrics struct {
	mu      sync.Mutex
	results map[[2]string]uint64 // {check, pass|fail}
	reviews map[string]uint64
}

// NewMetrics returns zeroed counters.
func NewMetrics() *Metrics {
	return &Metrics{results: map[[2]string]uint64{}, reviews: map[string]uint64{}}
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
	m.mu.Unlock()
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
