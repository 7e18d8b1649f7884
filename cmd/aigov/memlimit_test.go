package main

import "testing"

func TestDefaultMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		gomemlimit string
		available  uint64
		want       int64
	}{
		{name: "large machine: the cap", available: 24 << 30, want: maxDefaultMemoryLimit},
		{name: "unknown memory: the cap", want: maxDefaultMemoryLimit},
		{name: "2 GiB container: three quarters", available: 2 << 30, want: 1536 << 20},
		{name: "GOMEMLIMIT set: the user's", gomemlimit: "8GiB", available: 24 << 30, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := defaultMemoryLimit(tc.gomemlimit, tc.available); got != tc.want {
				t.Errorf("defaultMemoryLimit = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestParseMemoryFiles(t *testing.T) {
	for in, want := range map[string]uint64{"max\n": 0, "2147483648\n": 2 << 30, "9223372036854771712\n": 9223372036854771712, "": 0} {
		if got := parseCgroupLimit(in); got != want {
			t.Errorf("parseCgroupLimit(%q) = %d, want %d", in, got, want)
		}
	}
	const meminfo = "MemFree:        1000 kB\nMemTotal:       24683784 kB\nSwapTotal: 0 kB\n"
	if got := parseMemTotal(meminfo); got != 24683784<<10 {
		t.Errorf("parseMemTotal = %d", got)
	}
	if got := parseMemTotal("MemFree: 1 kB\n"); got != 0 {
		t.Errorf("parseMemTotal without MemTotal = %d", got)
	}
}
