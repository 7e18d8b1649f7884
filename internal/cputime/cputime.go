// Package cputime measures the CPU time of the process, for benchmarks
// that report it beside wall time: on a machine shared with other work,
// CPU time says what a change costs where wall time says how busy the
// machine was.
package cputime

import "time"

// Process is the user and system CPU time the process has used, the
// garbage collector's included; ok is false where it cannot be measured.
func Process() (d time.Duration, ok bool) { return process() }
