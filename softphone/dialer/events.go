package dialer

import (
	"sync"
	"time"
)

// eventBus fans session events out to subscribers. Publishing never
// blocks: each subscriber has an unbounded queue drained by its own
// goroutine, so a slow window cannot stall the dialer, and no event is
// dropped.
type eventBus struct {
	mu     sync.Mutex
	subs   map[*eventSub]struct{}
	wg     sync.WaitGroup
	closed bool
}

type eventSub struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []Event
	closed bool
	out    chan Event
	quit   chan struct{}
	once   sync.Once
}

func newEventBus() *eventBus { return &eventBus{subs: map[*eventSub]struct{}{}} }

func (b *eventBus) subscribe() (<-chan Event, func()) {
	s := &eventSub{out: make(chan Event), quit: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(s.out)
		return s.out, func() {}
	}
	b.subs[s] = struct{}{}
	b.wg.Add(1)
	b.mu.Unlock()
	go func() {
		defer b.wg.Done()
		defer close(s.out)
		for {
			s.mu.Lock()
			for len(s.queue) == 0 && !s.closed {
				s.cond.Wait()
			}
			if len(s.queue) == 0 {
				s.mu.Unlock()
				return
			}
			ev := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			select {
			case s.out <- ev:
			case <-s.quit:
				return
			}
		}
	}()
	var once sync.Once
	return s.out, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
			s.mu.Lock()
			s.closed, s.queue = true, nil
			s.cond.Signal()
			s.mu.Unlock()
			s.abandon()
		})
	}
}

func (b *eventBus) publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.mu.Lock()
		if !s.closed {
			s.queue = append(s.queue, ev)
			s.cond.Signal()
		}
		s.mu.Unlock()
	}
}

// closeGrace is how long close lets subscribers read what is queued
// before abandoning the ones that stopped reading.
const closeGrace = 2 * time.Second

// close delivers what is queued and then closes every subscription. A
// subscriber that stops reading is abandoned after closeGrace (its
// channel is still closed), so Close never hangs on a consumer.
func (b *eventBus) close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	subs := b.subs
	for s := range subs {
		s.mu.Lock()
		s.closed = true
		s.cond.Signal()
		s.mu.Unlock()
	}
	b.subs = map[*eventSub]struct{}{}
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeGrace):
		for s := range subs {
			s.abandon()
		}
		<-done
	}
}

// abandon stops delivering to s (its reader went away).
func (s *eventSub) abandon() {
	s.once.Do(func() { close(s.quit) })
}
