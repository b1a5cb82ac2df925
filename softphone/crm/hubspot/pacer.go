package hubspot

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// pacerMargin is added to the window before a slot is reused: HubSpot
// counts arrivals, we count departures, and the first request of a window
// may have travelled slower than the one that reuses its slot.
const pacerMargin = 100 * time.Millisecond

// pacer is a sliding-window log of the requests this client sent: at most
// limit in any window. It also learns from HubSpot's headers when other
// clients share the token, and is blocked after a 429.
type pacer struct {
	clock  Clock
	limit  int
	window time.Duration

	mu      sync.Mutex
	sent    []time.Time // oldest first, all inside the window
	blocked time.Time   // no request before this instant
}

func newPacer(clk Clock, limit int, window time.Duration) *pacer {
	return &pacer{clock: clk, limit: limit, window: window}
}

func (p *pacer) expire(now time.Time) {
	cut := 0
	for cut < len(p.sent) && !now.Before(p.sent[cut].Add(p.window+pacerMargin)) {
		cut++
	}
	if cut > 0 {
		p.sent = append(p.sent[:0], p.sent[cut:]...)
	}
}

// wait blocks until a request may be sent, records it and returns how
// long it waited.
func (p *pacer) wait(ctx context.Context) (time.Duration, error) {
	if p.limit <= 0 {
		return 0, ctx.Err()
	}
	var waited time.Duration
	for {
		p.mu.Lock()
		now := p.clock.Now()
		p.expire(now)
		var until time.Time
		switch {
		case now.Before(p.blocked):
			until = p.blocked
		case len(p.sent) >= p.limit:
			until = p.sent[0].Add(p.window + pacerMargin)
		default:
			p.sent = append(p.sent, now)
			p.mu.Unlock()
			return waited, ctx.Err()
		}
		p.mu.Unlock()
		d := until.Sub(now)
		select {
		case <-p.clock.After(d):
			waited += d
		case <-ctx.Done():
			return waited, ctx.Err()
		}
	}
}

// observe reads X-HubSpot-RateLimit-Remaining (newer naming) or
// -Secondly-Remaining is not used: its unit differs between sources. When
// HubSpot reports fewer free slots than the log shows, someone else uses
// the token; the difference is booked as phantom requests sent now, so
// they expire with the window like real ones. Remaining 0 with
// -Interval-Milliseconds blocks for that interval if the log is empty.
func (p *pacer) observe(h http.Header, now time.Time) {
	if p.limit <= 0 {
		return
	}
	rem, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Remaining"))
	if err != nil || rem < 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire(now)
	free := p.limit - len(p.sent)
	for ; free > rem; free-- {
		p.sent = append(p.sent, now)
	}
	if rem == 0 && len(p.sent) == 0 {
		if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
			if t := now.Add(time.Duration(ms) * time.Millisecond); t.After(p.blocked) {
				p.blocked = t
			}
		}
	}
}

// block holds every request until t (after a 429).
func (p *pacer) block(t time.Time) {
	p.mu.Lock()
	if t.After(p.blocked) {
		p.blocked = t
	}
	p.mu.Unlock()
}

// untilSlot estimates when the window frees a slot (zero when one is free).
func (p *pacer) untilSlot(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire(now)
	if p.limit <= 0 || len(p.sent) < p.limit {
		return 0
	}
	return p.sent[0].Add(p.window + pacerMargin).Sub(now)
}
