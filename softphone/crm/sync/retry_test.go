package sync

import (
	"context"
	"errors"
	"net"
	"net/http"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/hubspot"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/store"
)

// stepClock is the worker's clock in the RetryNow tests: time only moves
// on advance (then After waiters whose time has come fire), so a scheduled
// retry never happens by itself. It drives the env's store clock and the
// fake's crmtest.ManualClock (its search index lag) together.
type stepClock struct {
	v  *vclock
	mc *crmtest.ManualClock

	mu      gosync.Mutex
	waiters []stepWaiter
	waits   chan time.Time // the deadline of each After waiter, as registered
}

type stepWaiter struct {
	at time.Time
	ch chan time.Time
}

func (c *stepClock) Now() time.Time { return c.v.Now() }

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	now := c.Now()
	if d <= 0 {
		ch <- now
		return ch
	}
	c.mu.Lock()
	c.waiters = append(c.waiters, stepWaiter{now.Add(d), ch})
	c.mu.Unlock()
	select {
	case c.waits <- now.Add(d):
	default:
	}
	return ch
}

func (c *stepClock) advance(d time.Duration) {
	c.v.mu.Lock()
	c.v.now = c.v.now.Add(d)
	now := c.v.now
	c.v.mu.Unlock()
	c.mc.Set(now)
	c.mu.Lock()
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(now) {
			w.ch <- now
			continue
		}
		kept = append(kept, w)
	}
	c.waiters = kept
	c.mu.Unlock()
}

// outage makes the HubSpot client's connections fail with a real
// "connection refused" (a closed loopback port) while down is set.
type outage struct {
	down    atomic.Bool
	refused string
	dials   atomic.Int64 // refused dials
}

func newOutage(t *testing.T) *outage {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &outage{refused: ln.Addr().String()}
	ln.Close()
	return o
}

func (o *outage) client(t *testing.T, base string) *hubspot.Client {
	var d net.Dialer
	tr := &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if o.down.Load() {
			o.dials.Add(1)
			addr = o.refused
		}
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := hubspot.New("test-token", hubspot.WithBaseURL(base), hubspot.WithHTTPClient(&http.Client{Transport: tr, Timeout: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type retryEnv struct {
	*env
	clk    *stepClock
	out    *outage
	w      *Worker
	events chan Progress
	stop   func()
}

// newRetryEnv runs a worker (Run, no automatic pulls) against the HubSpot
// fake behind an outage switch, with backoffs of 10 s up to 5 min and a
// 10 s search lag at the fake.
func newRetryEnv(t *testing.T) *retryEnv {
	mc := crmtest.NewManualClock(time.Now())
	e := newEnv(t, hubspotfake.WithClock(mc), hubspotfake.WithSearchLag(10*time.Second))
	mc.Set(e.clk.Now())
	r := &retryEnv{env: e, clk: &stepClock{v: e.clk, mc: mc, waits: make(chan time.Time, 1024)}, out: newOutage(t), events: make(chan Progress, 4096)}
	r.w = e.worker(r.out.client(t, e.base), WithClock(r.clk), WithBackoff(10*time.Second, 5*time.Minute),
		WithCheckDelay(10*time.Second), WithPullEvery(0), WithProgress(func(p Progress) {
			select {
			case r.events <- p:
			default:
				t.Error("progress channel full")
			}
		}))
	if _, err := r.w.Pull(t.Context(), true); err != nil { // contact ids for the associations
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error, 1)
	go func() { ran <- r.w.Run(ctx) }()
	r.stop = func() {
		cancel()
		if err := <-ran; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	}
	t.Cleanup(r.stop)
	return r
}

// waitFor returns the first progress event that ok accepts.
func (r *retryEnv) waitFor(what string, ok func(Progress) bool) Progress {
	r.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p := <-r.events:
			if ok(p) {
				return p
			}
		case <-timeout:
			r.t.Fatalf("no progress event: %s (status %+v)", what, r.w.Status())
		}
	}
}

// backoffAtLeast waits until the worker waits for its next retry at least
// d ahead, advancing the clock through shorter waits.
func (r *retryEnv) backoffAtLeast(d time.Duration) {
	r.t.Helper()
	for {
		var at time.Time
		select {
		case at = <-r.clk.waits:
		case <-time.After(20 * time.Second):
			r.t.Fatalf("the worker does not wait (status %+v)", r.w.Status())
		}
		wait := at.Sub(r.clk.Now())
		if wait >= d {
			return
		}
		r.clk.advance(wait)
	}
}

// waitWaiter waits until the worker waits for the time at.
func (r *retryEnv) waitWaiter(at time.Time) {
	r.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case got := <-r.clk.waits:
			if got.Equal(at) {
				return
			}
		case <-timeout:
			r.t.Fatalf("the worker does not wait for %s (status %+v)", at, r.w.Status())
		}
	}
}

func (r *retryEnv) pendingNextAt(ids []string) []time.Time {
	r.t.Helper()
	var out []time.Time
	for _, id := range ids {
		it := r.itemFor(id)
		if it.State != store.OutboxPending {
			r.t.Fatalf("call %s item %+v, want pending", id, it)
		}
		out = append(out, it.NextAt)
	}
	return out
}

// TestRetryNowAfterOutage: connection-refused failures leave the calls
// pending minutes ahead; once the CRM is reachable RetryNow sends them at
// once (the clock does not move) and the fake holds each exactly once.
func TestRetryNowAfterOutage(t *testing.T) {
	r := newRetryEnv(t)
	ctx := t.Context()
	r.out.down.Store(true)
	ids := r.logCalls(6, 0)
	r.w.Kick()
	r.backoffAtLeast(2 * time.Minute)
	if r.out.dials.Load() < 3 {
		t.Fatalf("%d refused dials, want several attempts before a 2 min backoff", r.out.dials.Load())
	}
	for _, next := range r.pendingNextAt(ids) {
		if next.Sub(r.clk.Now()) < 2*time.Minute {
			t.Fatalf("item due at %s, only %s ahead", next, next.Sub(r.clk.Now()))
		}
	}
	// The CRM is back; the rep presses Sync now 30 s after the last try.
	r.out.down.Store(false)
	r.clk.advance(30 * time.Second)
	if n := len(r.fake.Calls()); n != 0 {
		t.Fatalf("fake holds %d calls before Sync now", n)
	}
	start := r.clk.Now()
	n, err := r.w.RetryNow(ctx)
	if err != nil || n != len(ids) {
		t.Fatalf("RetryNow = %d, %v; want %d", n, err, len(ids))
	}
	r.waitFor("drained", func(p Progress) bool { return p.Pending == 0 && p.Done == len(ids) && p.State == StateIdle })
	if !r.clk.Now().Equal(start) {
		t.Fatalf("clock moved %s", r.clk.Now().Sub(start))
	}
	r.exactlyOnce(ids)
	if st := r.w.Status(); st.State != StateIdle {
		t.Errorf("status %+v, want idle", st)
	}
	// Nothing left to move.
	if n, err := r.w.RetryNow(ctx); err != nil || n != 0 {
		t.Errorf("second RetryNow = %d, %v", n, err)
	}
}

// TestRetryNowKeepsLostResponse: after an outage (two calls refused, their
// retry minutes ahead) the CRM is back and a batch of three is created but
// its response is lost (reset after serving). A RetryNow 2 s later sends
// the refused calls at once but does not make the held calls due before
// the search lag (10 s) has passed: looked up earlier they would be missed
// and created again. Then they are found, not created: each exactly once.
func TestRetryNowKeepsLostResponse(t *testing.T) {
	r := newRetryEnv(t)
	ctx := t.Context()
	r.out.down.Store(true)
	refused := r.logCalls(2, 0)
	r.w.Kick()
	r.backoffAtLeast(2 * time.Minute)
	r.out.down.Store(false)
	r.clk.advance(30 * time.Second)

	if err := r.fake.Faults().FailPath("POST", batchPath, 1, crmtest.Reset().AfterServe()); err != nil {
		t.Fatal(err)
	}
	lost := r.logCalls(3, 0)
	lostAt := r.clk.Now()
	r.w.Kick()
	r.waitFor("lost response", func(p Progress) bool {
		return p.State == StateBackoff && p.Pending == len(lost)+len(refused) && len(r.fake.Calls()) == len(lost)
	})
	for _, id := range lost {
		if it := r.itemFor(id); !unknown(it) || it.Attempts != 1 || !it.NextAt.After(lostAt.Add(10*time.Second)) {
			t.Fatalf("call %s after the lost response: %+v", id, it)
		}
	}
	r.clk.advance(2 * time.Second) // within the search lag of the lost batch
	n, err := r.w.RetryNow(ctx)
	if err != nil || n != len(lost)+len(refused) {
		t.Fatalf("RetryNow = %d, %v; want %d", n, err, len(lost)+len(refused))
	}
	r.waitFor("refused calls synced", func(p Progress) bool { return p.Done >= len(refused) })
	for _, next := range r.pendingNextAt(lost) {
		if !next.Equal(lostAt.Add(10 * time.Second)) {
			t.Fatalf("held call due at %s, want the end of the search lag %s", next, lostAt.Add(10*time.Second))
		}
	}
	if got := len(r.fake.Calls()); got != len(lost)+len(refused) {
		t.Fatalf("fake holds %d calls, want %d", got, len(lost)+len(refused))
	}
	// The lag ends: the held calls are looked up and found.
	r.waitWaiter(lostAt.Add(10 * time.Second))
	r.clk.advance(lostAt.Add(10 * time.Second).Sub(r.clk.Now()))
	r.waitFor("held calls synced", func(p Progress) bool { return p.Pending == 0 && p.Done == len(lost)+len(refused) })
	r.exactlyOnce(append(refused, lost...))
	if got := r.fake.Faults().Pending(); got != 0 {
		t.Errorf("%d fault rules never hit", got)
	}
}

func TestRetryNowStoreError(t *testing.T) {
	e := newEnv(t)
	w := e.worker(e.client("test-token"))
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RetryNow(t.Context()); err == nil {
		t.Fatal("RetryNow on a closed store succeeded")
	}
}
