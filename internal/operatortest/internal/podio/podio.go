// Package podio holds what the commands of this test-only module share:
// reading the YAML files given as arguments document by document, and
// printing the result as indented JSON, or the error, the way
// governance/internal/operator's proof tests expect (JSON on standard
// output, a message on standard error and exit status 1 on failure).
package podio

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Main runs build on the command's file arguments and writes its result
// to stdout as indented JSON; on an error, or with no files, it prints
// "name: error" to standard error and exits with status 1.
func Main(name string, stdout io.Writer, build func(files []string) (any, error)) {
	files := os.Args[1:]
	if len(files) == 0 {
		fail(name, fmt.Errorf("usage: %s FILE.yaml...", name))
	}
	out, err := build(files)
	if err != nil {
		fail(name, err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fail(name, err)
	}
}

func fail(name string, err error) {
	fmt.Fprintln(os.Stderr, name+":", err)
	os.Exit(1)
}

// EachDocument calls fn on every non-empty YAML document of files, in
// order; an error of fn comes back prefixed with the file and the
// document's index.
func EachDocument(files []string, fn func(doc []byte) error) error {
	for _, f := range files {
		docs, err := ReadDocuments(f)
		if err != nil {
			return err
		}
		for i, doc := range docs {
			if err := fn(doc); err != nil {
				return fmt.Errorf("%s: document %d: %w", f, i, err)
			}
		}
	}
	return nil
}

// ReadDocuments splits a YAML file into its non-empty documents.
func ReadDocuments(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(bytes.TrimSpace(doc)) > 0 {
			docs = append(docs, doc)
		}
	}
}
