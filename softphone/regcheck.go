package softphone

import (
	"context"
	"fmt"
	"time"
)

// CheckRegistration registers a throw-away Phone built from cfg and opts,
// waits for the registrar's verdict (until ctx ends), then unregisters
// and closes it: the "Test registration" of account settings. The event
// says what happened: RegRegistered (RegDisabled for an account that
// does not register), or RegFailed/RegReconnecting with
// Err set (ErrAuthFailed, a refused connection, ErrRegistrationFailed
// when the registrar did not answer before ctx ended, ...). The error is
// only for a cfg NewPhone refuses.
func CheckRegistration(ctx context.Context, cfg Config, opts ...Option) (RegistrationEvent, error) {
	p, err := NewPhone(cfg, opts...)
	if err != nil {
		return RegistrationEvent{}, err
	}
	defer p.Close()
	events, unsub := p.Subscribe()
	defer unsub()
	failed := func(state RegState, err error) (RegistrationEvent, error) {
		return RegistrationEvent{Account: cfg.Account.AOR, State: state, Reason: err.Error(), Err: err, At: time.Now()}, nil
	}
	if err := p.Start(ctx); err != nil {
		return failed(RegFailed, err)
	}
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return failed(RegFailed, ErrClosed)
			}
			re, ok := ev.(RegistrationEvent)
			if !ok {
				continue
			}
			switch re.State {
			case RegRegistered, RegDisabled:
				return re, nil
			case RegFailed, RegReconnecting:
				if re.Err == nil {
					re.Err = fmt.Errorf("%w: %s", ErrRegistrationFailed, re.Reason)
				}
				return re, nil
			}
		case <-ctx.Done():
			return failed(RegFailed, fmt.Errorf("%w: no answer from the registrar in time: %w", ErrRegistrationFailed, ctx.Err()))
		}
	}
}
