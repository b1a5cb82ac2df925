package dialer

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Reason is why a dial was refused.
type Reason string

const (
	// ReasonDNC: the number is on the do-not-call list.
	ReasonDNC Reason = "dnc"
	// ReasonCallingHours: it is outside the list's calling hours in the
	// contact's local time.
	ReasonCallingHours Reason = "calling_hours"
	// ReasonRetryCap: the contact has had as many dials as the retry
	// policy allows (in all or today), or the last one was too recent.
	ReasonRetryCap Reason = "retry_cap"
	// ReasonInvalidNumber: the number cannot be dialled.
	ReasonInvalidNumber Reason = "invalid_number"
)

// String returns the reason's name.
func (r Reason) String() string { return string(r) }

// ZoneSource says where a contact's time zone came from.
type ZoneSource string

const (
	// ZoneFromContact: the contact's record has a time zone.
	ZoneFromContact ZoneSource = "contact"
	// ZoneFromNumber: libphonenumber's time zones for the number.
	ZoneFromNumber ZoneSource = "number"
	// ZoneFromRep: neither gives a zone; the rep's own zone applies.
	ZoneFromRep ZoneSource = "rep"
)

// String returns the source's name.
func (z ZoneSource) String() string { return string(z) }

// DNCSet is a snapshot of the do-not-call list: normalised keys (Number.Key
// and E.164 forms).
type DNCSet map[string]struct{}

// Has reports whether n is on the list, by its Key or its E.164 form.
func (s DNCSet) Has(n Number) bool {
	if _, ok := s[n.Key]; ok && n.Key != "" {
		return true
	}
	_, ok := s[n.E164]
	return ok && n.E164 != ""
}

// Request is everything Decide looks at for one dial.
type Request struct {
	// Contact is the contact to dial (its TimeZone is used when valid).
	Contact Contact
	// Number is the number to dial.
	Number Number
	// Settings are the list's settings (calling hours, retry policy). A
	// zero Hours means DefaultWindow; a zero retry cap or spacing means
	// no such limit.
	Settings Settings
	// Attempts are the times of the contact's earlier dials, any number.
	Attempts []time.Time
	// DNC is the do-not-call list.
	DNC DNCSet
}

// Decision is the answer to a Request.
type Decision struct {
	// Allowed is true when the dial may go out.
	Allowed bool
	// Reason is set when the dial was refused.
	Reason Reason
	// Message is one sentence for the rep and the session log.
	Message string
	// LocalTime is the contact's local time: in the zone that refused the
	// calling hours, else in the first of Zones.
	LocalTime time.Time
	// Zones are the contact's time zones and ZoneSource where they came
	// from.
	Zones      []string
	ZoneSource ZoneSource
	// NotBefore is, for a retry refused for spacing, when the contact may
	// be dialled again; zero otherwise.
	NotBefore time.Time
}

// Checker decides dials with its clock and the rep's time zone.
type Checker struct {
	now func() time.Time
	rep *time.Location
}

// CheckerOption configures a Checker.
type CheckerOption func(*Checker)

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) CheckerOption { return func(c *Checker) { c.now = now } }

// NewChecker returns a Checker for a rep in time zone rep (nil is an
// error: the fallback zone must be explicit).
func NewChecker(rep *time.Location, opts ...CheckerOption) (*Checker, error) {
	if rep == nil {
		return nil, fmt.Errorf("%w: the rep's time zone is not set", ErrInvalidSettings)
	}
	c := &Checker{now: time.Now, rep: rep}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Check decides req at the Checker's current time.
func (c *Checker) Check(req Request) Decision { return Decide(c.now(), c.rep, req) }

// Decide says whether req may be dialled at now by a rep in time zone rep.
// It checks, in order: the number, the DNC list, the retry policy, then
// the calling hours in every one of the contact's time zones. It has no
// side effects.
func Decide(now time.Time, rep *time.Location, req Request) Decision {
	if rep == nil {
		rep = time.UTC
	}
	zones, src := contactZones(req.Contact, req.Number, rep)
	d := Decision{Zones: make([]string, len(zones)), ZoneSource: src, LocalTime: now.In(zones[0])}
	for i, z := range zones {
		d.Zones[i] = z.String()
	}
	name := orUnnamed(req.Contact.Name)
	if !dialable(req.Number) {
		return refuse(d, ReasonInvalidNumber, fmt.Sprintf("%s's number %q cannot be dialled; correct it on the list.", name, req.Number.Raw))
	}
	if req.DNC.Has(req.Number) {
		return refuse(d, ReasonDNC, fmt.Sprintf("%s's number %s is on the do-not-call list.", name, req.Number.Raw))
	}
	p := req.Settings.Retry
	if p.MaxAttempts > 0 && len(req.Attempts) >= p.MaxAttempts {
		return refuse(d, ReasonRetryCap, fmt.Sprintf("%s was dialled %d times, the most this list allows.", name, len(req.Attempts)))
	}
	var last time.Time
	today := 0
	y, m, dd := now.In(zones[0]).Date()
	for _, a := range req.Attempts {
		if a.After(last) {
			last = a
		}
		if ay, am, ad := a.In(zones[0]).Date(); ay == y && am == m && ad == dd {
			today++
		}
	}
	if p.MaxPerDay > 0 && today >= p.MaxPerDay {
		return refuse(d, ReasonRetryCap, fmt.Sprintf("%s was dialled %d times today, the most this list allows per day.", name, today))
	}
	if !last.IsZero() && p.Spacing > 0 && now.Before(last.Add(p.Spacing)) {
		d.NotBefore = last.Add(p.Spacing)
		return refuse(d, ReasonRetryCap, fmt.Sprintf("%s was dialled at %s; the next try is allowed from %s.",
			name, last.In(rep).Format("15:04"), d.NotBefore.In(rep).Format("15:04")))
	}
	w := req.Settings.Hours
	if w == (Window{}) {
		w = DefaultWindow
	}
	for _, z := range zones {
		lt := now.In(z)
		if !w.Contains(lt) {
			d.LocalTime = lt
			return refuse(d, ReasonCallingHours, fmt.Sprintf("It is %s for %s (%s); this list calls between %s and %s local time.",
				lt.Format("15:04"), name, z, w.String()[:5], w.String()[6:]))
		}
	}
	d.Allowed = true
	return d
}

func refuse(d Decision, r Reason, msg string) Decision {
	d.Allowed, d.Reason, d.Message = false, r, msg
	return d
}

// dialable reports whether n is a SIP URI or a valid E.164 number.
func dialable(n Number) bool {
	if n.IsSIP() {
		_, err := parseSIP(n.Key, n.Key)
		return err == nil
	}
	if n.Key == "" || !strings.HasPrefix(n.Key, "+") || len(n.Key) > 16 {
		return false
	}
	pn, err := phonenumbers.Parse(n.Key, "")
	return err == nil && phonenumbers.IsValidNumber(pn)
}

// contactZones returns the contact's time zones: from its record, else
// from the number, else the rep's.
func contactZones(c Contact, n Number, rep *time.Location) ([]*time.Location, ZoneSource) {
	if c.TimeZone != "" && !strings.EqualFold(c.TimeZone, "local") {
		if loc, err := loadZone(c.TimeZone); err == nil {
			return []*time.Location{loc}, ZoneFromContact
		}
	}
	if n.E164 != "" {
		if pn, err := phonenumbers.Parse(n.E164, ""); err == nil {
			names, _ := phonenumbers.GetTimezonesForNumber(pn)
			var locs []*time.Location
			for _, name := range names {
				if name == "" || name == "Etc/Unknown" {
					continue
				}
				if loc, err := loadZone(name); err == nil {
					locs = append(locs, loc)
				}
			}
			if len(locs) > 0 {
				return locs, ZoneFromNumber
			}
		}
	}
	return []*time.Location{rep}, ZoneFromRep
}

// zoneCache holds loaded time zones by name: time.LoadLocation reads the
// zone database on every call, and a toll-free NANP number has some 40
// zones.
var zoneCache sync.Map // string → *time.Location

// loadZone is time.LoadLocation with a cache of the zones that loaded.
func loadZone(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, l)
	return l, nil
}
