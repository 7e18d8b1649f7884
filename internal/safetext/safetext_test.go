package safetext

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLineAndBlock(t *testing.T) {
	for _, tc := range []struct {
		in, line, block string
	}{
		{"llm-server", "llm-server", "llm-server"},
		{"héllo ✓ 日本", "héllo ✓ 日本", "héllo ✓ 日本"},
		{"a\nb", `a\nb`, "a\nb"},
		{"a\tb", `a\tb`, "a\tb"},
		{"fake\rno findings", `fake\rno findings`, `fake\rno findings`},
		{"\x1b[2Jcleared", `\x1b[2Jcleared`, `\x1b[2Jcleared`},
		{"bell\a", `bell\x07`, `bell\x07`},
		{"del\x7f", `del\x7f`, `del\x7f`},
		{"c1\u009b31m", `c1\u009b31m`, `c1\u009b31m`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`, `evil\u202etxt.exe`},
		{"iso\u2066x\u2069", `iso\u2066x\u2069`, `iso\u2066x\u2069`},
		{"bad\xffutf8", `bad\xffutf8`, `bad\xffutf8`},
		{"nul\x00", `nul\x00`, `nul\x00`},
	} {
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
		if got := Block(tc.in); got != tc.block {
			t.Errorf("Block(%q) = %q, want %q", tc.in, got, tc.block)
		}
	}
}

// TestWriterSplitRunes writes text one byte at a time: multi-byte
// characters must come out whole, unsafe ones escaped.
func TestWriterSplitRunes(t *testing.T) {
	in := "ok ✓ 日本\u202e \x1b[0m\u009b end\n"
	var out bytes.Buffer
	w := NewWriter(&out)
	for i := 0; i < len(in); i++ {
		n, err := w.Write([]byte{in[i]})
		if err != nil || n != 1 {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), Block(in); got != want {
		t.Errorf("byte-wise write = %q, want %q", got, want)
	}
}

func TestWriterFlushIncomplete(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	if _, err := w.Write([]byte("x\xe2\x80")); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "x" {
		t.Fatalf("before Flush: %q, want the incomplete sequence held back", got)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != `x\xe2\x80` {
		t.Errorf("after Flush: %q", got)
	}
}

// TestWriterKeepsJSON checks that JSON passes unchanged except for
// characters that Go's encoder leaves raw (C1 controls, bidi controls),
// which become \u escapes that decode to the same string.
func TestWriterKeepsJSON(t *testing.T) {
	values := []string{"plain", "tab\tnew\nline", "\x1b[2J", "ctl\u009b", "rtl\u202e", "日本"}
	js, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := NewWriter(&out)
	if _, err := w.Write(js); err != nil {
		t.Fatal(err)
	}
	var back []string
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatalf("escaped JSON no longer decodes: %v\n%s", err, out.String())
	}
	for i := range values {
		if back[i] != values[i] {
			t.Errorf("value %d: %q, want %q", i, back[i], values[i])
		}
	}
	if strings.ContainsRune(out.String(), '\u202e') || strings.ContainsRune(out.String(), '\u009b') {
		t.Errorf("raw control characters left: %q", out.String())
	}
}

func FuzzWriter(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\x1b[2J", "\xe2\x80\xae", "\xf0\x9f", "x\u009by"} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		if chunk <= 0 {
			chunk = 1
		}
		var out bytes.Buffer
		w := NewWriter(&out)
		for i := 0; i < len(data); i += chunk {
			end := min(i+chunk, len(data))
			if _, err := w.Write(data[i:end]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if want := Block(string(data)); got != want {
			t.Fatalf("chunked %d: %q, want %q", chunk, got, want)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("output is not UTF-8: %q", got)
		}
		for _, r := range got {
			if unsafeRune(r, true) {
				t.Fatalf("unsafe rune %U left in %q", r, got)
			}
		}
	})
}
