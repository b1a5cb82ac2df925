package cli

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone"
	pwebrtc "github.com/pitchline/pitchline/softphone/media/webrtc"
	"github.com/pitchline/pitchline/softphone/webjoin"
)

const conferenceUsage = `
Conference (the rep calls every participant and bridges them on this machine):
  pitchline conference [account flags] [media flags] --invite TARGET [--invite TARGET ...]
                       [--whisper TARGET] [--listen TARGET] [--web-join IP:PORT
                       [--web-join-cert FILE --web-join-key FILE]]
                       [--hold-participant TARGET=FROM-TO] [--remove-after TARGET=DUR]
                       [--hangup-after DUR] [--max-legs N] [--json]
  --play is the rep's microphone and --record what the rep hears (the mix of
  every participant). Times count from when every participant has answered
  (or failed). --listen IP:PORT stays the local SIP address; any other
  --listen value is a listen-only lead. Events: participant_joined, participant_left,
  participant_held, participant_resumed, participant_muted,
  participant_unmuted, conference_up, web_join, ended.
  --web-join serves a join page for one browser participant ("web") at
  IP:PORT and prints its one-time link in a web_join event (url). A
  loopback address is served over HTTP; any other address needs HTTPS with
  your certificate and key (--web-join-cert, --web-join-key).
  --max-legs N mixes up to N participants (default 8; more cost CPU in
  proportion, see BENCHMARKS.md "Conference CPU against Janus AudioBridge").
`

// webName is the browser participant's name in the conference's events.
const webName = "web"

// confStep is one scheduled action on a participant.
type confStep struct {
	target   string
	from, to time.Duration // hold from..to; remove at from (to = 0)
	remove   bool
}

type confOptions struct {
	invites, whispers, listens multiFlag
	holds, removes             multiFlag
	webJoin                    string
	webCert, webKey            string
	webIP                      netip.Addr
	steps                      []confStep
}

// parseConference reads the conference flags on top of the account and
// media flags.
func parseConference(args []string, o *options, co *confOptions, stderr io.Writer) error {
	fs := newFlagSet("conference", o, stderr, false)
	fs.Var(&co.invites, "invite", "")
	fs.Var(&co.whispers, "whisper", "")
	// --listen is both the account flag (the local SIP address, IP:PORT)
	// and, in the conference contract, a listen-only lead (TARGET): a
	// value that is an IP:PORT is the address, anything else a target.
	fs.Lookup("listen").Value = &listenFlag{addr: &o.listen, leads: &co.listens}
	fs.Var(&co.holds, "hold-participant", "")
	fs.Var(&co.removes, "remove-after", "")
	fs.StringVar(&co.webJoin, "web-join", "", "")
	fs.StringVar(&co.webCert, "web-join-cert", "", "")
	fs.StringVar(&co.webKey, "web-join-key", "", "")
	fs.IntVar(&o.maxLegs, "max-legs", softphone.MaxLegs, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: conference takes its participants from --invite, not %q", ErrUsage, pos[0])
	}
	if err := o.validate(false); err != nil {
		return err
	}
	if o.holdAfter != 0 || o.resumeAfter != 0 || o.transferTo != "" || o.dtmf != "" {
		return fmt.Errorf("%w: conference takes --hold-participant and --remove-after, not the call script flags", ErrUsage)
	}
	if len(co.invites) == 0 {
		return fmt.Errorf("%w: conference needs at least one --invite TARGET", ErrUsage)
	}
	if err := co.checkWebJoin(); err != nil {
		return err
	}
	all := append(append(append([]string(nil), co.invites...), co.whispers...), co.listens...)
	n := len(all)
	if co.webJoin != "" {
		n++
	}
	if o.maxLegs < 1 {
		return fmt.Errorf("%w: --max-legs wants a number of participants of at least 1, got %d", ErrUsage, o.maxLegs)
	}
	if n > o.maxLegs {
		return fmt.Errorf("%w: a conference mixes at most %d participants (--max-legs), got %d", ErrUsage, o.maxLegs, n)
	}
	seen := map[string]bool{}
	for _, t := range all {
		if seen[t] {
			return fmt.Errorf("%w: %s is invited twice", ErrUsage, t)
		}
		if t == webName && co.webJoin != "" {
			return fmt.Errorf("%w: %q names the --web-join participant; invite it by another name", ErrUsage, t)
		}
		seen[t] = true
	}
	for _, h := range co.holds {
		target, span, ok := cutLast(h, "=")
		a, b, ok2 := strings.Cut(span, "-")
		if !ok || !ok2 {
			return fmt.Errorf("%w: --hold-participant wants TARGET=FROM-TO (for example bob=2s-5s), got %q", ErrUsage, h)
		}
		from, err1 := time.ParseDuration(a)
		to, err2 := time.ParseDuration(b)
		if err1 != nil || err2 != nil || from < 0 || to <= from {
			return fmt.Errorf("%w: --hold-participant %q: FROM and TO are durations with FROM < TO", ErrUsage, h)
		}
		if !seen[target] {
			return fmt.Errorf("%w: --hold-participant names %s, which is not invited", ErrUsage, target)
		}
		co.steps = append(co.steps, confStep{target: target, from: from, to: to})
	}
	for _, r := range co.removes {
		target, d, ok := cutLast(r, "=")
		at, err := time.ParseDuration(d)
		if !ok || err != nil || at < 0 {
			return fmt.Errorf("%w: --remove-after wants TARGET=DUR (for example bob=5s), got %q", ErrUsage, r)
		}
		if !seen[target] {
			return fmt.Errorf("%w: --remove-after names %s, which is not invited", ErrUsage, target)
		}
		co.steps = append(co.steps, confStep{target: target, from: at, remove: true})
	}
	return nil
}

// checkWebJoin validates --web-join and its TLS files: an IP:PORT, served
// on loopback unless a certificate and key are given.
func (co *confOptions) checkWebJoin() error {
	if co.webJoin == "" {
		if co.webCert != "" || co.webKey != "" {
			return fmt.Errorf("%w: --web-join-cert and --web-join-key go with --web-join IP:PORT", ErrUsage)
		}
		return nil
	}
	ap, err := netip.ParseAddrPort(co.webJoin)
	if err != nil || ap.Addr().Unmap().IsUnspecified() {
		return fmt.Errorf("%w: --web-join wants the IP:PORT the join link carries (for example 127.0.0.1:8443), got %q", ErrUsage, co.webJoin)
	}
	if (co.webCert == "") != (co.webKey == "") {
		return fmt.Errorf("%w: --web-join-cert and --web-join-key go together", ErrUsage)
	}
	co.webIP = ap.Addr().Unmap()
	if !co.webIP.IsLoopback() && co.webCert == "" {
		return fmt.Errorf("%w: --web-join %s is reachable beyond this computer: serve it over HTTPS with --web-join-cert FILE --web-join-key FILE (browsers only give the microphone to secure pages), or use a loopback address such as 127.0.0.1", ErrUsage, co.webJoin)
	}
	return nil
}

// serveWebJoin serves the join page for call and returns the server and
// the one-time link.
func serveWebJoin(co *confOptions, phone *softphone.Phone, callID string) (*webjoin.Server, string, error) {
	var opts []webjoin.Option
	if co.webCert != "" {
		opts = append(opts, webjoin.WithTLS(co.webCert, co.webKey))
	}
	if !co.webIP.IsLoopback() {
		opts = append(opts, webjoin.WithLAN())
	}
	srv, err := webjoin.New(co.webJoin, phone.BrowserJoins(pwebrtc.WithICEAddresses(co.webIP)), opts...)
	if err != nil {
		return nil, "", err
	}
	url, err := srv.CreateLink(callID, 0, webjoin.WithName(webName))
	if err != nil {
		_ = srv.Close()
		return nil, "", err
	}
	return srv, url, nil
}

// listenFlag is the conference command's --listen (see parseConference).
type listenFlag struct {
	addr  *string
	leads *multiFlag
}

func (f *listenFlag) String() string {
	if f.addr == nil {
		return ""
	}
	return *f.addr
}

func (f *listenFlag) Set(v string) error {
	if _, err := netip.ParseAddrPort(v); err == nil {
		*f.addr = v
		return nil
	}
	return f.leads.Set(v)
}

// cutLast splits s around the last sep (a SIP URI may hold '=' in its
// parameters, the step's value never does).
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// participant is one leg of the conference, by the target given on the
// command line.
type participant struct {
	target string
	role   softphone.Role
	leg    softphone.Leg
	joined bool
	held   bool
	muted  bool
	left   bool
}

func runConference(args []string, stdout, stderr io.Writer) error {
	var o options
	var co confOptions
	if err := parseConference(args, &o, &co, stderr); err != nil {
		return err
	}
	o.conference = true
	s, err := start(&o, stdout, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	quiet := []softphone.DialOption{softphone.WithEarlyMedia(softphone.EarlyMediaNone), softphone.WithLocalRingback(false)}
	call, err := s.phone.Dial(s.ctx, co.invites[0], quiet...)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCallFailed, co.invites[0], err)
	}
	byLeg := map[string]*participant{}
	byTarget := map[string]*participant{}
	var order []*participant
	add := func(target string, role softphone.Role, l softphone.Leg) {
		pt := &participant{target: target, role: role, leg: l}
		byLeg[l.ID()], byTarget[target] = pt, pt
		order = append(order, pt)
	}
	legs := call.Legs()
	if len(legs) == 0 {
		return fmt.Errorf("%w: %s: the call ended at once", ErrCallFailed, co.invites[0])
	}
	add(co.invites[0], softphone.RoleParticipant, legs[0])
	if co.webJoin != "" {
		srv, url, err := serveWebJoin(&co, s.phone, call.ID())
		if err != nil {
			_ = call.EndAll()
			<-call.Done()
			return fmt.Errorf("%w: --web-join %s: %v", ErrCallFailed, co.webJoin, err)
		}
		defer srv.Close()
		s.out.emit("web_join", line{"call_id": call.ID(), "url": url, "participant": webName})
	}
	type invite struct {
		target string
		role   softphone.Role
	}
	var more []invite
	for _, t := range co.invites[1:] {
		more = append(more, invite{t, softphone.RoleParticipant})
	}
	for _, t := range co.whispers {
		more = append(more, invite{t, softphone.RoleWhisper})
	}
	for _, t := range co.listens {
		more = append(more, invite{t, softphone.RoleListen})
	}
	var failed []string
	for _, in := range more {
		l, err := call.AddLeg(s.ctx, in.target, in.role)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", in.target, err))
			continue
		}
		add(in.target, in.role, l)
	}

	actions := make(chan func(), 16)
	var timers []*time.Timer
	defer func() {
		for _, t := range timers {
			t.Stop()
		}
	}()
	at := func(d time.Duration, fn func()) {
		timers = append(timers, time.AfterFunc(d, func() {
			select {
			case actions <- fn:
			case <-s.ctx.Done():
			}
		}))
	}
	fail := func(format string, a ...any) { failed = append(failed, fmt.Sprintf(format, a...)) }
	up := false
	settle := func() {
		if up {
			return
		}
		for _, pt := range order {
			if !pt.joined && !pt.left {
				return
			}
		}
		up = true
		s.out.emit("conference_up", line{"call_id": call.ID(), "participants": len(order)})
		for _, st := range co.steps {
			pt := byTarget[st.target]
			if st.remove {
				at(st.from, func() {
					if err := pt.leg.Hangup(); err != nil {
						fail("remove %s: %v", pt.target, err)
					}
				})
				continue
			}
			at(st.from, func() {
				if err := pt.leg.Hold(); err != nil {
					fail("hold %s: %v", pt.target, err)
				}
			})
			at(st.to, func() {
				if err := pt.leg.Resume(); err != nil {
					fail("resume %s: %v", pt.target, err)
				}
			})
		}
		if o.hangupAfter > 0 {
			at(o.hangupAfter, func() { _ = call.EndAll() })
		}
	}

	for {
		select {
		case fn := <-actions:
			fn()
		case <-s.ctx.Done():
			_ = call.EndAll()
			<-call.Done()
			return fmt.Errorf("%w: interrupted", ErrCallFailed)
		case ev, ok := <-s.events:
			if !ok {
				return fmt.Errorf("%w: phone closed", ErrCallFailed)
			}
			switch e := ev.(type) {
			case softphone.LegEvent:
				pt := byLeg[e.ID]
				if pt == nil && e.Kind == softphone.LegWebRTC && e.CallID == call.ID() && e.Remote == webName {
					// The browser joined through the link: a participant
					// from now on, not awaited by conference_up.
					pt = &participant{target: webName, role: e.Role, joined: false}
					byLeg[e.ID] = pt
					if !up {
						order = append(order, pt)
					}
				}
				if pt == nil {
					continue
				}
				p := line{"participant": pt.target, "leg_id": e.ID, "call_id": e.CallID}
				switch {
				case e.State == softphone.LegEnded:
					if !pt.left {
						pt.left = true
						p["cause"] = string(e.Cause)
						s.out.emit("participant_left", p)
						if !pt.joined {
							fail("%s did not join: %s", pt.target, e.Cause)
						}
					}
				case e.State.Talking() && !pt.joined:
					pt.joined = true
					p["remote"], p["role"] = e.Remote, string(e.Role)
					s.out.emit("participant_joined", p)
				}
				if pt.joined && !pt.left && e.Held != pt.held {
					pt.held = e.Held
					name := "participant_resumed"
					if e.Held {
						name = "participant_held"
					}
					s.out.emit(name, line{"participant": pt.target, "leg_id": e.ID, "call_id": e.CallID})
				}
				if pt.joined && !pt.left && e.Muted != pt.muted {
					pt.muted = e.Muted
					name := "participant_unmuted"
					if e.Muted {
						name = "participant_muted"
					}
					s.out.emit(name, line{"participant": pt.target, "leg_id": e.ID, "call_id": e.CallID})
				}
				settle()
			case softphone.CallEvent:
				if e.CallID != call.ID() {
					s.out.translate(ev)
					continue
				}
				if e.State == softphone.CallEnded {
					s.out.translate(ev)
					if !up {
						fail("the conference ended before every participant answered")
					}
					if len(failed) > 0 {
						return fmt.Errorf("%w: %s", ErrCallFailed, strings.Join(failed, "; "))
					}
					return nil
				}
			case softphone.HoldEvent, softphone.MuteEvent:
				// per participant: reported from LegEvents
			case softphone.StatsEvent:
				if pt := byLeg[e.LegID]; pt != nil {
					l := statsLine(e.CallID, e)
					l["participant"], l["leg_id"] = pt.target, e.LegID
					s.out.emit("rtp_stats", l)
				}
			default:
				s.out.translate(ev)
			}
		}
	}
}
