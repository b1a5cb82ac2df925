package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pitchline/pitchline/softphone"
)

// keyLeads holds the team leads (JSON list of SIP addresses) whose monitor
// requests this rep's Pitchline accepts (softphone.Config.Leads).
const keyLeads = "calls.leads"

// MaxLeads bounds the team lead list.
const MaxLeads = 50

// Leads returns the team leads whose monitor requests (listen, whisper,
// barge) this Pitchline accepts, as SIP addresses.
func (s *ConferenceService) Leads() ([]string, error) {
	if s.c.st == nil {
		return nil, ErrNotStarted
	}
	return s.c.leads(), nil
}

// SetLeads saves the team lead list (blank lines dropped, duplicates
// merged) and applies it to every running account at once. An address
// that is not sip:user@host is refused and nothing changes.
func (s *ConferenceService) SetLeads(list []string) ([]string, error) {
	st := s.c.st
	if st == nil {
		return nil, ErrNotStarted
	}
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for _, a := range list {
		a = strings.TrimSpace(a)
		if a == "" || seen[strings.ToLower(a)] {
			continue
		}
		// One at a time, so the error names the address to correct.
		if err := checkLead(a); err != nil {
			return nil, err
		}
		seen[strings.ToLower(a)] = true
		out = append(out, a)
	}
	if len(out) > MaxLeads {
		return nil, fmt.Errorf("%w: at most %d team leads", ErrInvalidArgument, MaxLeads)
	}
	b, _ := json.Marshal(out)
	if err := st.SetSetting(s.c.ctx, keyLeads, string(b)); err != nil {
		return nil, err
	}
	var errs []error
	if board, err := s.c.switchboard(); err == nil { // not started: applied at start
		for _, ln := range board.Lines() {
			if p, err := board.Phone(ln.ID); err == nil {
				errs = append(errs, p.SetLeads(out))
			}
		}
	}
	return out, errors.Join(errs...)
}

// errBadLead: a team lead that is not a SIP address (code invalid_lead).
var errBadLead = errors.New("app: a team lead is not a SIP address (sip:user@host)")

// checkLead refuses an address the engine would not take as a lead.
func checkLead(a string) error {
	if _, err := softphone.NewPhone(softphone.Config{Account: softphone.AccountConfig{AOR: "sip:check@127.0.0.1"}, Leads: []string{a}}); err != nil {
		if errors.Is(err, softphone.ErrBadConfig) {
			return fmt.Errorf("%w: %q", errBadLead, a)
		}
		return err
	}
	return nil
}

// leads reads the saved team lead list (none when unset or unreadable:
// a phone must start even if the setting was damaged).
func (c *core) leads() []string {
	if c.st == nil {
		return nil
	}
	v, ok, err := c.st.GetSetting(c.ctx, keyLeads)
	if err != nil || !ok {
		return nil
	}
	var out []string
	if json.Unmarshal([]byte(v), &out) != nil {
		return nil
	}
	return out
}
