package catalog

import (
	"fmt"
	"slices"
	"testing"
)

func TestImageRegistry(t *testing.T) {
	for _, tc := range []struct{ image, want string }{
		{"nginx", "docker.io"},
		{"nginx:1.27", "docker.io"},
		{"nginx@" + digest, "docker.io"},
		{"library/nginx", "docker.io"},
		{"docker.io/nginx", "docker.io"},
		{"index.docker.io/library/nginx", "docker.io"},
		{"localhost/app", "localhost"},
		{"localhost:5000/app:1", "localhost:5000"},
		{"registry.example.com:5000/team/app@" + digest, "registry.example.com:5000"},
		{"gcr.io/x/y:tag", "gcr.io"},
		{"myhost:5000/app", "myhost:5000"},
		{"myhost/app", "docker.io"},
		{"localhost:5000", "docker.io"}, // one component: image "localhost" with tag "5000"
		{"registry.example.com.attacker.io/app", "registry.example.com.attacker.io"},
		{"", "docker.io"},
	} {
		if got := ImageRegistry(tc.image); got != tc.want {
			t.Errorf("ImageRegistry(%q) = %q, want %q", tc.image, got, tc.want)
		}
	}
}

func TestAllowedRegistries(t *testing.T) {
	c := mustNew(t, NewAllowedRegistries, `{"registries": ["registry.example.com:5000", "gcr.io", "localhost", "index.docker.io"]}`)
	image := func(img string) string {
		return podManifest("Pod", "p", "", fmt.Sprintf("{containers: [{name: a, image: '%s'}]}", img))
	}
	deny := func(img, reg string) []string {
		return []string{fmt.Sprintf(`Pod/p spec.containers[0].image: container "a" uses image %q from registry %q, which is not allowed (allowed: registry.example.com:5000, gcr.io, localhost, docker.io)`, img, reg)}
	}
	runCases(t, c, []checkCase{
		{name: "nginx is docker.io", manifest: image("nginx")},
		{name: "library/nginx", manifest: image("library/nginx")},
		{name: "docker.io/nginx", manifest: image("docker.io/nginx")},
		{name: "index.docker.io", manifest: image("index.docker.io/library/nginx")},
		{name: "localhost", manifest: image("localhost/app")},
		{name: "registry with port and digest", manifest: image("registry.example.com:5000/team/app@" + digest)},
		{name: "gcr tag", manifest: image("gcr.io/x/y:tag")},
		{name: "port must match", manifest: image("localhost:5000/app:1"), want: deny("localhost:5000/app:1", "localhost:5000")},
		{name: "missing port", manifest: image("registry.example.com/team/app:1"), want: deny("registry.example.com/team/app:1", "registry.example.com")},
		{name: "other port", manifest: image("myhost:5000/app"), want: deny("myhost:5000/app", "myhost:5000")},
		{name: "prefix is not a match", manifest: image("gcr.io.attacker.io/x:1"), want: deny("gcr.io.attacker.io/x:1", "gcr.io.attacker.io")},
		{name: "init and ephemeral in a StatefulSet", manifest: podManifest("StatefulSet", "vdb", "",
			"{initContainers: [{name: i, image: 'quay.io/a/b:1'}], containers: [{name: a, image: 'gcr.io/x/y:1'}], ephemeralContainers: [{name: e, image: 'ghcr.io/dbg:1'}]}"),
			want: []string{
				`StatefulSet/vdb spec.template.spec.initContainers[0].image: init container "i" uses image "quay.io/a/b:1" from registry "quay.io", which is not allowed (allowed: registry.example.com:5000, gcr.io, localhost, docker.io)`,
				`StatefulSet/vdb spec.template.spec.ephemeralContainers[0].image: ephemeral container "e" uses image "ghcr.io/dbg:1" from registry "ghcr.io", which is not allowed (allowed: registry.example.com:5000, gcr.io, localhost, docker.io)`,
			}},
		{name: "CronJob", manifest: podManifest("CronJob", "cj", "", "{containers: [{name: a, image: 'nvcr.io/nvidia/pytorch:24.01'}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.containers[0].image: container "a" uses image "nvcr.io/nvidia/pytorch:24.01" from registry "nvcr.io", which is not allowed (allowed: registry.example.com:5000, gcr.io, localhost, docker.io)`}},
	})

	onlyPrivate := mustNew(t, NewAllowedRegistries, `{"registries": ["registry.example.com"]}`)
	runCases(t, onlyPrivate, []checkCase{
		{name: "docker hub denied", manifest: image("index.docker.io/library/nginx"),
			want: []string{`Pod/p spec.containers[0].image: container "a" uses image "index.docker.io/library/nginx" from registry "docker.io", which is not allowed (allowed: registry.example.com)`}},
	})
}

func TestParseAllowedRegistriesParams(t *testing.T) {
	p, err := ParseAllowedRegistriesParams([]byte(`{"registries": ["index.docker.io", "docker.io", "nvcr.io"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"docker.io", "nvcr.io"}; !slices.Equal(p.Registries, want) {
		t.Errorf("registries %q, want %q", p.Registries, want)
	}
	runParamCases(t, NewAllowedRegistries, []paramCase{
		{`{"registries": ["nvcr.io"]}`, ""},
		{"", "registries is required"},
		{`{}`, "registries is required"},
		{`{"registries": []}`, "registries is required"},
		{`{"registries": [""]}`, "registries[0]: empty registry"},
		{`{"registries": ["nvcr.io", "registry.example.com/team"]}`, `registries[1]: "registry.example.com/team" is not a registry host[:port]`},
		{`{"registries": ["https://nvcr.io"]}`, "is not a registry host[:port]"},
		{`{"registries": ["nvcr.io"], "mode": "prefix"}`, `unknown field "mode"`},
		{`{"Registries": ["nvcr.io"]}`, `unknown field "Registries"`},
		{`{"registries": "nvcr.io"}`, "invalid params"},
	})
}
