package dialer

import (
	"context"
	"sync"

	"github.com/pitchline/pitchline/softphone"
)

// Engine places the calls of a session. The engine itself never imports
// the dialer; PhoneEngine adapts a *softphone.Phone, and tests may inject
// their own.
type Engine interface {
	// Dial places a call to target (a number or a SIP URI). ctx is the
	// call's lifetime: cancelling it before the answer sends CANCEL,
	// after the answer BYE. The returned call reports its progress on
	// Updates until it ends.
	Dial(ctx context.Context, target string, opts DialOptions) (EngineCall, error)
}

// DialOptions are the per-dial options a session asks for. PhoneEngine
// passes them to the engine's dial options once the engine has them
// (softphone.WithCallerID, WithEarlyMedia, WithLocalRingback); until then
// they are ignored.
type DialOptions struct {
	// CallerID is the number shown to the contact ("" for the account's
	// default).
	CallerID string
	// EarlyMedia asks to play the far end's early media (183) to the rep.
	EarlyMedia bool
	// LocalRingback asks for a locally generated ringback tone. Parallel
	// mode turns it off for all lines but one, so rings do not mix.
	LocalRingback bool
}

// EngineCall is one outbound call placed by an Engine.
type EngineCall interface {
	// ID is the engine's call id.
	ID() string
	// Updates delivers the call's progress: Answered once, then Ended
	// once; the channel is closed after Ended.
	Updates() <-chan CallUpdate
}

// CallUpdate is one step of an EngineCall.
type CallUpdate struct {
	// Answered is set when the far end answered (200 OK, media up).
	Answered bool
	// Ended is set when the call is over; Cause, Status and Reason say
	// why.
	Ended bool
	// Cause is the engine's end cause ("busy", "no_answer", "canceled",
	// "remote_hangup", "local_hangup", "failed", ...).
	Cause string
	// Status is the final SIP status when there was one.
	Status int
	// Reason is the SIP reason phrase or an error text.
	Reason string
}

// PhoneEngine adapts a started *softphone.Phone to Engine: it dials with
// Phone.Dial and routes the phone's CallEvents to each call.
type PhoneEngine struct {
	phone  *softphone.Phone
	cancel func()
	wg     sync.WaitGroup

	mu      sync.Mutex
	calls   map[string]*phoneCall
	pending map[string][]softphone.CallEvent // events that came before Dial returned
}

// NewPhoneEngine subscribes to phone's events. Close stops the
// subscription.
func NewPhoneEngine(phone *softphone.Phone) (*PhoneEngine, error) {
	if phone == nil {
		return nil, ErrInvalidSettings
	}
	events, cancel := phone.Subscribe()
	e := &PhoneEngine{phone: phone, cancel: cancel, calls: map[string]*phoneCall{}, pending: map[string][]softphone.CallEvent{}}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for ev := range events {
			if ce, ok := ev.(softphone.CallEvent); ok && ce.Direction == softphone.Outbound {
				e.route(ce)
			}
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		for id, c := range e.calls {
			c.deliver(CallUpdate{Ended: true, Cause: string(softphone.CauseShutdown)})
			delete(e.calls, id)
		}
	}()
	return e, nil
}

// Dial implements Engine.
func (e *PhoneEngine) Dial(ctx context.Context, target string, opts DialOptions) (EngineCall, error) {
	// The engine's dial options (branch "engine": softphone.WithCallerID,
	// WithEarlyMedia, WithLocalRingback) are passed here once they exist:
	//   e.phone.Dial(ctx, target, phoneDialOptions(opts)...)
	_ = opts
	e.mu.Lock() // held across Dial so no event of this call is routed before it is known
	defer e.mu.Unlock()
	call, err := e.phone.Dial(ctx, target)
	if err != nil {
		return nil, err
	}
	c := &phoneCall{id: call.ID(), ch: make(chan CallUpdate, 4)}
	e.calls[c.id] = c
	for _, ev := range e.pending[c.id] {
		e.apply(c, ev)
	}
	delete(e.pending, c.id)
	return c, nil
}

func (e *PhoneEngine) route(ce softphone.CallEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[ce.CallID]
	if c == nil {
		if ce.State == softphone.CallEnded {
			delete(e.pending, ce.CallID) // not one of ours
			return
		}
		if len(e.pending) < 64 {
			e.pending[ce.CallID] = append(e.pending[ce.CallID], ce)
		}
		return
	}
	e.apply(c, ce)
}

// apply turns a CallEvent into updates (e.mu held).
func (e *PhoneEngine) apply(c *phoneCall, ce softphone.CallEvent) {
	switch ce.State {
	case softphone.CallConnected:
		if !c.answered {
			c.answered = true
			c.deliver(CallUpdate{Answered: true})
		}
	case softphone.CallEnded:
		c.deliver(CallUpdate{Ended: true, Cause: string(ce.Cause), Status: ce.Status, Reason: ce.Reason})
		delete(e.calls, c.id)
	}
}

// Close stops routing events; calls still open get an Ended update with
// cause "shutdown".
func (e *PhoneEngine) Close() error {
	e.cancel()
	e.wg.Wait()
	return nil
}

type phoneCall struct {
	id       string
	ch       chan CallUpdate
	answered bool
	ended    bool
}

func (c *phoneCall) ID() string                 { return c.id }
func (c *phoneCall) Updates() <-chan CallUpdate { return c.ch }

// deliver sends u (the channel holds every update a call can have: one
// answer and one end).
func (c *phoneCall) deliver(u CallUpdate) {
	if c.ended {
		return
	}
	c.ch <- u
	if u.Ended {
		c.ended = true
		close(c.ch)
	}
}
