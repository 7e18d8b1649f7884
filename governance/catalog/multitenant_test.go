package catalog

import (
	"slices"
	"strings"
	"testing"
)

// TestMultitenantMistakes: Default finds every planted mistake of
// examples/multitenant/README.md ("The deliberate mistakes"), each by the
// check and on the object the table names; fixed/ has no finding
// (TestDefaultOnExamplePlatform).
func TestMultitenantMistakes(t *testing.T) {
	got := platformFindings(t, ".")
	for _, m := range []struct {
		mistake, check, object, contains string
	}{
		{"1 wildcard cv-admin Role bound to cv-engineers", "rbac-wildcard-team-grant", "cv-team RoleBinding/cv-engineers-admin", `Group "cv-engineers" is bound by RoleBinding/cv-team/cv-engineers-admin to Role/cv-team/cv-admin, whose rule 0 grants "*" verbs, resources, apiGroups`},
		{"2 pods/logs", "rbac-unknown-resource", "nlp-team Role/nlp-developer", `"pods" has no subresource "logs"`},
		{"3a limits.gpu refused", IDQuotaInvalidKey, "recs-team ResourceQuota/recs-compute", "limits.gpu"},
		{"3b nvidia.com/gpu inert", IDQuotaInertKey, "cv-team ResourceQuota/cv-compute", "nvidia.com/gpu is never enforced"},
		{"4 inline OpenAI key", "secret-literal-provider-key", "platform Deployment/ai-gateway", "spec.template.spec.containers[0].env[0].value"},
		{"5 redis-stack open to cv-team (vector DB)", IDVectorDBIsolation, "recs-team Deployment/redis-stack", "cv-team/cv-notebook (Deployment)"},
		{"5 redis-stack open to cv-team (teams)", IDCrossTeamReachability, "recs-team Deployment/redis-stack", "NetworkPolicy cv-team/allow-all-egress egress[0]; ingress allowed by NetworkPolicy recs-team/redis-stack-ingress"},
		{"5 cv-team egress to the internet on every port", IDAIInternetEgress, "cv-team Job/resnet50-finetune", "on all"},
		{"6a latest tag", IDLatestTag, "cv-team Deployment/cv-notebook", "jupyter/pytorch-notebook:latest"},
		{"6b privileged trainer", IDPrivilegedContainer, "cv-team Job/resnet50-finetune", "securityContext.privileged"},
		{"6c cv-team enforce privileged", IDPodSecurityLevel, "cv-team Job/resnet50-finetune", `namespace "cv-team" enforces privileged`},
		{"6d recommender without limits", IDContainerLimits, "recs-team Deployment/recommender", "has no cpu limit"},
		{"7 token automount: gateway", IDAutomountToken, "platform Deployment/ai-gateway", "automountServiceAccountToken"},
		{"7 token automount: notebook", IDAutomountToken, "cv-team Deployment/cv-notebook", "automountServiceAccountToken"},
		{"7 token automount: training", IDAutomountToken, "cv-team Job/resnet50-finetune", "automountServiceAccountToken"},
		{"8 stringData in git", "secret-stringdata-in-source", "nlp-team Secret/huggingface-token", "stringData"},
	} {
		prefix := m.check + " " + m.object + " "
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, prefix) && strings.Contains(s, m.contains) }) {
			t.Errorf("mistake %s: no %s finding on %s containing %q", m.mistake, m.check, m.object, m.contains)
		}
	}
	if t.Failed() {
		t.Log("findings:\n" + strings.Join(got, "\n"))
	}
}
