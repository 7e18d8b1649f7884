package secrets

import (
	"fmt"
	"strings"
)

// AllRules returns every rule, default and opt-in, fresh on every call: the
// value rules in order of specificity, then the Secret, pod,
// EncryptionConfiguration and opt-in rules.
func AllRules() []Rule {
	return []Rule{
		privateKeyMaterialRule(),
		inLastAppliedAnnotationRule(),
		literalProviderKeyRule(),
		urlCredentialsRule(),
		literalSensitiveNameRule(),
		stringDataInSourceRule(),
		dataInSourceRule(),
		dataInvalidBase64Rule(),
		typeKeysMissingRule(),
		saTokenAutomountRule(),
		volumeUnusedRule(),
		encryptionIdentityFirstRule(),
		encryptionSecretsNotCoveredRule(),
		envReferenceRule(),
		notImmutableRule(),
	}
}

// DefaultRules returns the rules that run by default (every rule but the
// opt-in secret-env-reference and secret-not-immutable), fresh on every
// call.
func DefaultRules() []Rule {
	var out []Rule
	for _, r := range AllRules() {
		if r.Default {
			out = append(out, r)
		}
	}
	return out
}

// SelectRules returns the default rules plus the enabled ones minus the
// disabled ones, in AllRules order. An unknown ID is an error.
func SelectRules(enable, disable []string) ([]Rule, error) {
	all := AllRules()
	known := map[string]bool{}
	for _, r := range all {
		known[r.ID] = true
	}
	want := map[string]bool{}
	for _, r := range all {
		want[r.ID] = r.Default
	}
	for _, list := range []struct {
		ids []string
		on  bool
	}{{enable, true}, {disable, false}} {
		for _, id := range list.ids {
			id = strings.TrimSpace(id)
			if !known[id] {
				return nil, fmt.Errorf("unknown secrets rule %q", id)
			}
			want[id] = list.on
		}
	}
	var out []Rule
	for _, r := range all {
		if want[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}
