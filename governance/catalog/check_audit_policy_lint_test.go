package catalog

import "testing"

func auditPolicy(rules string) string {
	return "apiVersion: audit.k8s.io/v1\nkind: Policy\nmetadata: {name: audit}\nrules:\n" + rules
}

func TestAuditPolicyLint(t *testing.T) {
	c := mustNew(t, NewAuditPolicyLint, "")
	good := "- {level: Metadata, resources: [{group: '', resources: [secrets, configmaps]}]}\n" +
		"- {level: RequestResponse, resources: [{group: rbac.authorization.k8s.io}]}\n" +
		"- {level: Request}\n"
	rbacMsg := "audit Policy does not audit RBAC changes (create/update/patch/delete roles, create/update/patch/delete rolebindings, create/update/patch/delete clusterroles, create/update/patch/delete clusterrolebindings in rbac.authorization.k8s.io): "
	runCases(t, c, []checkCase{
		{name: "good", manifest: auditPolicy(good)},
		{name: "empty policy audits nothing", manifest: "apiVersion: audit.k8s.io/v1\nkind: Policy\nmetadata: {name: audit}\n",
			want: []string{`Policy/audit rules: ` + rbacMsg + "no rule matches them"}},
		{name: "unknown fields", manifest: auditPolicy("- level: None\n  namespaceSelector: {matchLabels: {a: b}}\n  recordLimit: 5\n" + good),
			want: []string{
				`Policy/audit rules[0].level: ` + rbacMsg + "rule 0 matches them at level None",
				`Policy/audit rules[0].namespaceSelector: audit Policy field rules[0].namespaceSelector does not exist in audit.k8s.io/v1: the apiserver ignores it, so rule 0 matches more requests than written`,
				`Policy/audit rules[0].recordLimit: audit Policy field rules[0].recordLimit does not exist in audit.k8s.io/v1: the apiserver ignores it, so rule 0 matches more requests than written`,
			}},
		{name: "catch-all at RequestResponse", manifest: auditPolicy("- {level: RequestResponse}\n"),
			want: []string{
				`Policy/audit rules[0].level: audit Policy rule 0 logs configmaps at RequestResponse: their contents are written to the audit log`,
				`Policy/audit rules[0].level: audit Policy rule 0 logs secrets at RequestResponse: their contents are written to the audit log`,
			}},
		{name: "secrets for one user only, after RBAC", manifest: auditPolicy("- {level: RequestResponse, resources: [{group: rbac.authorization.k8s.io}]}\n- {level: Request, users: [admin], resources: [{group: '', resources: [secrets], resourceNames: [x]}]}\n- {level: None}\n"),
			want: []string{`Policy/audit rules[1].level: audit Policy rule 1 logs secrets at Request: their contents are written to the audit log`}},
		{name: "rbac only for some namespaces and users", manifest: auditPolicy("- {level: None, users: [system:kube-controller-manager]}\n- {level: Metadata, namespaces: [team-a], resources: [{group: rbac.authorization.k8s.io}]}\n- {level: Metadata, resources: [{group: rbac.authorization.k8s.io, resources: ['clusterroles', 'clusterrolebindings/*']}]}\n"),
			want: []string{`Policy/audit rules: audit Policy does not audit RBAC changes (create/update/patch/delete roles, create/update/patch/delete rolebindings in rbac.authorization.k8s.io): no rule matches them`}},
	})
	runParamCases(t, NewAuditPolicyLint, noParamCases)
}
