package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aigov/aigov/governance"
)

// FuzzReadJSON: ReadJSON never panics, what it accepts survives a write/read
// round trip unchanged, and every encoder takes it. The seeds are kilobytes,
// so pass e.g. -fuzzminimizetime 2s: the default (60s per new input) spends
// most of a short session minimizing.
func FuzzReadJSON(f *testing.F) {
	for _, name := range []string{"full.json.golden", "empty.json.golden"} {
		data, err := os.ReadFile(filepath.Join("testdata", "golden", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"findings":[{"check":"c","object":"a/b/c","severity":"HIGH","line":-1}]}`))
	f.Add([]byte(`{"findings":[{"check":"c","object":"Pod"}],"warnings":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatalf("WriteJSON of accepted input: %v", err)
		}
		back, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("ReadJSON of WriteJSON output: %v\n%s", err, buf.Bytes())
		}
		if want := sortedFindings(r.Findings); !reflect.DeepEqual(back.Findings, want) {
			t.Fatalf("round trip changed the findings:\n got %+v\nwant %+v", back.Findings, want)
		}
		// Every encoder takes what was read.
		for _, format := range Formats() {
			if err := Write(io.Discard, format, Report{Findings: r.Findings, Time: fixedTime}); err != nil {
				t.Fatalf("Write(%s): %v", format, err)
			}
		}
	})
}

// manyFindings is a synthetic run: n findings over n/10 objects in 10
// namespaces.
func manyFindings(n int) []governance.Finding {
	checks := []string{"privileged-container", "latest-tag", "container-limits", "automount-token", "run-as-non-root"}
	fs := make([]governance.Finding, n)
	for i := range fs {
		fs[i] = governance.Finding{
			Check: checks[i%len(checks)], Severity: governance.Severity(i % 5), Action: governance.ActionDeny,
			Object: governance.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment",
				Namespace: fmt.Sprintf("team-%d", i%10), Name: fmt.Sprintf("app-%d", i/10),
				Source: governance.Source{File: fmt.Sprintf("manifests/team-%d/app-%d.yaml", i%10, i/10), Line: 1 + i%40, Document: 1, Item: -1}},
			Path:        fmt.Sprintf("spec.template.spec.containers[%d].image", i%3),
			Message:     "something is wrong with this container",
			Remediation: "fix it",
			Known:       i%7 == 0,
		}
	}
	return fs
}

func BenchmarkWrite(b *testing.B) {
	r := Report{Findings: manyFindings(10000), Objects: 1000, Time: fixedTime}
	for _, format := range Formats() {
		b.Run(string(format), func(b *testing.B) {
			for b.Loop() {
				if err := Write(io.Discard, format, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBaselineMark(b *testing.B) {
	fs := manyFindings(10000)
	baseline := NewBaseline(fs[:5000])
	for b.Loop() {
		baseline.Mark(fs)
	}
}
