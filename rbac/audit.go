package rbac

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// MaxAuditLineBytes bounds one line of an audit log; a longer line is an
// input error (the apiserver's log backend truncates large objects far
// below this).
const MaxAuditLineBytes = 16 << 20

// AuditError is a line of an audit log that is not an audit.k8s.io/v1
// Event: the file, the 1-based line and why.
type AuditError struct {
	File string
	Line int
	Err  error
}

func (e *AuditError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

func (e *AuditError) Unwrap() error { return e.Err }

// AuditRequest is one request of an audit log, as the authorizer saw it.
type AuditRequest struct {
	// Identity is the user the request was authorized as: the impersonated
	// user when there is one.
	Identity   Identity
	Attributes Attributes
	// Decision is the authorization.k8s.io/decision annotation: "allow",
	// "forbid", or "" when the log does not say.
	Decision string
	Time     time.Time
	Line     int
}

// AuditEventToRequest derives the authorization attributes of an event,
// the way the apiserver's request-info parser derived them (the event
// records its verb, namespace, group, resource, subresource and name):
// an event without an objectRef resource is a non-resource request whose
// path is the request URI without its query; a create of a new object
// (no subresource) carries no name, because authorization ran before the
// name was known, even though the event records it. The identity is the
// impersonated user when the event has one.
func AuditEventToRequest(ev *auditv1.Event) (AuditRequest, error) {
	if ev.Verb == "" {
		return AuditRequest{}, errors.New("event has no verb")
	}
	u := ev.User
	if ev.ImpersonatedUser != nil {
		u = *ev.ImpersonatedUser
	}
	if u.Username == "" {
		return AuditRequest{}, errors.New("event has no user")
	}
	req := AuditRequest{Identity: Identity{User: u.Username, Groups: slices.Clone(u.Groups)}, Decision: ev.Annotations["authorization.k8s.io/decision"]}
	if !ev.StageTimestamp.IsZero() {
		req.Time = ev.StageTimestamp.Time
	} else {
		req.Time = ev.RequestReceivedTimestamp.Time
	}
	if r := ev.ObjectRef; r != nil && r.Resource != "" {
		req.Attributes = Attributes{Verb: ev.Verb, Namespace: r.Namespace, APIGroup: r.APIGroup, Resource: r.Resource, Subresource: r.Subresource, Name: r.Name}
		if ev.Verb == "create" && r.Subresource == "" {
			req.Attributes.Name = ""
		}
		return req, nil
	}
	path, _, _ := strings.Cut(ev.RequestURI, "?")
	if !strings.HasPrefix(path, "/") {
		return AuditRequest{}, fmt.Errorf("non-resource event with request URI %q", ev.RequestURI)
	}
	req.Attributes = Attributes{Verb: ev.Verb, Path: path}
	return req, nil
}

// auditEvent is the part of an audit.k8s.io/v1 Event that authorization
// needs, with the Event's own field types: decoding only these (and not
// the request and response objects, source IPs, user agent and status a
// log line also holds) keeps the reader fast on RequestResponse-level logs.
type auditEvent struct {
	Kind                     string                   `json:"kind"`
	APIVersion               string                   `json:"apiVersion"`
	Stage                    auditv1.Stage            `json:"stage"`
	RequestURI               string                   `json:"requestURI"`
	Verb                     string                   `json:"verb"`
	User                     authnv1.UserInfo         `json:"user"`
	ImpersonatedUser         *authnv1.UserInfo        `json:"impersonatedUser"`
	ObjectRef                *auditv1.ObjectReference `json:"objectRef"`
	RequestReceivedTimestamp metav1.MicroTime         `json:"requestReceivedTimestamp"`
	StageTimestamp           metav1.MicroTime         `json:"stageTimestamp"`
	Annotations              map[string]string        `json:"annotations"`
}

func (e *auditEvent) event() auditv1.Event {
	return auditv1.Event{
		TypeMeta: metav1.TypeMeta{Kind: e.Kind, APIVersion: e.APIVersion}, Stage: e.Stage, RequestURI: e.RequestURI, Verb: e.Verb,
		User: e.User, ImpersonatedUser: e.ImpersonatedUser, ObjectRef: e.ObjectRef,
		RequestReceivedTimestamp: e.RequestReceivedTimestamp, StageTimestamp: e.StageTimestamp, Annotations: e.Annotations,
	}
}

// countedStage reports whether an event of the stage stands for its
// request: ResponseComplete or Panic (or no stage). The other stages of the
// same request (RequestReceived, ResponseStarted) are skipped so that a
// request is counted once.
func countedStage(s auditv1.Stage) bool {
	return s == "" || s == auditv1.StageResponseComplete || s == auditv1.StagePanic
}

// ScanAuditLog reads an audit log — JSON lines of audit.k8s.io/v1 Events,
// as the apiserver's log backend writes them — and calls fn for every
// request (see countedStage and AuditEventToRequest), streaming: memory is
// bounded by the longest line. Blank lines are skipped. A line that is not
// an Event stops the scan with an *AuditError naming file and line; an
// error of fn stops it too. It returns the number of events read.
func ScanAuditLog(r io.Reader, file string, fn func(AuditRequest) error) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxAuditLineBytes)
	line, events := 0, 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var ev auditv1.Event
		if !decodeAuditFast(b, &ev) {
			var slim auditEvent
			if err := json.Unmarshal(b, &slim); err != nil {
				return events, &AuditError{File: file, Line: line, Err: fmt.Errorf("not an audit event: %w", err)}
			}
			ev = slim.event()
		}
		if ev.Kind != "" && ev.Kind != "Event" {
			return events, &AuditError{File: file, Line: line, Err: fmt.Errorf("kind %q, want Event", ev.Kind)}
		}
		if ev.APIVersion != "" && ev.APIVersion != auditv1.SchemeGroupVersion.String() {
			return events, &AuditError{File: file, Line: line, Err: fmt.Errorf("apiVersion %q, want %s", ev.APIVersion, auditv1.SchemeGroupVersion)}
		}
		events++
		if !countedStage(ev.Stage) {
			continue
		}
		req, err := AuditEventToRequest(&ev)
		if err != nil {
			return events, &AuditError{File: file, Line: line, Err: err}
		}
		req.Line = line
		if err := fn(req); err != nil {
			return events, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line longer than %d bytes", MaxAuditLineBytes)
		}
		return events, &AuditError{File: file, Line: line + 1, Err: err}
	}
	return events, nil
}

// Observed is one distinct request of an audit log and how often it was
// made.
type Observed struct {
	Identity   Identity   `json:"identity"`
	Attributes Attributes `json:"request"`
	Count      int        `json:"count"`
	// Denied counts the times it was forbidden.
	Denied int `json:"denied,omitempty"`
}

// AuditLog is the distinct requests of one or more audit logs, with the
// observation window. Memory grows with distinct requests, not with the
// size of the logs.
type AuditLog struct {
	Requests []Observed `json:"requests"`
	Events   int        `json:"events"`
	From     time.Time  `json:"from,omitzero"`
	To       time.Time  `json:"to,omitzero"`
}

type observedKey struct {
	user, groups string
	attrs        Attributes
}

// ReadAuditLogs reads the files (see ScanAuditLog) into an AuditLog,
// requests sorted by user, then request.
func ReadAuditLogs(paths ...string) (*AuditLog, error) {
	c := newAuditCollector()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		n, err := ScanAuditLog(f, p, c.add)
		f.Close()
		c.log.Events += n
		if err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

// ReadAuditLog reads one audit log from r (file names it in errors).
func ReadAuditLog(r io.Reader, file string) (*AuditLog, error) {
	c := newAuditCollector()
	n, err := ScanAuditLog(r, file, c.add)
	c.log.Events = n
	if err != nil {
		return nil, err
	}
	return c.result(), nil
}

type auditCollector struct {
	log   AuditLog
	index map[observedKey]int
}

func newAuditCollector() *auditCollector {
	return &auditCollector{index: map[observedKey]int{}}
}

func (c *auditCollector) add(r AuditRequest) error {
	k := observedKey{user: r.Identity.User, groups: strings.Join(r.Identity.Groups, "\x00"), attrs: r.Attributes}
	i, ok := c.index[k]
	if !ok {
		i = len(c.log.Requests)
		c.index[k] = i
		c.log.Requests = append(c.log.Requests, Observed{Identity: r.Identity, Attributes: r.Attributes})
	}
	c.log.Requests[i].Count++
	if r.Decision == "forbid" {
		c.log.Requests[i].Denied++
	}
	if !r.Time.IsZero() {
		if c.log.From.IsZero() || r.Time.Before(c.log.From) {
			c.log.From = r.Time
		}
		if r.Time.After(c.log.To) {
			c.log.To = r.Time
		}
	}
	return nil
}

func (c *auditCollector) result() *AuditLog {
	l := c.log
	sort.SliceStable(l.Requests, func(i, j int) bool {
		a, b := l.Requests[i], l.Requests[j]
		if a.Identity.User != b.Identity.User {
			return a.Identity.User < b.Identity.User
		}
		return a.Attributes.String() < b.Attributes.String()
	})
	if l.Requests == nil {
		l.Requests = []Observed{}
	}
	return &l
}
