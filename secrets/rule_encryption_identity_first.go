// encryption-identity-first finds an apiserver EncryptionConfiguration
// (apiserver.config.k8s.io/v1) that stores Secrets in plain text: the first
// provider of a resource list encrypts new writes, so identity first means
// no encryption at rest (identity last is the correct migration). It reads
// resources[i].resources of the first list covering secrets ("secrets",
// "*." or "*.*": earlier lists take precedence) and reports
// resources[i].providers[0] when that provider is identity.

package secrets

import (
	"fmt"

	apiserverv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"

	"github.com/aigov/aigov/governance"
)

// IDEncryptionIdentityFirst is the ID of the encryption-identity-first rule.
const IDEncryptionIdentityFirst = "encryption-identity-first"

func encryptionIdentityFirstRule() Rule {
	return Rule{
		ID:            IDEncryptionIdentityFirst,
		Severity:      sevHigh,
		Default:       true,
		Description:   "The EncryptionConfiguration writes Secrets with the identity provider (plain text).",
		Remediation:   "put kms (v2), aesgcm, aescbc or secretbox first and keep identity last only while migrating; then rewrite all Secrets",
		Object:        checkEncryptionIdentityFirst,
		AdmissionNote: encryptionAdmissionNote,
	}
}

func checkEncryptionIdentityFirst(_ *Context, o *governance.Object) []Finding {
	ec, ok := o.Obj.(*apiserverv1.EncryptionConfiguration)
	if !ok {
		return nil
	}
	i := secretsResourceList(ec)
	if i < 0 || len(ec.Resources[i].Providers) == 0 || ec.Resources[i].Providers[0].Identity == nil {
		return nil
	}
	return []Finding{{Path: fmt.Sprintf("resources[%d].providers[0]", i),
		Message: "identity is the first provider of the list covering secrets: Secrets are written to etcd in plain text"}}
}

// secretsResourceList returns the index of the first resource list that
// covers secrets, or -1.
func secretsResourceList(ec *apiserverv1.EncryptionConfiguration) int {
	for i, rc := range ec.Resources {
		for _, r := range rc.Resources {
			switch r {
			case "secrets", "*.", "*.*":
				return i
			}
		}
	}
	return -1
}
