package governance

import (
	"sync"
	"sync/atomic"
)

// forEachIndex calls, for every i in [0, n), a function that newWorker
// returned, on up to workers goroutines: each goroutine calls newWorker
// once (so it can keep state of its own, a decoder's buffers) and takes
// the next index until none is left. With one worker or fewer it runs in
// the caller's goroutine. A panic in a worker stops the others early and
// is raised again in the caller's goroutine, as a sequential run would
// raise it, rather than ending the process from a goroutine no caller can
// recover in.
func forEachIndex(workers, n int, newWorker func() func(i int)) {
	if workers <= 1 {
		work := newWorker()
		for i := range n {
			work(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicOnce sync.Once
	var panicked any
	for range workers {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					panicOnce.Do(func() { panicked = p })
					next.Store(int64(n)) // the others stop early
				}
			}()
			work := newWorker()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				work(i)
			}
		})
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}
