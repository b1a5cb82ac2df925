package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/softphone/dialer"
	"github.com/pitchline/pitchline/softphone/store"
)

// dialerUsage is the usage text of the power dialer commands.
const dialerUsage = `
Power dialer (README, "pitchline dialer run"):
  pitchline dialer run [account flags] [media flags] --list FILE.csv|crm:VENDOR:ID
        [--mode preview|power|parallel] [--lines N] [--wrap-up DUR]
        [--dnc FILE] [--calling-hours HH:MM-HH:MM] [--now RFC3339]
        [--voicemail FILE] [--apology FILE] [--talk DUR] [--outcome LABEL]
        [--session NAME] [--data-dir DIR] [--ring-timeout DUR]
        [--caller-ids +E164,+E164,...] [--json]
  exit 0 when the list was worked through; --session NAME again resumes it
`

// dialerOptions are the flags of `dialer run` beyond the account and
// media flags.
type dialerOptions struct {
	list, mode, dnc, hours, now, voicemail, outcome, session, dataDir string
	apology                                                           string // parallel mode's prompt to an abandoned answer
	callerIDs                                                         string // local presence: owned numbers
	lines                                                             int
	wrapUp, talk, ringTimeout                                         time.Duration
}

// runDialer is `pitchline dialer SUBCOMMAND`.
func runDialer(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "lists" || args[0] == "pull") { // dialer_lists.go
		return runDialerCRMList(args[0], args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "run" {
		return fmt.Errorf("%w: dialer needs a subcommand: pitchline dialer run --sip-uri URI --list FILE.csv [flags]", ErrUsage)
	}
	return runDialerRun(args[1:], stdout, stderr)
}

func runDialerRun(args []string, stdout, stderr io.Writer) error {
	var o options
	var d dialerOptions
	fs := newFlagSet("dialer run", &o, stderr, false)
	fs.StringVar(&d.list, "list", "", "")
	fs.StringVar(&d.mode, "mode", "preview", "")
	fs.IntVar(&d.lines, "lines", 0, "")
	fs.DurationVar(&d.wrapUp, "wrap-up", 0, "")
	fs.StringVar(&d.dnc, "dnc", "", "")
	fs.StringVar(&d.hours, "calling-hours", "", "")
	fs.StringVar(&d.now, "now", "", "")
	fs.StringVar(&d.voicemail, "voicemail", "", "")
	fs.StringVar(&d.apology, "apology", "", "")
	fs.DurationVar(&d.talk, "talk", 5*time.Second, "")
	fs.StringVar(&d.outcome, "outcome", "Connected", "")
	fs.StringVar(&d.session, "session", "", "")
	fs.StringVar(&d.dataDir, "data-dir", "", "")
	fs.DurationVar(&d.ringTimeout, "ring-timeout", 30*time.Second, "")
	fs.StringVar(&d.callerIDs, "caller-ids", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: dialer run takes no arguments (the contacts come from --list FILE.csv)", ErrUsage)
	}
	if err := o.validate(false); err != nil {
		return err
	}
	if d.list == "" {
		return fmt.Errorf("%w: --list FILE.csv is required", ErrUsage)
	}
	settings := dialer.DefaultSettings()
	if settings.Mode, err = dialer.ParseMode(d.mode); err != nil {
		return fmt.Errorf("%w: --mode: %v", ErrUsage, err)
	}
	settings.Lines = d.lines
	if d.lines == 0 {
		settings.Lines = 1
		if settings.Mode == dialer.ModeParallel {
			settings.Lines = 3
		}
	}
	settings.WrapUp = d.wrapUp
	if d.hours != "" {
		if settings.Hours, err = dialer.ParseWindow(d.hours); err != nil {
			return fmt.Errorf("%w: --calling-hours: %v", ErrUsage, err)
		}
	}
	if err := settings.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	clock := time.Now
	if d.now != "" {
		base, err := time.Parse(time.RFC3339, d.now)
		if err != nil {
			return fmt.Errorf("%w: --now must be RFC 3339 (2026-03-02T15:04:05Z), got %q", ErrUsage, d.now)
		}
		t0 := time.Now()
		clock = func() time.Time { return base.Add(time.Since(t0)) }
	}
	if d.talk < 0 || d.ringTimeout <= 0 {
		return fmt.Errorf("%w: --talk must not be negative and --ring-timeout must be positive", ErrUsage)
	}
	if strings.TrimSpace(d.outcome) == "" {
		return fmt.Errorf("%w: --outcome needs a label", ErrUsage)
	}
	var owned []string
	if d.callerIDs != "" {
		owned = strings.Split(d.callerIDs, ",")
		if _, err := dialer.NewLocalPresence(owned); err != nil {
			return fmt.Errorf("%w: --caller-ids: %v", ErrUsage, err)
		}
	}
	// --list crm:VENDOR:ID runs a list pulled with `dialer pull`; any other
	// value is a CSV file.
	crmList := strings.HasPrefix(d.list, "crm:")
	for _, f := range []struct{ flag, path string }{{"list", d.list}, {"dnc", d.dnc}, {"voicemail", d.voicemail}, {"apology", d.apology}} {
		if f.path == "" || (f.flag == "list" && crmList) {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("--%s %s: cannot read the file: %w", f.flag, f.path, err)
		}
	}
	if d.voicemail != "" {
		// Decode it now: a file that cannot be played is an error before
		// the first dial, not a silent voicemail at the first machine.
		if _, err := file.OpenSource(d.voicemail, 8000); err != nil {
			return fmt.Errorf("--voicemail %s: cannot play the file (WAV or MP3): %w", d.voicemail, err)
		}
	}
	if d.apology != "" {
		// Checked as a list's apology prompt is: before the first dial.
		if _, err := dialer.CheckApology(d.apology); err != nil {
			return fmt.Errorf("--apology %s: cannot use the file as the apology prompt (a WAV or MP3 of at most %v): %w", d.apology, dialer.MaxApology, err)
		}
	}

	st, err := openStore(d.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	out := &printer{w: stdout, json: o.json}
	if d.dnc != "" {
		dnc, err := dialer.NewDNC(st, st.Region())
		if err != nil {
			return err
		}
		f, err := os.Open(d.dnc)
		if err != nil {
			return err
		}
		rep, err := dnc.Import(ctx, f, "import")
		f.Close()
		if err != nil {
			return fmt.Errorf("--dnc %s: %w", d.dnc, err)
		}
		for _, r := range rep.Rejected {
			fmt.Fprintf(stderr, "pitchline: --dnc %s: %s\n", d.dnc, r.Message)
		}
	}

	// The list: on resume it is the one stored with the session; else the
	// CSV, imported now.
	var list *dialer.List
	resuming := false
	if d.session != "" {
		if _, err := st.DialerSessionByName(ctx, d.session); err == nil {
			resuming = true
		}
	}
	if !resuming && crmList {
		// A CRM list pulled earlier: this run's flags become its settings
		// (stored with it, so resuming the session keeps them).
		l, err := dialer.LoadList(ctx, st, d.list)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("--list %s: no such list here; pull it first with `pitchline dialer pull --crm VENDOR --list ID`", d.list)
			}
			return err
		}
		l.Settings = settings
		if err := dialer.SaveList(ctx, st, l); err != nil {
			return fmt.Errorf("--list %s: %w", d.list, err)
		}
		list = l
	}
	if !resuming && !crmList {
		f, err := os.Open(d.list)
		if err != nil {
			return err
		}
		imp, err := dialer.ParseCSV(f, dialer.ImportOptions{Region: st.Region()})
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", d.list, err)
		}
		for _, r := range imp.Rows {
			if r.Status == dialer.RowRejected {
				out.emit("import_rejected", line{"line": r.Line, "contact": r.Name, "reason": string(r.Reason), "message": r.Message})
			}
		}
		if len(imp.Contacts) == 0 {
			return fmt.Errorf("%s: no contact could be imported", d.list)
		}
		name := strings.TrimSuffix(filepath.Base(d.list), filepath.Ext(d.list))
		list = &dialer.List{Name: name, Settings: settings, Contacts: imp.Contacts}
	}

	s, err := start(&o, stdout, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	s.cancel() // the dialer prints its own events, not the engine's
	eng, err := dialer.NewPhoneEngine(s.phone)
	if err != nil {
		return err
	}
	defer eng.Close()
	logger := dialerLogger(&o, stderr)
	// Every answer is classified (an "amd" event); a machine is never
	// given to the rep: with --voicemail the message is dropped after the
	// beep, otherwise the call is hung up.
	detector, err := dialer.NewAMD(logger)
	if err != nil {
		return err
	}
	defer detector.Close()
	sopts := []dialer.SessionOption{dialer.WithSessionClock(clock), dialer.WithSessionLogger(logger),
		dialer.WithRingTimeout(d.ringTimeout), dialer.WithRequireOutcome(true), dialer.WithClassifier(detector.Classify)}
	if len(owned) > 0 {
		sopts = append(sopts, dialer.WithCallerIDs(owned))
	}
	if d.voicemail != "" {
		sopts = append(sopts, dialer.WithVoicemailDrop(d.voicemail, detector.Drop))
	}
	if d.apology != "" {
		sopts = append(sopts, dialer.WithApologyPrompt(d.apology))
	}
	var sess *dialer.Session
	if resuming {
		sess, err = dialer.ResumeSessionByName(ctx, st, eng, d.session, sopts...)
		if err == nil {
			snap := sess.Snapshot()
			fmt.Fprintf(stderr, "pitchline: resuming session %q: %d of %d contacts done\n", d.session, snap.Done, snap.Total)
		}
	} else {
		if d.session != "" {
			sopts = append(sopts, dialer.WithName(d.session))
		}
		sess, err = dialer.NewSession(ctx, st, eng, list, sopts...)
	}
	if err != nil {
		return err
	}
	events, unsub := sess.Subscribe()
	defer unsub()
	if err := sess.Start(s.ctx); err != nil {
		return err
	}
	rep := &headlessRep{sess: sess, out: out, talk: d.talk, outcome: d.outcome}
	for ev := range events {
		rep.handle(ev)
		if ev.Kind == dialer.EventSessionEnded {
			break
		}
	}
	unsub()
	rep.stopTimers()
	closeErr := sess.Close()
	snap := sess.Snapshot()
	switch {
	case closeErr != nil:
		return closeErr
	case snap.State != dialer.StateDone:
		return fmt.Errorf("%w: the session stopped (%d of %d contacts done); run the same command again to resume it",
			ErrCallFailed, snap.Done, snap.Total)
	}
	return nil
}

// dialerLogger logs warnings (debug with -v) to stderr: skips, crash
// recovery, store failures.
func dialerLogger(o *options, stderr io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}

// headlessRep plays the rep of `dialer run`: it presses Dial on every
// preview card, talks for --talk on a human answer, hangs up and saves
// --outcome.
type headlessRep struct {
	sess    *dialer.Session
	out     *printer
	talk    time.Duration
	outcome string

	mu     sync.Mutex
	timers []*time.Timer
}

func (h *headlessRep) handle(ev dialer.Event) {
	switch ev.Kind {
	case dialer.EventSessionStarted:
		h.out.emit("session_started", line{"total": ev.Total, "done": ev.Done, "session": ev.Session})
	case dialer.EventDial:
		l := line{"contact": ev.Contact, "number": ev.Number, "line": ev.Line}
		if ev.CallerID != "" {
			l["caller_id"] = ev.CallerID
		}
		h.out.emit("dial", l)
	case dialer.EventSkipped:
		l := line{"contact": ev.Contact, "reason": string(ev.Reason), "message": ev.Message, "number": ev.Number}
		if !ev.LocalTime.IsZero() {
			l["local_time"] = ev.LocalTime.Format(time.RFC3339)
		}
		h.out.emit("skipped", l)
	case dialer.EventAnswered:
		h.out.emit("answered", line{"contact": ev.Contact, "line": ev.Line})
	case dialer.EventAMD:
		h.out.emit("amd", line{"contact": ev.Contact, "result": string(ev.AMD), "decision_ms": ev.DecisionMS})
	case dialer.EventVoicemailDropped:
		h.out.emit("voicemail_dropped", line{"contact": ev.Contact})
	case dialer.EventEnded:
		h.out.emit("ended", line{"contact": ev.Contact, "cause": ev.Cause, "result": string(ev.Result), "line": ev.Line})
		if ev.Result == dialer.ResultConnected {
			if err := h.sess.SaveOutcome(h.outcome, ""); err != nil && !errors.Is(err, dialer.ErrInvalidState) {
				h.out.emit("error", line{"message": err.Error()})
			}
		}
	case dialer.EventOutcomeSaved:
		h.out.emit("outcome_saved", line{"contact": ev.Contact, "outcome": ev.Outcome})
	case dialer.EventProgress:
		h.out.emit("session_progress", line{"done": ev.Done, "total": ev.Total})
	case dialer.EventLines:
		h.out.emit("lines", line{"lines": ev.Lines})
	case dialer.EventSessionEnded:
		c := ev.Counters
		h.out.emit("session_ended", line{"dialled": c.Dialled, "connected": c.Connected, "voicemail": c.Voicemail,
			"no_answer": c.NoAnswer, "busy": c.Busy, "abandoned": c.Abandoned, "skipped": c.Skipped, "done": ev.Done, "total": ev.Total})
	case dialer.EventState:
		switch ev.State {
		case dialer.StateReady:
			// Preview: the rep presses Dial on the card.
			if err := h.sess.Dial(); err != nil && !errors.Is(err, dialer.ErrInvalidState) {
				h.out.emit("error", line{"message": err.Error()})
			}
		case dialer.StateConnected:
			t := time.AfterFunc(h.talk, func() { _ = h.sess.Hangup() })
			h.mu.Lock()
			h.timers = append(h.timers, t)
			h.mu.Unlock()
		}
	}
}

func (h *headlessRep) stopTimers() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.timers {
		t.Stop()
	}
}
