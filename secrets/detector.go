package secrets

import (
	"fmt"
	"regexp"
	"strings"
)

// Detector recognises one kind of provider credential by its shape: a
// prefix or marker (Keywords, a cheap prefilter), a regular expression of
// the whole token, a minimum Shannon entropy, and for keys without a prefix
// (Cohere, an AWS secret access key) the name the value must be assigned to.
// Detectors are values: callers may pass their own to NewScanner.
type Detector struct {
	// ID is unique within a set, e.g. "openai-project-key".
	ID string
	// Provider is reported with a finding, e.g. "openai", "anthropic".
	Provider string
	// Description names the key kind for messages, e.g. "OpenAI project key".
	Description string
	// Keywords: at least one must occur in the value (case-sensitively)
	// before Pattern runs. Empty means always run Pattern.
	Keywords []string
	// Pattern is an RE2 expression of the token. Unless Whole is set, a
	// match must not be preceded or followed by a letter, digit, '_' or '-'
	// (a look-alike of the wrong length is not a key).
	Pattern string
	// Whole requires Pattern to match the whole (trimmed) value.
	Whole bool
	// NameContext, when set, is a case-insensitive RE2 expression the
	// value's name (env variable, ConfigMap key, annotation key, preceding
	// command-line flag) must match: for keys without a distinctive prefix.
	NameContext string
	// MinEntropy: tokens whose Shannon entropy (bits per character) is at
	// or below it are not reported.
	MinEntropy float64
}

// Match is one provider key found in a value.
type Match struct {
	Detector string
	Provider string
	// Description names the key kind, e.g. "OpenAI project key".
	Description string
	// Start and End are the byte offsets of the token in the value.
	Start, End int
}

// Detectors returns the built-in provider-key detectors (AI providers
// first, then cloud and developer platforms), fresh on every call. Formats
// are those of gitleaks and trufflehog (see the package documentation).
func Detectors() []Detector {
	const b = `[A-Za-z0-9_-]`
	openai := func(id, prefix, desc string) Detector {
		return Detector{ID: id, Provider: "openai", Description: desc, Keywords: []string{"T3BlbkFJ"},
			Pattern:    `sk-` + prefix + `-(?:` + b + `{74}|` + b + `{58})T3BlbkFJ(?:` + b + `{74}|` + b + `{58})`,
			MinEntropy: 3}
	}
	return []Detector{
		openai("openai-project-key", "proj", "OpenAI project key"),
		openai("openai-service-account-key", "(?:svcacct|service)", "OpenAI service-account key"),
		openai("openai-admin-key", "admin", "OpenAI admin key"),
		{ID: "openai-user-key", Provider: "openai", Description: "OpenAI user key", Keywords: []string{"T3BlbkFJ"},
			Pattern: `sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}`, MinEntropy: 3},
		{ID: "anthropic-api-key", Provider: "anthropic", Description: "Anthropic API key", Keywords: []string{"sk-ant-api03-"},
			Pattern: `sk-ant-api03-` + b + `{93}AA`, MinEntropy: 3},
		{ID: "anthropic-admin-key", Provider: "anthropic", Description: "Anthropic admin key", Keywords: []string{"sk-ant-admin01-"},
			Pattern: `sk-ant-admin01-` + b + `{93}AA`, MinEntropy: 3},
		{ID: "huggingface-token", Provider: "huggingface", Description: "Hugging Face access token", Keywords: []string{"hf_"},
			Pattern: `hf_[A-Za-z0-9]{34}`, MinEntropy: 3},
		{ID: "huggingface-org-token", Provider: "huggingface", Description: "Hugging Face organization token", Keywords: []string{"api_org_"},
			Pattern: `api_org_[A-Za-z0-9]{34}`, MinEntropy: 3},
		{ID: "google-api-key", Provider: "google", Description: "Google API key (Gemini, AI Studio)", Keywords: []string{"AIza"},
			Pattern: `AIza` + b + `{35}`, MinEntropy: 3.5},
		{ID: "cohere-api-key", Provider: "cohere", Description: "Cohere API key", Whole: true,
			NameContext: `cohere|(^|[^a-z])co_api_key`, Pattern: `[A-Za-z0-9]{40}`, MinEntropy: 3.5},
		{ID: "replicate-api-token", Provider: "replicate", Description: "Replicate API token", Keywords: []string{"r8_"},
			Pattern: `r8_` + b + `{37}`, MinEntropy: 3},
		{ID: "groq-api-key", Provider: "groq", Description: "Groq API key", Keywords: []string{"gsk_"},
			Pattern: `gsk_[A-Za-z0-9]{52}`, MinEntropy: 3},
		{ID: "xai-api-key", Provider: "xai", Description: "xAI API key", Keywords: []string{"xai-"},
			Pattern: `xai-[A-Za-z0-9]{80}`, MinEntropy: 3},
		{ID: "perplexity-api-key", Provider: "perplexity", Description: "Perplexity API key", Keywords: []string{"pplx-"},
			Pattern: `pplx-[A-Za-z0-9]{48}`, MinEntropy: 3},
		{ID: "langsmith-api-key", Provider: "langsmith", Description: "LangSmith API key", Keywords: []string{"lsv2_"},
			Pattern: `lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}`, MinEntropy: 3},
		{ID: "deepseek-api-key", Provider: "deepseek", Description: "DeepSeek API key", Whole: true,
			NameContext: `deepseek`, Pattern: `sk-[a-z0-9]{32}`, MinEntropy: 3},
		{ID: "wandb-api-key", Provider: "wandb", Description: "Weights & Biases API key", Whole: true,
			NameContext: `wandb`, Pattern: `[a-f0-9]{40}`, MinEntropy: 3},
		{ID: "aws-access-key-id", Provider: "aws", Description: "AWS access key ID", Keywords: []string{"AKIA", "ASIA", "ABIA", "ACCA", "A3T"},
			Pattern: `(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}`, MinEntropy: 3},
		// AWS's key IDs are base32 after the prefix ([A-Z2-7], gitleaks's
		// shape above), but keys written by hand and tools' examples often
		// use every digit: under a name that says "access key ID" the
		// looser [A-Z0-9] shape counts too.
		{ID: "aws-access-key-id-named", Provider: "aws", Description: "AWS access key ID", Whole: true,
			NameContext: `access[_.-]?key[_.-]?id`, Pattern: `(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}`, MinEntropy: 3},
		{ID: "aws-secret-access-key", Provider: "aws", Description: "AWS secret access key", Whole: true,
			NameContext: `aws.*secret|secret_?access_?key`, Pattern: `[A-Za-z0-9/+]{40}`, MinEntropy: 4},
		{ID: "aws-bedrock-api-key", Provider: "aws", Description: "Amazon Bedrock API key", Keywords: []string{"ABSK"},
			Pattern: `ABSK[A-Za-z0-9+/]{109,269}={0,2}`, MinEntropy: 3.5},
		{ID: "github-token", Provider: "github", Description: "GitHub token", Keywords: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"},
			Pattern: `gh[pousr]_[A-Za-z0-9]{36}`, MinEntropy: 3},
		{ID: "github-fine-grained-pat", Provider: "github", Description: "GitHub fine-grained personal access token", Keywords: []string{"github_pat_"},
			Pattern: `github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}`, MinEntropy: 3},
		{ID: "slack-token", Provider: "slack", Description: "Slack token", Keywords: []string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"},
			Pattern: `xox[bpars]-[0-9]{10,13}-[0-9]{10,13}(?:-[0-9]{10,13})?-[A-Za-z0-9]{24,64}`, MinEntropy: 3},
		{ID: "slack-app-token", Provider: "slack", Description: "Slack app token", Keywords: []string{"xapp-"},
			Pattern: `xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]{32,}`, MinEntropy: 3},
		{ID: "slack-webhook-url", Provider: "slack", Description: "Slack webhook URL", Keywords: []string{"hooks.slack.com"},
			Pattern: `https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{8,}/B[A-Z0-9]{8,}/[A-Za-z0-9]{20,}`, MinEntropy: 3},
		{ID: "stripe-secret-key", Provider: "stripe", Description: "Stripe secret or restricted key",
			Keywords: []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_", "sk_prod_", "rk_prod_"},
			Pattern:  `[sr]k_(?:live|test|prod)_[A-Za-z0-9]{20,99}`, MinEntropy: 3},
	}
}

// DetectorSet is a validated, compiled set of detectors. It is immutable and
// safe for concurrent use.
type DetectorSet struct {
	detectors []compiledDetector
	// byFirst indexes every keyword by its first byte: one pass over a
	// value finds the detectors whose keywords occur.
	byFirst [256][]keyword
}

type keyword struct {
	text     string
	detector int
}

type compiledDetector struct {
	Detector
	re   *regexp.Regexp
	name *regexp.Regexp
}

// NewDetectorSet validates and compiles detectors: unique non-empty IDs, a
// provider, a pattern that compiles and cannot match the empty string, and
// a prefilter keyword or a name context unless Whole is set.
func NewDetectorSet(detectors []Detector) (*DetectorSet, error) {
	set := &DetectorSet{}
	seen := map[string]bool{}
	for _, d := range detectors {
		switch {
		case d.ID == "":
			return nil, fmt.Errorf("detector without ID (provider %q)", d.Provider)
		case seen[d.ID]:
			return nil, fmt.Errorf("detector %s is listed twice", d.ID)
		case d.Provider == "":
			return nil, fmt.Errorf("detector %s: provider is empty", d.ID)
		case d.Pattern == "":
			return nil, fmt.Errorf("detector %s: pattern is empty", d.ID)
		}
		seen[d.ID] = true
		expr := d.Pattern
		if d.Whole {
			expr = `^(?:` + expr + `)$`
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("detector %s: %w", d.ID, err)
		}
		if re.MatchString("") {
			return nil, fmt.Errorf("detector %s: pattern matches the empty string", d.ID)
		}
		cd := compiledDetector{Detector: d, re: re}
		cd.Keywords = append([]string(nil), d.Keywords...)
		if d.NameContext != "" {
			if cd.name, err = regexp.Compile(`(?i)` + d.NameContext); err != nil {
				return nil, fmt.Errorf("detector %s: name context: %w", d.ID, err)
			}
		}
		for _, k := range cd.Keywords {
			if k != "" {
				set.byFirst[k[0]] = append(set.byFirst[k[0]], keyword{k, len(set.detectors)})
			}
		}
		set.detectors = append(set.detectors, cd)
	}
	return set, nil
}

// Find returns the provider keys in value, in text order, without
// overlaps. name is the value's name (env variable, key, flag) for
// detectors with a name context; it may be empty.
func (s *DetectorSet) Find(name, value string) []Match {
	var out []Match
	hits := s.keywordHits(value)
	for i := range s.detectors {
		d := &s.detectors[i]
		if d.name != nil && name == "" {
			continue
		}
		// Cheapest test first: keywords, then the value's pattern, and the
		// name's expression only for a value of the right shape.
		if d.Whole {
			t := strings.TrimSpace(value)
			if d.re.MatchString(t) && d.nameMatches(name) && d.accept(t) {
				start := strings.Index(value, t)
				out = appendMatch(out, d, start, start+len(t))
			}
			continue
		}
		if len(d.Keywords) > 0 && !hits.has(i) {
			continue
		}
		for _, loc := range d.re.FindAllStringIndex(value, -1) {
			if !boundary(value, loc[0], loc[1]) || !d.nameMatches(name) || !d.accept(value[loc[0]:loc[1]]) {
				continue
			}
			out = appendMatch(out, d, loc[0], loc[1])
		}
	}
	return sortMatches(out)
}

// bitset is a set of detector indexes.
type bitset []uint64

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }

// keywordHits returns the detectors one of whose keywords occurs in value,
// in one pass over its bytes.
func (s *DetectorSet) keywordHits(value string) bitset {
	var hits bitset
	for i := 0; i < len(value); i++ {
		for _, k := range s.byFirst[value[i]] {
			if hits.has(k.detector) || !strings.HasPrefix(value[i:], k.text) {
				continue
			}
			if hits == nil {
				hits = make(bitset, (len(s.detectors)+63)/64)
			}
			hits[k.detector/64] |= 1 << (k.detector % 64)
		}
	}
	return hits
}

func (d *compiledDetector) nameMatches(name string) bool {
	return d.name == nil || d.name.MatchString(name)
}

func (d *compiledDetector) accept(tok string) bool {
	return Entropy(tok) > d.MinEntropy && !IsPlaceholder(tok)
}

func appendMatch(out []Match, d *compiledDetector, start, end int) []Match {
	return append(out, Match{Detector: d.ID, Provider: d.Provider, Description: d.Description, Start: start, End: end})
}

// sortMatches orders by start (longest first at one start) and drops
// matches that overlap an earlier one.
func sortMatches(ms []Match) []Match {
	if len(ms) < 2 {
		return ms
	}
	for i := 1; i < len(ms); i++ { // insertion sort: a handful of matches
		for j := i; j > 0 && lessMatch(ms[j], ms[j-1]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
	out := ms[:1]
	for _, m := range ms[1:] {
		if m.Start < out[len(out)-1].End {
			continue
		}
		out = append(out, m)
	}
	return out
}

func lessMatch(a, b Match) bool {
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	return a.End > b.End
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// boundary reports whether value[start:end] is a whole token: no letter,
// digit, '_' or '-' right before or after it.
func boundary(value string, start, end int) bool {
	return (start == 0 || !tokenByte(value[start-1])) && (end == len(value) || !tokenByte(value[end]))
}

func tokenByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}
