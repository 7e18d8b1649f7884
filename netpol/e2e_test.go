package netpol

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

type truthTables struct {
	Cases []struct {
		Name            string                       `json:"name"`
		NamespaceLabels map[string]map[string]string `json:"namespaceLabels"`
		PodLabels       map[string]map[string]string `json:"podLabels"`
		Manifests       string                       `json:"manifests"`
		Probes          []struct {
			Port     int32           `json:"port"`
			Protocol corev1.Protocol `json:"protocol"`
			Expect   []struct {
				From    string `json:"from"`
				To      string `json:"to"`
				Allowed bool   `json:"allowed"`
			} `json:"expect"`
		} `json:"probes"`
	} `json:"cases"`
}

var modelNamespaces, modelPods = []string{"x", "y", "z"}, []string{"a", "b", "c"}

// modelWorld is the 9-pod world plus the case's label changes, as objects.
func modelWorld(nsLabels, podLabels map[string]map[string]string) []runtime.Object {
	var out []runtime.Object
	for i, ns := range modelNamespaces {
		out = append(out, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: nsLabels[ns]}})
		for j, p := range modelPods {
			out = append(out, modelPod(ns, p, fmt.Sprintf("10.0.%d.%d", i+1, j+1), podLabels[ns+"/"+p]))
		}
	}
	return out
}

// peerMatches reads the transcription's "x/a", "x/*", "*" patterns.
func peerMatches(pattern, pod string) bool {
	if pattern == "*" {
		return true
	}
	ns, name, _ := strings.Cut(pattern, "/")
	pns, pname, _ := strings.Cut(pod, "/")
	return ns == pns && (name == "*" || name == pname)
}

func TestUpstreamTruthTables(t *testing.T) {
	raw, err := os.ReadFile("testdata/e2e-truthtables.yaml")
	require.NoError(t, err)
	var tt truthTables
	require.NoError(t, yaml.UnmarshalStrict(raw, &tt))
	require.GreaterOrEqual(t, len(tt.Cases), 50)
	for _, c := range tt.Cases {
		t.Run(c.Name, func(t *testing.T) {
			docs := []string{}
			for _, o := range modelWorld(c.NamespaceLabels, c.PodLabels) {
				b, err := yaml.Marshal(o)
				require.NoError(t, err)
				kind := "Pod"
				if _, ok := o.(*corev1.Namespace); ok {
					kind = "Namespace"
				}
				docs = append(docs, "apiVersion: v1\nkind: "+kind+"\n"+string(b))
			}
			if strings.TrimSpace(c.Manifests) != "" {
				docs = append(docs, c.Manifests)
			}
			g, err := Build(load(t, docs...), Options{})
			require.NoError(t, err)
			require.Empty(t, g.Warnings())
			var all []string
			for _, ns := range modelNamespaces {
				for _, p := range modelPods {
					all = append(all, ns+"/"+p)
				}
			}
			for _, pr := range c.Probes {
				want := map[[2]string]bool{}
				for _, e := range pr.Expect {
					for _, from := range all {
						for _, to := range all {
							if peerMatches(e.From, from) && peerMatches(e.To, to) {
								want[[2]string{from, to}] = e.Allowed
							}
						}
					}
				}
				for _, from := range all {
					for _, to := range all {
						if from == to {
							continue // upstream ignores loopback
						}
						exp, set := want[[2]string{from, to}]
						if !set {
							exp = true
						}
						v := g.Allowed(mustLookup(t, g, from), mustLookup(t, g, to), pr.Port, pr.Protocol)
						assert.Equal(t, exp, v.Allowed, "%s -> %s %s/%d\n%s", from, to, pr.Protocol, pr.Port, v.Explain())
						assert.Equal(t, exp, g.Reachable(mustLookup(t, g, from), mustLookup(t, g, to), pr.Port, pr.Protocol))
					}
				}
			}
		})
	}
}
