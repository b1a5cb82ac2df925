//go:build !linux

package audio

import "time"

// pacer (portable version; pacer_linux.go uses a timerfd) releases one
// frame per period on an absolute schedule: frame n is
// due at start + n·period. A time.Ticker drops ticks when its reader is
// late (its channel holds one), so a starved process sent fewer frames
// than real time; the pacer instead releases the late frames at once, up
// to maxCatchUp, and only then drops the backlog. One timer, reused: no
// allocation per frame.
type pacer struct {
	period time.Duration
	next   time.Time
	timer  *time.Timer
	now    func() time.Time
}

func newPacer(period time.Duration) (*pacer, error) {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &pacer{period: period, timer: t, now: time.Now}, nil
}

func (p *pacer) close() { p.timer.Stop() }

// wait blocks until the next frame is due and reports true, or returns
// false when done is closed while it waits. A frame already due is
// released at once.
func (p *pacer) wait(done <-chan struct{}) bool {
	now := p.now()
	if p.next.IsZero() {
		p.next = now.Add(p.period) // the first frame takes a frame to record
	}
	if late := now.Sub(p.next); late > maxCatchUp*p.period {
		p.next = now // starved for longer than we catch up on: resync
	}
	if d := p.next.Sub(now); d > 0 {
		p.timer.Reset(d)
		select {
		case <-done:
			p.timer.Stop()
			return false
		case <-p.timer.C:
		}
	}
	p.next = p.next.Add(p.period)
	return true
}
