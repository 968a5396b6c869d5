package app

import (
	"context"
	"sync"
)

// gatherWidth is how many connections a report reads on at once: enough to
// overlap round trips and the database's work on them, few enough to leave
// the pool's other connections (four at least) to the requests arriving
// meanwhile.
const gatherWidth = 3

// gather runs reads that do not depend on one another side by side, at most
// gatherWidth at a time, and returns the first error any of them met. The
// context each read gets is cancelled once one has failed, so the others
// stop early. Each read must write only its own results.
func gather(parent context.Context, reads ...func(ctx context.Context) error) error {
	return gatherOn(parent, gatherWidth, reads...)
}

// gatherOn is gather with at most width reads at a time.
func gatherOn(parent context.Context, width int, reads ...func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		slots = make(chan struct{}, max(width, 1))
	)
	for _, read := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			if ctx.Err() != nil {
				return
			}
			if err := read(ctx); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil {
		// A caller that gave up leaves reads unrun: the data is not whole.
		return parent.Err()
	}
	return first
}
