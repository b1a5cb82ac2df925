package app

import (
	"fmt"
	"strings"

	"github.com/pitchline/pitchline/softphone"
)

// ParticipantView is one party of a call (a leg) as the conference panel
// shows it.
type ParticipantView struct {
	// ID is the engine's leg identifier.
	ID string `json:"id"`
	// CallID is the call the participant is in.
	CallID string `json:"callId"`
	// Name is the contact's name, else the SIP display name ("" if none).
	Name string `json:"name"`
	// Number is the user part of Remote, formatted when it is a phone number.
	Number string `json:"number"`
	// Remote is the participant's SIP address.
	Remote string `json:"remote"`
	// State is the leg state: dialing, ringing, incoming, answering,
	// connected, held, remote_held or ended.
	State string `json:"state"`
	// Role is participant, listen, whisper or barge.
	Role string `json:"role"`
	// Muted is true when nobody in the call hears the participant.
	Muted bool `json:"muted"`
	// Held is true when we hold the participant.
	Held bool `json:"held"`
	// RemoteHeld is true when the participant holds us.
	RemoteHeld bool `json:"remoteHeld"`
	// LevelDb is the participant's voice level in dBFS (-96 = silence).
	LevelDb float64 `json:"levelDb"`
	// Talking is the mixer's talk indicator.
	Talking bool `json:"talking"`
	// Quality is the participant's own call quality.
	Quality Quality `json:"quality"`
}

// ConferenceView is the set of participants of one call. A two-party call
// has one participant; a conference more.
type ConferenceView struct {
	// CallID is the call.
	CallID string `json:"callId"`
	// Left is true once the rep left: the others stay bridged on this
	// computer until End for all or until one participant remains.
	Left bool `json:"left"`
	// Participants are the call's live legs, in the order they joined.
	Participants []ParticipantView `json:"participants"`
}

// TickParticipant is a participant's high-rate data in EvTick.
type TickParticipant struct {
	// ID is the leg.
	ID string `json:"id"`
	// LevelDb is the participant's voice level in dBFS.
	LevelDb float64 `json:"levelDb"`
	// Talking is the talk indicator.
	Talking bool `json:"talking"`
	// Quality is the participant's call quality.
	Quality Quality `json:"quality"`
}

// ConferenceService adds, merges and controls the participants of calls,
// runs attended transfers (consult.go), a team lead's monitor calls and
// browser join links (joinlink.go). It translates; the engine
// (softphone.Call, softphone.Leg, softphone/webjoin) decides.
type ConferenceService struct {
	c   *core
	web joinLinks
}

// Get returns the participants of a call.
func (s *ConferenceService) Get(callID string) (ConferenceView, error) {
	call, err := s.c.call(callID)
	if err != nil {
		return ConferenceView{}, err
	}
	return s.c.conferenceView(call.Info()), nil
}

// Add dials target (a number, a contact's number or a SIP address, as the
// dialpad takes them) into the call as a new participant. The new
// participant rings; EvConference tells when it answers or fails.
func (s *ConferenceService) Add(callID, target string) (ConferenceView, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return ConferenceView{}, fmt.Errorf("%w: nothing to dial", ErrInvalidArgument)
	}
	return s.c.confAction(callID, func(call *softphone.Call) error {
		_, err := call.AddLeg(s.c.ctx, target, softphone.RoleParticipant)
		return err
	})
}

// Invite dials target into the call with role: participant, or a team
// lead who listens (hears everyone, nobody hears them), whispers (only the
// rep hears them) or barges in (everyone hears everyone).
func (s *ConferenceService) Invite(callID, target, role string) (ConferenceView, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return ConferenceView{}, fmt.Errorf("%w: nothing to dial", ErrInvalidArgument)
	}
	r, err := parseRole(role)
	if err != nil {
		return ConferenceView{}, err
	}
	return s.c.confAction(callID, func(call *softphone.Call) error {
		_, err := call.AddLeg(s.c.ctx, target, r)
		return err
	})
}

// SetRole switches how a participant is heard, mid-call: participant,
// listen, whisper or barge (see Invite).
func (s *ConferenceService) SetRole(callID, legID, role string) (ConferenceView, error) {
	r, err := parseRole(role)
	if err != nil {
		return ConferenceView{}, err
	}
	return s.c.confAction(callID, func(call *softphone.Call) error { return call.SetRole(legID, r) })
}

// parseRole reads a participant role as the window sends it.
func parseRole(role string) (softphone.Role, error) {
	switch r := softphone.Role(strings.ToLower(strings.TrimSpace(role))); r {
	case softphone.RoleParticipant, softphone.RoleListen, softphone.RoleWhisper, softphone.RoleBarge:
		return r, nil
	}
	return "", fmt.Errorf("%w: choose participant, listen, whisper or barge as the role", ErrInvalidArgument)
}

// Merge moves every participant of otherID into callID, making one
// conference; both calls must be answered.
func (s *ConferenceService) Merge(callID, otherID string) (ConferenceView, error) {
	other, err := s.c.call(otherID)
	if err != nil {
		return ConferenceView{}, err
	}
	return s.c.confAction(callID, func(call *softphone.Call) error { return call.Merge(other) })
}

// Hold puts one participant on hold (hold music, not heard); the others
// stay connected.
func (s *ConferenceService) Hold(callID, legID string) (ConferenceView, error) {
	return s.c.legAction(callID, legID, softphone.Leg.Hold)
}

// Resume takes one participant off hold.
func (s *ConferenceService) Resume(callID, legID string) (ConferenceView, error) {
	return s.c.legAction(callID, legID, softphone.Leg.Resume)
}

// Mute mutes (on=true) or unmutes one participant: nobody hears them.
func (s *ConferenceService) Mute(callID, legID string, on bool) (ConferenceView, error) {
	return s.c.legAction(callID, legID, func(l softphone.Leg) error { return l.SetMute(on) })
}

// Remove hangs up one participant (BYE; CANCEL while it rings).
func (s *ConferenceService) Remove(callID, legID string) (ConferenceView, error) {
	return s.c.confAction(callID, func(call *softphone.Call) error { return call.RemoveLeg(legID) })
}

// Leave takes the rep out of the conference; the others stay bridged on
// this computer.
func (s *ConferenceService) Leave(callID string) (ConferenceView, error) {
	return s.c.confAction(callID, (*softphone.Call).Leave)
}

// EndAll hangs up every participant.
func (s *ConferenceService) EndAll(callID string) (ConferenceView, error) {
	return s.c.confAction(callID, (*softphone.Call).EndAll)
}

// confAction runs fn on a call and returns its participants.
func (c *core) confAction(callID string, fn func(*softphone.Call) error) (ConferenceView, error) {
	call, err := c.call(callID)
	if err != nil {
		return ConferenceView{}, err
	}
	if err := fn(call); err != nil {
		return ConferenceView{}, err
	}
	return c.conferenceView(call.Info()), nil
}

// legAction runs fn on one leg of a call.
func (c *core) legAction(callID, legID string, fn func(softphone.Leg) error) (ConferenceView, error) {
	return c.confAction(callID, func(call *softphone.Call) error {
		l, err := call.Leg(legID)
		if err != nil {
			return err
		}
		return fn(l)
	})
}

// conferenceView converts the engine's snapshot of a call.
func (c *core) conferenceView(in softphone.CallInfo) ConferenceView {
	v := ConferenceView{CallID: in.ID, Left: in.Left, Participants: make([]ParticipantView, 0, len(in.Legs))}
	for _, l := range in.Legs {
		v.Participants = append(v.Participants, c.participantView(l))
	}
	return v
}

// participantView converts one leg, naming it from the contact store.
func (c *core) participantView(l softphone.LegInfo) ParticipantView {
	number := numberOf(l.Remote)
	id := c.callerID(number)
	name := id.Name
	if name == "" {
		name = l.Display
	}
	if id.Formatted != "" {
		number = id.Formatted
	}
	return ParticipantView{ID: l.ID, CallID: l.CallID, Name: name, Number: number, Remote: l.Remote,
		State: string(l.State), Role: string(l.Role), Muted: l.Muted, Held: l.Held, RemoteHeld: l.RemoteHeld,
		LevelDb: l.LevelDB, Talking: l.Talking, Quality: qualityOf(l.Stats)}
}

// onLegChange emits the participants of the call a leg or conference
// event is about (the call may have ended: nothing then, EvCall says so).
func (c *core) onLegChange(p *softphone.Phone, callID string) {
	call, err := p.Call(callID)
	if err != nil {
		return
	}
	v := c.conferenceView(call.Info())
	c.mu.Lock()
	if ce := c.calls[callID]; ce != nil {
		ce.view.Participants, ce.view.Left = v.Participants, v.Left
	}
	c.mu.Unlock()
	emit(c.out, EvConference, v)
}

// tickParticipants returns the level and quality of each participant of
// a conference (nil for a two-party call: TickCall says it all).
func tickParticipants(in softphone.CallInfo) []TickParticipant {
	if len(in.Legs) < 2 {
		return nil
	}
	out := make([]TickParticipant, 0, len(in.Legs))
	for _, l := range in.Legs {
		out = append(out, TickParticipant{ID: l.ID, LevelDb: l.LevelDB, Talking: l.Talking, Quality: qualityOf(l.Stats)})
	}
	return out
}
