package governance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance/internal/manifest"
	"github.com/aigov/aigov/internal/gen"
)

// checkTypedJSON decodes doc as DecodeJSON does and by the general path
// alone (decodeJSONTree), and requires the same objects and errors; it
// returns whether the typed path took it.
func checkTypedJSON(t *testing.T, d *Decoder, doc []byte) bool {
	t.Helper()
	src := Source{File: "doc.JSON", Document: 1, Line: 1, Item: -1}
	got, gotErrs := d.DecodeJSON(doc, src)
	want, wantErrs := d.decodeJSONTree(&manifest.Writer{}, doc, src)
	if gotErrs.Error() != wantErrs.Error() {
		t.Fatalf("%s:\n errors %q\n general path %q", doc, gotErrs.Error(), wantErrs.Error())
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d objects, general path %d", doc, len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s:\n object %#v\n general path %#v", doc, got[i].Obj, want[i].Obj)
		}
	}
	_, took := d.decodeTypedJSON(doc)
	return took
}

func newTestDecoder(t *testing.T) *Decoder {
	t.Helper()
	d, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The typed JSON path gives exactly what the general path gives, on edge
// cases of both outcomes.
func TestTypedJSONMatchesGeneralPath(t *testing.T) {
	d := newTestDecoder(t)
	for _, c := range []struct {
		doc   string
		typed bool
	}{
		{`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":2,"memory":"1Gi"}}}]}}`, true},
		{`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","creationTimestamp":null},"spec":{"replicas":3,"selector":null,"template":{"spec":{"containers":null}}},"status":{}}`, true},
		{`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"caf\u00e9 \ud83e\udd16"},"binaryData":{"b":"aGk="}}`, true},
		{`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containres":[]},"Kind":"x"}`, true}, // unknown fields recorded
		{`{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"p-"}}`, true},                            // generateName only
		{`{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"Metadata"}]}`, true},              // no name needed
		{`{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":"http"}]}}`, true},
		{`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"priority":12345678901234567890}}`, false}, // a type error
		{`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"not base64!"}}`, false},
		{`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}]}`, false},
		{`{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"p"}}]}`, false},
		{`{"apiVersion":"serving.kserve.io/v1beta1","kind":"InferenceService","metadata":{"name":"m"}}`, false},
		{`{"apiVersion":"apps/v9","kind":"Deployment","metadata":{"name":"d"}}`, false},
		{`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","name":"q"}}`, false},
		{`{"apiVersion":"v1","kind":"Pod","kind":"ConfigMap","metadata":{"name":"p"}}`, false},
		{`{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"1","a":"2"},"name":"p"}}`, false},
		{`{"apiVersion":"v1","kind":"Pod","metadata":{}}`, false},
		{`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":"no"}}`, false},
		{`{"apiVersion":1,"kind":"Pod"}`, false},
		{`{"kind":"Pod","metadata":{"name":"p"}}`, false},
		{`{"apiVersion":"apps/","kind":"Deployment","metadata":{"name":"d"}}`, false},
		{`["not", "an", "object"]`, false},
		{`"text"`, false},
		{`null`, false},
	} {
		if took := checkTypedJSON(t, d, []byte(c.doc)); took != c.typed {
			t.Errorf("%s: typed path %v, want %v", c.doc, took, c.typed)
		}
	}
}

// On the synthetic cluster and the example platform (as JSON), every
// object decodes the same either way, and the typed path takes all but
// Secrets.
func TestTypedJSONOnManifests(t *testing.T) {
	d := newTestDecoder(t)
	var docs [][]byte
	for _, o := range gen.Generate(gen.Options{Seed: 5, Namespaces: 4, WorkloadsPerNamespace: 6, PodsPerWorkload: 2, GPUFraction: 0.5, ClusterRoles: 4}).Objects {
		js, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, js)
	}
	files, err := filepath.Glob("../examples/multitenant/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("example platform: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fileDocs, splitErr := manifest.Split(data)
		if splitErr != nil {
			t.Fatalf("%s: %v", f, splitErr.Err)
		}
		for _, doc := range fileDocs {
			if manifest.IsBlank(doc.Data) {
				continue
			}
			js, err := yaml.YAMLToJSON(doc.Data)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			docs = append(docs, js)
		}
	}
	// Secrets (base64 checks) and custom resources (no typed struct) take
	// the general path; every other document the typed one.
	typed, secrets, custom := 0, 0, 0
	for _, doc := range docs {
		if checkTypedJSON(t, d, doc) {
			typed++
		}
		var tm struct{ APIVersion, Kind string }
		_ = json.Unmarshal(doc, &tm)
		gv, _ := schema.ParseGroupVersion(tm.APIVersion)
		switch {
		case tm.Kind == "Secret":
			secrets++
		case !d.Scheme().Recognizes(gv.WithKind(tm.Kind)):
			custom++
		}
	}
	if typed != len(docs)-secrets-custom {
		t.Errorf("typed path took %d of %d documents (%d Secrets, %d custom resources)", typed, len(docs), secrets, custom)
	}
	if custom == 0 {
		t.Error("the example platform has custom resources: none seen")
	}
}

// FuzzTypedJSON: on any input the typed JSON path and the general path
// agree.
func FuzzTypedJSON(f *testing.F) {
	for _, s := range []string{
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}`,
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","name":"d"}}`,
		`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":"3"}}`,
	} {
		f.Add([]byte(s))
	}
	d, err := NewDecoder()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 1<<16 || !json.Valid(doc) {
			return // DecodeJSON takes one well-formed value (the splitter checks files)
		}
		checkTypedJSON(t, d, doc)
	})
}
