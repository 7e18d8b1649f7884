// Package clustertest is a fake kube-apiserver for tests of programs that
// read a cluster with package cluster: it serves discovery for the resources
// it is given and answers their lists with given objects or a given status,
// or never answers at all. It listens on 127.0.0.1 only.
//
//	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.StandardResources()})
//	inv, err := cluster.Load(ctx, cluster.Options{Kubeconfig: srv.Kubeconfig(t)})
package clustertest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance/cluster"
)

// Resource is one resource the fake server's discovery lists, and how it
// answers a list of it.
type Resource struct {
	schema.GroupVersionResource
	Kind       string
	Namespaced bool
	// Status is the HTTP status of a list; 0 means 200 with Objects.
	Status int
	// Hang makes a list never answer (until the client gives up).
	Hang bool
	// Objects are the list's items, each marshalled as JSON (typed
	// k8s.io/api structs or maps). A list with a namespace returns the
	// items of that namespace.
	Objects []any
}

// Config says how the fake server behaves.
type Config struct {
	Resources []Resource
	// DiscoveryStatus, when non-zero, is the status of every discovery
	// request (/api, /apis and below).
	DiscoveryStatus int
	// DiscoveryHang makes discovery never answer.
	DiscoveryHang bool
}

// Server is a running fake API server.
type Server struct {
	*httptest.Server
	cfg  Config
	hang chan struct{}
}

// New starts a fake server on 127.0.0.1; it stops when the test ends.
func New(t testing.TB, cfg Config) *Server {
	t.Helper()
	s := &Server{cfg: cfg, hang: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	// Cleanups run last-in first-out: hanging handlers return before Close
	// waits for them.
	t.Cleanup(func() { close(s.hang) })
	return s
}

// Kubeconfig writes a kubeconfig for the server into t.TempDir() and
// returns its path.
func (s *Server) Kubeconfig(t testing.TB) string {
	t.Helper()
	return WriteKubeconfig(t, s.URL)
}

// WriteKubeconfig writes a kubeconfig whose one context points at server
// (no credentials) into t.TempDir() and returns its path.
func WriteKubeconfig(t testing.TB, server string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	doc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: %q}
users:
- name: fake
  user: {}
contexts:
- name: fake
  context: {cluster: fake, user: fake}
current-context: fake
`, server)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Silent starts a TCP listener on 127.0.0.1 that accepts connections and
// never answers, and returns its URL ("http://127.0.0.1:PORT"). It stops
// when the test ends.
func Silent(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			select {
			case conns <- c:
			default:
				c.Close()
			}
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	return "http://" + l.Addr().String()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(path, "/")
	if r.Method != http.MethodGet {
		status(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
		return
	}
	// Discovery: /api, /api/v1, /apis, /apis/G, /apis/G/V.
	discoveryPath := path == "api" || path == "apis" || (parts[0] == "api" && len(parts) == 2) ||
		(parts[0] == "apis" && len(parts) <= 3)
	if discoveryPath {
		switch {
		case s.cfg.DiscoveryHang:
			s.wait(r)
			return
		case s.cfg.DiscoveryStatus != 0:
			status(w, s.cfg.DiscoveryStatus, "")
			return
		}
		s.discovery(w, parts)
		return
	}
	gv, rest, ok := splitGroupVersion(parts)
	if !ok {
		status(w, http.StatusNotFound, "NotFound")
		return
	}
	namespace := ""
	if len(rest) == 3 && rest[0] == "namespaces" {
		namespace, rest = rest[1], rest[2:]
	}
	if len(rest) != 1 {
		status(w, http.StatusNotFound, "NotFound")
		return
	}
	for _, res := range s.cfg.Resources {
		if res.GroupVersion() != gv || res.GroupVersionResource.Resource != rest[0] || (namespace != "" && !res.Namespaced) {
			continue
		}
		switch {
		case res.Hang:
			s.wait(r)
		case res.Status != 0 && res.Status != http.StatusOK:
			status(w, res.Status, "")
		default:
			s.list(w, res, namespace)
		}
		return
	}
	status(w, http.StatusNotFound, "NotFound")
}

// wait blocks until the client gives up or the test ends.
func (s *Server) wait(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.hang:
	}
}

func splitGroupVersion(parts []string) (schema.GroupVersion, []string, bool) {
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		return schema.GroupVersion{Version: parts[1]}, parts[2:], true
	case len(parts) >= 4 && parts[0] == "apis":
		return schema.GroupVersion{Group: parts[1], Version: parts[2]}, parts[3:], true
	}
	return schema.GroupVersion{}, nil, false
}

func (s *Server) discovery(w http.ResponseWriter, parts []string) {
	byGV := map[schema.GroupVersion][]Resource{}
	for _, r := range s.cfg.Resources {
		byGV[r.GroupVersion()] = append(byGV[r.GroupVersion()], r)
	}
	switch {
	case len(parts) == 1 && parts[0] == "api":
		var versions []string
		if len(byGV[schema.GroupVersion{Version: "v1"}]) > 0 {
			versions = []string{"v1"}
		}
		writeJSON(w, map[string]any{"kind": "APIVersions", "versions": versions,
			"serverAddressByClientCIDRs": []any{map[string]any{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}}})
	case len(parts) == 1:
		groups := map[string][]string{}
		for gv := range byGV {
			if gv.Group != "" {
				groups[gv.Group] = append(groups[gv.Group], gv.Version)
			}
		}
		names := make([]string, 0, len(groups))
		for g := range groups {
			names = append(names, g)
		}
		sort.Strings(names)
		list := []any{}
		for _, g := range names {
			var versions []any
			sort.Strings(groups[g])
			for _, v := range groups[g] {
				versions = append(versions, map[string]any{"groupVersion": g + "/" + v, "version": v})
			}
			list = append(list, map[string]any{"name": g, "versions": versions, "preferredVersion": versions[0]})
		}
		writeJSON(w, map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": list})
	default:
		var gv schema.GroupVersion
		if parts[0] == "api" {
			gv = schema.GroupVersion{Version: parts[1]}
		} else if len(parts) == 3 {
			gv = schema.GroupVersion{Group: parts[1], Version: parts[2]}
		}
		resources := byGV[gv]
		if len(resources) == 0 {
			status(w, http.StatusNotFound, "NotFound")
			return
		}
		var list []any
		for _, r := range resources {
			list = append(list, map[string]any{"name": r.GroupVersionResource.Resource, "singularName": strings.ToLower(r.Kind),
				"namespaced": r.Namespaced, "kind": r.Kind, "verbs": []string{"get", "list", "watch"}})
		}
		writeJSON(w, map[string]any{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv.String(), "resources": list})
	}
}

func (s *Server) list(w http.ResponseWriter, res Resource, namespace string) {
	items := []any{}
	for _, o := range res.Objects {
		data, err := json.Marshal(o)
		if err != nil {
			status(w, http.StatusInternalServerError, "InternalError")
			return
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			status(w, http.StatusInternalServerError, "InternalError")
			return
		}
		md, _ := m["metadata"].(map[string]any)
		if namespace != "" && md["namespace"] != namespace {
			continue
		}
		m["apiVersion"], m["kind"] = res.GroupVersion().String(), res.Kind
		items = append(items, m)
	}
	writeJSON(w, map[string]any{"apiVersion": res.GroupVersion().String(), "kind": res.Kind + "List",
		"metadata": map[string]any{"resourceVersion": "1"}, "items": items})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// status writes a metav1.Status as the apiserver does.
func status(w http.ResponseWriter, code int, reason string) {
	if reason == "" {
		switch code {
		case http.StatusForbidden:
			reason = "Forbidden"
		case http.StatusNotFound:
			reason = "NotFound"
		case http.StatusUnauthorized:
			reason = "Unauthorized"
		default:
			reason = "InternalError"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "reason": reason, "code": code, "message": fmt.Sprintf("fake apiserver: %s", strings.ToLower(reason))})
}

// StandardResources are the resources cluster.DefaultResources lists, with
// their kinds and scopes, all answering empty lists: the built-in kinds and
// every version of cluster.CustomResourceKinds (as if all their CRDs were
// installed; cluster-scoped are those whose kind starts with "Cluster", as
// ClusterTrainingRuntime and ClusterServingRuntime).
func StandardResources() []Resource {
	out := builtinResources()
	for _, gvk := range cluster.CustomResourceKinds() {
		out = append(out, Resource{GroupVersionResource: gvk.GroupVersion().WithResource(strings.ToLower(gvk.Kind) + "s"),
			Kind: gvk.Kind, Namespaced: !strings.HasPrefix(gvk.Kind, "Cluster")})
	}
	return out
}

// builtinResources are the Kubernetes kinds of StandardResources.
func builtinResources() []Resource {
	r := func(group, version, resource, kind string, namespaced bool) Resource {
		return Resource{GroupVersionResource: schema.GroupVersionResource{Group: group, Version: version, Resource: resource},
			Kind: kind, Namespaced: namespaced}
	}
	const rbacGroup, anp = "rbac.authorization.k8s.io", "policy.networking.k8s.io"
	return []Resource{
		r("", "v1", "namespaces", "Namespace", false),
		r("", "v1", "pods", "Pod", true),
		r("", "v1", "services", "Service", true),
		r("", "v1", "serviceaccounts", "ServiceAccount", true),
		r("", "v1", "secrets", "Secret", true),
		r("", "v1", "configmaps", "ConfigMap", true),
		r("", "v1", "resourcequotas", "ResourceQuota", true),
		r("", "v1", "limitranges", "LimitRange", true),
		r("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true),
		r("", "v1", "replicationcontrollers", "ReplicationController", true),
		r("apps", "v1", "deployments", "Deployment", true),
		r("apps", "v1", "replicasets", "ReplicaSet", true),
		r("apps", "v1", "statefulsets", "StatefulSet", true),
		r("apps", "v1", "daemonsets", "DaemonSet", true),
		r("batch", "v1", "jobs", "Job", true),
		r("batch", "v1", "cronjobs", "CronJob", true),
		r("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true),
		r("networking.k8s.io", "v1", "ingresses", "Ingress", true),
		r(rbacGroup, "v1", "roles", "Role", true),
		r(rbacGroup, "v1", "rolebindings", "RoleBinding", true),
		r(rbacGroup, "v1", "clusterroles", "ClusterRole", false),
		r(rbacGroup, "v1", "clusterrolebindings", "ClusterRoleBinding", false),
		r("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false),
		r("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", false),
		r("storage.k8s.io", "v1", "storageclasses", "StorageClass", false),
		r("resource.k8s.io", "v1", "resourceclaims", "ResourceClaim", true),
		r("resource.k8s.io", "v1", "deviceclasses", "DeviceClass", false),
		r("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false),
		r("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", false),
		r(anp, "v1alpha1", "adminnetworkpolicies", "AdminNetworkPolicy", false),
		r(anp, "v1alpha1", "baselineadminnetworkpolicies", "BaselineAdminNetworkPolicy", false),
		r(anp, "v1beta1", "clusternetworkpolicies", "ClusterNetworkPolicy", false),
	}
}

// With returns resources with fn applied to every one for which match
// (a resource name, "resource.group", or "*") holds.
func With(resources []Resource, match string, fn func(*Resource)) []Resource {
	out := append([]Resource(nil), resources...)
	for i := range out {
		if match == "*" || out[i].GroupResource().String() == match {
			fn(&out[i])
		}
	}
	return out
}
