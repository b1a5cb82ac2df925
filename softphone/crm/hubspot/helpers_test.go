package hubspot

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

const token = "test-token"

// newPair starts a fake on 127.0.0.1 and a client pointed at it.
func newPair(t testing.TB, fakeOpts []hubspotfake.Option, opts ...Option) (*hubspotfake.Server, *Client) {
	t.Helper()
	fake, err := hubspotfake.New(fakeOpts...)
	if err != nil {
		t.Fatal(err)
	}
	base, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	c, err := New(token, append([]Option{WithBaseURL(base), WithHTTPClient(&http.Client{Timeout: 5 * time.Second})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

func makeCalls(n int, contactID, dealID string) []crm.Call {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	calls := make([]crm.Call, n)
	for i := range calls {
		calls[i] = crm.Call{
			ID:        fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			Direction: crm.Outbound,
			From:      "+442071838750",
			To:        "+15551234567",
			Started:   start.Add(time.Duration(i) * time.Minute),
			Answered:  start.Add(time.Duration(i)*time.Minute + 5*time.Second),
			Ended:     start.Add(time.Duration(i)*time.Minute + 65*time.Second),
			Duration:  60 * time.Second,
			Status:    crm.StatusCompleted,
			Outcome:   "f240bbac-87c9-4f6e-bf70-924b57d47db7",
			Title:     "Call with Margaret Lee",
			Notes:     "Wants a demo",
			ContactID: contactID,
			DealID:    dealID,
		}
	}
	return calls
}

// manualClock implements Clock; After fires when Advance passes the
// deadline.
type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	blocked chan struct{} // gets a token each time After registers a waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	if c.blocked != nil {
		select {
		case c.blocked <- struct{}{}:
		default:
		}
	}
	return ch
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !c.now.Before(w.at) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}
