package secrets

import (
	"strings"
	"testing"

	"github.com/aigov/aigov/rbac"
)

// TestExposurePlatform checks the example platform's mistake 1: the
// cv-engineers group may read cv-team/wandb-api-key through the wildcard
// Role cv-admin; in fixed/ it may not.
func TestExposurePlatform(t *testing.T) {
	find := func(dir string) []string {
		inv := loadDir(t, dir)
		var out []string
		for _, e := range Exposure(inv, rbac.New(inv)) {
			if e.Namespace != "cv-team" || e.Name != "wandb-api-key" {
				continue
			}
			for _, a := range e.Access {
				out = append(out, a.Via+" "+a.SubjectString()+" "+strings.Join(a.Verbs, ","))
			}
		}
		return out
	}
	got := strings.Join(find("../examples/multitenant"), "\n")
	if !strings.Contains(got, "read Group cv-engineers get,list,watch") {
		t.Errorf("cv-engineers cannot read wandb-api-key:\n%s", got)
	}
	if fixed := strings.Join(find("../examples/multitenant/fixed"), "\n"); strings.Contains(fixed, "read Group cv-engineers") {
		t.Errorf("fixed: cv-engineers can read wandb-api-key:\n%s", fixed)
	}
}

// fakeAuthorizer answers every request with one subject.
type fakeAuthorizer struct{ allow func(rbac.Attributes) bool }

func (f fakeAuthorizer) WhoCan(a rbac.Attributes) []rbac.SubjectAccess {
	if !f.allow(a) {
		return nil
	}
	return []rbac.SubjectAccess{{Subject: rbacSubject("Group", "", "devs")}}
}

func TestExposureWaysToRead(t *testing.T) {
	inv := mustLoad(t, secretYAML("")+"---\n"+deploymentYAML("      containers: [{name: c, image: i, envFrom: [{secretRef: {name: s}}]}]\n"))
	authz := fakeAuthorizer{allow: func(a rbac.Attributes) bool {
		return a.Resource == "pods" // create pods and exec, not read
	}}
	es := Exposure(inv, authz)
	if len(es) != 1 {
		t.Fatalf("%d exposures", len(es))
	}
	var got []string
	for _, a := range es[0].Access {
		got = append(got, a.Via+" "+a.Workload)
	}
	if strings.Join(got, ",") != "create-pods ,exec Deployment/d" || strings.Join(es[0].UsedBy, ",") != "Deployment/d" {
		t.Errorf("access %q, used by %q", got, es[0].UsedBy)
	}
}
