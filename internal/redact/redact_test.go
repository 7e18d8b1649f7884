package redact

import "testing"

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"ab":                    "a…",
		"Hunter2!":              "Hunt…",
		"ghp_0123456789abcdefg": "ghp_…",
		"日本語のパスワード":             "日本語の…",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValue(t *testing.T) {
	for in, want := range map[string]string{
		"three":                    "three",
		"http":                     "http",
		"team-a":                   "team-a",
		"Hunter2!":                 "Hunt…",
		"hunter222":                "hunt…",
		"sk-proj-abcdefghijklmnop": "sk-p…",
	} {
		if got := Value(in); got != want {
			t.Errorf("Value(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestField(t *testing.T) {
	for in, want := range map[string]string{
		"spec.ingress[0].prots":                        "spec.ingress[0].prots",
		"spec.template.spec.containerz":                "spec.template.spec.containerz",
		"metadata.annotations":                         "metadata.annotations",
		"ghp_0123456789abcdefghijABCDEFGHIJ0123456789": "ghp_…",
		"spec.AKIA0123456789ABCDEF":                    "spec.AKIA…",
		"data.sk-proj-0123456789abcdefXYZ[2]":          "data.sk-p…[2]",
		"spec.pass word":                               "spec.pass…",
	} {
		if got := Field(in); got != want {
			t.Errorf("Field(%q) = %q, want %q", in, got, want)
		}
	}
}
