package secrets

import (
	"fmt"
	"strings"
)

// Origin says where the scanned objects come from. It decides whether Secret
// data is a leak (manifests in git) or where credentials belong (a cluster).
type Origin int

const (
	// OriginSource is manifests from git or CI rendering (the default): a
	// Secret's data and stringData are in the repository, so they are
	// scanned for keys and the *-in-source rules apply.
	OriginSource Origin = iota
	// OriginCluster is objects read back from an apiserver: Secret data is
	// where credentials belong and is not scanned for keys.
	OriginCluster
)

// String returns "source" or "cluster".
func (o Origin) String() string {
	switch o {
	case OriginSource:
		return "source"
	case OriginCluster:
		return "cluster"
	}
	return fmt.Sprintf("origin(%d)", int(o))
}

// ParseOrigin parses "source" or "cluster" case-insensitively; "" is source.
func ParseOrigin(s string) (Origin, error) {
	switch strings.ToLower(s) {
	case "", "source":
		return OriginSource, nil
	case "cluster":
		return OriginCluster, nil
	}
	return 0, fmt.Errorf("unknown origin %q (want source or cluster)", s)
}

func (o Origin) valid() bool { return o == OriginSource || o == OriginCluster }
