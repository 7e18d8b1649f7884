//go:build !race

package cel

// slowdown scales the fuzz targets' time bounds (see race_test.go).
const slowdown = 1
