package manifest

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yamlv2 "go.yaml.in/yaml/v2"

	"github.com/aigov/aigov/internal/gen"
)

// checkBlockYAML parses doc with the block parser and, when it accepts the
// document, requires go-yaml's tree (ParseYAML without the block parser) to
// be the same, type for type. It returns whether the block parser accepted.
func checkBlockYAML(t *testing.T, p *BlockParser, doc []byte) bool {
	t.Helper()
	got, ok := p.parse(doc)
	if !ok {
		return false
	}
	var want yamlv2.MapSlice
	if err := yamlv2.UnmarshalStrict(doc, &want); err != nil {
		t.Fatalf("%q: block parser accepts, go-yaml refuses: %v", doc, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n block   %#v\n go-yaml %#v", doc, got, want)
	}
	// And the same JSON as the loader's go-yaml path.
	tree, err := ParseYAML(nil, doc)
	if err != nil {
		t.Fatalf("%q: block parser accepts, ParseYAML refuses: %v", doc, err)
	}
	w := &Writer{limit: MaxDocumentBytes}
	wantJSON, wantErr := w.Encode(tree, 1)
	wantJSON = bytes.Clone(wantJSON)
	gotJSON, err := w.Encode(got, 1)
	if err != nil || wantErr != nil || !bytes.Equal(gotJSON, wantJSON) {
		t.Fatalf("%q: JSON %s (%v), go-yaml's %s (%v)", doc, gotJSON, err, wantJSON, wantErr)
	}
	return true
}

func TestBlockYAMLMatchesGoYAML(t *testing.T) {
	accepted := []string{
		"a: 1\n",
		"a: 1",
		"  a: 1\n  b: 2\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    app: web\n",
		"a:\n- 1\n- b\n-  c d\n",
		"a:\n  - x\n  -   y\n  -\n    k: v\n  -\n  - k: v\n    l:\n    - m\n    p: o\n",
		"k: v\nl:\n- m\nq: o\n",
		"a: y\nb: n\nc: Y\n",
		"a: b # comment\nc: d#e\n# full\n   # indented comment\nf: 'g' # c\n",
		"a: 1\nb: -2\nc: 1.5\nd: 1e3\ne: 0x1F\nf: 0o17\ng: 017\nh: 1_000\ni: +7\nj: 0b101\nk: -0b11\nl: .5\nm: 1.\n",
		"a: 9223372036854775807\nb: 9223372036854775808\nc: 18446744073709551616\nd: -9223372036854775809\n",
		"a: yes\nb: No\nc: on\nd: OFF\ne: TRUE\nf: ~\ng: null\nh: ''\ni: 'y'\nj: y\nk: n\nl: Yes please\n",
		"a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\nc: 1.2.3\nd: 10.0.0.1\ne: 500m\nf: 2Gi\ng: 1e\nh: 0x\n",
		"a: \"\\t\\n\\r\\\\ \\\" \\x41 \\u00e9 \\U0001F600 \\N\\_\\L\\P\\0\\a\\b\\e\\f\\v\\ \\'\"\nb: 'it''s'\nc: \"\"\nd: ''\n",
		"a: |\n  line 1\n\n  line 3\nb: |-\n  strip\n\n\nc: |+\n  keep\n\n\nd: |\n\n  lead\ne: | # comment\n    deep\n      deeper\n  # a comment after\n",
		"a:\n  b: |\n    x\n    # not a comment\n  c: 1\n",
		"a: [1, b, 'c', \"d\", -1.5, true]\nb: []\nc: {}\nd: {k: v, 'l': 2}\ne: [ a , b ]\n",
		"a: http://x:8080/path\nb: a:b\nc: x [y] {z}, w\nd: --flag=1\ne: \"x: y\"\nf: 'a # b'\n",
		"a   : 1\n\"b\" : 2\n'c': 3\n-d: 4\n",
		"a:\n\n\n  b: 1\n\n",
		"a:\n# comment between\n  b: 1\n",
		"a:\nb:\n",
		"a: b!c\n",
		"a: b\n  c\n",
		"a: 'b\n  c'\n",
		"a: [[1], {b: [c, {d: e}]}, []]\n",
		"a: b\n  - c\n  'd' {e}\n\n\n  f # g\nh: i\n",
		"a:\n- b\n  c\n- \"d\n  e \\t\n\n   f\"\n",
		"a: 'b  \n   c '' d\n\n  e'  # x\nf: \"g\\  \n  h\"\n",
		"a: \"# not a comment\n  # nor this\"\n",
		"k: 1\n  2\n",
		"a: x<<y\n",
	}
	refused := []string{
		"a: &x 1\nb: *x\n",
		"- 1\n",
		"a: ! b\n",
		"n: o\n",
		"a:\n- - nested\n",
		"a: -\n",
		"a: !!str 1\n",
		"<<: {a: 1}\n",
		"a: >\n  folded\n",
		"a: |2\n   x\n",
		"a: [1,\n  2]\n",
		"a: 'b\nc'\n",
		"a: \"b\\\n  c\"\n",
		"a: b\n  c: d\n",
		"a: [system:masters]\n",
		"a: {b:c}\n",
		"? a\n: b\n",
		"1: a\n",
		"true: a\n",
		"a: 1\na: 2\n",
		"a:\tb\n",
		"a: b\r\n",
		"a: caf\xc3\xa9\n",
		"--- \na: 1\n",
		"a: .nan\n",
		"a: b: c\n",
		"a: b:\n",
		"a: 'b'c\n",
		"a: 1\n- b\n",
		"a: 1\n  b: 2\n",
		"a:\n    b: 1\n  c: 2\n",
		"- a\n- b\n",
		"a: |\n  x",
		"a: \"\\q\"\n",
		"a: \"\\ud800\"\n",
		"a: [1,]\n",
		"a: {b: 1, b: 2}\n",
		"a: @b\n",
		"a: %b\n",
		"a:\n  just a scalar\n",
		"a: - b\n",
		"a: |\n    x\n  y\n",
		"a: |\n     \n  x\n",
	}
	p := &BlockParser{}
	for _, doc := range accepted {
		if !checkBlockYAML(t, p, []byte(doc)) {
			t.Errorf("%q: block parser refuses it", doc)
		}
	}
	for _, doc := range refused {
		if checkBlockYAML(t, p, []byte(doc)) {
			t.Errorf("%q: block parser accepts it, want go-yaml's path", doc)
		}
	}
}

// Every YAML document of the repository and of the synthetic cluster gets
// the same tree from the block parser; the synthetic cluster and the example
// platform are read by the block parser (the loader's speed rests on it).
func TestBlockYAMLOnRepositoryManifests(t *testing.T) {
	p := &BlockParser{}
	check := func(name string, data []byte) (docs, accepted int) {
		for _, doc := range splitYAML(data) {
			if IsBlank(doc.Data) {
				continue
			}
			docs++
			if checkBlockYAML(t, p, doc.Data) {
				accepted++
			}
		}
		return docs, accepted
	}
	cluster := gen.Cluster(gen.Options{Seed: 3, Namespaces: 5, WorkloadsPerNamespace: 10, PodsPerWorkload: 2, GPUFraction: 0.5, ClusterRoles: 5})
	if docs, accepted := check("cluster", cluster); accepted != docs {
		t.Errorf("synthetic cluster: block parser read %d of %d documents", accepted, docs)
	}
	var all, read int
	root := filepath.Join("..", "..", "..") // the repository
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (strings.HasPrefix(e.Name(), ".") && path != root || e.Name() == "fuzz") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); e.IsDir() || ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if CheckText(data) != nil {
			return nil
		}
		docs, accepted := check(path, data)
		if strings.HasPrefix(filepath.ToSlash(path), "../../../examples/multitenant/") && accepted != docs {
			t.Errorf("%s: block parser read %d of %d documents", path, accepted, docs)
		}
		all, read = all+docs, read+accepted
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("block parser read %d of the repository's %d YAML documents", read, all)
}

// FuzzBlockYAML checks the block parser against go-yaml on arbitrary
// documents: whatever it accepts, go-yaml reads to the same tree.
func FuzzBlockYAML(f *testing.F) {
	for _, seed := range []string{
		"a: 1\n", "a:\n- b\n- c: d\n  e: [f, 'g']\n", "a: |\n  x\n\n  y\nb: |-\n  z\n", "a: \"\\u00e9\"\nb: 'c''d'\n",
		"a: 0x1F\nb: 1_0\nc: .5\nd: 1e3\ne: on\n", "a: {b: c}\nd: []\n", "- a\n", "a: b # c\n",
		"a: b\n  c\n\n  d\ne: 'f\n  g'\n", "a: [b, {c: [d]}]\n", "a: \"b\\x41\n  c\"\n", "a:\n  - b: |+\n      c\n\n    d: e\n",
	} {
		f.Add([]byte(seed))
	}
	p := &BlockParser{}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 1<<16 {
			return
		}
		checkBlockYAML(t, p, doc)
	})
}

// randomYAML writes a random document of the shapes the block parser reads
// (and some it refuses), with tricky scalars, comments, blank lines and
// varying indentation.
type randomYAML struct {
	rng *rand.Rand
	b   strings.Builder
}

var trickyScalars = []string{
	"a", "b c", "y", "n", "Yes", "off", "~", "null", "0", "-1", "+1", "017", "0o17", "0x1F", "0b101", "-0b11", "1_000",
	"1e3", "1.", ".5", "-.5", "6.8523015e+5", "9223372036854775808", "18446744073709551616", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
	"500m", "2Gi", "1.2.3", "10.0.0.1", "a:b", "http://x:80/", "a#b", "a #b", "--flag=1", "-x", "x [y] {z}, w", "'q'", "'it''s'",
	`"e\u00e9\t\\"`, `""`, `''`, "[]", "{}", "[a, 'b', 1]", "{k: v, 'l': [m, {o: 1}]}",
	"\"multi\n  line\"", "plain\n  continued", "'single\n\n  folded'", "x\n  - y",
}

// refusedScalars are values the block parser leaves to go-yaml.
var refusedScalars = []string{"a: b", ".inf", "<<", "!x", "&a", "*a", "? x", "-", "@x", "%x", "[a:b]", "{a:b}", "[a,]"}

func (r *randomYAML) indent(n int) { r.b.WriteString(strings.Repeat(" ", n)) }

func (r *randomYAML) comment() {
	switch r.rng.IntN(12) {
	case 0:
		r.b.WriteString("\n")
	case 1:
		r.indent(r.rng.IntN(6))
		r.b.WriteString("# note: x\n")
	}
}

func (r *randomYAML) key() string {
	if r.rng.IntN(40) == 0 {
		refused := []string{"on", "1", "n", "? a", "<<", "[a]"}
		return refused[r.rng.IntN(len(refused))]
	}
	keys := []string{"name", "image", "a", "b-c", "x.y/z", "'q'", `"d"`, "k k", "app.kubernetes.io/name", "-a", "a:b"}
	return keys[r.rng.IntN(len(keys))]
}

func (r *randomYAML) scalar() string {
	if r.rng.IntN(40) == 0 {
		return refusedScalars[r.rng.IntN(len(refusedScalars))]
	}
	return trickyScalars[r.rng.IntN(len(trickyScalars))]
}

// mapping writes a block mapping at column col; the first key's line
// prefix is already written when inline.
func (r *randomYAML) mapping(col, depth int, inline bool) {
	n := 1 + r.rng.IntN(4)
	for i := 0; i < n; i++ {
		if i > 0 || !inline {
			r.comment()
			r.indent(col)
		}
		r.b.WriteString(r.key())
		r.b.WriteString(":")
		r.value(col, depth)
	}
}

func (r *randomYAML) value(col, depth int) {
	switch k := r.rng.IntN(10); {
	case depth < 4 && k < 3:
		r.b.WriteString("\n")
		r.comment()
		r.mapping(col+1+r.rng.IntN(3), depth+1, false)
	case depth < 4 && k < 5:
		r.b.WriteString("\n")
		r.comment()
		inner := col
		if r.rng.IntN(2) == 0 {
			inner += 2
		}
		r.sequence(inner, depth+1)
	case k == 5:
		r.b.WriteString(" |")
		r.b.WriteString([]string{"", "-", "+"}[r.rng.IntN(3)])
		r.b.WriteString("\n")
		ind := col + 1 + r.rng.IntN(3)
		for j := 0; j < 1+r.rng.IntN(3); j++ {
			if r.rng.IntN(4) == 0 {
				r.b.WriteString("\n")
			}
			r.indent(ind + r.rng.IntN(2))
			r.b.WriteString(r.scalar())
			r.b.WriteString("\n")
		}
	default:
		r.b.WriteString(" ")
		s := r.scalar()
		r.b.WriteString(strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", col)))
		if r.rng.IntN(5) == 0 {
			r.b.WriteString(" # c")
		}
		r.b.WriteString("\n")
	}
}

func (r *randomYAML) sequence(col, depth int) {
	n := 1 + r.rng.IntN(3)
	for i := 0; i < n; i++ {
		r.comment()
		r.indent(col)
		r.b.WriteString("-")
		if r.rng.IntN(3) == 0 {
			r.b.WriteString(" ")
			r.mapping(col+2, depth+1, true)
			continue
		}
		r.value(col, depth)
	}
}

// The block parser and go-yaml agree on thousands of random documents of
// the shapes manifests have, and the block parser reads most of them.
func TestBlockYAMLRandomDocuments(t *testing.T) {
	p := &BlockParser{}
	r := &randomYAML{rng: rand.New(rand.NewPCG(1, 2))}
	const n = 20000
	accepted := 0
	for i := 0; i < n; i++ {
		r.b.Reset()
		r.mapping(r.rng.IntN(2), 0, false)
		if checkBlockYAML(t, p, []byte(r.b.String())) {
			accepted++
		}
	}
	t.Logf("block parser read %d of %d random documents", accepted, n)
	if accepted < n/10 {
		t.Errorf("block parser read only %d of %d random documents: the generator no longer exercises it", accepted, n)
	}
}

// BenchmarkParseYAML compares the block parser with go-yaml on the
// documents of the 10,000-object inventory of BenchmarkLoad10k.
//
//	go test -run '^$' -bench ParseYAML -benchmem -cpu 1 ./governance/
func BenchmarkParseYAML(b *testing.B) {
	data := gen.Cluster(gen.Options{Seed: 1, Namespaces: 55, WorkloadsPerNamespace: 20, PodsPerWorkload: 3, GPUFraction: 0.3, ClusterRoles: 50})
	docs := splitYAML(data)
	for _, parser := range []struct {
		name string
		yp   *BlockParser
	}{{"block", &BlockParser{}}, {"go-yaml", nil}} {
		b.Run(parser.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				for _, doc := range docs {
					if _, err := ParseYAML(parser.yp, doc.Data); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// TestBlockYAMLCorpus compares the block parser with go-yaml on every YAML
// document of the Go module cache (this project's dependencies and, once
// internal/testenv's control plane is built, k8s.io/kubernetes: thousands
// of real manifests, fixtures and addons), or of the directory
// AIGOV_YAML_CORPUS names.
//
//	AIGOV_YAML_CORPUS=DIR go test -run BlockYAMLCorpus -v ./governance/
func TestBlockYAMLCorpus(t *testing.T) {
	root := os.Getenv("AIGOV_YAML_CORPUS")
	if root == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			t.Fatalf("go env GOMODCACHE: %v", err)
		}
		root = strings.TrimSpace(string(out))
	}
	p := &BlockParser{}
	var files, docs, read int
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil // unreadable directories are not the parser's concern
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil || CheckText(data) != nil || len(data) > MaxDocumentBytes {
			return nil
		}
		files++
		for _, doc := range splitYAML(data) {
			if IsBlank(doc.Data) {
				continue
			}
			docs++
			if checkBlockYAML(t, p, doc.Data) {
				read++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d files, %d documents: the block parser read %d, go-yaml the rest", root, files, docs, read)
	if read == 0 {
		t.Errorf("%s: no YAML document the block parser reads: not a corpus", root)
	}
}
