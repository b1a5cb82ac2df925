package softphone

import (
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone/media"
)

// Event is one typed state change published on the phone's stream. Each
// concrete type has exactly one meaning; EventName is its stable wire name.
type Event interface {
	EventName() string
}

// RegistrationEvent reports an account's registration state.
type RegistrationEvent struct {
	Account string   `json:"account"`
	State   RegState `json:"state"`
	Reason  string   `json:"reason,omitempty"`
	// Err is the failure behind a failed or reconnecting state (nil
	// otherwise), for errors.Is/As: a DNS lookup, a refused connection,
	// ErrAuthFailed, ...
	Err     error     `json:"-"`
	Expires int       `json:"expires,omitempty"` // seconds granted by the registrar
	At      time.Time `json:"at"`
}

// EventName implements Event.
func (RegistrationEvent) EventName() string { return "registration" }

// CallEvent reports a call state change. Status and Cause are set when the
// call ends.
type CallEvent struct {
	CallID     string        `json:"callId"`
	State      CallState     `json:"state"`
	Direction  Direction     `json:"direction"`
	Remote     string        `json:"remote"`  // remote URI
	Display    string        `json:"display"` // remote display name
	Cause      EndCause      `json:"cause,omitempty"`
	Status     int           `json:"status,omitempty"`
	Reason     string        `json:"reason,omitempty"`
	Duration   time.Duration `json:"durationNs,omitempty"` // talk time once ended
	EarlyMedia bool          `json:"earlyMedia,omitempty"`
	At         time.Time     `json:"at"`
}

// EventName implements Event.
func (CallEvent) EventName() string { return "call" }

// DTMFEvent reports a digit received from the peer (RFC 4733 or SIP INFO).
type DTMFEvent struct {
	CallID string `json:"callId"`
	LegID  string `json:"legId,omitempty"`
	Digit  string `json:"digit"`
	Method string `json:"method"` // "rfc4733" or "info"
}

// EventName implements Event.
func (DTMFEvent) EventName() string { return "dtmf" }

// HoldEvent reports a hold change: Remote is true when the peer held us.
type HoldEvent struct {
	CallID string `json:"callId"`
	LegID  string `json:"legId,omitempty"`
	Held   bool   `json:"held"`
	Remote bool   `json:"remote"`
}

// EventName implements Event.
func (HoldEvent) EventName() string { return "hold" }

// MuteEvent reports a microphone mute change.
type MuteEvent struct {
	CallID string `json:"callId"`
	Muted  bool   `json:"muted"`
}

// EventName implements Event.
func (MuteEvent) EventName() string { return "mute" }

// TransferEvent reports the progress of a transfer. For a transfer we
// started, Status is the SIP status from the NOTIFY sipfrag; Final is true
// once the outcome is known. Incoming is true when the peer asked us to
// transfer (we received a REFER).
type TransferEvent struct {
	CallID   string `json:"callId"`
	Target   string `json:"target"`
	Status   int    `json:"status"`
	Reason   string `json:"reason"`
	Final    bool   `json:"final"`
	Incoming bool   `json:"incoming"`
}

// EventName implements Event.
func (TransferEvent) EventName() string { return "transfer" }

// StatsEvent carries per-leg RTP statistics. It is published about once a
// second while a call has media; subscribers coalesce it as they need.
type StatsEvent struct {
	CallID string      `json:"callId"`
	LegID  string      `json:"legId"`
	Stats  media.Stats `json:"stats"`
}

// EventName implements Event.
func (StatsEvent) EventName() string { return "stats" }

// ConferenceEvent reports a change of a conference as a whole: the rep
// left it (Call.Leave), the others staying bridged.
type ConferenceEvent struct {
	CallID string `json:"callId"`
	Left   bool   `json:"left"`
	Legs   int    `json:"legs"`
}

// EventName implements Event.
func (ConferenceEvent) EventName() string { return "conference" }

// BlockedEvent reports an INVITE refused by the scanner shield, or a
// monitor request refused (see MonitorHeader).
type BlockedEvent struct {
	From   string `json:"from"`
	Source string `json:"source"` // transport source address
	Reason string `json:"reason"`
	Count  int64  `json:"count"` // total blocked so far
	// Monitor is true when the INVITE was a monitor request: from someone
	// who is not one of Config.Leads, with a bad role or offer, or while
	// no call is up.
	Monitor bool `json:"monitor,omitempty"`
}

// EventName implements Event.
func (BlockedEvent) EventName() string { return "blocked" }

// bus fans events out to subscribers. Publishing never blocks: each
// subscriber has an unbounded queue drained by its own goroutine, so a slow
// subscriber cannot stall signalling and no event is dropped.
type bus struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
	wg   sync.WaitGroup
}

type subscriber struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []Event
	closed bool
	out    chan Event
	abort  chan struct{} // closed when a stalled reader is abandoned
}

// closeGrace is how long Close lets subscribers read what is queued before
// abandoning the ones that stopped reading.
const closeGrace = 2 * time.Second

func newBus() *bus { return &bus{subs: make(map[*subscriber]struct{})} }

func (b *bus) subscribe() (<-chan Event, func()) {
	s := &subscriber{out: make(chan Event), abort: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	b.wg.Add(1)
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
			s.queue[0] = nil
			s.queue = s.queue[1:]
			s.mu.Unlock()
			select {
			case s.out <- ev:
			case <-s.abort:
				return
			}
		}
	}()
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
			s.mu.Lock()
			s.closed = true
			s.queue = nil
			s.cond.Signal()
			s.mu.Unlock()
			// drain so the goroutine can exit
			go func() {
				for range s.out {
				}
			}()
		})
	}
	return s.out, cancel
}

func (b *bus) publish(ev Event) {
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

// close ends every subscription after delivering what is queued. A
// subscriber that stops reading is abandoned after closeGrace, so Close
// never hangs on a consumer; its channel is still closed.
func (b *bus) close() {
	b.mu.Lock()
	subs := b.subs
	for s := range subs {
		s.mu.Lock()
		s.closed = true
		s.cond.Signal()
		s.mu.Unlock()
	}
	b.subs = map[*subscriber]struct{}{}
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeGrace):
		for s := range subs {
			close(s.abort)
		}
		<-done
	}
}
