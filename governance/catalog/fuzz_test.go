package catalog

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzImageReference checks that image parsing never panics and keeps its
// invariants: the registry is one path component, a digest is reported
// exactly when "@" is present, and a tag never contains "/" or "@".
func FuzzImageReference(f *testing.F) {
	for _, s := range []string{"nginx", "library/nginx", "docker.io/nginx", "index.docker.io/library/nginx",
		"localhost/app", "localhost:5000/app:1", "registry.example.com:5000/team/app@" + digest,
		"gcr.io/x/y:tag", "myhost:5000/app", "", "@", ":", "/", "a/b@c/d:e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, image string) {
		reg := ImageRegistry(image)
		if reg == "" || strings.Contains(reg, "/") || reg == "index.docker.io" {
			t.Errorf("ImageRegistry(%q) = %q", image, reg)
		}
		tag, hasDigest := ImageTag(image)
		if hasDigest != strings.Contains(image, "@") || strings.ContainsAny(tag, "/@") {
			t.Errorf("ImageTag(%q) = %q, %v", image, tag, hasDigest)
		}
	})
}

// FuzzParams checks that no constructor panics on arbitrary parameters.
func FuzzParams(f *testing.F) {
	for _, s := range []string{`{}`, `null`, `{"registries": ["a"]}`, `{"labels": [{"key": "a", "allowedRegex": "("}], "kinds": ["Pod"]}`,
		`{"cpu": "1", "memory": "1Gi"}`, `{"max": 1, "resource": "x/y"}`, `{"disallowed": ["NodePort"]}`, `{"probes": ["livenessProbe"]}`, `[`, `{"max": 1e999}`} {
		f.Add(s)
	}
	defs := Definitions()
	f.Fuzz(func(t *testing.T, params string) {
		for _, d := range defs {
			c, err := d.New(json.RawMessage(params))
			if err == nil {
				if verr := c.Validate(); verr != nil {
					t.Errorf("%s: %v", d.ID, verr)
				}
			}
		}
	})
}
