package quota

import (
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"

	"github.com/aigov/aigov/governance"
)

// IsGPUDeviceClass says whether a DRA DeviceClass hands out GPUs or GPU
// slices, so that the GPU report and gpu-without-quota count its claims.
// It does, when any of these holds:
//
//   - its name contains "gpu" or starts with "mig." (gpu.nvidia.com,
//     mig.nvidia.com, gpu.amd.com, gpu.intel.com, vfio.gpu.nvidia.com);
//   - a selector's CEL expression compares device.driver with == to a
//     string literal (either side, either quote) that contains "gpu";
//   - its spec.extendedResourceName is a GPU resource (IsGPUResource).
//
// The CEL is searched, not evaluated: a comparison counts wherever it
// stands in the expression, even under a negation, so the rule errs
// towards calling a class a GPU class. A class that claims or quota keys
// name but the inventory lacks is judged by the name rule alone: call
// IsGPUDeviceClass with a DeviceClass that has only that name.
func IsGPUDeviceClass(dc *resourcev1.DeviceClass) bool {
	if isGPUClassName(dc.Name) {
		return true
	}
	if name := dc.Spec.ExtendedResourceName; name != nil && IsGPUResource(corev1.ResourceName(*name)) {
		return true
	}
	for _, s := range dc.Spec.Selectors {
		if s.CEL == nil {
			continue
		}
		for _, driver := range comparedDrivers(s.CEL.Expression) {
			if strings.Contains(driver, "gpu") {
				return true
			}
		}
	}
	return false
}

func isGPUClassName(name string) bool {
	return strings.Contains(name, "gpu") || strings.HasPrefix(name, "mig.")
}

// driverComparison matches device.driver == "name" and "name" ==
// device.driver, with either quote. Driver names are DNS subdomains, so
// no escapes need handling; raw and triple-quoted CEL strings do not
// match (and leave the driver unknown). A compiled regexp is read-only
// and safe for concurrent use.
var driverComparison = regexp.MustCompile(`\bdevice\.driver\s*==\s*(?:"([^"\\]*)"|'([^'\\]*)')|(?:"([^"\\]*)"|'([^'\\]*)')\s*==\s*device\.driver\b`)

// comparedDrivers are the driver names an expression compares
// device.driver to.
func comparedDrivers(expr string) []string {
	var out []string
	for _, m := range driverComparison.FindAllStringSubmatch(expr, -1) {
		out = append(out, comparedName(m))
	}
	return out
}

// comparedName is the literal of a driverComparison match (the one
// non-empty group; a comparison to "" gives "").
func comparedName(m []string) string {
	for _, g := range m[1:] {
		if g != "" {
			return g
		}
	}
	return ""
}

// plainDriver is X when the whole expression, spaces aside, is
// device.driver == "X" (or "X" == device.driver).
func plainDriver(expr string) (string, bool) {
	expr = strings.TrimSpace(expr)
	loc := driverComparison.FindStringSubmatchIndex(expr)
	if loc == nil || loc[0] != 0 || loc[1] != len(expr) {
		return "", false
	}
	m := driverComparison.FindStringSubmatch(expr)
	name := comparedName(m)
	return name, name != ""
}

// classDriver is the driver all of a class's devices come from, when
// every selector of the class is a plain comparison naming the same
// driver. Any other selector (attributes, capacity, several drivers, no
// selector at all) leaves it unknown: counting the driver's devices
// would overstate what the class can allocate.
func classDriver(dc *resourcev1.DeviceClass) (string, bool) {
	driver := ""
	for _, s := range dc.Spec.Selectors {
		if s.CEL == nil {
			return "", false
		}
		d, ok := plainDriver(s.CEL.Expression)
		if !ok || (driver != "" && d != driver) {
			return "", false
		}
		driver = d
	}
	return driver, driver != ""
}

// gpuClasses are the inventory's DeviceClasses, for telling GPU classes
// apart (a class absent from the inventory by its name alone).
type gpuClasses struct {
	known map[string]*resourcev1.DeviceClass
}

func newGPUClasses(inv *governance.Inventory) gpuClasses {
	g := gpuClasses{known: map[string]*resourcev1.DeviceClass{}}
	for _, dc := range governance.Typed[*resourcev1.DeviceClass](inv) {
		g.known[dc.Name] = dc
	}
	return g
}

func (g gpuClasses) isGPU(class string) bool {
	if dc, ok := g.known[class]; ok {
		return IsGPUDeviceClass(dc)
	}
	return isGPUClassName(class)
}

// gpuClassOfKey is the GPU device class of a per-class device quota key
// (<class>.deviceclass.resource.k8s.io/devices).
func (g gpuClasses) gpuClassOfKey(k corev1.ResourceName) (string, bool) {
	class, ok := strings.CutSuffix(string(k), deviceClassSuffix)
	if !ok || class == "" || !g.isGPU(class) {
		return "", false
	}
	return class, true
}
