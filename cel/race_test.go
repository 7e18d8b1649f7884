//go:build race

package cel

// slowdown scales the fuzz targets' time bounds: the race detector makes
// compilation several times slower without anything being wrong.
const slowdown = 10
