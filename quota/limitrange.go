package quota

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
)

// DefaultLimitRange applies the API defaults of a LimitRange's Container
// items as the apiserver stores them: default from max, then defaultRequest
// from default, then from min. It returns a copy.
func DefaultLimitRange(lr *corev1.LimitRange) *corev1.LimitRange {
	out := lr.DeepCopy()
	for i := range out.Spec.Limits {
		it := &out.Spec.Limits[i]
		if it.Type != corev1.LimitTypeContainer {
			continue
		}
		it.Default = fill(it.Default, it.Max)
		it.DefaultRequest = fill(it.DefaultRequest, it.Default)
		it.DefaultRequest = fill(it.DefaultRequest, it.Min)
	}
	return out
}

func fill(dst, src corev1.ResourceList) corev1.ResourceList {
	for k, v := range src {
		if _, ok := dst[k]; ok {
			continue
		}
		if dst == nil {
			dst = corev1.ResourceList{}
		}
		dst[k] = v.DeepCopy()
	}
	return dst
}

// lrDefaults are the defaultRequest and default of a LimitRange's
// Container items, merged (later items win, as LimitRanger applies them).
type lrDefaults struct{ requests, limits corev1.ResourceList }

func limitRangeDefaults(lr *corev1.LimitRange) lrDefaults {
	d := lrDefaults{requests: corev1.ResourceList{}, limits: corev1.ResourceList{}}
	for _, it := range lr.Spec.Limits {
		if it.Type != corev1.LimitTypeContainer {
			continue
		}
		for k, v := range it.DefaultRequest {
			d.requests[k] = v.DeepCopy()
		}
		for k, v := range it.Default {
			d.limits[k] = v.DeepCopy()
		}
	}
	return d
}

// apply is LimitRanger's mutating phase for one LimitRange: every
// container and init container gets the missing request and limit keys.
func (d lrDefaults) apply(pod *corev1.Pod) {
	if len(d.requests) == 0 && len(d.limits) == 0 {
		return
	}
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range list {
			r := &list[i].Resources
			r.Limits = fill(r.Limits, d.limits)
			r.Requests = fill(r.Requests, d.requests)
		}
	}
}

// validateLimitRange is LimitRanger's validating phase for one LimitRange:
// the messages of every violated min, max and maxLimitRequestRatio, in a
// stable order (the apiserver walks maps, so its order varies).
func validateLimitRange(lr *corev1.LimitRange, pod *corev1.Pod) []string {
	var errs []string
	for _, it := range lr.Spec.Limits {
		switch it.Type {
		case corev1.LimitTypeContainer:
			for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
				for i := range list {
					errs = append(errs, checkItem(it, "Container", list[i].Resources.Requests, list[i].Resources.Limits)...)
				}
			}
		case corev1.LimitTypePod:
			errs = append(errs, checkItem(it, "Pod", limitRangerPodTotal(pod, false), limitRangerPodTotal(pod, true))...)
		}
	}
	return errs
}

// LimitRangeMessage joins LimitRanger errors as the apiserver aggregates
// them ("a" or "[a, b]").
func limitRangeMessage(errs []string) string {
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = fmt.Errorf("%s", e)
	}
	return utilerrors.NewAggregate(list).Error()
}

func checkItem(it corev1.LimitRangeItem, kind string, req, lim corev1.ResourceList) []string {
	var errs []string
	for _, k := range sortedKeys(it.Min) {
		errs = appendErr(errs, minConstraint(kind, k, it.Min[k], req, lim))
	}
	for _, k := range sortedKeys(it.Max) {
		errs = appendErr(errs, maxConstraint(kind, k, it.Max[k], req, lim))
	}
	for _, k := range sortedKeys(it.MaxLimitRequestRatio) {
		errs = appendErr(errs, ratioConstraint(kind, k, it.MaxLimitRequestRatio[k], req, lim))
	}
	return errs
}

func appendErr(errs []string, e string) []string {
	if e == "" {
		return errs
	}
	return append(errs, e)
}

// comparable returns the three values at milli precision when none would
// overflow, else at unit precision (as LimitRanger compares).
func comparable(a, b, c resource.Quantity) (int64, int64, int64) {
	x, y, z := a.Value(), b.Value(), c.Value()
	if x <= resource.MaxMilliValue && y <= resource.MaxMilliValue && z <= resource.MaxMilliValue {
		return a.MilliValue(), b.MilliValue(), c.MilliValue()
	}
	return x, y, z
}

func minConstraint(kind string, k corev1.ResourceName, min resource.Quantity, req, lim corev1.ResourceList) string {
	r, hasReq := req[k]
	l, hasLim := lim[k]
	rv, lv, mv := comparable(r, l, min)
	switch {
	case !hasReq:
		return fmt.Sprintf("minimum %s usage per %s is %s.  No request is specified", k, kind, min.String())
	case rv < mv:
		return fmt.Sprintf("minimum %s usage per %s is %s, but request is %s", k, kind, min.String(), r.String())
	case hasLim && lv < mv:
		return fmt.Sprintf("minimum %s usage per %s is %s, but limit is %s", k, kind, min.String(), l.String())
	}
	return ""
}

func maxConstraint(kind string, k corev1.ResourceName, max resource.Quantity, req, lim corev1.ResourceList) string {
	r, hasReq := req[k]
	l, hasLim := lim[k]
	rv, lv, mv := comparable(r, l, max)
	switch {
	case !hasLim:
		return fmt.Sprintf("maximum %s usage per %s is %s.  No limit is specified", k, kind, max.String())
	case lv > mv:
		return fmt.Sprintf("maximum %s usage per %s is %s, but limit is %s", k, kind, max.String(), l.String())
	case hasReq && rv > mv:
		return fmt.Sprintf("maximum %s usage per %s is %s, but request is %s", k, kind, max.String(), r.String())
	}
	return ""
}

// maxRequestConstraint is max for PVCs: only the request exists.
func maxRequestConstraint(kind string, k corev1.ResourceName, max resource.Quantity, req corev1.ResourceList) string {
	r, hasReq := req[k]
	rv, _, mv := comparable(r, resource.Quantity{}, max)
	switch {
	case !hasReq:
		return fmt.Sprintf("maximum %s usage per %s is %s.  No request is specified", k, kind, max.String())
	case rv > mv:
		return fmt.Sprintf("maximum %s usage per %s is %s, but request is %s", k, kind, max.String(), r.String())
	}
	return ""
}

func ratioConstraint(kind string, k corev1.ResourceName, ratio resource.Quantity, req, lim corev1.ResourceList) string {
	r, hasReq := req[k]
	l, hasLim := lim[k]
	rv, lv, _ := comparable(r, l, ratio)
	if !hasReq || rv == 0 {
		return fmt.Sprintf("%s max limit to request ratio per %s is %s, but no request is specified or request is 0", k, kind, ratio.String())
	}
	if !hasLim || lv == 0 {
		return fmt.Sprintf("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0", k, kind, ratio.String())
	}
	observed := float64(lv) / float64(rv)
	shown := observed
	enforced := float64(ratio.Value())
	if ratio.Value() <= resource.MaxMilliValue {
		observed *= 1000
		enforced = float64(ratio.MilliValue())
	}
	if observed > enforced {
		return fmt.Sprintf("%s max limit to request ratio per %s is %s, but provided ratio is %f", k, kind, ratio.String(), shown)
	}
	return ""
}

func resourcesOf(c *corev1.Container, limits bool) corev1.ResourceList {
	if limits {
		return c.Resources.Limits
	}
	return c.Resources.Requests
}

// limitRangerPodTotal is the pod aggregate LimitRanger checks Pod items
// against: spec only, no overhead; app containers and sidecars summed,
// each init container with the sidecars started before it, the maximum of
// the two; pod-level cpu and memory replace the aggregate.
func limitRangerPodTotal(pod *corev1.Pod, limits bool) corev1.ResourceList {
	of := func(c *corev1.Container) corev1.ResourceList { return resourcesOf(c, limits) }
	total := corev1.ResourceList{}
	for i := range pod.Spec.Containers {
		addInto(total, of(&pod.Spec.Containers[i]))
	}
	sidecars, initMax := corev1.ResourceList{}, corev1.ResourceList{}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		var use corev1.ResourceList
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			addInto(total, of(c))
			addInto(sidecars, of(c))
			use = sidecars
		} else {
			use = corev1.ResourceList{}
			addInto(use, of(c))
			addInto(use, sidecars)
		}
		maxInto(initMax, use)
	}
	maxInto(total, initMax)
	if pod.Spec.Resources != nil {
		podLevel := pod.Spec.Resources.Requests
		if limits {
			podLevel = pod.Spec.Resources.Limits
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := podLevel[r]; ok {
				total[r] = q.DeepCopy()
			}
		}
	}
	return total
}

func addInto(dst, src corev1.ResourceList) {
	for k, v := range src {
		if cur, ok := dst[k]; ok {
			cur.Add(v)
			dst[k] = cur
		} else {
			dst[k] = v.DeepCopy()
		}
	}
}

func maxInto(dst, src corev1.ResourceList) {
	for k, v := range src {
		if cur, ok := dst[k]; !ok || v.Cmp(cur) > 0 {
			dst[k] = v.DeepCopy()
		}
	}
}

// ValidatePVC is LimitRanger's check of a PersistentVolumeClaim against the
// namespace's LimitRanges (min and max of requests.storage and any other
// listed key, on the claim's requests). It returns the apiserver's message
// or "".
func ValidatePVC(limitRanges []*corev1.LimitRange, pvc *corev1.PersistentVolumeClaim) string {
	for _, lr := range sortLimitRanges(limitRanges) {
		var errs []string
		for _, it := range lr.Spec.Limits {
			if it.Type != corev1.LimitTypePersistentVolumeClaim {
				continue
			}
			for _, k := range sortedKeys(it.Min) {
				errs = appendErr(errs, minConstraint(string(it.Type), k, it.Min[k], pvc.Spec.Resources.Requests, corev1.ResourceList{}))
			}
			for _, k := range sortedKeys(it.Max) {
				errs = appendErr(errs, maxRequestConstraint(string(it.Type), k, it.Max[k], pvc.Spec.Resources.Requests))
			}
		}
		if len(errs) > 0 {
			return forbidden("persistentvolumeclaims", pvc.Name, limitRangeMessage(errs))
		}
	}
	return ""
}

func sortLimitRanges(in []*corev1.LimitRange) []*corev1.LimitRange {
	out := append([]*corev1.LimitRange(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func forbidden(resourceName, name, msg string) string {
	var b strings.Builder
	b.Grow(len(resourceName) + len(name) + len(msg) + 24)
	writeForbiddenPrefix(&b, resourceName, name)
	b.WriteString(msg)
	return b.String()
}

// writeForbiddenPrefix writes `<resource> "<name>" is forbidden: `.
func writeForbiddenPrefix(b *strings.Builder, resourceName, name string) {
	b.WriteString(resourceName)
	b.WriteByte(' ')
	writeQuoted(b, name)
	b.WriteString(" is forbidden: ")
}

// writeQuoted writes strconv.Quote(s), without its allocation for the
// usual object name (printable ASCII, nothing to escape).
func writeQuoted(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			b.WriteString(strconv.Quote(s))
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// joinSorted is used for deterministic "a,b" lists.
func joinSorted(s []string, sep string) string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return strings.Join(out, sep)
}

// limitRangePasses says whether validateLimitRange finds nothing, without
// sorting keys or building messages for Container items (constraint
// checks format only on failure).
func limitRangePasses(lr *corev1.LimitRange, pod *corev1.Pod) bool {
	for i := range lr.Spec.Limits {
		it := &lr.Spec.Limits[i]
		switch it.Type {
		case corev1.LimitTypeContainer:
			for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
				for j := range list {
					if !itemPasses(it, "Container", list[j].Resources.Requests, list[j].Resources.Limits) {
						return false
					}
				}
			}
		case corev1.LimitTypePod:
			return len(validateLimitRange(lr, pod)) == 0
		}
	}
	return true
}

func itemPasses(it *corev1.LimitRangeItem, kind string, req, lim corev1.ResourceList) bool {
	for k, v := range it.Min {
		if minConstraint(kind, k, v, req, lim) != "" {
			return false
		}
	}
	for k, v := range it.Max {
		if maxConstraint(kind, k, v, req, lim) != "" {
			return false
		}
	}
	for k, v := range it.MaxLimitRequestRatio {
		if ratioConstraint(kind, k, v, req, lim) != "" {
			return false
		}
	}
	return true
}
