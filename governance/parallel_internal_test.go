package governance

import (
	"sync/atomic"
	"testing"
)

// TestForEachIndex: every index is visited exactly once, on at most
// workers goroutines, each calling newWorker once; a panic in a worker is
// raised again in the caller's goroutine.
func TestForEachIndex(t *testing.T) {
	for _, tc := range []struct{ workers, n int }{{0, 5}, {1, 5}, {2, 0}, {2, 1}, {2, 100}, {8, 3}} {
		seen := make([]atomic.Int32, tc.n)
		var workers atomic.Int32
		forEachIndex(tc.workers, tc.n, func() func(int) {
			workers.Add(1)
			return func(i int) { seen[i].Add(1) }
		})
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Errorf("workers %d, n %d: index %d visited %d times", tc.workers, tc.n, i, got)
			}
		}
		if w := workers.Load(); w < 1 || int(w) > max(tc.workers, 1) {
			t.Errorf("workers %d, n %d: newWorker called %d times", tc.workers, tc.n, w)
		}
	}
	for _, workers := range []int{1, 2} {
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Errorf("workers %d: recovered %v, want the worker's panic", workers, p)
				}
			}()
			forEachIndex(workers, 10, func() func(int) {
				return func(i int) {
					if i == 3 {
						panic("boom")
					}
				}
			})
			t.Errorf("workers %d: no panic", workers)
		}()
	}
}
