package server

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// errOverBudget is returned by a budgetReader when the server's in-flight
// body budget (Options.MaxInFlightBytes) cannot hold another byte.
var errOverBudget = errors.New("in-flight request bytes over budget")

// readChunk is the most a budgetReader reserves for one Read, so that a
// large read buffer does not reserve budget that no byte arrives for.
const readChunk = 64 << 10

// byteBudget counts bytes of request bodies held by requests in flight.
type byteBudget struct {
	limit int64
	used  atomic.Int64
}

// take reserves up to n bytes and returns how many it got; 0 when the
// budget is spent.
func (b *byteBudget) take(n int64) int64 {
	for {
		cur := b.used.Load()
		k := min(n, b.limit-cur)
		if k <= 0 {
			return 0
		}
		if b.used.CompareAndSwap(cur, cur+k) {
			return k
		}
	}
}

// give returns n reserved bytes.
func (b *byteBudget) give(n int64) {
	if n != 0 {
		b.used.Add(-n)
	}
}

// available is what take could reserve now.
func (b *byteBudget) available() int64 { return b.limit - b.used.Load() }

// budgetReader reserves budget for every byte before reading it, so that
// the bodies of all requests in flight together never exceed the budget
// (a slow client holds only what it has sent). held is what this reader
// has reserved and read; its lease returns it.
type budgetReader struct {
	r    io.Reader
	b    *byteBudget
	held int64
}

func (br *budgetReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return br.r.Read(p)
	}
	got := br.b.take(min(int64(len(p)), readChunk))
	if got == 0 {
		// The budget is spent: only the end of the body may still be read.
		var one [1]byte
		n, err := br.r.Read(one[:])
		if n > 0 {
			return 0, errOverBudget
		}
		return 0, err
	}
	n, err := br.r.Read(p[:got])
	br.held += int64(n)
	br.b.give(got - int64(n))
	return n, err
}

// lease is what one /validate request holds: a concurrency slot once it
// has one, and the bytes its body reader reserved. The evaluation
// goroutine releases it when evaluation ends (which may be after the
// request was answered with a timeout denial, so that a runaway
// evaluation keeps counting against the limits); otherwise the handler
// does.
type lease struct {
	s    *Server
	slot bool
	body *budgetReader
	once sync.Once
}

func (l *lease) release() {
	l.once.Do(func() {
		if l.slot {
			<-l.s.slots
		}
		if l.body != nil {
			l.s.budget.give(l.body.held)
		}
	})
}
