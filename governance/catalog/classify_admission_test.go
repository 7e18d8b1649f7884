package catalog

import (
	"path"
	"regexp"
	"strings"
	"testing"
)

// TestGlobRegexpMatchesPathMatch: the wildcard image patterns compile into
// regular expressions that accept exactly the suffixes path.Match accepts,
// so the admission form classifies images as ImageClass does.
func TestGlobRegexpMatchesPathMatch(t *testing.T) {
	samples := []string{"", "vllm", "vllm-", "vllm-x", "vllm-x/y", "a-notebook", "-notebook", "notebook", "x/y-notebook",
		"kserve/sklearnserver", "kserve/server", "kserve/a/server", "kserve/sklearn", "jupyter/base", "jupyter/", "jupyter/a/b",
		"jupyter-lab", "jupyter.x", "vllm.x", "VLLM-x", "a.b-notebook"}
	wildcards := 0
	for _, p := range imagePatterns() {
		if strings.ContainsAny(p.pattern, "[\\") {
			t.Errorf("pattern %q uses a class or an escape, which globRegexp does not translate", p.pattern)
			continue
		}
		if !strings.ContainsAny(p.pattern, "*?") || strings.HasSuffix(p.pattern, "/**") {
			continue
		}
		wildcards++
		re := regexp.MustCompile(globRegexp(p.pattern))
		for _, s := range append(samples, strings.ReplaceAll(p.pattern, "*", "abc"), strings.ReplaceAll(p.pattern, "*", "a/b")) {
			want, _ := path.Match(p.pattern, s)
			if got := re.MatchString(s); got != want {
				t.Errorf("pattern %q on %q: regexp %s says %v, path.Match %v", p.pattern, s, re, got, want)
			}
		}
	}
	if wildcards == 0 {
		t.Fatal("no wildcard pattern tested")
	}
}

// TestLowerASCII folds only ASCII letters, as CEL's lowerAscii.
func TestLowerASCII(t *testing.T) {
	for in, want := range map[string]string{"VLLM/Vllm-OpenAI": "vllm/vllm-openai", "\u212Aserve": "\u212Aserve", "": "", "a1-B2": "a1-b2"} {
		if got := lowerASCII(in); got != want {
			t.Errorf("lowerASCII(%q) = %q, want %q", in, got, want)
		}
	}
}
