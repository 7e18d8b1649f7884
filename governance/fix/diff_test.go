package fix

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestWriteDiff(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
	new := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n"
	var buf bytes.Buffer
	if err := WriteDiff(&buf, "x.yaml", []byte(old), []byte(new)); err != nil {
		t.Fatal(err)
	}
	want := `--- a/x.yaml
+++ b/x.yaml
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -11,3 +11,4 @@
 k
 l
 m
+n
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}

	buf.Reset()
	if err := WriteDiff(&buf, "x", []byte("same\n"), []byte("same\n")); err != nil || buf.Len() != 0 {
		t.Errorf("equal inputs wrote %q, %v", buf.String(), err)
	}
	buf.Reset()
	if err := WriteDiff(&buf, "x", []byte("a\nb"), []byte("a\nc\n")); err != nil {
		t.Fatal(err)
	}
	if want := "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"; buf.String() != want {
		t.Errorf("missing final newline: got\n%q\nwant\n%q", buf.String(), want)
	}
	buf.Reset()
	if err := WriteDiff(&buf, "x", nil, []byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if want := "--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+a\n"; buf.String() != want {
		t.Errorf("from empty: got\n%q\nwant\n%q", buf.String(), want)
	}
}

// TestDiffRoundTrip applies the diff of random edits to the old text and
// expects the new one, and checks that the script is minimal for small
// cases against the length of a longest common subsequence.
func TestDiffRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		a := randomLines(r, r.IntN(30))
		b := mutate(r, a)
		var buf bytes.Buffer
		if err := WriteDiff(&buf, "f", []byte(strings.Join(a, "")), []byte(strings.Join(b, ""))); err != nil {
			t.Fatal(err)
		}
		got, err := applyUnified(a, buf.String())
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, buf.String())
		}
		if strings.Join(got, "") != strings.Join(b, "") {
			t.Fatalf("case %d: patched text differs\ndiff:\n%s", i, buf.String())
		}
		changes := 0
		for _, op := range editScript(a, b) {
			if op != opEqual {
				changes++
			}
		}
		if want := len(a) + len(b) - 2*lcs(a, b); changes != want {
			t.Fatalf("case %d: %d changes, the shortest script has %d", i, changes, want)
		}
	}
}

func randomLines(r *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = string(rune('a'+r.IntN(4))) + "\n"
	}
	return out
}

func mutate(r *rand.Rand, a []string) []string {
	out := append([]string(nil), a...)
	for range r.IntN(6) {
		switch i := r.IntN(len(out) + 1); r.IntN(3) {
		case 0:
			out = append(out[:i], append([]string{string(rune('a'+r.IntN(5))) + "\n"}, out[i:]...)...)
		case 1:
			if i < len(out) {
				out = append(out[:i], out[i+1:]...)
			}
		case 2:
			if i < len(out) {
				out[i] = "x\n"
			}
		}
	}
	return out
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// applyUnified applies a unified diff to lines, checking every context
// and removed line.
func applyUnified(a []string, diff string) ([]string, error) {
	lines := strings.SplitAfter(diff, "\n")
	var out []string
	pos := 0
	for i := 2; i < len(lines) && lines[i] != ""; {
		var as, al, bs, bl int
		h := strings.TrimSuffix(lines[i], "\n")
		if _, err := fmt.Sscanf(h, "@@ -%s +%s @@", new(string), new(string)); err != nil {
			return nil, fmt.Errorf("bad hunk header %q", h)
		}
		parts := strings.Fields(h)
		as, al = rangeOf(parts[1][1:])
		bs, bl = rangeOf(parts[2][1:])
		_, _ = bs, bl
		start := as - 1
		if al == 0 {
			start = as
		}
		out = append(out, a[pos:start]...)
		pos = start
		for i++; i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@"); i++ {
			l := lines[i]
			switch l[0] {
			case ' ', '-':
				if pos >= len(a) || a[pos] != l[1:] {
					return nil, fmt.Errorf("line %d: %q does not match %q", pos+1, l[1:], a[pos:min(pos+1, len(a))])
				}
				if l[0] == ' ' {
					out = append(out, a[pos])
				}
				pos++
			case '+':
				out = append(out, l[1:])
			default:
				return nil, fmt.Errorf("bad diff line %q", l)
			}
		}
	}
	return append(out, a[pos:]...), nil
}

func rangeOf(s string) (int, int) {
	start, n, found := strings.Cut(s, ",")
	a, _ := strconv.Atoi(start)
	if !found {
		return a, 1
	}
	b, _ := strconv.Atoi(n)
	return a, b
}
