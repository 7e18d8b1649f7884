package rbac

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// slowAudit is the reference: encoding/json into auditEvent.
func slowAudit(b []byte) (auditv1.Event, bool) {
	var slim auditEvent
	if err := json.Unmarshal(b, &slim); err != nil {
		return auditv1.Event{}, false
	}
	return slim.event(), true
}

// checkFastAudit: when the fast decoder accepts a line, encoding/json
// accepts it too and yields the same kind, apiVersion, stage and request.
func checkFastAudit(t *testing.T, b []byte) bool {
	t.Helper()
	var fast auditv1.Event
	if !decodeAuditFast(b, &fast) {
		return false
	}
	slow, ok := slowAudit(b)
	if !ok {
		t.Fatalf("fast decoder accepts a line encoding/json rejects: %q", b)
	}
	if fast.Kind != slow.Kind || fast.APIVersion != slow.APIVersion || fast.Stage != slow.Stage {
		t.Fatalf("%q: fast %q/%q/%q, json %q/%q/%q", b, fast.Kind, fast.APIVersion, fast.Stage, slow.Kind, slow.APIVersion, slow.Stage)
	}
	fr, ferr := AuditEventToRequest(&fast)
	sr, serr := AuditEventToRequest(&slow)
	if !reflect.DeepEqual(fr, sr) || (ferr == nil) != (serr == nil) || (ferr != nil && ferr.Error() != serr.Error()) {
		t.Fatalf("%q:\nfast %+v %v\njson %+v %v", b, fr, ferr, sr, serr)
	}
	return true
}

// baseAuditLine is a Metadata-level event as the log backend writes it.
const baseAuditLine = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ns/pods/p","verb":"get",` +
	`"user":{"username":"system:serviceaccount:ns:sa","uid":"u","groups":["system:serviceaccounts","system:authenticated"],"extra":{"k":["v"]}},` +
	`"impersonatedUser":{"username":"bob","groups":["g"]},"sourceIPs":["10.0.0.1"],"objectRef":{"resource":"pods","namespace":"ns","name":"p","apiVersion":"v1","uid":"x"},` +
	`"responseStatus":{"metadata":{},"code":200,"x":[1.5e3,-0,true,false,null,{"a":[]}]},"requestReceivedTimestamp":"2026-11-01T10:00:00.000000Z","stageTimestamp":"2026-11-01T10:00:00.002000Z",` +
	`"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: \"x\" \u00e9"}}`

func auditSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, p := range []string{"testdata/audit/usage.log", "testdata/audit/bad.log"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, bytes.Split(b, []byte("\n"))...)
	}
	line := baseAuditLine
	seeds = append(seeds, []byte(line))
	for _, m := range [][2]string{
		{`"verb":"get"`, `"Verb":"get"`}, {`"verb":"get"`, `"verb":"get","verb":"list"`}, {`"verb":"get"`, `"verb":null`},
		{`"verb":"get"`, `"verb":"g\u0065t"`}, {`"verb":"get"`, `"verb":5`}, {`"impersonatedUser":{"username":"bob","groups":["g"]}`, `"impersonatedUser":null`},
		{`"objectRef":{`, `"objectRef":null,"x":{`}, {`"code":200`, `"code":0200`}, {`"code":200`, `"code":-`}, {`1.5e3`, `1.e3`},
		{`"stageTimestamp":"2026-11-01T10:00:00.002000Z"`, `"stageTimestamp":"2026-11-01"`}, {`"stageTimestamp":"2026-11-01T10:00:00.002000Z"`, `"stageTimestamp":null`},
		{`"allow"`, `"forbid"`}, {`"allow"`, `"al\"low"`}, {`"groups":["g"]`, `"groups":[]`}, {`"groups":["g"]`, `"groups":["\xff"]`},
		{`"extra":{"k":["v"]}`, `"extra":{"k":null}`}, {`"resource":"pods"`, `"resource":"pods","subresource":"log"`}, {`"level"`, `"LEVEL"`},
		{`"kind":"Event"`, `"kınd":"Event"`}, {`"kind":"Event"`, `"KIND":"Event"`}, {`"uid":"u"`, `"uid":1`}, {`"x":[`, `"x":[,`},
	} {
		seeds = append(seeds, []byte(strings.Replace(line, m[0], m[1], 1)))
	}
	return append(seeds, []byte(line+" "), []byte(line+"x"), []byte("null"), []byte("[]"), []byte(`{"verb":"get"`), []byte(`{}`))
}

func TestDecodeAuditFast(t *testing.T) {
	accepted := 0
	for _, s := range auditSeeds(t) {
		if checkFastAudit(t, s) {
			accepted++
		}
	}
	// The backend's own lines take the fast path.
	if !checkFastAudit(t, []byte(baseAuditLine)) || accepted < 10 {
		t.Errorf("fast path accepted %d lines", accepted)
	}
}

func FuzzDecodeAuditFast(f *testing.F) {
	for _, s := range auditSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFastAudit(t, b) })
}
