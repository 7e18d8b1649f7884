package catalog

import (
	"fmt"
	"testing"
)

const digest = "sha256:4b2a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff"

func TestImageTag(t *testing.T) {
	for _, tc := range []struct {
		image     string
		tag       string
		hasDigest bool
	}{
		{"nginx", "", false},
		{"nginx:1.27", "1.27", false},
		{"nginx:latest", "latest", false},
		{"nginx:", "", false},
		{"library/nginx", "", false},
		{"docker.io/nginx:latest", "latest", false},
		{"index.docker.io/library/nginx", "", false},
		{"localhost/app", "", false},
		{"localhost:5000/app", "", false},
		{"localhost:5000/app:1", "1", false},
		{"myhost:5000/app", "", false},
		{"gcr.io/x/y:tag", "tag", false},
		{"registry.example.com:5000/team/app@" + digest, "", true},
		{"registry.example.com:5000/team/app:v2@" + digest, "v2", true},
		{"nginx:latest@" + digest, "latest", true},
		{"", "", false},
	} {
		tag, d := ImageTag(tc.image)
		if tag != tc.tag || d != tc.hasDigest {
			t.Errorf("ImageTag(%q) = %q, %v; want %q, %v", tc.image, tag, d, tc.tag, tc.hasDigest)
		}
	}
}

func TestLatestTag(t *testing.T) {
	c := mustNew(t, NewLatestTag, "")
	image := func(img string) string {
		return podManifest("Pod", "p", "", fmt.Sprintf("{containers: [{name: a, image: '%s'}]}", img))
	}
	noTag := func(img string) []string {
		return []string{fmt.Sprintf(`Pod/p spec.containers[0].image: container "a" uses image %q without a tag or digest (it means latest)`, img)}
	}
	latest := func(img string) []string {
		return []string{fmt.Sprintf(`Pod/p spec.containers[0].image: container "a" uses image %q with the latest tag`, img)}
	}
	runCases(t, c, []checkCase{
		{name: "tagged", manifest: image("nginx:1.27")},
		{name: "registry port and tag", manifest: image("localhost:5000/app:1")},
		{name: "gcr tag", manifest: image("gcr.io/x/y:tag")},
		{name: "digest", manifest: image("registry.example.com:5000/team/app@" + digest)},
		{name: "latest with digest passes", manifest: image("nginx:latest@" + digest)},
		{name: "untagged", manifest: image("nginx"), want: noTag("nginx")},
		{name: "library untagged", manifest: image("library/nginx"), want: noTag("library/nginx")},
		{name: "index.docker.io untagged", manifest: image("index.docker.io/library/nginx"), want: noTag("index.docker.io/library/nginx")},
		{name: "localhost untagged", manifest: image("localhost/app"), want: noTag("localhost/app")},
		{name: "port is not a tag", manifest: image("localhost:5000/app"), want: noTag("localhost:5000/app")},
		{name: "myhost port is not a tag", manifest: image("myhost:5000/app"), want: noTag("myhost:5000/app")},
		{name: "empty tag", manifest: image("nginx:"), want: noTag("nginx:")},
		{name: "latest", manifest: image("docker.io/nginx:latest"), want: latest("docker.io/nginx:latest")},
		{name: "Latest is a tag", manifest: image("nginx:Latest")},
		{name: "init and ephemeral in a ReplicaSet", manifest: podManifest("ReplicaSet", "rs", "",
			"{initContainers: [{name: i, image: 'busybox:latest'}], containers: [{name: a, image: 'app:1'}], ephemeralContainers: [{name: e, image: busybox}]}"),
			want: []string{
				`ReplicaSet/rs spec.template.spec.initContainers[0].image: init container "i" uses image "busybox:latest" with the latest tag`,
				`ReplicaSet/rs spec.template.spec.ephemeralContainers[0].image: ephemeral container "e" uses image "busybox" without a tag or digest (it means latest)`,
			}},
		{name: "CronJob", manifest: podManifest("CronJob", "cj", "", "{containers: [{name: a, image: 'gcr.io/x/y'}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.containers[0].image: container "a" uses image "gcr.io/x/y" without a tag or digest (it means latest)`}},
	})
}

func TestLatestTagParams(t *testing.T) { runParamCases(t, NewLatestTag, noParamCases) }
