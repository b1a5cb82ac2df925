package softphone

import "sync"

// queue is the serial executor on which all signalling state changes run
// (the model is pion/webrtc's operations.go). Functions run one at a time
// in FIFO order on one goroutine owned by the queue; Close waits for it.
type queue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	pending []func()
	closed  bool
	done    chan struct{}
}

func newQueue() *queue {
	q := &queue{done: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	go q.run()
	return q
}

// enqueue schedules fn and returns false when the queue is closed.
func (q *queue) enqueue(fn func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.pending = append(q.pending, fn)
	q.cond.Signal()
	return true
}

// do runs fn on the queue and waits for it. It must not be called from the
// queue itself.
func (q *queue) do(fn func()) bool {
	ch := make(chan struct{})
	if !q.enqueue(func() { defer close(ch); fn() }) {
		return false
	}
	<-ch
	return true
}

func (q *queue) run() {
	defer close(q.done)
	for {
		q.mu.Lock()
		for len(q.pending) == 0 && !q.closed {
			q.cond.Wait()
		}
		if len(q.pending) == 0 && q.closed {
			q.mu.Unlock()
			return
		}
		fn := q.pending[0]
		q.pending[0] = nil
		q.pending = q.pending[1:]
		q.mu.Unlock()
		fn()
	}
}

// close stops accepting work, runs what is pending and waits.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Signal()
	q.mu.Unlock()
	<-q.done
}
