package internal

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMELibrarySnippet compiles and runs the Go snippet of the
// README's Library section as a program of a module that requires aigov
// (replaced by this checkout), so the README cannot drift from the API.
func TestREADMELibrarySnippet(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, library, ok := strings.Cut(string(readme), "\n## Library\n")
	if !ok {
		t.Fatal("README has no Library section")
	}
	block := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(library)
	if block == nil {
		t.Fatal("the Library section has no Go snippet")
	}
	imports, body, ok := strings.Cut(block[1], ")\n")
	if !ok || !strings.HasPrefix(imports, "import (") {
		t.Fatalf("the snippet does not start with an import block:\n%s", block[1])
	}
	program := "package main\n\n" + strings.Replace(imports, "import (", "import (\n\t\"fmt\"\n\t\"os\"\n", 1) + ")\n\n" +
		"func run() error {\n" + body + "\treturn nil\n}\n\n" +
		"func main() {\n\tif err := run(); err != nil {\n\t\tfmt.Println(\"error:\", err)\n\t\tos.Exit(1)\n\t}\n}\n"

	dir := t.TempDir()
	goMod := "module readmesnippet\n\ngo 1.26\n\nrequire github.com/aigov/aigov v0.0.0\n\nreplace github.com/aigov/aigov => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"go.mod": []byte(goMod), "go.sum": sum, "main.go": []byte(program)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "snippet")
	build := exec.Command("go", "build", "-mod=mod", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the README's Library snippet does not compile: %v\n%s\nprogram:\n%s", err, out, program)
	}
	run := exec.Command(bin)
	run.Dir = root // the snippet reads examples/multitenant
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatalf("the README's Library snippet fails: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "critical") {
		t.Errorf("the snippet printed no critical finding on the example platform:\n%s", stdout.String())
	}
	// With a policy file: exactly what it lists.
	run = exec.Command(bin, filepath.Join(root, "examples", "vapgen", "policy.yaml"))
	run.Dir = root
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("the snippet with a policy file fails: %v\n%s", err, out)
	}
}
