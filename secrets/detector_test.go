package secrets

import (
	"strings"
	"testing"
)

func TestDetectorsFindEveryProviderShape(t *testing.T) {
	set, err := NewDetectorSet(Detectors())
	if err != nil {
		t.Fatal(err)
	}
	keys := fakeKeys()
	for _, d := range Detectors() {
		key, ok := keys[d.ID]
		if !ok {
			t.Errorf("no fake key for detector %s", d.ID)
			continue
		}
		name := contextNames[d.ID]
		t.Run(d.ID, func(t *testing.T) {
			// alone, quoted in a line, and inside a JSON document
			for _, text := range []string{key, "KEY=" + key + " # x", `{"k":"` + key + `"}`} {
				if d.Whole && text != key {
					continue
				}
				ms := set.Find(name, text)
				if len(ms) != 1 || ms[0].Detector != d.ID || text[ms[0].Start:ms[0].End] != key {
					t.Errorf("Find(%q, …%d chars) = %+v, want one %s match of the key", name, len(text), ms, d.ID)
				}
			}
			// true negatives: one character short or long (no token
			// boundary), a run of one character, a placeholder
			negatives := map[string]string{
				"short":       key[:len(key)-1],
				"long":        key + "Q",
				"prefixed":    "Q" + key,
				"repeated":    repeat(key),
				"placeholder": key[:len(key)-7] + "EXAMPLE",
			}
			if d.Whole {
				negatives["other name"] = key
			}
			if variableLength[d.ID] {
				delete(negatives, "short")
				delete(negatives, "long")
			}
			for what, text := range negatives {
				n := name
				if what == "other name" {
					n = "SOME_VALUE"
				}
				for _, m := range set.Find(n, text) {
					if m.Detector == d.ID {
						t.Errorf("%s: found %s in a look-alike", what, d.ID)
					}
				}
			}
		})
	}
}

// variableLength are the detectors whose formats allow a range of lengths.
var variableLength = map[string]bool{"aws-bedrock-api-key": true, "slack-token": true, "slack-app-token": true,
	"slack-webhook-url": true, "stripe-secret-key": true}

// repeat keeps the first quarter of the key (its prefix) and fills the
// rest with its last character: the right length, too little entropy.
func repeat(key string) string {
	q := len(key) / 4
	return key[:q] + strings.Repeat(key[len(key)-1:], len(key)-q)
}

func TestExampleKeyOfTheMultitenantPlatform(t *testing.T) {
	// The example platform's key is read from its manifest, not repeated here.
	inv := loadDir(t, "../examples/multitenant")
	s, err := NewScanner(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range s.Scan(inv, OriginSource) {
		if f.Rule == IDLiteralProviderKey {
			got = append(got, f.Object.Namespace+" "+f.Object.String()+" "+f.Path+" "+f.Provider)
		}
	}
	want := "platform Deployment/ai-gateway spec.template.spec.containers[0].env[0].value openai"
	if len(got) != 1 || got[0] != want {
		t.Errorf("provider keys %q, want [%s]", got, want)
	}
}

func TestNewDetectorSetValidates(t *testing.T) {
	ok := Detector{ID: "x", Provider: "p", Pattern: "x[0-9]+", Keywords: []string{"x"}}
	for name, ds := range map[string][]Detector{
		"no id":       {{Provider: "p", Pattern: "x"}},
		"duplicate":   {ok, ok},
		"no provider": {{ID: "x", Pattern: "x"}},
		"no pattern":  {{ID: "x", Provider: "p"}},
		"bad regexp":  {{ID: "x", Provider: "p", Pattern: "("}},
		"empty match": {{ID: "x", Provider: "p", Pattern: "a*"}},
		"bad name":    {{ID: "x", Provider: "p", Pattern: "a", NameContext: "("}},
	} {
		if _, err := NewDetectorSet(ds); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewDetectorSet([]Detector{ok}); err != nil {
		t.Error(err)
	}
}

func TestPlaceholders(t *testing.T) {
	for _, v := range []string{"", "${OPENAI_API_KEY}", "$HF_TOKEN", "$(DB_PASSWORD)", "{{ .Values.key }}",
		"<replace-with-hf-token>", "%API_KEY%", "changeme", "my-example-key", "REDACTED", "xxxxxxxx", "********",
		"aaaaaaaaaaaa", "sk-proj-abc...", "your-api-key-here", "dummy-token", "Sample123"} {
		if !IsPlaceholder(v) {
			t.Errorf("IsPlaceholder(%q) = false", v)
		}
	}
	for _, v := range []string{"q8Zr2LmV7xKp4TnW", fake("p", 40, alnum), "s3cr3t-v4lu3"} {
		if IsPlaceholder(v) {
			t.Errorf("IsPlaceholder(%q) = true", v)
		}
	}
}

func TestEntropy(t *testing.T) {
	if e := Entropy("aaaa"); e != 0 {
		t.Errorf("Entropy(aaaa) = %v", e)
	}
	if e := Entropy("abcd"); e != 2 {
		t.Errorf("Entropy(abcd) = %v", e)
	}
	if e := Entropy(fake("e", 64, alnum)); e < 4.5 {
		t.Errorf("entropy of a random key %v", e)
	}
}

func TestSensitiveNameAndProviderHint(t *testing.T) {
	for name, want := range map[string]bool{
		"OPENAI_API_KEY": true, "HF_TOKEN": true, "db.password": true, "passwd": true, "clientSecret": true,
		"AWS_SECRET_ACCESS_KEY": true, "private-key": true, "authKey": true, "GCP_CREDENTIALS": true,
		"TOKEN_URL": false, "token_endpoint": false, "SECRET_FILE": false, "tokenPath": false, "SECRET_NAME": false,
		"password_min_length": false, "TOKEN_TTL": false, "API_KEY_ID": false, "AUTH_HEADER": false,
		"MODEL_NAME": false, "keys": false, "TOKENIZER": false, "tokenizer_mode": false,
	} {
		if got := SensitiveName(name); got != want {
			t.Errorf("SensitiveName(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]string{
		"OPENAI_API_KEY": "openai", "HF_TOKEN": "huggingface", "CO_API_KEY": "cohere", "COHERE_API_KEY": "cohere",
		"ANTHROPIC_API_KEY": "anthropic", "GEMINI_API_KEY": "google", "AWS_SECRET_ACCESS_KEY": "aws",
		"REPLICATE_API_TOKEN": "replicate", "GH_TOKEN": "github", "API_TOKEN": "", "WHFX_TOKEN": "",
	} {
		if got := ProviderHint(name); got != want {
			t.Errorf("ProviderHint(%q) = %q, want %q", name, got, want)
		}
	}
}
