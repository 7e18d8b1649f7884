package live

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aigov/aigov/governance"
)

// The metrics, in Prometheus text exposition format 0.0.4, written by hand:
// a dozen series do not warrant a client library.
//
//	aigov_findings{check,severity,namespace}     gauge     findings of the latest evaluation ("" namespace: cluster-scoped objects)
//	aigov_evaluations_total                      counter   evaluations run
//	aigov_evaluation_duration_seconds            histogram one evaluation (incremental or full)
//	aigov_change_to_evaluation_seconds           histogram from the oldest change an evaluation covers to its findings
//	aigov_evaluation_pending_seconds             gauge     age of the oldest change not yet evaluated (0: up to date)
//	aigov_inventory_objects                      gauge     objects in the latest inventory
//	aigov_input_errors                           gauge     cluster objects of the latest evaluation that did not decode
//	aigov_informer_synced{resource}              gauge     1 once the resource's informer has listed
//	aigov_informer_last_event_timestamp_seconds{resource} gauge  Unix time of the resource's last watch event
//	aigov_resource_degraded{resource,reason}     gauge     1 for a kind that cannot be read (forbidden, ...)
//	aigov_report_writes_total{result}            counter   report writes: applied, deleted, error
//	aigov_admission_review_duration_seconds{group,kind,verdict} histogram  admission reviews by the kind under review and verdict; _count counts the decisions
//	aigov_resource_reprobes_total{result}        counter   re-probes of kinds that could not be kept: readable, degraded, error
//	aigov_leader                                 gauge     1 while this replica writes the reports
//	aigov_ready                                  gauge     1 after the first full sync and evaluation

// ContentType is the Content-Type of the exposition.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// durationBuckets are the upper bounds, in seconds, of the evaluation
// histograms: from a small inventory's evaluation to the 5 s the reports
// must follow a change in.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// admissionBuckets are those of the admission latency: fine around the
// 50 ms a review of a 10,000-pod inventory must stay under (p99), up to the
// apiserver's default webhook timeout of 10 s.
var admissionBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	bounds []float64
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

func newHistogram(bounds []float64) histogram {
	return histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v)
	h.counts[i]++
	h.sum += v
	h.count++
}

type findingSeries struct{ check, severity, namespace string }

// admissionSeries is one admission histogram: the group and kind of the
// object under review and the verdict.
type admissionSeries struct{ group, kind, verdict string }

// Admission verdicts. allowed, warned (allowed with warnings) and denied
// are policy decisions; invalid is a request whose object cannot be judged
// (denied with 400); error and timeout are reviews that did not finish, which
// the webhook denies or, failing open, admits.
const (
	verdictAllowed = "allowed"
	verdictWarned  = "warned"
	verdictDenied  = "denied"
	verdictInvalid = "invalid"
	verdictError   = "error"
	verdictTimeout = "timeout"
)

// resourceState is one watched or degraded resource at scrape time.
type resourceState struct {
	name      string
	synced    bool
	lastEvent time.Time
	degraded  string // reason, "" when readable
}

// metrics holds what /metrics exposes. Safe for concurrent use.
type metrics struct {
	mu               sync.Mutex
	findings         map[findingSeries]int
	evaluations      uint64
	evalDuration     histogram
	changeToEval     histogram
	inventoryObjects int
	inputErrors      int
	reportWrites     map[string]uint64
	admission        map[admissionSeries]*histogram
	reprobes         map[string]uint64
	leader           bool
	ready            bool
	// resources and pending are read at scrape time from the server.
	resources func() []resourceState
	pending   func() time.Duration
}

func newMetrics() *metrics {
	return &metrics{findings: map[findingSeries]int{}, evalDuration: newHistogram(durationBuckets),
		changeToEval: newHistogram(durationBuckets), reportWrites: map[string]uint64{},
		admission: map[admissionSeries]*histogram{}, reprobes: map[string]uint64{}}
}

// admitted records one admission review.
func (m *metrics) admitted(group, kind, verdict string, took time.Duration) {
	s := admissionSeries{group: group, kind: kind, verdict: verdict}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.admission[s]
	if h == nil {
		nh := newHistogram(admissionBuckets)
		h = &nh
		m.admission[s] = h
	}
	h.observe(took.Seconds())
}

// reprobed records one re-probe of a kind that could not be kept.
func (m *metrics) reprobed(result string) {
	m.mu.Lock()
	m.reprobes[result]++
	m.mu.Unlock()
}

// evaluated records one evaluation.
func (m *metrics) evaluated(findings []governance.Finding, objects, inputErrors int, took, sinceChange time.Duration) {
	counts := map[findingSeries]int{}
	for _, f := range findings {
		counts[findingSeries{check: f.Check, severity: f.Severity.String(), namespace: f.Object.Namespace}]++
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.findings = counts
	m.evaluations++
	m.evalDuration.observe(took.Seconds())
	if sinceChange > 0 {
		m.changeToEval.observe(sinceChange.Seconds())
	}
	m.inventoryObjects, m.inputErrors = objects, inputErrors
}

func (m *metrics) reportWrite(result string) {
	m.mu.Lock()
	m.reportWrites[result]++
	m.mu.Unlock()
}

func (m *metrics) setLeader(v bool) {
	m.mu.Lock()
	m.leader = v
	m.mu.Unlock()
}

func (m *metrics) setReady() {
	m.mu.Lock()
	m.ready = true
	m.mu.Unlock()
}

// write renders the exposition. Series are sorted so that scrapes diff
// cleanly.
func (m *metrics) write(w io.Writer) error {
	var resources []resourceState
	if m.resources != nil {
		resources = m.resources()
	}
	var pending time.Duration
	if m.pending != nil {
		pending = m.pending()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder

	header(&b, "aigov_findings", "gauge", "Findings of the latest evaluation by check, severity and namespace (empty: cluster-scoped objects).")
	series := slices.SortedFunc(maps.Keys(m.findings), func(a, c findingSeries) int {
		return cmp.Or(strings.Compare(a.check, c.check), strings.Compare(a.severity, c.severity), strings.Compare(a.namespace, c.namespace))
	})
	for _, s := range series {
		sample(&b, "aigov_findings", labels("check", s.check, "severity", s.severity, "namespace", s.namespace), float64(m.findings[s]))
	}

	header(&b, "aigov_evaluations_total", "counter", "Evaluations run.")
	sample(&b, "aigov_evaluations_total", "", float64(m.evaluations))
	name := "aigov_evaluation_duration_seconds"
	header(&b, name, "histogram", "Time of one evaluation: applying the changes to the inventory (or building it from the informer caches) and re-running what they touch.")
	writeHistogram(&b, name, nil, m.evalDuration)
	name = "aigov_change_to_evaluation_seconds"
	header(&b, name, "histogram", "Time from the oldest watch event an evaluation covers to its findings.")
	writeHistogram(&b, name, nil, m.changeToEval)
	header(&b, "aigov_evaluation_pending_seconds", "gauge", "Age of the oldest watch event not yet evaluated; 0 when the findings are current.")
	sample(&b, "aigov_evaluation_pending_seconds", "", pending.Seconds())
	header(&b, "aigov_inventory_objects", "gauge", "Objects in the latest inventory.")
	sample(&b, "aigov_inventory_objects", "", float64(m.inventoryObjects))
	header(&b, "aigov_input_errors", "gauge", "Cluster objects of the latest evaluation that did not decode.")
	sample(&b, "aigov_input_errors", "", float64(m.inputErrors))

	sort.Slice(resources, func(i, j int) bool { return resources[i].name < resources[j].name })
	header(&b, "aigov_informer_synced", "gauge", "1 once the resource's informer has listed it.")
	for _, r := range resources {
		if r.degraded == "" || r.synced {
			sample(&b, "aigov_informer_synced", labels("resource", r.name), boolValue(r.synced))
		}
	}
	header(&b, "aigov_informer_last_event_timestamp_seconds", "gauge", "Unix time of the resource's last watch event.")
	for _, r := range resources {
		if !r.lastEvent.IsZero() {
			sample(&b, "aigov_informer_last_event_timestamp_seconds", labels("resource", r.name), float64(r.lastEvent.UnixNano())/1e9)
		}
	}
	header(&b, "aigov_resource_degraded", "gauge", "1 for a kind the server serves that cannot be read; no check sees its objects.")
	for _, r := range resources {
		if r.degraded != "" {
			sample(&b, "aigov_resource_degraded", labels("resource", r.name, "reason", r.degraded), 1)
		}
	}

	header(&b, "aigov_report_writes_total", "counter", "Report writes by result: applied, deleted, error.")
	for _, result := range []string{"applied", "deleted", "error"} {
		sample(&b, "aigov_report_writes_total", labels("result", result), float64(m.reportWrites[result]))
	}
	header(&b, "aigov_resource_reprobes_total", "counter", "Re-probes of kinds that could not be kept, by result: readable, degraded, error.")
	for _, result := range []string{"readable", "degraded", "error"} {
		sample(&b, "aigov_resource_reprobes_total", labels("result", result), float64(m.reprobes[result]))
	}

	name = "aigov_admission_review_duration_seconds"
	header(&b, name, "histogram", "Admission reviews by the group and kind under review and verdict (allowed, warned, denied, invalid, error, timeout): time from decoding the object to the verdict.")
	admission := slices.SortedFunc(maps.Keys(m.admission), func(a, c admissionSeries) int {
		return cmp.Or(strings.Compare(a.group, c.group), strings.Compare(a.kind, c.kind), strings.Compare(a.verdict, c.verdict))
	})
	for _, s := range admission {
		writeHistogram(&b, name, []string{"group", s.group, "kind", s.kind, "verdict", s.verdict}, *m.admission[s])
	}

	header(&b, "aigov_leader", "gauge", "1 while this replica writes the reports.")
	sample(&b, "aigov_leader", "", boolValue(m.leader))
	header(&b, "aigov_ready", "gauge", "1 after the first full sync and evaluation.")
	sample(&b, "aigov_ready", "", boolValue(m.ready))
	_, err := io.WriteString(w, b.String())
	return err
}

func header(b *strings.Builder, name, typ, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func sample(b *strings.Builder, name, labels string, v float64) {
	b.WriteString(name)
	b.WriteString(labels)
	b.WriteByte(' ')
	b.WriteString(formatValue(v))
	b.WriteByte('\n')
}

// writeHistogram writes one histogram's series with the labels kv
// (alternating names and values) besides le.
func writeHistogram(b *strings.Builder, name string, kv []string, h histogram) {
	var cumulative uint64
	for i, le := range h.bounds {
		cumulative += h.counts[i]
		sample(b, name+"_bucket", labels(append(kv[:len(kv):len(kv)], "le", formatValue(le))...), float64(cumulative))
	}
	sample(b, name+"_bucket", labels(append(kv[:len(kv):len(kv)], "le", "+Inf")...), float64(h.count))
	rest := ""
	if len(kv) > 0 {
		rest = labels(kv...)
	}
	sample(b, name+"_sum", rest, h.sum)
	sample(b, name+"_count", rest, float64(h.count))
}

// labels renders {k="v",...} from alternating names and values.
func labels(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i])
		b.WriteString(`="`)
		b.WriteString(escapeLabel(kv[i+1]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// escapeLabel escapes a label value as the text format requires: backslash,
// double quote and line feed.
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func boolValue(v bool) float64 {
	if v {
		return 1
	}
	return 0
}
