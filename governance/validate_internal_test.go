package governance

import (
	"math/rand/v2"
	"strings"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The fast name and label checks accept exactly what apimachinery's
// regular expressions accept (they must never accept more: the loader asks
// apimachinery only when they refuse).
func TestFastNameChecksMatchApimachinery(t *testing.T) {
	corpus := []string{"", "a", "-", "a-", "-a", "a.b", "a..b", ".a", "a.", "A", "a_b", "a/b", "a%b", ".", "..",
		"system:node", "0", "9a", "a9", "llm-7b.v2", "a\nb", "a\x1bb", "é", "x" + strings.Repeat("y", 62),
		strings.Repeat("y", 64), strings.Repeat("a.", 126) + "a", strings.Repeat("a.", 127) + "a", "example.com/team",
		"Example.com/team", "example.com/", "/team", "a/b/c", "app.kubernetes.io/name", "A_b.c-D", "_a", "a_"}
	const alphabet = "ab0-._/%A:\n"
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(8))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		corpus = append(corpus, string(b))
	}
	type pair struct {
		name string
		fast func(string, bool) bool
		slow nameValidator
	}
	for _, p := range []pair{
		{"subdomain", isDNS1123Subdomain, apivalidation.NameIsDNSSubdomain},
		{"label", isDNS1123Label, apivalidation.NameIsDNSLabel},
		{"namespace", isDNS1123Label, apivalidation.ValidateNamespaceName},
		{"1035", isDNS1035Label, apivalidation.NameIsDNS1035Label},
		{"path", isPathSegment, path.ValidatePathSegmentName},
	} {
		for _, s := range corpus {
			for _, prefix := range []bool{false, true} {
				if fast, slow := p.fast(s, prefix), len(p.slow(s, prefix)) == 0; fast != slow {
					t.Errorf("%s(%q, prefix %v): fast %v, apimachinery %v", p.name, s, prefix, fast, slow)
				}
			}
		}
	}
	for _, s := range corpus {
		if fast, slow := isQualifiedName(s), len(validation.IsQualifiedName(s)) == 0; fast != slow {
			t.Errorf("label key %q: fast %v, apimachinery %v", s, fast, slow)
		}
		if fast, slow := isLabelValue(s), len(validation.IsValidLabelValue(s)) == 0; fast != slow {
			t.Errorf("label value %q: fast %v, apimachinery %v", s, fast, slow)
		}
	}
}

func TestFieldLine(t *testing.T) {
	yamlDoc := document{line: 10, data: []byte("a:\n  b.c:\n    d: [1, {e: 2}]\n  b:\n    x: 1\nl:\n- k: 1\n- k: 2\n  m: 3\n")}
	jsonDoc := document{line: 10, json: true, data: []byte("{\"a\": {\"b.c\": {\"d\": [1,\n {\"e\": 2}]},\n \"b\": {\"x\": 1}},\n \"l\": [{\"k\": 1},\n {\"k\": 2,\n \"m\": 3}]}")}
	for _, tc := range []struct {
		path           string
		yamlAt, jsonAt int
	}{
		{"a", 10, 10},
		{"a.b.c.d", 12, 10},        // the dotted key, not a.b
		{"a.b.c.d[1].e", 12, 11},   // flow list on one line in YAML
		{"a.b.x", 14, 12},          // a.b
		{"l[1].m", 18, 15},         // second item
		{"l[5]", 15, 13},           // no such item: the list's line
		{"nope", 10, 10},           // the document's line
		{"a.b.c.d[0].zzz", 12, 10}, // deepest that exists
	} {
		var root *yamlv3.Node
		if got := fieldLine(yamlDoc, -1, tc.path, &root); got != tc.yamlAt {
			t.Errorf("YAML %s: line %d, want %d", tc.path, got, tc.yamlAt)
		}
		if got := fieldLine(jsonDoc, -1, tc.path, &root); got != tc.jsonAt {
			t.Errorf("JSON %s: line %d, want %d", tc.path, got, tc.jsonAt)
		}
	}
}
