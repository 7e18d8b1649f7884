// encryption-secrets-not-covered finds an apiserver EncryptionConfiguration
// (apiserver.config.k8s.io/v1) in which no resource list covers secrets
// ("secrets", "*." or "*.*"): Secrets are then stored unencrypted however
// well the other resources are protected. It reads
// resources[*].resources and reports the field "resources".

package secrets

import (
	apiserverv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"

	"github.com/aigov/aigov/governance"
)

// IDEncryptionSecretsNotCovered is the ID of the
// encryption-secrets-not-covered rule.
const IDEncryptionSecretsNotCovered = "encryption-secrets-not-covered"

func encryptionSecretsNotCoveredRule() Rule {
	return Rule{
		ID:            IDEncryptionSecretsNotCovered,
		Severity:      sevHigh,
		Default:       true,
		Description:   "The EncryptionConfiguration has no resource list covering secrets.",
		Remediation:   "add a resource list with resources: [secrets] and an encrypting provider (kms v2, aesgcm, aescbc, secretbox) first",
		Object:        checkEncryptionSecretsNotCovered,
		AdmissionNote: encryptionAdmissionNote,
	}
}

func checkEncryptionSecretsNotCovered(_ *Context, o *governance.Object) []Finding {
	ec, ok := o.Obj.(*apiserverv1.EncryptionConfiguration)
	if !ok || secretsResourceList(ec) >= 0 {
		return nil
	}
	return []Finding{{Path: "resources",
		Message: "no resource list covers secrets (secrets, *. or *.*): Secrets are stored unencrypted"}}
}

// encryptionAdmissionNote says why the EncryptionConfiguration rules have
// no ValidatingAdmissionPolicy.
const encryptionAdmissionNote = "no VAP: an EncryptionConfiguration (apiserver.config.k8s.io/v1) is a file the kube-apiserver " +
	"reads at start (--encryption-provider-config), not an API object: no request for it reaches admission"
