package governance

import (
	"runtime"

	"github.com/aigov/aigov/governance/internal/manifest"
)

// decodeDocuments decodes the documents of file name on up to GOMAXPROCS
// goroutines. Splitting a file is cheap and done before; decoding a
// document (YAML to a JSON tree to a typed object) is most of a load and
// needs nothing from the other documents. The objects and errors are
// those of decoding the documents one after the other, in the same order:
// each document's results are kept at its index and joined at the end.
// At most one document per goroutine is being decoded at a time, each
// goroutine with its own scratch space, so the memory beyond the results
// grows with the goroutines, not with the file.
func (d *Decoder) decodeDocuments(name string, docs []manifest.Document) ([]*Object, ErrorList) {
	workers := min(runtime.GOMAXPROCS(0), len(docs))
	if workers <= 1 {
		var objs []*Object
		var errs ErrorList
		w, yp := &manifest.Writer{}, &manifest.BlockParser{}
		for i := range docs {
			o, e := d.decodeFileDocument(w, yp, name, docs, i)
			objs = append(objs, o...)
			errs = append(errs, e...)
		}
		return objs, errs
	}
	type result struct {
		objs []*Object
		errs ErrorList
	}
	results := make([]result, len(docs))
	forEachIndex(workers, len(docs), func() func(int) {
		w, yp := &manifest.Writer{}, &manifest.BlockParser{}
		return func(i int) {
			o, e := d.decodeFileDocument(w, yp, name, docs, i)
			results[i] = result{o, e}
		}
	})
	var nobjs, nerrs int
	for _, r := range results {
		nobjs += len(r.objs)
		nerrs += len(r.errs)
	}
	var objs []*Object
	var errs ErrorList
	if nobjs > 0 {
		objs = make([]*Object, 0, nobjs)
	}
	if nerrs > 0 {
		errs = make(ErrorList, 0, nerrs)
	}
	for i, r := range results {
		objs = append(objs, r.objs...)
		errs = append(errs, r.errs...)
		results[i] = result{} // the joined slices hold them now
	}
	return objs, errs
}
