package app

import (
	"fmt"
	"strings"

	"github.com/pitchline/pitchline/softphone"
)

// Attended transfer: the rep holds the customer and calls a colleague
// (Consult), then hands the customer over (CompleteTransfer: REFER with
// Replaces, RFC 5589 §7) or hangs up the colleague and returns to the
// customer (CancelConsult). The engine (softphone.Call) does each step;
// these translate.

// Consult holds the customer's call callID and calls target (a number, a
// contact's number or a SIP address) from the same account. It returns
// the new consultation call; EvCall follows both.
func (s *ConferenceService) Consult(callID, target string) (CallView, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return CallView{}, fmt.Errorf("%w: nothing to dial", ErrInvalidArgument)
	}
	call, err := s.c.call(callID)
	if err != nil {
		return CallView{}, err
	}
	consult, err := call.Consult(s.c.ctx, target)
	if err != nil {
		return CallView{}, err
	}
	return s.c.viewOf(consult), nil
}

// CompleteTransfer transfers the customer (callID) to the colleague of the
// consultation call consultID. It returns once the customer accepted the
// transfer; EvTransfer reports the outcome and both calls end on success.
func (s *ConferenceService) CompleteTransfer(callID, consultID string) (CallView, error) {
	call, consult, err := s.pair(callID, consultID)
	if err != nil {
		return CallView{}, err
	}
	if err := call.CompleteTransfer(consult); err != nil {
		return CallView{}, err
	}
	return s.c.viewOf(call), nil
}

// CancelConsult hangs up the consultation call consultID and takes the
// customer (callID) off hold.
func (s *ConferenceService) CancelConsult(callID, consultID string) (CallView, error) {
	call, err := s.c.call(callID)
	if err != nil {
		return CallView{}, err
	}
	// The colleague may have hung up already: returning still works.
	consult, _ := s.c.call(consultID)
	if consult == nil {
		if err := call.Resume(); err != nil {
			return CallView{}, err
		}
		return s.c.viewOf(call), nil
	}
	if err := call.CancelConsult(consult); err != nil {
		return CallView{}, err
	}
	return s.c.viewOf(call), nil
}

// pair returns the customer's call and the consultation call.
func (s *ConferenceService) pair(callID, consultID string) (*softphone.Call, *softphone.Call, error) {
	call, err := s.c.call(callID)
	if err != nil {
		return nil, nil, err
	}
	consult, err := s.c.call(consultID)
	if err != nil {
		return nil, nil, err
	}
	return call, consult, nil
}

// Monitor is the team lead's side of a monitor request: it calls a rep's
// Pitchline (target) from the default account asking to listen, whisper
// or barge into the rep's current call (softphone.WithMonitor; the rep's
// phone accepts it only from its configured leads). Hanging up leaves
// without disturbing the rep's call.
func (s *ConferenceService) Monitor(target, role string) (CallView, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return CallView{}, fmt.Errorf("%w: give the rep's number or SIP address", ErrInvalidArgument)
	}
	r, err := parseMonitorRole(role)
	if err != nil {
		return CallView{}, err
	}
	board, err := s.c.switchboard()
	if err != nil {
		return CallView{}, err
	}
	// The switchboard picks the default line, refuses one that is not
	// registered and holds the lead's other calls, as for any dial.
	call, line, err := board.Dial(s.c.ctx, target, softphone.WithMonitor(r))
	if err != nil {
		return CallView{}, engineErr(err)
	}
	v := s.c.viewOf(call)
	v.Account = line
	return v, nil
}

// SetMonitorRole switches the lead's answered monitor call callID to role
// (listen, whisper or barge); it returns once the rep's phone applied it.
func (s *ConferenceService) SetMonitorRole(callID, role string) (CallView, error) {
	r, err := parseMonitorRole(role)
	if err != nil {
		return CallView{}, err
	}
	return s.c.callAction(callID, func(call *softphone.Call) error { return call.SetMonitorRole(r) })
}

// parseMonitorRole reads a lead's role as the window sends it.
func parseMonitorRole(role string) (softphone.Role, error) {
	r, err := parseRole(role)
	if err != nil || r == softphone.RoleParticipant {
		return "", fmt.Errorf("%w: choose listen, whisper or barge as the role", ErrInvalidArgument)
	}
	return r, nil
}
