// Code generated from k8s.io/kubernetes@v1.37.2 api/discovery/aggregated_v2.json and
// api/discovery/api__v1.json (every group, version and resource the kube-apiserver
// serves, alpha APIs included). DO NOT EDIT.

package rbac

// servedAPI lists, per built-in API group, every resource the kube-apiserver
// serves, whether it is namespaced, and its subresources.
func servedAPI() map[string]map[string]builtinResource {
	return map[string]map[string]builtinResource{
		"": {
			"bindings":               {namespaced: true},
			"componentstatuses":      {namespaced: false},
			"configmaps":             {namespaced: true},
			"endpoints":              {namespaced: true},
			"events":                 {namespaced: true},
			"limitranges":            {namespaced: true},
			"namespaces":             {namespaced: false, subresources: []string{"finalize", "status"}},
			"nodes":                  {namespaced: false, subresources: []string{"proxy", "status"}},
			"persistentvolumeclaims": {namespaced: true, subresources: []string{"status"}},
			"persistentvolumes":      {namespaced: false, subresources: []string{"status"}},
			"pods":                   {namespaced: true, subresources: []string{"attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "resize", "status"}},
			"podtemplates":           {namespaced: true},
			"replicationcontrollers": {namespaced: true, subresources: []string{"scale", "status"}},
			"resourcequotas":         {namespaced: true, subresources: []string{"status"}},
			"secrets":                {namespaced: true},
			"serviceaccounts":        {namespaced: true, subresources: []string{"token"}},
			"services":               {namespaced: true, subresources: []string{"proxy", "status"}},
		},
		"admissionregistration.k8s.io": {
			"mutatingadmissionpolicies":         {namespaced: false},
			"mutatingadmissionpolicybindings":   {namespaced: false},
			"mutatingwebhookconfigurations":     {namespaced: false},
			"validatingadmissionpolicies":       {namespaced: false, subresources: []string{"status"}},
			"validatingadmissionpolicybindings": {namespaced: false},
			"validatingwebhookconfigurations":   {namespaced: false},
		},
		"apiextensions.k8s.io": {
			"customresourcedefinitions": {namespaced: false, subresources: []string{"status"}},
		},
		"apiregistration.k8s.io": {
			"apiservices": {namespaced: false, subresources: []string{"status"}},
		},
		"apps": {
			"controllerrevisions": {namespaced: true},
			"daemonsets":          {namespaced: true, subresources: []string{"status"}},
			"deployments":         {namespaced: true, subresources: []string{"scale", "status"}},
			"replicasets":         {namespaced: true, subresources: []string{"scale", "status"}},
			"statefulsets":        {namespaced: true, subresources: []string{"scale", "status"}},
		},
		"authentication.k8s.io": {
			"selfsubjectreviews": {namespaced: false},
			"tokenreviews":       {namespaced: false},
		},
		"authorization.k8s.io": {
			"localsubjectaccessreviews": {namespaced: true},
			"selfsubjectaccessreviews":  {namespaced: false},
			"selfsubjectrulesreviews":   {namespaced: false},
			"subjectaccessreviews":      {namespaced: false},
		},
		"autoscaling": {
			"horizontalpodautoscalers": {namespaced: true, subresources: []string{"status"}},
		},
		"batch": {
			"cronjobs": {namespaced: true, subresources: []string{"status"}},
			"jobs":     {namespaced: true, subresources: []string{"status"}},
		},
		"certificates.k8s.io": {
			"certificatesigningrequests": {namespaced: false, subresources: []string{"approval", "status"}},
			"clustertrustbundles":        {namespaced: false},
			"podcertificaterequests":     {namespaced: true, subresources: []string{"status"}},
		},
		"coordination.k8s.io": {
			"leasecandidates": {namespaced: true},
			"leases":          {namespaced: true},
		},
		"discovery.k8s.io": {
			"endpointslices": {namespaced: true},
		},
		"events.k8s.io": {
			"events": {namespaced: true},
		},
		"flowcontrol.apiserver.k8s.io": {
			"flowschemas":                 {namespaced: false, subresources: []string{"status"}},
			"prioritylevelconfigurations": {namespaced: false, subresources: []string{"status"}},
		},
		"internal.apiserver.k8s.io": {
			"storageversions": {namespaced: false, subresources: []string{"status"}},
		},
		"lifecycle.k8s.io": {
			"evictionrequests": {namespaced: true, subresources: []string{"status"}},
			"evictions":        {namespaced: true, subresources: []string{"status"}},
		},
		"networking.k8s.io": {
			"ingressclasses":  {namespaced: false},
			"ingresses":       {namespaced: true, subresources: []string{"status"}},
			"ipaddresses":     {namespaced: false},
			"networkpolicies": {namespaced: true},
			"servicecidrs":    {namespaced: false, subresources: []string{"status"}},
		},
		"node.k8s.io": {
			"runtimeclasses": {namespaced: false},
		},
		"policy": {
			"poddisruptionbudgets": {namespaced: true, subresources: []string{"status"}},
		},
		"rbac.authorization.k8s.io": {
			"clusterrolebindings": {namespaced: false},
			"clusterroles":        {namespaced: false},
			"rolebindings":        {namespaced: true},
			"roles":               {namespaced: true},
		},
		"resource.k8s.io": {
			"deviceclasses":              {namespaced: false},
			"devicetaintrules":           {namespaced: false, subresources: []string{"status"}},
			"resourceclaims":             {namespaced: true, subresources: []string{"status"}},
			"resourceclaimtemplates":     {namespaced: true},
			"resourcepoolstatusrequests": {namespaced: false, subresources: []string{"status"}},
			"resourceslices":             {namespaced: false},
		},
		"scheduling.k8s.io": {
			"compositepodgroups": {namespaced: true, subresources: []string{"status"}},
			"podgroups":          {namespaced: true, subresources: []string{"status"}},
			"priorityclasses":    {namespaced: false},
			"workloads":          {namespaced: true},
		},
		"storage.k8s.io": {
			"csidrivers":              {namespaced: false},
			"csinodes":                {namespaced: false, subresources: []string{"status"}},
			"csistoragecapacities":    {namespaced: true},
			"storageclasses":          {namespaced: false},
			"volumeattachments":       {namespaced: false, subresources: []string{"status"}},
			"volumeattributesclasses": {namespaced: false},
		},
		"storagemigration.k8s.io": {
			"storageversionmigrations": {namespaced: false, subresources: []string{"status"}},
		},
	}
}
