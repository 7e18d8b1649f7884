package report

import (
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
)

// The PolicyReport API of the Kubernetes Policy working group
// (wgpolicyk8s.io/v1alpha2, kubernetes-sigs/wg-policy-prototypes), declared
// here so that aigov depends on no policy engine. Field names and JSON tags
// are those of the upstream types.
const (
	// PolicyReportGroup is the API group of PolicyReport objects.
	PolicyReportGroup = "wgpolicyk8s.io"
	// PolicyReportAPIVersion is their apiVersion.
	PolicyReportAPIVersion = PolicyReportGroup + "/v1alpha2"
	// PolicyReportKind and ClusterPolicyReportKind are their kinds.
	PolicyReportKind        = "PolicyReport"
	ClusterPolicyReportKind = "ClusterPolicyReport"
	// ClusterPolicyReportName is the name of the ClusterPolicyReport aigov
	// writes; a namespace's PolicyReport is named "aigov-<namespace>".
	ClusterPolicyReportName = ToolName + "-cluster"
	// ManagedByLabel marks the reports aigov writes (value "aigov").
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// PolicyReportCategory is the category of every aigov result.
	PolicyReportCategory = "Kubernetes governance"
)

// PolicyResult is the outcome of a policy rule: pass, fail, warn, error or
// skip.
type PolicyResult string

// Policy results. Upstream meanings: pass — the requirements are met; fail —
// they are not; warn — they are not and the policy is not scored; error —
// the policy could not be evaluated; skip — the policy was not selected.
const (
	PolicyResultPass  PolicyResult = "pass"
	PolicyResultFail  PolicyResult = "fail"
	PolicyResultWarn  PolicyResult = "warn"
	PolicyResultError PolicyResult = "error"
	PolicyResultSkip  PolicyResult = "skip"
)

// PolicyResultSeverity is critical, high, medium, low or info: aigov's
// severity names.
type PolicyResultSeverity string

// PolicyReportSummary counts the results of a report by outcome.
type PolicyReportSummary struct {
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Error int `json:"error"`
	Skip  int `json:"skip"`
}

// PolicyReportResult is the result of one policy rule for some resources.
type PolicyReportResult struct {
	// Source is the engine that produced the result: "aigov".
	Source string `json:"source"`
	// Policy is the policy's name: the aigov check ID.
	Policy string `json:"policy"`
	// Rule is the rule within the policy: the policy entry's name, else
	// the check ID.
	Rule     string               `json:"rule,omitempty"`
	Category string               `json:"category,omitempty"`
	Severity PolicyResultSeverity `json:"severity,omitempty"`
	// Timestamp is when the result was found.
	Timestamp metav1.Timestamp `json:"timestamp,omitempty"`
	Result    PolicyResult     `json:"result,omitempty"`
	// Scored is false for results that do not count against compliance
	// (warn).
	Scored bool `json:"scored,omitempty"`
	// Subjects are the checked resources.
	Subjects []corev1.ObjectReference `json:"resources,omitempty"`
	// SubjectSelector selects the checked resources instead of Subjects.
	SubjectSelector *metav1.LabelSelector `json:"resourceSelector,omitempty"`
	// Description is the result's message.
	Description string `json:"message,omitempty"`
	// Properties carry aigov's details: path, file, line, action, known.
	Properties map[string]string `json:"properties,omitempty"`
}

// PolicyReport holds the results of the namespaced resources of one
// namespace.
type PolicyReport struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Scope is an optional reference to the report's scope (a Deployment,
	// a Namespace...).
	Scope *corev1.ObjectReference `json:"scope,omitempty"`
	// ScopeSelector selects several scopes; at most one of Scope and
	// ScopeSelector is set.
	ScopeSelector *metav1.LabelSelector `json:"scopeSelector,omitempty"`
	Summary       PolicyReportSummary   `json:"summary,omitempty"`
	Results       []PolicyReportResult  `json:"results,omitempty"`
}

// ClusterPolicyReport holds the results of cluster-scoped resources.
type ClusterPolicyReport struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Scope             *corev1.ObjectReference `json:"scope,omitempty"`
	ScopeSelector     *metav1.LabelSelector   `json:"scopeSelector,omitempty"`
	Summary           PolicyReportSummary     `json:"summary,omitempty"`
	Results           []PolicyReportResult    `json:"results,omitempty"`
}

// PolicyReports turns a Report into one PolicyReport per namespace that has
// findings (named "aigov-<namespace>", sorted by namespace) and one
// ClusterPolicyReport ("aigov-cluster") for the findings of cluster-scoped
// objects — always returned, possibly empty, so that applying it replaces
// the results of an earlier run.
//
// Mapping, one result per finding:
//   - policy is the check ID; rule the policy entry's name, else the check
//     ID; source "aigov"; severity the finding's; message its message;
//     resources the object; timestamp r.Time (or now when zero).
//   - result: a finding is a requirement not met, so Deny and Audit
//     findings are "fail" (scored) — Audit changes where a violation is
//     recorded, not whether it is one — and Warn findings are "warn" (not
//     scored), the upstream meaning of warn. Known (baselined) findings keep
//     that result — they are still violations, and "skip" would say the
//     policy did not apply — and carry the property known: "true".
//   - aigov never reports passes (checks return failures only), so pass is
//     0; error and skip are 0 too.
//   - properties: path, file, line, document (when known), action, known
//     (only when true), and for a finding that pods were folded into
//     affected (their number) and example ("Kind/name" of one of them).
func PolicyReports(r Report) ([]PolicyReport, ClusterPolicyReport) {
	at := r.Time
	if at.IsZero() {
		at = time.Now()
	}
	ts := metav1.Timestamp{Seconds: at.Unix(), Nanos: int32(at.Nanosecond())}

	cluster := ClusterPolicyReport{
		TypeMeta:   metav1.TypeMeta{APIVersion: PolicyReportAPIVersion, Kind: ClusterPolicyReportKind},
		ObjectMeta: reportMeta(ClusterPolicyReportName, ""),
	}
	byNS := map[string]*PolicyReport{}
	for _, f := range sortedFindings(r.Findings) {
		res := policyReportResult(f, ts)
		ns := f.Object.Namespace
		if ns == "" {
			cluster.Results = append(cluster.Results, res)
			count(&cluster.Summary, res.Result)
			continue
		}
		rep, ok := byNS[ns]
		if !ok {
			rep = &PolicyReport{
				TypeMeta:   metav1.TypeMeta{APIVersion: PolicyReportAPIVersion, Kind: PolicyReportKind},
				ObjectMeta: reportMeta(ToolName+"-"+ns, ns),
			}
			byNS[ns] = rep
		}
		rep.Results = append(rep.Results, res)
		count(&rep.Summary, res.Result)
	}
	namespaces := make([]string, 0, len(byNS))
	for ns := range byNS {
		namespaces = append(namespaces, ns)
	}
	sort.Strings(namespaces)
	reports := make([]PolicyReport, len(namespaces))
	for i, ns := range namespaces {
		reports[i] = *byNS[ns]
	}
	return reports, cluster
}

func reportMeta(name, namespace string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{ManagedByLabel: ToolName}}
}

func policyReportResult(f governance.Finding, ts metav1.Timestamp) PolicyReportResult {
	result, scored := PolicyResultFail, true
	if strings.EqualFold(string(f.Action), string(governance.ActionWarn)) {
		result, scored = PolicyResultWarn, false
	}
	rule := f.Name
	if rule == "" {
		rule = f.Check
	}
	props := map[string]string{}
	if f.Path != "" {
		props["path"] = f.Path
	}
	src := f.Object.Source
	if src.File != "" {
		props["file"] = src.File
	}
	if src.Line > 0 {
		props["line"] = strconv.Itoa(src.Line)
	}
	if src.Document > 0 {
		props["document"] = strconv.Itoa(src.Document)
	}
	if f.Action != "" {
		props["action"] = string(f.Action)
	}
	if f.Known {
		props["known"] = "true"
	}
	if f.Affected > 0 {
		props["affected"] = strconv.Itoa(f.Affected)
	}
	if ex := f.ExampleName(); ex != "" {
		props["example"] = ex
	}
	if len(props) == 0 {
		props = nil
	}
	return PolicyReportResult{
		Source:    ToolName,
		Policy:    f.Check,
		Rule:      rule,
		Category:  PolicyReportCategory,
		Severity:  PolicyResultSeverity(f.Severity.String()),
		Timestamp: ts,
		Result:    result,
		Scored:    scored,
		Subjects: []corev1.ObjectReference{{
			APIVersion: f.Object.APIVersion, Kind: f.Object.Kind,
			Namespace: f.Object.Namespace, Name: f.Object.Name,
		}},
		Description: f.Message,
		Properties:  props,
	}
}

func count(s *PolicyReportSummary, r PolicyResult) {
	switch r {
	case PolicyResultPass:
		s.Pass++
	case PolicyResultFail:
		s.Fail++
	case PolicyResultWarn:
		s.Warn++
	case PolicyResultError:
		s.Error++
	case PolicyResultSkip:
		s.Skip++
	}
}

// WritePolicyReports writes PolicyReports(r) as multi-document YAML, ready
// for `kubectl apply -f -`: the ClusterPolicyReport first, then the
// namespaces' PolicyReports in namespace order, separated by "---".
func WritePolicyReports(w io.Writer, r Report) error {
	reports, cluster := PolicyReports(r)
	docs := make([]any, 0, 1+len(reports))
	docs = append(docs, &cluster)
	for i := range reports {
		docs = append(docs, &reports[i])
	}
	var b strings.Builder
	for i, d := range docs {
		y, err := yaml.Marshal(d)
		if err != nil {
			return err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// DeepCopyInto copies the result into out.
func (in *PolicyReportResult) DeepCopyInto(out *PolicyReportResult) {
	*out = *in
	if in.Subjects != nil {
		out.Subjects = make([]corev1.ObjectReference, len(in.Subjects))
		copy(out.Subjects, in.Subjects)
	}
	if in.SubjectSelector != nil {
		out.SubjectSelector = in.SubjectSelector.DeepCopy()
	}
	if in.Properties != nil {
		out.Properties = make(map[string]string, len(in.Properties))
		for k, v := range in.Properties {
			out.Properties[k] = v
		}
	}
}

func copyResults(in []PolicyReportResult) []PolicyReportResult {
	if in == nil {
		return nil
	}
	out := make([]PolicyReportResult, len(in))
	for i := range in {
		in[i].DeepCopyInto(&out[i])
	}
	return out
}

// DeepCopyInto copies the report into out.
func (in *PolicyReport) DeepCopyInto(out *PolicyReport) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	if in.Scope != nil {
		out.Scope = in.Scope.DeepCopy()
	}
	if in.ScopeSelector != nil {
		out.ScopeSelector = in.ScopeSelector.DeepCopy()
	}
	out.Results = copyResults(in.Results)
}

// DeepCopy returns a deep copy of the report.
func (in *PolicyReport) DeepCopy() *PolicyReport {
	if in == nil {
		return nil
	}
	out := new(PolicyReport)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject makes PolicyReport a runtime.Object.
func (in *PolicyReport) DeepCopyObject() runtime.Object { return in.DeepCopy() }

// DeepCopyInto copies the report into out.
func (in *ClusterPolicyReport) DeepCopyInto(out *ClusterPolicyReport) {
	// The two report kinds have the same fields, so the conversion is
	// checked by the compiler and the copy is PolicyReport's.
	(*PolicyReport)(in).DeepCopyInto((*PolicyReport)(out))
}

// DeepCopy returns a deep copy of the report.
func (in *ClusterPolicyReport) DeepCopy() *ClusterPolicyReport {
	if in == nil {
		return nil
	}
	out := new(ClusterPolicyReport)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject makes ClusterPolicyReport a runtime.Object.
func (in *ClusterPolicyReport) DeepCopyObject() runtime.Object { return in.DeepCopy() }
