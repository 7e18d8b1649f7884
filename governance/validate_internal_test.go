package governance

import (
	"math/rand/v2"
	"strings"
	"testing"

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
