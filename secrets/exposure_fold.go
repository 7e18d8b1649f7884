package secrets

import (
	"encoding/json"
	"slices"
	"sort"

	"github.com/aigov/aigov/governance"
)

// EveryUsingWorkload is the Workload of a folded exec access: the subject
// may exec into the pods of every workload that uses the Secret (its
// UsedBy), each with the pod names FoldedSecret.Pods lists for it.
const EveryUsingWorkload = "*"

// FoldedExposureDocument is the JSON document of `aigov secrets exposure
// -o json`. Who can read a Secret is mostly the same for every Secret of a
// namespace (who may list Secrets or run pods there) and of the cluster
// (cluster admins): listed per Secret, the document grew with Secrets ×
// subjects × ways (483 MB for the 2,000 Secrets of a 10,000-pod platform
// with 100 cluster admins). So an access is listed once, at the widest
// level every Secret of which has it: EverySecret (every Secret of the
// input, when they span two namespaces or more), then Namespaces (every
// Secret of one namespace holding two or more), then the Secret itself.
// A Secret's accesses are the union of the three (Expand rebuilds
// Exposure's lists exactly).
type FoldedExposureDocument struct {
	SchemaVersion int `json:"schemaVersion"`
	// EverySecret holds the accesses every Secret of the input has.
	EverySecret *ExposureLevel `json:"everySecret,omitempty"`
	// Namespaces hold, per namespace, the accesses every Secret there has
	// that EverySecret does not list.
	Namespaces []ExposureLevel `json:"namespaces,omitempty"`
	// Secrets are sorted by namespace and name; [] when there is none.
	Secrets []FoldedSecret `json:"secrets"`
}

// ExposureLevel is a set of accesses shared by Secrets: every Secret of
// Namespace, or of the input when Namespace is empty. Secrets counts them.
type ExposureLevel struct {
	Namespace string   `json:"namespace,omitempty"`
	Secrets   int      `json:"secrets"`
	Access    []Access `json:"access"`
}

// FoldedSecret is one Secret of a FoldedExposureDocument: its accesses
// that no level lists.
type FoldedSecret struct {
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	UsedBy    []string `json:"usedBy,omitempty"`
	// Pods are, per workload of UsedBy, the pod names of the exec accesses
	// folded into one with Workload EveryUsingWorkload (set when the
	// Secret has such an access, at any level).
	Pods map[string][]string `json:"pods,omitempty"`
	// AccessCount is the number of accesses the Secret has in all: the
	// length of its list in Exposure's result.
	AccessCount int      `json:"accessCount"`
	Access      []Access `json:"access"`
}

// NewFoldedExposureDocument folds exposures (Exposure's result, sorted by
// namespace and name) into the document of `aigov secrets exposure -o
// json`.
//
// First, per Secret, a subject's exec accesses into each workload of
// UsedBy, alike but for the workload and with the pods every exec access
// of that workload names, become one access with Workload
// EveryUsingWorkload. Then an access is shared by a group of Secrets when
// each of them has it (a Secret no workload uses counts as having every
// EveryUsingWorkload access: it expands to nothing there).
func NewFoldedExposureDocument(exposures []SecretExposure) FoldedExposureDocument {
	f := newExposureFolder()
	for _, e := range exposures {
		f.add(e)
	}
	return f.document()
}

// FoldedExposure is NewFoldedExposureDocument(Exposure(inv, authz)),
// folding each Secret's answer as it is made rather than holding them
// all: at 50,000 pods with 100 cluster admins they took gigabytes.
func FoldedExposure(inv *governance.Inventory, authz Authorizer) FoldedExposureDocument {
	f := newExposureFolder()
	exposureEach(inv, authz, nil, f.add)
	return f.document()
}

// exposureFolder collects Secrets' accesses as numbers of distinct
// accesses (forms).
type exposureFolder struct {
	forms   accessForms
	secrets []foldedSecret
}

type foldedSecret struct {
	FoldedSecret
	ids    []int // its forms, in sortAccess order
	unused bool  // no workload uses it
}

func newExposureFolder() *exposureFolder {
	return &exposureFolder{forms: accessForms{index: map[string]int{}}}
}

func (f *exposureFolder) add(e SecretExposure) {
	folded, pods := foldExec(e)
	fs := foldedSecret{FoldedSecret: FoldedSecret{Namespace: e.Namespace, Name: e.Name, UsedBy: e.UsedBy, AccessCount: len(e.Access)},
		ids: make([]int, len(folded)), unused: len(e.UsedBy) == 0}
	everyWorkload := false
	for j, a := range folded {
		fs.ids[j] = f.forms.id(a)
		everyWorkload = everyWorkload || a.Workload == EveryUsingWorkload
	}
	if everyWorkload {
		fs.Pods = pods
	}
	f.secrets = append(f.secrets, fs)
}

// document sorts the Secrets by namespace and name and lists each form at
// the widest level every Secret of which has it.
func (f *exposureFolder) document() FoldedExposureDocument {
	per := f.secrets
	sort.SliceStable(per, func(i, j int) bool {
		if per[i].Namespace != per[j].Namespace {
			return per[i].Namespace < per[j].Namespace
		}
		return per[i].Name < per[j].Name
	})
	forms := &f.forms
	doc := FoldedExposureDocument{SchemaVersion: governance.SchemaVersion, Secrets: make([]FoldedSecret, 0, len(per))}
	// shared returns the forms every Secret of per[lo:hi] has, in the
	// order sortAccess gives.
	shared := func(lo, hi int, skip map[int]bool) []int {
		count := map[int]int{}
		unused := 0
		for _, s := range per[lo:hi] {
			for _, id := range s.ids {
				if !skip[id] {
					count[id]++
				}
			}
			if s.unused {
				unused++
			}
		}
		var out []int
		for id, n := range count {
			if forms.list[id].Workload == EveryUsingWorkload {
				n += unused
			}
			if n == hi-lo {
				out = append(out, id)
			}
		}
		forms.sort(out)
		return out
	}
	taken := map[int]bool{}
	if len(per) >= 2 && per[0].Namespace != per[len(per)-1].Namespace {
		if ids := shared(0, len(per), nil); len(ids) > 0 {
			doc.EverySecret = &ExposureLevel{Secrets: len(per), Access: forms.accesses(ids)}
			for _, id := range ids {
				taken[id] = true
			}
		}
	}
	for lo := 0; lo < len(per); {
		hi := lo + 1
		for hi < len(per) && per[hi].Namespace == per[lo].Namespace {
			hi++
		}
		nsTaken := taken
		if hi-lo >= 2 {
			if ids := shared(lo, hi, taken); len(ids) > 0 {
				doc.Namespaces = append(doc.Namespaces, ExposureLevel{Namespace: per[lo].Namespace, Secrets: hi - lo, Access: forms.accesses(ids)})
				nsTaken = make(map[int]bool, len(taken)+len(ids))
				for id := range taken {
					nsTaken[id] = true
				}
				for _, id := range ids {
					nsTaken[id] = true
				}
			}
		}
		for i := lo; i < hi; i++ {
			s := per[i].FoldedSecret
			s.Access = []Access{}
			for _, id := range per[i].ids {
				if !nsTaken[id] {
					s.Access = append(s.Access, forms.list[id])
				}
			}
			doc.Secrets = append(doc.Secrets, s)
		}
		lo = hi
	}
	return doc
}

// Expand returns the Secrets of d with all their accesses, as Exposure
// returned them: the union of the levels' and the Secret's own, every
// EveryUsingWorkload access one per workload of UsedBy.
func (d FoldedExposureDocument) Expand() []SecretExposure {
	byNamespace := map[string][]Access{}
	for _, l := range d.Namespaces {
		byNamespace[l.Namespace] = l.Access
	}
	out := make([]SecretExposure, 0, len(d.Secrets))
	for _, s := range d.Secrets {
		var all []Access
		if d.EverySecret != nil {
			all = append(all, d.EverySecret.Access...)
		}
		all = append(all, byNamespace[s.Namespace]...)
		all = append(all, s.Access...)
		e := SecretExposure{Namespace: s.Namespace, Name: s.Name, UsedBy: s.UsedBy, Access: []Access{}}
		for _, a := range all {
			if a.Via != ViaExec || a.Workload != EveryUsingWorkload {
				e.Access = append(e.Access, a)
				continue
			}
			for _, w := range s.UsedBy {
				one := a
				one.Workload, one.Pods = w, s.Pods[w]
				e.Access = append(e.Access, one)
			}
		}
		sortAccess(e.Access)
		out = append(out, e)
	}
	return out
}

// foldExec returns e's accesses with, per subject, the exec accesses into
// the workloads of e.UsedBy folded into one (Workload EveryUsingWorkload)
// when there is one for each workload, each naming the pods pods holds for
// it (the pod names e's exec accesses name, in first-seen order), and
// alike otherwise. The result keeps e's order.
func foldExec(e SecretExposure) ([]Access, map[string][]string) {
	if len(e.UsedBy) == 0 {
		return e.Access, nil
	}
	pods := map[string][]string{}
	bySubject := map[string][]int{}
	for i, a := range e.Access {
		if a.Via != ViaExec || !slices.Contains(e.UsedBy, a.Workload) {
			continue
		}
		if len(a.Pods) > 0 {
			pods[a.Workload] = appendNew(pods[a.Workload], a.Pods...)
		}
		k := subjectString(a.Subject) + "\x00" + a.Subject.APIGroup
		bySubject[k] = append(bySubject[k], i)
	}
	fold := map[int]bool{}  // exec accesses folded away
	first := map[int]bool{} // the first of each folded group, which stays
	for _, idx := range bySubject {
		if len(idx) != len(e.UsedBy) {
			continue
		}
		var key string
		ok := true
		for n, i := range idx {
			a := e.Access[i]
			if !slices.Equal(a.Pods, pods[a.Workload]) {
				ok = false
				break
			}
			a.Workload, a.Pods = "", nil
			k := accessKeyJSON(a)
			if n == 0 {
				key = k
			} else if k != key {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for n, i := range idx {
			fold[i] = true
			if n == 0 {
				first[i] = true
			}
		}
	}
	if len(fold) == 0 {
		return e.Access, pods
	}
	out := make([]Access, 0, len(e.Access)-len(fold)+len(first))
	for i, a := range e.Access {
		if !fold[i] {
			out = append(out, a)
			continue
		}
		if first[i] {
			a.Workload, a.Pods = EveryUsingWorkload, nil
			out = append(out, a)
		}
	}
	sortAccess(out)
	return out, pods
}

// accessForms numbers distinct accesses, so that Secrets sharing one are
// compared by number.
type accessForms struct {
	index map[string]int
	list  []Access
}

func (f *accessForms) id(a Access) int {
	k := accessKeyJSON(a)
	id, ok := f.index[k]
	if !ok {
		id = len(f.list)
		f.index[k] = id
		f.list = append(f.list, a)
	}
	return id
}

// sort orders ids as sortAccess orders their accesses.
func (f *accessForms) sort(ids []int) {
	sort.SliceStable(ids, func(i, j int) bool { return accessLess(f.list[ids[i]], f.list[ids[j]]) })
}

func (f *accessForms) accesses(ids []int) []Access {
	out := make([]Access, len(ids))
	for i, id := range ids {
		out[i] = f.list[id]
	}
	return out
}

// accessKeyJSON is a's JSON encoding: two accesses are one when they
// encode alike.
func accessKeyJSON(a Access) string {
	b, err := json.Marshal(a)
	if err != nil { // an Access holds strings, slices of them and bools
		panic("secrets: encoding an access: " + err.Error())
	}
	return string(b)
}
