// Package governance is aigov's core: it loads Kubernetes objects into an
// Inventory, derives the pods every workload runs, and runs Checks over it to
// produce Findings.
//
// It answers "what is in this platform, and what is wrong with it?" for every
// analyzer above it (rbac, netpol, quota, secrets, the catalog):
//
//   - Loader reads files, directories and standard input the way kubectl
//     does, decodes every document into its typed k8s.io/api struct (unknown
//     kinds stay unstructured), applies the API defaults that change meaning,
//     and reports every bad document with file, document and line. Unknown
//     and duplicate fields are input errors by default, as under kubectl's
//     --validate=strict (Loader.Validation), and so are names the
//     kube-apiserver refuses.
//   - Inventory indexes the objects once; Workloads turns Pods and
//     controllers into the pods the cluster would create.
//   - Check, Rule and Engine evaluate pure checks deterministically, honour
//     exemptions and scopes, and return Findings; Policy reads the
//     GovernancePolicy file that selects and configures them.
//
// A typical use:
//
//	loader, err := governance.NewLoader()
//	if err != nil { ... }
//	inv, err := loader.Load("manifests/")
//	if err != nil { ... } // governance.IsInputError(err): exit 2
//	engine, err := governance.NewEngine(rules...)
//	if err != nil { ... }
//	for _, f := range engine.Run(inv) {
//		fmt.Println(f.Severity, f.Object, f.Path, f.Message)
//	}
package governance
