package secrets

import "strings"

// sensitiveWords are the name parts (normalised: lower case, separators
// removed) that make a name sensitive.
var sensitiveWords = [...]string{
	"apikey", "token", "secret", "password", "passwd", "credential",
	"privatekey", "accesskey", "authkey",
}

// nonSensitiveSuffixes end names that hold something about a credential
// rather than the credential (normalised form: lower case, "_" separator).
var nonSensitiveSuffixes = [...]string{
	"_endpoint", "_url", "_uri", "_file", "_path", "_name", "_ref", "_length",
	"_size", "_ttl", "_expiry", "_id", "_header",
}

// SensitiveName reports whether a variable, key or annotation name looks
// like it holds a credential: it contains api key, token, secret, password
// (passwd), credential, private key, access key or auth key (any case, with
// '_', '-', '.' or camelCase between the words), and does not end in
// _endpoint, _url, _uri, _file, _path, _name, _ref, _length, _size, _ttl,
// _expiry, _id or _header. "tokenizer" (a model's tokenizer, as in vLLM's
// --tokenizer) does not count as "token".
func SensitiveName(name string) bool {
	n := normalizeName(name)
	for _, s := range nonSensitiveSuffixes {
		if strings.HasSuffix(n, s) {
			return false
		}
	}
	compact := strings.ReplaceAll(n, "_", "")
	compact = strings.ReplaceAll(compact, "tokenizer", "") // a model's tokenizer (vLLM --tokenizer)
	for _, w := range sensitiveWords {
		if strings.Contains(compact, w) {
			return true
		}
	}
	return false
}

// normalizeName lower-cases a name and turns '-', '.', '/', spaces and
// camelCase boundaries (acronyms included) into '_': "openaiApiKey",
// "openaiAPIKey" and "openai-api.key" all become "openai_api_key".
func normalizeName(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 4)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			lowerBefore := i > 0 && (name[i-1] >= 'a' && name[i-1] <= 'z' || name[i-1] >= '0' && name[i-1] <= '9')
			// the last capital of an acronym before a word: "APIKey" is
			// "api_key", "tokenURL" "token_url", "KeyID" "key_id".
			acronymEnd := i > 0 && name[i-1] >= 'A' && name[i-1] <= 'Z' && i+1 < len(name) && name[i+1] >= 'a' && name[i+1] <= 'z'
			if lowerBefore || acronymEnd {
				b.WriteByte('_')
			}
			b.WriteByte(c + 'a' - 'A')
		case c == '-' || c == '.' || c == '/' || c == ' ':
			b.WriteByte('_')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// providerHints map name parts to the provider reported by
// secret-literal-sensitive-name. Short parts ("hf", "gh") must be a whole
// word of the name; longer ones may occur anywhere.
var providerHints = [...]struct {
	part, provider string
	word           bool
}{
	{"openai", "openai", false},
	{"anthropic", "anthropic", false},
	{"claude", "anthropic", false},
	{"huggingface", "huggingface", false},
	{"hugging_face", "huggingface", false},
	{"hf", "huggingface", true},
	{"gemini", "google", false},
	{"google", "google", false},
	{"gcp", "google", true},
	{"cohere", "cohere", false},
	{"co_api_key", "cohere", false},
	{"replicate", "replicate", false},
	{"groq", "groq", false},
	{"xai", "xai", true},
	{"grok", "xai", false},
	{"perplexity", "perplexity", false},
	{"pplx", "perplexity", true},
	{"deepseek", "deepseek", false},
	{"mistral", "mistral", false},
	{"langsmith", "langsmith", false},
	{"langchain", "langsmith", false},
	{"wandb", "wandb", false},
	{"bedrock", "aws", false},
	{"aws", "aws", true},
	{"azure", "azure", false},
	{"github", "github", false},
	{"gh", "github", true},
	{"slack", "slack", false},
	{"stripe", "stripe", false},
	{"pinecone", "pinecone", false},
	{"qdrant", "qdrant", false},
	{"weaviate", "weaviate", false},
	{"litellm", "litellm", false},
}

// ProviderHint guesses the provider a credential name belongs to, e.g.
// "openai" for OPENAI_API_KEY, "huggingface" for HF_TOKEN, "cohere" for
// CO_API_KEY; "" when the name says nothing.
func ProviderHint(name string) string {
	n := normalizeName(name)
	for _, h := range providerHints {
		if !h.word {
			if strings.Contains(n, h.part) {
				return h.provider
			}
			continue
		}
		for _, w := range strings.Split(n, "_") {
			if w == h.part {
				return h.provider
			}
		}
	}
	return ""
}
