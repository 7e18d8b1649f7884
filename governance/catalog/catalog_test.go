package catalog

import (
	"slices"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
	"github.com/aigov/aigov/rbac"
	"github.com/aigov/aigov/secrets"
)

func TestDefinitions(t *testing.T) {
	wantSeverity := map[string]governance.Severity{
		IDPrivilegedContainer: governance.SeverityCritical,
		IDHostNamespaces:      governance.SeverityHigh,
		IDAllowedRegistries:   governance.SeverityHigh,
		IDRunAsNonRoot:        governance.SeverityMedium,
		IDContainerLimits:     governance.SeverityMedium,
		IDGPUPerContainerMax:  governance.SeverityMedium,
		IDLatestTag:           governance.SeverityMedium,
		IDServiceType:         governance.SeverityMedium,
		IDAutomountToken:      governance.SeverityLow,
		IDRequiredLabels:      governance.SeverityLow,
		IDRequiredProbes:      governance.SeverityLow,

		IDNamespaceDataClassification:     governance.SeverityMedium,
		IDNamespaceTeamLabels:             governance.SeverityLow,
		IDSensitiveWorkloadClassification: governance.SeverityHigh,
		IDPodSecurityLevel:                governance.SeverityHigh,
		IDInferenceProbes:                 governance.SeverityMedium,
		IDModelImageDigest:                governance.SeverityMedium,
		IDAIWorkloadOwnServiceAccount:     governance.SeverityMedium,
		IDShadowAI:                        governance.SeverityHigh,
		IDGPUNodeTargeting:                governance.SeverityMedium,
		IDAuditPolicyLint:                 governance.SeverityHigh,
		IDKyvernoDeprecatedAction:         governance.SeverityLow,

		IDNamespaceDefaultDeny:        governance.SeverityMedium,
		IDVectorDBIsolation:           governance.SeverityHigh,
		IDCrossTeamReachability:       governance.SeverityHigh,
		IDInferenceExposure:           governance.SeverityHigh,
		IDAIInternetEgress:            governance.SeverityMedium,
		IDAIServiceAccountPermissions: governance.SeverityHigh,
		IDTeamGroupRisks:              governance.SeverityHigh,
		IDQuotaInvalidKey:             quota.QuotaInvalidKey().Severity,
		IDQuotaInertKey:               quota.QuotaInertKey().Severity,
		IDGPUWithoutQuota:             quota.GPUWithoutQuota().Severity,
		IDGPULimitRangeCap:            governance.SeverityMedium,
		IDGPURequestLimitMismatch:     quota.GPURequestLimitMismatch().Severity,
		IDGPUAboveLimitRangeMax:       quota.GPUAboveLimitRangeMax().Severity,
		IDLimitRangeMaxBecomesDefault: quota.LimitRangeMaxBecomesDefault().Severity,
		IDInvalidResourceQuantity:     quota.InvalidResourceQuantity().Severity,
		IDProviderKeySecretExposure:   governance.SeverityHigh,

		IDInferencePoolSelectsNonModelServers: governance.SeverityMedium,
		IDRouteToOtherTeam:                    governance.SeverityMedium,
		IDRayDashboardExposure:                governance.SeverityCritical,
	}
	for _, r := range secrets.DefaultRules() {
		wantSeverity[r.ID] = r.Severity
	}
	// sa-token-automount is an alias of automount-token, not a check of
	// its own (one cause, one finding).
	delete(wantSeverity, secrets.IDSATokenAutomount)
	for _, d := range rbac.Checks() {
		wantSeverity[d.ID] = d.Severity
	}
	// The design table's checks and the object-level AI-platform checks of
	// issue #17 are generated as VAPs; the others are Go-only.
	goOnly := map[string]bool{}
	for id := range wantSeverity {
		if !slices.Contains([]string{IDPrivilegedContainer, IDAllowedRegistries, IDRequiredLabels, IDContainerLimits,
			IDGPUPerContainerMax, IDHostNamespaces, IDAutomountToken, IDServiceType, IDLatestTag, IDRunAsNonRoot,
			IDRequiredProbes, IDNamespaceDataClassification, IDNamespaceTeamLabels, IDInferenceProbes, IDModelImageDigest,
			IDGPUNodeTargeting, IDAIWorkloadOwnServiceAccount, IDShadowAI, IDSensitiveWorkloadClassification,
			"quota-inert-key", IDKyvernoDeprecatedAction, IDQuotaInvalidKey, "rbac-unknown-resource",
			"secret-literal-provider-key", "secret-url-credentials", "secret-private-key-material",
			"secret-in-last-applied-annotation", "secret-type-keys-missing", "secret-volume-unused", "secret-literal-sensitive-name",
			"rbac-empty-rule", "rbac-invalid-nonresourceurls", "rbac-resourcenames-verb", "rbac-unknown-verb", "limitrange-max-becomes-default", "invalid-resource-quantity"}, id) {
			goOnly[id] = true
		}
	}
	defs := Definitions()
	if len(defs) != len(wantSeverity) {
		t.Fatalf("%d definitions, want %d", len(defs), len(wantSeverity))
	}
	for _, d := range defs {
		sev, ok := wantSeverity[d.ID]
		if !ok {
			t.Errorf("unexpected definition %q", d.ID)
			continue
		}
		delete(wantSeverity, d.ID)
		if d.Severity != sev {
			t.Errorf("%s: severity %s, want %s", d.ID, d.Severity, sev)
		}
		if d.VAP == goOnly[d.ID] || d.New == nil || d.Description == "" || len(d.Kinds) == 0 {
			t.Errorf("%s: incomplete definition %+v", d.ID, d)
		}
		if len(d.Controls) == 0 {
			t.Errorf("%s: names no framework controls", d.ID)
		}
		for _, p := range d.Params {
			if p.Name == "" || p.Type == "" || p.Description == "" {
				t.Errorf("%s: incomplete param %+v", d.ID, p)
			}
		}
		c, err := d.New(nil)
		if requiresParams(d) {
			if err == nil {
				t.Errorf("%s: built without its required params", d.ID)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", d.ID, err)
			continue
		}
		if err := c.Validate(); err != nil {
			t.Error(err)
		}
		if c.ID != d.ID || c.Severity != d.Severity || c.Description != d.Description || c.Remediation == "" {
			t.Errorf("%s: check %+v does not match its definition", d.ID, c)
		}
	}
	// Fresh on every call.
	defs[0].ID = "changed"
	defs[0].Kinds[0] = "changed"
	again := Definitions()
	if again[0].ID != IDPrivilegedContainer || again[0].Kinds[0] != PodsAndWorkloads {
		t.Error("Definitions shares state between calls")
	}
	if _, err := governance.Lookup(again, IDLatestTag); err != nil {
		t.Error(err)
	}
}

func TestDefault(t *testing.T) {
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.Check.ID)
		if r.Action != governance.ActionDeny || r.Name != "" || r.Severity != nil {
			t.Errorf("%s: rule %+v", r.Check.ID, r)
		}
	}
	want := []string{IDPrivilegedContainer, IDContainerLimits, IDHostNamespaces, IDAutomountToken, IDLatestTag, IDRunAsNonRoot,
		IDNamespaceDataClassification, IDNamespaceTeamLabels, IDSensitiveWorkloadClassification, IDPodSecurityLevel,
		IDInferenceProbes, IDModelImageDigest, IDAIWorkloadOwnServiceAccount, IDShadowAI, IDGPUNodeTargeting, IDAuditPolicyLint, IDKyvernoDeprecatedAction,
		IDNamespaceDefaultDeny, IDVectorDBIsolation, IDCrossTeamReachability, IDInferenceExposure,
		IDInferencePoolSelectsNonModelServers, IDRouteToOtherTeam, IDRayDashboardExposure, IDAIInternetEgress,
		IDAIServiceAccountPermissions, IDTeamGroupRisks, IDGPULimitRangeCap, IDProviderKeySecretExposure}
	for _, d := range rbac.Checks() {
		want = append(want, d.ID)
	}
	for _, d := range quota.Checks() {
		want = append(want, d.ID)
	}
	for _, r := range secrets.DefaultRules() {
		if r.ID != secrets.IDSATokenAutomount { // automount-token's alias
			want = append(want, r.ID)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("Default() = %v, want %v", ids, want)
	}
	if _, err := governance.NewEngine(rules...); err != nil {
		t.Error(err)
	}
}
