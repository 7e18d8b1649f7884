package governance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Loader reads manifests the way kubectl does: files, directories (their own
// .yaml, .yml and .json files, or the whole tree with Recursive) and "-" for
// standard input.
type Loader struct {
	// Recursive descends into sub-directories, like kubectl -R.
	Recursive bool
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// DefaultNamespace is given to namespaced objects without one (kubectl's
	// -n, else "default").
	DefaultNamespace string
	// Validation is what unknown and duplicate fields of API objects are
	// (see ValidationMode): input errors by default, as under kubectl's
	// default --validate=strict.
	Validation ValidationMode
	// MaxInputBytes bounds the bytes read from files and standard input
	// between two Builds (a Load is one): a Read that crosses it is an input
	// error naming the file. Zero means DefaultMaxInputBytes.
	MaxInputBytes int64
	// Progress, when set, is told of each file as reading it starts and
	// ends (see Progress).
	Progress   ProgressFunc
	decoder    *Decoder
	read       int64    // bytes read since the last Build
	overBudget bool     // the budget was crossed since the last Build
	progress   Progress // files and objects read since the last Build
}

// DefaultMaxInputBytes is the default Loader.MaxInputBytes: 1 GiB.
const DefaultMaxInputBytes = 1 << 30

// NewLoader returns a loader with its decoder built.
func NewLoader() (*Loader, error) {
	d, err := NewDecoder()
	if err != nil {
		return nil, err
	}
	return &Loader{decoder: d, DefaultNamespace: "default"}, nil
}

// Load reads every path and returns the inventory. When any document fails,
// it returns an ErrorList with every failure (file, document, line) and the
// inventory of what did load; callers treat that as an input error (exit 2).
// Problems that are not errors (see Validation, and directory entries that
// are not regular files) are in the inventory's Warnings.
func (l *Loader) Load(paths ...string) (*Inventory, error) {
	var objs []*Object
	var errs ErrorList
	for _, p := range paths {
		o, e := l.loadPath(p)
		objs = append(objs, o...)
		errs = append(errs, e...)
	}
	return l.build(objs, errs)
}

// LoadBytes decodes one in-memory file named name.
func (l *Loader) LoadBytes(name string, data []byte) (*Inventory, error) {
	objs, errs := l.decoder.DecodeFile(name, data)
	return l.build(objs, errs)
}

// Read decodes one path (file, directory or "-") without finishing the
// objects; pass what several Reads return to Build, which also sorts the
// returned problems into errors and warnings (see Validation). A directory's
// entries that are not regular files (FIFOs, sockets, devices) are skipped
// with a warning; a path named explicitly that is not a regular file or a
// directory is an error.
func (l *Loader) Read(path string) ([]*Object, ErrorList) { return l.loadPath(path) }

// Build finishes decoded objects (defaults, namespaces) and indexes them;
// errs are earlier decode errors to report with any duplicate-object errors.
func (l *Loader) Build(objs []*Object, errs ErrorList) (*Inventory, error) {
	return l.build(objs, errs)
}

// Decoder returns the loader's decoder.
func (l *Loader) Decoder() *Decoder { return l.decoder }

// Decode decodes one in-memory file into objects, with defaults applied and
// namespaces defaulted, without building an inventory. Warnings (see
// Validation) are dropped.
func (l *Loader) Decode(name string, data []byte) ([]*Object, error) {
	objs, errs := l.decoder.DecodeFile(name, data)
	l.finish(objs)
	if errs, _ = l.sort(errs); len(errs) > 0 {
		return objs, errs
	}
	return objs, nil
}

func (l *Loader) build(objs []*Object, errs ErrorList) (*Inventory, error) {
	l.read, l.overBudget, l.progress = 0, false, Progress{}
	errs, warnings := l.sort(errs)
	l.finish(objs)
	inv, err := NewInventory(objs)
	inv.Warnings = append(inv.Warnings, warnings...)
	var dupErrs ErrorList
	if errors.As(err, &dupErrs) {
		errs = append(errs, dupErrs...)
	}
	if len(errs) > 0 {
		return inv, errs
	}
	return inv, nil
}

// sort separates errors from warnings by the loader's Validation, dropping
// what it ignores.
func (l *Loader) sort(in ErrorList) (errs ErrorList, warnings []string) {
	for _, e := range in {
		switch classify(e, l.Validation) {
		case classError:
			errs = append(errs, e)
		case classWarning:
			warnings = append(warnings, e.Error())
		}
	}
	return errs, warnings
}

// finish applies defaults and gives namespaced objects the default namespace.
func (l *Loader) finish(objs []*Object) {
	crdScopes := customResourceScopes(objs)
	for _, o := range objs {
		ApplyDefaults(o)
		m := o.Meta()
		if m.GetNamespace() == "" && isNamespaced(o, crdScopes) {
			m.SetNamespace(l.DefaultNamespace)
		}
	}
}

func (l *Loader) loadPath(p string) ([]*Object, ErrorList) {
	if p == "-" {
		in := l.Stdin
		if in == nil {
			in = os.Stdin
		}
		if l.overBudget {
			return nil, nil
		}
		l.loadProgress("-", 0, false)
		data, err := l.readInput(in, 0)
		if err != nil {
			return nil, ErrorList{{Source: Source{File: "-", Item: -1}, Err: err}}
		}
		objs, errs := l.decoder.DecodeFile("-", data)
		l.loadProgress("-", len(objs), true)
		return objs, errs
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, ErrorList{{Source: Source{File: p, Item: -1}, Err: err}}
	}
	switch {
	case info.Mode().IsRegular():
		return l.loadFile(p)
	case !info.IsDir():
		return nil, ErrorList{{Source: Source{File: p, Item: -1},
			Err: fmt.Errorf("not a regular file (%s): reading it could block; give - to read standard input", fileType(info.Mode()))}}
	}
	files, err := l.manifestFiles(p)
	if err != nil {
		return nil, ErrorList{{Source: Source{File: p, Item: -1}, Err: err}}
	}
	var objs []*Object
	var errs ErrorList
	for _, f := range files {
		// Symbolic links are followed, as kubectl does.
		if info, err := os.Stat(f); err == nil && !info.Mode().IsRegular() {
			errs = append(errs, &InputError{Source: Source{File: f, Item: -1}, Err: &skippedFileError{mode: fileType(info.Mode())}})
			continue
		}
		o, e := l.loadFile(f)
		objs = append(objs, o...)
		errs = append(errs, e...)
	}
	return objs, errs
}

// fileType names the type of a file that is not a regular file.
func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.Type().String()
}

// manifestFiles lists a directory's .yaml, .yml and .json files in lexical
// order (all of the tree's when Recursive).
func (l *Loader) manifestFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && !l.Recursive {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

func (l *Loader) loadFile(path string) ([]*Object, ErrorList) {
	if l.overBudget {
		return nil, nil // the input error was reported once
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, ErrorList{{Source: Source{File: path, Item: -1}, Err: err}}
	}
	defer f.Close()
	// The path was a regular file when it was listed; it still must be.
	var size int64
	if info, err := f.Stat(); err == nil {
		if !info.Mode().IsRegular() {
			return nil, ErrorList{{Source: Source{File: path, Item: -1}, Err: fmt.Errorf("not a regular file (%s)", fileType(info.Mode()))}}
		}
		size = info.Size()
	}
	l.loadProgress(path, 0, false)
	data, err := l.readInput(f, size)
	if err != nil {
		return nil, ErrorList{{Source: Source{File: path, Item: -1}, Err: err}}
	}
	objs, errs := l.decoder.DecodeFile(path, data)
	l.loadProgress(path, len(objs), true)
	return objs, errs
}

// MaxFileBytes bounds one input file (or standard input).
const MaxFileBytes = 256 << 20

// readInput reads one file within MaxFileBytes and what is left of the
// loader's input budget. sizeHint is the file's size when known: the
// bytes are read into one buffer of that size (the objects keep slices of
// it for line numbers), where growing one by appending would copy the
// file about five times over and keep up to a quarter of it unused.
func (l *Loader) readInput(r io.Reader, sizeHint int64) ([]byte, error) {
	budget := l.MaxInputBytes
	if budget <= 0 {
		budget = DefaultMaxInputBytes
	}
	left := max(budget-l.read, 0)
	limit := min(MaxFileBytes, left) + 1
	var buf bytes.Buffer
	if sizeHint > 0 {
		// ReadFrom grows the buffer when less than MinRead bytes are
		// free: room for the file and the read that finds its end.
		buf.Grow(int(min(sizeHint, limit)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	data := buf.Bytes()
	if data == nil {
		data = []byte{} // as io.ReadAll returns an empty input
	}
	l.read += int64(len(data))
	if err != nil {
		return nil, err
	}
	switch {
	case len(data) > MaxFileBytes:
		return nil, fmt.Errorf("file is larger than %d bytes (256 MiB)", MaxFileBytes)
	case int64(len(data)) > left:
		l.overBudget = true
		return nil, fmt.Errorf("the inputs are larger than the input budget of %d bytes: this file crosses it (raise it with --max-input-bytes or Loader.MaxInputBytes); no further file was read", budget)
	}
	return data, nil
}

// customResourceScopes maps the kinds of CustomResourceDefinitions in the
// input to whether they are namespaced.
func customResourceScopes(objs []*Object) map[string]bool {
	out := map[string]bool{}
	for _, o := range objs {
		u, ok := o.Obj.(*unstructured.Unstructured)
		if !ok || o.GVK.Group != "apiextensions.k8s.io" || o.GVK.Kind != "CustomResourceDefinition" {
			continue
		}
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(u.Object, "spec", "scope")
		out[group+"/"+kind] = scope == "Namespaced"
	}
	return out
}
