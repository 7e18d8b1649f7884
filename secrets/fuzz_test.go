package secrets

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aigov/aigov/governance"
)

// FuzzDetectors runs the detectors and the value rules on arbitrary names
// and values: no panic, matches inside the value, in order, without
// overlap, each a whole token that is not a placeholder; no message
// repeats the value, or a name that may hold a credential.
func FuzzDetectors(f *testing.F) {
	for id, k := range fakeKeys() {
		f.Add(contextNames[id], k)
		f.Add("X", "a "+k+" b")
	}
	for _, s := range []string{"", "sk-", "T3BlbkFJ", "hf_", "${X}", "-----BEGIN PRIVATE KEY-----", "://:@", "a://b:c@d", "\xff\xfe"} {
		f.Add("TOKEN", s)
	}
	f.Add("-pHunter2Secret", fakeKeys()["github-token"])
	f.Add(fakeKeys()["xai-api-key"], fakeKeys()["perplexity-api-key"])
	set, err := NewDetectorSet(Detectors())
	if err != nil {
		f.Fatal(err)
	}
	c := &Context{Detectors: set}
	f.Fuzz(func(t *testing.T, name, value string) {
		prevEnd := 0
		for _, m := range set.Find(name, value) {
			if m.Start < prevEnd || m.End > len(value) || m.Start >= m.End {
				t.Fatalf("bad match %+v in %d bytes (previous end %d)", m, len(value), prevEnd)
			}
			if IsPlaceholder(value[m.Start:m.End]) {
				t.Fatalf("placeholder reported: %q", value[m.Start:m.End])
			}
			prevEnd = m.End
		}
		for _, field := range []Field{FieldEnv, FieldArg, FieldAnnotation, FieldConfigMapData, FieldSecretData} {
			v := Value{Path: "p", Field: field, Name: name, Text: value}
			c.values = []Value{v}
			for _, rule := range AllRules() {
				if rule.Value == nil {
					continue
				}
				for _, fd := range rule.Value(c, v) {
					if fd.Path != "p" {
						t.Fatalf("%s: path %q", rule.ID, fd.Path)
					}
					if utf8.ValidString(value) && strings.Contains(fd.Message, value) && len(value) >= 8 {
						t.Fatalf("%s: message repeats the value", rule.ID)
					}
					if !SafeName(name) && len(name) > 2*RedactPrefix && strings.Contains(fd.Message, name) {
						t.Fatalf("%s: message repeats a name that may hold a credential: %q", rule.ID, fd.Message)
					}
				}
			}
		}
		_ = SensitiveName(name)
		_ = ProviderHint(name)
	})
}

// maxFuzzManifest bounds FuzzScanManifest's inputs. The fuzzing engine
// minimizes every input that finds new coverage, for up to
// -fuzzminimizetime (60 s) and without counting those runs as executions;
// a multi-kilobyte manifest costs a full YAML decode per candidate, so one
// large interesting input stalled the worker for a minute (4-5 execs in
// 55 s). Larger inputs return before loading: they add no coverage, are
// never minimized, and the seeds are single documents well below the bound.
const maxFuzzManifest = 2 << 10

// FuzzScanManifest loads arbitrary manifests and scans them: any document
// that loads scans without panic in both origins.
func FuzzScanManifest(f *testing.F) {
	// One seed per golden document, not the whole file (see
	// maxFuzzManifest).
	for _, doc := range strings.Split(goldenManifests(f), "\n---\n") {
		if len(doc) <= maxFuzzManifest {
			f.Add(doc)
		}
	}
	f.Add("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: '!!'}\n")
	f.Add(containerYAML("busybox", []string{"sh", "-c", "export A='b' && curl -u u:p x; mysql -pX \"y\""}, []string{"-c", "'", `\`}))
	f.Add("apiVersion: example.com/v1\nkind: InferenceService\nmetadata: {name: s}\nspec: {predictor: {containers: [{env: [{name: K, value: x}]}]}}\n")
	s, err := NewScanner(Config{Rules: AllRules()})
	if err != nil {
		f.Fatal(err)
	}
	loader, err := governance.NewLoader() // built once: the scheme is large
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > maxFuzzManifest {
			return
		}
		inv, _ := loader.LoadBytes("fuzz.yaml", []byte(doc))
		if inv == nil {
			return
		}
		s.Scan(inv, OriginSource)
		s.Scan(inv, OriginCluster)
	})
}
