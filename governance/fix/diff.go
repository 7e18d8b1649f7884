package fix

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// WriteDiff writes the unified diff (three lines of context, the form of
// `diff -u` and `git diff`) that turns old into new, headed "--- a/NAME"
// and "+++ b/NAME" so that `git apply` and `patch -p1` take it for relative
// names. Equal inputs write nothing.
func WriteDiff(w io.Writer, name string, old, new []byte) error {
	a, b := splitLines(old), splitLines(new)
	hunks := diffHunks(a, b, 3)
	if len(hunks) == 0 {
		return nil
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "--- a/%s\n+++ b/%s\n", name, name)
	for _, h := range hunks {
		fmt.Fprintf(&buf, "@@ -%s +%s @@\n", hunkRange(h.aStart, h.aLen), hunkRange(h.bStart, h.bLen))
		for _, l := range h.lines {
			buf.WriteString(l.text)
			if !strings.HasSuffix(l.text, "\n") {
				buf.WriteString("\n\\ No newline at end of file\n")
			}
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// hunkRange is the "start,len" of a hunk header; an empty range names the
// line before it, as diff does.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// splitLines cuts text after each line break; the last line may have none.
func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type diffLine struct {
	text string // with its prefix: ' ', '-' or '+'
}

type hunk struct {
	aStart, aLen, bStart, bLen int
	lines                      []diffLine
}

// opKind is one step of an edit script.
type opKind byte

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

// editScript returns the shortest edit script from a to b (Myers' O(ND)
// greedy algorithm), after the common prefix and suffix are taken off.
func editScript(a, b []string) []opKind {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	mid := myers(a[pre:len(a)-suf], b[pre:len(b)-suf])
	out := make([]opKind, 0, pre+len(mid)+suf)
	for range pre {
		out = append(out, opEqual)
	}
	out = append(out, mid...)
	for range suf {
		out = append(out, opEqual)
	}
	return out
}

func myers(a, b []string) []opKind {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		out := make([]opKind, 0, n+m)
		for range n {
			out = append(out, opDelete)
		}
		for range m {
			out = append(out, opInsert)
		}
		return out
	}
	max := n + m
	off := max
	v := make([]int, 2*max+2)
	var trace [][]int
	for d := 0; d <= max; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, v, n, m, off, d)
			}
		}
	}
	return nil // not reached: d = n+m always ends
}

// backtrack walks the saved frontiers back from (n, m) to (0, 0).
func backtrack(trace [][]int, last []int, n, m, off, dEnd int) []opKind {
	var rev []opKind
	x, y := n, m
	for d := dEnd; d > 0; d-- {
		v := trace[d] // frontier before step d
		k := x - y
		var prevK int
		if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := v[off+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, opEqual)
			x--
			y--
		}
		if x == prevX {
			rev = append(rev, opInsert)
		} else {
			rev = append(rev, opDelete)
		}
		x, y = prevX, prevY
	}
	for x > 0 && y > 0 {
		rev = append(rev, opEqual)
		x--
		y--
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// diffHunks groups the edit script into hunks with ctx lines of context.
func diffHunks(a, b []string, ctx int) []hunk {
	script := editScript(a, b)
	type pos struct {
		op     opKind
		ai, bi int
	}
	var steps []pos
	ai, bi := 0, 0
	for _, op := range script {
		steps = append(steps, pos{op, ai, bi})
		switch op {
		case opEqual:
			ai++
			bi++
		case opDelete:
			ai++
		case opInsert:
			bi++
		}
	}
	var hunks []hunk
	for i := 0; i < len(steps); {
		if steps[i].op == opEqual {
			i++
			continue
		}
		// A change at i: the hunk starts ctx equal lines before it and
		// runs until more than 2*ctx equal lines follow a change.
		start := max(0, i-ctx)
		for start < i && steps[start].op != opEqual {
			start++
		}
		end := i
		for end < len(steps) {
			if steps[end].op != opEqual {
				end++
				continue
			}
			run := end
			for run < len(steps) && steps[run].op == opEqual {
				run++
			}
			if run == len(steps) || run-end > 2*ctx {
				end = min(end+ctx, run)
				break
			}
			end = run
		}
		h := hunk{aStart: steps[start].ai, bStart: steps[start].bi}
		for _, s := range steps[start:end] {
			switch s.op {
			case opEqual:
				h.lines = append(h.lines, diffLine{" " + a[s.ai]})
				h.aLen++
				h.bLen++
			case opDelete:
				h.lines = append(h.lines, diffLine{"-" + a[s.ai]})
				h.aLen++
			case opInsert:
				h.lines = append(h.lines, diffLine{"+" + b[s.bi]})
				h.bLen++
			}
		}
		hunks = append(hunks, h)
		i = end
	}
	return hunks
}
