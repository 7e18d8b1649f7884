package rbac

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Well-known identities and groups of the Kubernetes authenticators.
const (
	GroupMasters           = "system:masters"
	GroupAuthenticated     = "system:authenticated"
	GroupUnauthenticated   = "system:unauthenticated"
	GroupServiceAccounts   = "system:serviceaccounts"
	UserAnonymous          = "system:anonymous"
	serviceAccountPrefix   = "system:serviceaccount:"
	serviceAccountNSPrefix = "system:serviceaccounts:"
)

// Attributes are the authorization attributes of one request, as the
// apiserver's request-info parser derives them. A request with a Path is a
// non-resource request ("/healthz", verb "get" or "post"); its Namespace,
// APIGroup, Resource, Subresource and Name are ignored. For a resource
// request the Namespace is the request namespace ("" for cluster-scoped
// requests, the namespace itself for a Namespace object).
type Attributes struct {
	Verb        string `json:"verb"`
	Namespace   string `json:"namespace,omitempty"`
	APIGroup    string `json:"apiGroup,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Name        string `json:"name,omitempty"`
	Path        string `json:"path,omitempty"`
}

// IsResourceRequest reports whether a is a resource (not a URL) request.
func (a Attributes) IsResourceRequest() bool { return a.Path == "" }

// String renders the request the way kubectl spells it:
// `get pods/log "web" in namespace "ns"` or `get /healthz`.
func (a Attributes) String() string {
	if !a.IsResourceRequest() {
		return a.Verb + " " + a.Path
	}
	var b strings.Builder
	b.WriteString(a.Verb + " " + a.Resource)
	if a.APIGroup != "" {
		b.WriteString("." + a.APIGroup)
	}
	if a.Subresource != "" {
		b.WriteString("/" + a.Subresource)
	}
	if a.Name != "" {
		b.WriteString(` "` + a.Name + `"`)
	}
	if a.Namespace != "" {
		b.WriteString(` in namespace "` + a.Namespace + `"`)
	} else {
		b.WriteString(" cluster-wide")
	}
	return b.String()
}

// Identity is an authenticated user: a name and the groups the
// authenticator (or impersonation) gave it. RBAC looks at nothing else.
type Identity struct {
	User   string   `json:"user"`
	Groups []string `json:"groups,omitempty"`
}

// Impersonate builds the identity the apiserver's impersonation filter builds
// for `kubectl --as user --as-group g...`: a service-account user name
// ("system:serviceaccount:NS:NAME") without groups gets system:serviceaccounts
// and system:serviceaccounts:NS; every user but system:anonymous gets
// system:authenticated unless system:authenticated or
// system:unauthenticated is already among the groups; system:anonymous gets
// system:unauthenticated unless it is there.
func Impersonate(user string, groups ...string) Identity {
	gs := slices.Clone(groups)
	if len(gs) == 0 {
		if ns, _, ok := SplitServiceAccount(user); ok {
			gs = []string{GroupServiceAccounts, serviceAccountNSPrefix + ns}
		}
	}
	if user == UserAnonymous {
		if !slices.Contains(gs, GroupUnauthenticated) {
			gs = append(gs, GroupUnauthenticated)
		}
	} else if !slices.Contains(gs, GroupAuthenticated) && !slices.Contains(gs, GroupUnauthenticated) {
		gs = append(gs, GroupAuthenticated)
	}
	return Identity{User: user, Groups: gs}
}

// ServiceAccount is the identity a pod running as service account ns/name
// presents: its user name and the groups system:serviceaccounts,
// system:serviceaccounts:NS and system:authenticated.
func ServiceAccount(ns, name string) Identity {
	return Impersonate(ServiceAccountUser(ns, name))
}

// ServiceAccountUser is the user name of service account ns/name.
func ServiceAccountUser(ns, name string) string { return serviceAccountPrefix + ns + ":" + name }

// SplitServiceAccount returns the namespace and name of a service-account
// user name, exactly as the apiserver's parser accepts them (a DNS-label
// namespace, a DNS-subdomain name, nothing else).
func SplitServiceAccount(user string) (ns, name string, ok bool) {
	rest, found := strings.CutPrefix(user, serviceAccountPrefix)
	if !found {
		return "", "", false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 2 {
		return "", "", false
	}
	if len(validation.IsDNS1123Label(parts[0])) != 0 || len(validation.IsDNS1123Subdomain(parts[1])) != 0 {
		return "", "", false
	}
	return parts[0], parts[1], true
}
