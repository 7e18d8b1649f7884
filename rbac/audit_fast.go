package rbac

import (
	"strings"
	"time"
	"unicode/utf8"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// decodeAuditFast decodes one log line into ev the way json.Unmarshal into
// an auditEvent (then event()) would, for the lines the log backend
// writes: one object, known fields once each, spelled exactly, with string
// values free of escapes. It reports false for anything else — other
// spellings, duplicates, nulls, escapes, non-ASCII keys, wrong types,
// invalid JSON — and the caller then decodes the line with encoding/json,
// which decides. The fields authorization does not need are validated and
// skipped without being decoded.
func decodeAuditFast(b []byte, ev *auditv1.Event) bool {
	d := fastDecoder{b: b}
	ok := d.event(ev)
	d.ws()
	return ok && d.i == len(d.b)
}

type fastDecoder struct {
	b     []byte
	i     int
	depth int
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *fastDecoder) consume(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *fastDecoder) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// rawString scans a string token and returns its contents; esc is set
// when it has escapes (then the contents are the raw bytes).
func (d *fastDecoder) rawString() (s []byte, esc, ok bool) {
	if !d.consume('"') {
		return nil, false, false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			s = d.b[start:d.i]
			d.i++
			return s, esc, true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			esc = true
			d.i++
			if d.i >= len(d.b) {
				return nil, false, false
			}
			switch d.b[d.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i++
			case 'u':
				if d.i+4 >= len(d.b) {
					return nil, false, false
				}
				for _, h := range d.b[d.i+1 : d.i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return nil, false, false
					}
				}
				d.i += 5
			default:
				return nil, false, false
			}
		default:
			d.i++
		}
	}
	return nil, false, false
}

// str decodes a string value that json.Unmarshal would decode to the same
// bytes (no escapes, valid UTF-8).
func (d *fastDecoder) str() (string, bool) {
	s, esc, ok := d.rawString()
	if !ok || esc || !utf8.Valid(s) {
		return "", false
	}
	return string(s), true
}

// key reads an object key and the colon; fold reports a key that is not
// plain ASCII (json.Unmarshal matches field names case-insensitively).
func (d *fastDecoder) key() ([]byte, bool) {
	s, esc, ok := d.rawString()
	if !ok || esc || !d.consume(':') {
		return nil, false
	}
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return nil, false
		}
	}
	return s, true
}

// object calls field for every key of an object until it returns false.
func (d *fastDecoder) object(field func(key []byte) bool) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	for {
		k, ok := d.key()
		if !ok || !field(k) {
			return false
		}
		if d.consume(',') {
			continue
		}
		return d.consume('}')
	}
}

// unknown accepts a key none of known matches (even ignoring case) and
// skips its value.
func (d *fastDecoder) unknown(k []byte, known ...string) bool {
	for _, n := range known {
		if len(k) == len(n) && strings.EqualFold(string(k), n) {
			return false
		}
	}
	return d.skip()
}

func (d *fastDecoder) skip() bool {
	switch c := d.peek(); {
	case c == '"':
		_, _, ok := d.rawString()
		return ok
	case c == '{' || c == '[':
		d.depth++
		if d.depth > 512 {
			return false
		}
		defer func() { d.depth-- }()
		if c == '{' {
			return d.object(func([]byte) bool { return d.skip() })
		}
		d.i++
		if d.consume(']') {
			return true
		}
		for {
			if !d.skip() {
				return false
			}
			if d.consume(',') {
				continue
			}
			return d.consume(']')
		}
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return false
}

func (d *fastDecoder) literal(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

func (d *fastDecoder) digits() int {
	n := 0
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

// number scans a JSON number (RFC 8259 grammar).
func (d *fastDecoder) number() bool {
	if d.b[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if d.digits() == 0 {
		return false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return false
		}
	}
	return true
}

// seen guards against duplicate fields (json.Unmarshal merges them): a
// bit per known field of an object.
type seen uint32

func (s *seen) first(bit int) bool {
	if *s&(1<<bit) != 0 {
		return false
	}
	*s |= 1 << bit
	return true
}

func (d *fastDecoder) strings() ([]string, bool) {
	if !d.consume('[') {
		return nil, false
	}
	out := []string{}
	if d.consume(']') {
		return out, true
	}
	for {
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if d.consume(',') {
			continue
		}
		return out, d.consume(']')
	}
}

func (d *fastDecoder) user(u *authnv1.UserInfo) bool {
	var sn seen
	return d.object(func(k []byte) bool {
		var ok bool
		bit := 0
		switch string(k) {
		case "username":
			u.Username, ok = d.str()
		case "uid":
			u.UID, ok = d.str()
			bit = 1
		case "groups":
			u.Groups, ok = d.strings()
			bit = 2
		case "extra":
			bit = 3
			// Not needed for authorization: check the type only.
			ok = d.object(func([]byte) bool {
				_, ok := d.strings()
				return ok
			})
		default:
			return d.unknown(k, "username", "uid", "groups", "extra")
		}
		return ok && sn.first(bit)
	})
}

func (d *fastDecoder) objectRef(r *auditv1.ObjectReference) bool {
	var sn seen
	return d.object(func(k []byte) bool {
		var dst *string
		bit := 0
		switch string(k) {
		case "resource":
			dst = &r.Resource
		case "namespace":
			dst, bit = &r.Namespace, 1
		case "name":
			dst, bit = &r.Name, 2
		case "apiGroup":
			dst, bit = &r.APIGroup, 3
		case "apiVersion":
			dst, bit = &r.APIVersion, 4
		case "resourceVersion":
			dst, bit = &r.ResourceVersion, 5
		case "subresource":
			dst, bit = &r.Subresource, 6
		case "uid":
			s, ok := d.str()
			r.UID = types.UID(s)
			return ok && sn.first(7)
		default:
			return d.unknown(k, "resource", "namespace", "name", "apiGroup", "apiVersion", "resourceVersion", "subresource", "uid")
		}
		var ok bool
		*dst, ok = d.str()
		return ok && sn.first(bit)
	})
}

// time decodes a timestamp as metav1.MicroTime.UnmarshalJSON does (an
// escape-free string parsed as RFC3339Micro, in local time).
func (d *fastDecoder) time(t *metav1.MicroTime) bool {
	s, esc, ok := d.rawString()
	if !ok || esc || !utf8.Valid(s) {
		return false
	}
	pt, err := time.Parse(metav1.RFC3339Micro, string(s))
	if err != nil {
		return false
	}
	t.Time = pt.Local()
	return true
}

const decisionAnnotation = "authorization.k8s.io/decision"

func (d *fastDecoder) event(ev *auditv1.Event) bool {
	var sn seen
	return d.object(func(k []byte) bool {
		var ok bool
		switch string(k) {
		case "kind":
			ev.Kind, ok = d.str()
		case "apiVersion":
			ev.APIVersion, ok = d.str()
		case "stage":
			var s string
			s, ok = d.str()
			ev.Stage = auditv1.Stage(s)
		case "requestURI":
			ev.RequestURI, ok = d.str()
		case "verb":
			ev.Verb, ok = d.str()
		case "user":
			ok = d.user(&ev.User)
		case "impersonatedUser":
			if d.peek() == 'n' {
				ok = d.literal("null")
			} else {
				ev.ImpersonatedUser = &authnv1.UserInfo{}
				ok = d.user(ev.ImpersonatedUser)
			}
		case "objectRef":
			if d.peek() == 'n' {
				ok = d.literal("null")
			} else {
				ev.ObjectRef = &auditv1.ObjectReference{}
				ok = d.objectRef(ev.ObjectRef)
			}
		case "requestReceivedTimestamp":
			ok = d.time(&ev.RequestReceivedTimestamp)
		case "stageTimestamp":
			ok = d.time(&ev.StageTimestamp)
		case "annotations":
			ok = d.object(func(k []byte) bool {
				v, esc, ok := d.rawString()
				if !ok {
					return false
				}
				if string(k) != decisionAnnotation {
					return true
				}
				if esc || !utf8.Valid(v) || ev.Annotations != nil {
					return false
				}
				ev.Annotations = map[string]string{decisionAnnotation: string(v)}
				return true
			})
		default:
			return d.unknown(k, "kind", "apiVersion", "stage", "requestURI", "verb", "user", "impersonatedUser", "objectRef",
				"requestReceivedTimestamp", "stageTimestamp", "annotations")
		}
		return ok && sn.first(eventFieldBit(k))
	})
}

// eventFieldBit numbers the known fields of an event for seen.
func eventFieldBit(k []byte) int {
	switch string(k) {
	case "kind":
		return 0
	case "apiVersion":
		return 1
	case "stage":
		return 2
	case "requestURI":
		return 3
	case "verb":
		return 4
	case "user":
		return 5
	case "impersonatedUser":
		return 6
	case "objectRef":
		return 7
	case "requestReceivedTimestamp":
		return 8
	case "stageTimestamp":
		return 9
	}
	return 10 // annotations
}
