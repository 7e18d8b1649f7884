package internal

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// projectWords are the project's bookkeeping, which means nothing to a
// reader of the package documentation.
var projectWords = regexp.MustCompile(`(?i)\bissue\s*#?\d+|\bissue target|\bthe issue('s)?\b`)

// TestNoProjectWordsInDocs: the Go source that go doc shows (every
// non-test file outside testdata) carries no project-management words.
func TestNoProjectWordsInDocs(t *testing.T) {
	root := ".."
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			if _, comment, ok := strings.Cut(line, "//"); ok && projectWords.MatchString(comment) {
				t.Errorf("%s:%d: project-management words in a comment: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d Go files checked: the walk missed the tree", checked)
	}
}
