package fakekey

import (
	"strings"
	"testing"
)

func TestMake(t *testing.T) {
	a := Make("d", "openai", 74, URLB64)
	if len(a) != 74 {
		t.Fatalf("len %d", len(a))
	}
	for _, c := range a {
		if !strings.ContainsRune(URLB64, c) {
			t.Fatalf("%q outside the alphabet", c)
		}
	}
	if a != Make("d", "openai", 74, URLB64) {
		t.Error("not deterministic")
	}
	if a == Make("other", "openai", 74, URLB64) || a == Make("d", "anthropic", 74, URLB64) {
		t.Error("domain or seed does not change the key")
	}
	if long := Make("d", "x", 200, Alnum); len(long) != 200 {
		t.Errorf("beyond one digest: len %d", len(long))
	}
}
