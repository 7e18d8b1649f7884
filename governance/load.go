package governance

import (
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
	decoder          *Decoder
}

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
// objects; pass what several Reads return to Build.
func (l *Loader) Read(path string) ([]*Object, ErrorList) { return l.loadPath(path) }

// Build finishes decoded objects (defaults, namespaces) and indexes them;
// errs are earlier decode errors to report with any duplicate-object errors.
func (l *Loader) Build(objs []*Object, errs ErrorList) (*Inventory, error) {
	return l.build(objs, errs)
}

// Decoder returns the loader's decoder.
func (l *Loader) Decoder() *Decoder { return l.decoder }

// Decode decodes one in-memory file into objects, with defaults applied and
// namespaces defaulted, without building an inventory.
func (l *Loader) Decode(name string, data []byte) ([]*Object, error) {
	objs, errs := l.decoder.DecodeFile(name, data)
	l.finish(objs)
	if len(errs) > 0 {
		return objs, errs
	}
	return objs, nil
}

func (l *Loader) build(objs []*Object, errs ErrorList) (*Inventory, error) {
	l.finish(objs)
	inv, err := NewInventory(objs)
	var dupErrs ErrorList
	if errors.As(err, &dupErrs) {
		errs = append(errs, dupErrs...)
	}
	if len(errs) > 0 {
		return inv, errs
	}
	return inv, nil
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
		data, err := readLimited(in)
		if err != nil {
			return nil, ErrorList{{Source: Source{File: "-", Item: -1}, Err: err}}
		}
		return l.decoder.DecodeFile("-", data)
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, ErrorList{{Source: Source{File: p, Item: -1}, Err: err}}
	}
	if !info.IsDir() {
		return l.loadFile(p)
	}
	files, err := l.manifestFiles(p)
	if err != nil {
		return nil, ErrorList{{Source: Source{File: p, Item: -1}, Err: err}}
	}
	var objs []*Object
	var errs ErrorList
	for _, f := range files {
		o, e := l.loadFile(f)
		objs = append(objs, o...)
		errs = append(errs, e...)
	}
	return objs, errs
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
	f, err := os.Open(path)
	if err != nil {
		return nil, ErrorList{{Source: Source{File: path, Item: -1}, Err: err}}
	}
	defer f.Close()
	data, err := readLimited(f)
	if err != nil {
		return nil, ErrorList{{Source: Source{File: path, Item: -1}, Err: err}}
	}
	return l.decoder.DecodeFile(path, data)
}

// MaxFileBytes bounds one input file (or standard input).
const MaxFileBytes = 256 << 20

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("file is larger than %d bytes (256 MiB)", MaxFileBytes)
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
