// secret-type-keys-missing finds typed Secrets without the keys their type
// requires, which the kube-apiserver refuses (422 "data[tls.key]: Required
// value"): kubernetes.io/tls needs tls.crt and tls.key,
// kubernetes.io/dockerconfigjson needs .dockerconfigjson,
// kubernetes.io/dockercfg needs .dockercfg and kubernetes.io/ssh-auth needs
// ssh-privatekey. It reads the Secret's type and the keys of data and
// stringData (stringData merges into data on write) and reports each
// missing key as data[KEY].

package secrets

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDTypeKeysMissing is the ID of the secret-type-keys-missing rule.
const IDTypeKeysMissing = "secret-type-keys-missing"

func typeKeysMissingRule() Rule {
	return Rule{
		ID:          IDTypeKeysMissing,
		Severity:    sevHigh,
		Default:     true,
		Description: "A typed Secret lacks a key its type requires; the apiserver refuses it.",
		Remediation: "add the key, or use type Opaque if the Secret is not of that type",
		Object:      checkTypeKeysMissing,
	}
}

// RequiredKeys returns the data keys a Secret type requires (nil for types
// without required keys).
func RequiredKeys(t corev1.SecretType) []string {
	switch t {
	case corev1.SecretTypeTLS:
		return []string{corev1.TLSCertKey, corev1.TLSPrivateKeyKey}
	case corev1.SecretTypeDockerConfigJson:
		return []string{corev1.DockerConfigJsonKey}
	case corev1.SecretTypeDockercfg:
		return []string{corev1.DockerConfigKey}
	case corev1.SecretTypeSSHAuth:
		return []string{corev1.SSHAuthPrivateKey}
	}
	return nil
}

func checkTypeKeysMissing(_ *Context, o *governance.Object) []Finding {
	s, ok := o.Obj.(*corev1.Secret)
	if !ok {
		return nil
	}
	var out []Finding
	for _, k := range RequiredKeys(s.Type) {
		_, inData := s.Data[k]
		_, inString := s.StringData[k]
		if !inData && !inString {
			out = append(out, Finding{Path: "data[" + k + "]",
				Message: "a " + string(s.Type) + " Secret requires the key " + k})
		}
	}
	return out
}
