package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone"
)

const usageText = `Usage:
  pitchline                       open the desktop window
  pitchline call   [account flags] [media flags] [script flags] TARGET
  pitchline answer [account flags] [media flags] [script flags] [answer flags]
  pitchline conference [account flags] [media flags] --invite TARGET ... (see below)
  pitchline devices [--json]

Account flags:
  --sip-uri sip:USER@HOST:PORT   address of record (the registrar is its host)
  --registrar URI                registrar, if not the AOR host
  --proxy URI                    outbound proxy for every call (default: the registrar
                                 when registering; with --no-register calls go
                                 straight to the target URI's host and port)
  --auth-user NAME               digest user name (default: the AOR user)
  --password-env VAR             read the password from environment variable VAR
                                 (default: the OS keychain)
  --transport udp|tcp|tls        SIP transport (default udp)
  --ca-file FILE                 extra CA certificates (PEM) for TLS
  --listen IP:PORT               local SIP address; port 0 picks one (default 127.0.0.1:0)
  --no-register                  do not REGISTER
  --trusted-peer IP[:PORT]       also accept INVITEs from this address (repeatable)
  --no-shield                    turn the scanner shield off

Media flags:
  --audio null|default|DEVICE    audio device (null: real-time, no sound server needed)
  --play FILE                    send this WAV or MP3 as the microphone
  --record FILE.wav              record what we receive
  --codecs LIST                   codec preference (default opus,PCMU,PCMA)
  --hold-music FILE              MP3 or WAV played to a peer on hold

Script flags (durations count from the answer):
  --dtmf DIGITS                  send RFC 4733 DTMF 1 s after the answer
  --hold-after DUR  --resume-after DUR
  --hangup-after DUR
  --transfer-to URI --transfer-after DUR
  --consult URI --consult-after DUR
                                 attended transfer: hold the call and call URI, then
  --complete-after DUR           transfer the call to URI (REFER with Replaces)
  --cancel-after DUR             or hang URI up and return to the call
  --monitor listen|whisper|barge as a team lead, ask the called rep's Pitchline
                                 to add us to the rep's current call with this role
  --monitor-switch ROLE=DUR      with --monitor: switch to ROLE DUR after the answer
                                 (repeatable)

Answer flags:
  --max-calls N                  exit after N calls
  --reject busy|decline          reject instead of answering
  --ring-for DUR                 ring this long before answering
  --lead SIP-ADDRESS             accept monitor requests (listen, whisper, barge)
                                 from this team lead during a call (repeatable);
                                 prints monitor_started/monitor_changed/monitor_ended

Output:
  --json                         one JSON object per line, each with an "event" field
  -v                             debug logging to stderr

Global flags (--data-dir DIR, --json, -v) may also come before the command,
as with git: pitchline --data-dir DIR crm sync
`

// Main runs the command line and returns the process exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText+conferenceUsage+storeUsage+crmUsage+dialerUsage+dialerListsUsage)
		return ExitUsage
	}
	args, err := hoistGlobals(args)
	if err != nil {
		fmt.Fprintf(stderr, "pitchline: %v\nRun 'pitchline help' for usage.\n", err)
		return ExitUsage
	}
	switch args[0] {
	case "call":
		err = runCall(args[1:], stdout, stderr)
	case "answer":
		err = runAnswer(args[1:], stdout, stderr)
	case "conference":
		err = runConference(args[1:], stdout, stderr)
	case "devices":
		err = runDevices(args[1:], stdout, stderr)
	case "import":
		err = runImport(args[1:], stdout, stderr)
	case "lookup":
		err = runLookup(args[1:], stdout, stderr)
	case "history":
		err = runHistory(args[1:], stdout, stderr)
	case "calls":
		err = runCalls(args[1:], stdout, stderr)
	case "crm":
		err = runCRM(args[1:], stdout, stderr)
	case "dialer":
		err = runDialer(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText+conferenceUsage+storeUsage+crmUsage+dialerUsage+dialerListsUsage)
		return ExitOK
	default:
		err = fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
	}
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrUsage):
		fmt.Fprintf(stderr, "pitchline: %v\nRun 'pitchline help' for usage.\n", err)
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "pitchline: %v\n", err)
		return ExitFailed
	}
}

// globalFlags are the flags that may also come before the command, as
// with git and go (`pitchline --data-dir D crm sync`); the value says
// whether the flag takes a value.
var globalFlags = map[string]bool{"data-dir": true, "json": false, "v": false}

// SplitGlobals splits the global flags that come before the command
// (lead, e.g. "--data-dir", "D") from the rest (the command and its
// arguments). It stops at the first argument that is not a global flag;
// main uses it to tell a command line from a window launch.
func SplitGlobals(args []string) (lead, rest []string) {
	for len(args) > 0 {
		a := args[0]
		if !strings.HasPrefix(a, "-") || len(a) < 2 || a == "--" {
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takesValue, ok := globalFlags[name]
		if !ok || takesValue && !hasValue && len(args) < 2 {
			break
		}
		lead, args = append(lead, a), args[1:]
		if takesValue && !hasValue {
			lead, args = append(lead, args[0]), args[1:]
		}
	}
	return lead, args
}

// hoistGlobals moves the global flags found before the command to its
// end, where every command parses its flags (flags may follow positional
// arguments). "pitchline --data-dir D crm sync" becomes "crm sync
// --data-dir D"; a command that has no such flag rejects it as usual.
func hoistGlobals(args []string) ([]string, error) {
	lead, rest := SplitGlobals(args)
	if len(rest) > 0 {
		switch a := rest[0]; {
		case a == "-h" || a == "-help" || a == "--help":
			return []string{"help"}, nil
		case strings.HasPrefix(a, "-"):
			name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if _, ok := globalFlags[name]; ok {
				return nil, fmt.Errorf("%w: flag %s needs a value", ErrUsage, a)
			}
			return nil, fmt.Errorf("%w: flag %s goes after the command (before it: --data-dir DIR, --json, -v)", ErrUsage, a)
		}
	}
	if len(rest) == 0 {
		return nil, fmt.Errorf("%w: a command must follow %q", ErrUsage, strings.Join(lead, " "))
	}
	return append(append([]string{}, rest...), lead...), nil
}

// options holds every flag of call and answer.
type options struct {
	sipURI, registrar, proxy, authUser, passwordEnv, transport, caFile, listen string
	noRegister, noShield                                                       bool
	trusted                                                                    multiFlag

	audio, play, record, codecs, holdMusic string

	dtmf                                string
	holdAfter, resumeAfter, hangupAfter time.Duration
	transferTo                          string
	transferAfter                       time.Duration

	maxCalls int
	reject   string
	ringFor  time.Duration
	leads    multiFlag // answer: team leads whose monitor requests are accepted

	consult                     string // attended transfer target
	consultAfter, completeAfter time.Duration
	cancelAfter                 time.Duration

	monitor       string    // call: a team lead's monitor request role
	monitorSwitch multiFlag // call: ROLE=DUR role switches

	json, verbose bool
	conference    bool // the conference command: --play/--record are the rep's microphone/speaker
	maxLegs       int  // conference: legs mixed at most (--max-legs; 0 elsewhere: softphone.MaxLegs)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func newFlagSet(name string, o *options, stderr io.Writer, answer bool) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.sipURI, "sip-uri", "", "")
	fs.StringVar(&o.registrar, "registrar", "", "")
	fs.StringVar(&o.proxy, "proxy", "", "")
	fs.StringVar(&o.authUser, "auth-user", "", "")
	fs.StringVar(&o.passwordEnv, "password-env", "", "")
	fs.StringVar(&o.transport, "transport", "udp", "")
	fs.StringVar(&o.caFile, "ca-file", "", "")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "")
	fs.BoolVar(&o.noRegister, "no-register", false, "")
	fs.BoolVar(&o.noShield, "no-shield", false, "")
	fs.Var(&o.trusted, "trusted-peer", "")
	fs.StringVar(&o.audio, "audio", "default", "")
	fs.StringVar(&o.play, "play", "", "")
	fs.StringVar(&o.record, "record", "", "")
	fs.StringVar(&o.codecs, "codecs", "", "") // "": media.DefaultCodecs()
	fs.StringVar(&o.holdMusic, "hold-music", "", "")
	fs.StringVar(&o.dtmf, "dtmf", "", "")
	fs.DurationVar(&o.holdAfter, "hold-after", 0, "")
	fs.DurationVar(&o.resumeAfter, "resume-after", 0, "")
	fs.DurationVar(&o.hangupAfter, "hangup-after", 0, "")
	fs.StringVar(&o.transferTo, "transfer-to", "", "")
	fs.DurationVar(&o.transferAfter, "transfer-after", 0, "")
	fs.StringVar(&o.consult, "consult", "", "")
	fs.DurationVar(&o.consultAfter, "consult-after", 0, "")
	fs.DurationVar(&o.completeAfter, "complete-after", 0, "")
	fs.DurationVar(&o.cancelAfter, "cancel-after", 0, "")
	if !answer {
		fs.StringVar(&o.monitor, "monitor", "", "")
		fs.Var(&o.monitorSwitch, "monitor-switch", "")
	}
	if answer {
		fs.Var(&o.leads, "lead", "")
		fs.IntVar(&o.maxCalls, "max-calls", 0, "")
		fs.StringVar(&o.reject, "reject", "", "")
		fs.DurationVar(&o.ringFor, "ring-for", 0, "")
	}
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.verbose, "v", false, "")
	return fs
}

// parse parses flags that may come before or after the positional args.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (o *options) validate(answer bool) error {
	if o.sipURI == "" {
		return fmt.Errorf("%w: --sip-uri is required", ErrUsage)
	}
	if !strings.HasPrefix(o.sipURI, "sip:") && !strings.HasPrefix(o.sipURI, "sips:") {
		return fmt.Errorf("%w: --sip-uri must look like sip:USER@HOST:PORT, got %q", ErrUsage, o.sipURI)
	}
	switch o.transport {
	case "udp", "tcp", "tls":
	default:
		return fmt.Errorf("%w: --transport must be udp, tcp or tls, got %q", ErrUsage, o.transport)
	}
	if o.resumeAfter > 0 && o.holdAfter == 0 {
		return fmt.Errorf("%w: --resume-after needs --hold-after", ErrUsage)
	}
	if o.resumeAfter > 0 && o.resumeAfter <= o.holdAfter {
		return fmt.Errorf("%w: --resume-after must be later than --hold-after", ErrUsage)
	}
	if (o.transferTo == "") != (o.transferAfter == 0) {
		return fmt.Errorf("%w: --transfer-to and --transfer-after go together", ErrUsage)
	}
	for _, d := range []time.Duration{o.holdAfter, o.resumeAfter, o.hangupAfter, o.transferAfter, o.ringFor, o.consultAfter, o.completeAfter, o.cancelAfter} {
		if d < 0 {
			return fmt.Errorf("%w: durations must not be negative", ErrUsage)
		}
	}
	if o.consult != "" || o.consultAfter != 0 || o.completeAfter != 0 || o.cancelAfter != 0 {
		switch {
		case o.consult == "" || o.consultAfter <= 0:
			return fmt.Errorf("%w: --consult URI and --consult-after DUR go together", ErrUsage)
		case (o.completeAfter == 0) == (o.cancelAfter == 0):
			return fmt.Errorf("%w: --consult needs one of --complete-after or --cancel-after", ErrUsage)
		case max(o.completeAfter, o.cancelAfter) <= o.consultAfter:
			return fmt.Errorf("%w: --complete-after/--cancel-after must be later than --consult-after", ErrUsage)
		}
	}
	if o.monitor != "" {
		if _, err := softphone.ParseMonitorRole(o.monitor); err != nil {
			return fmt.Errorf("%w: --monitor must be listen, whisper or barge, got %q", ErrUsage, o.monitor)
		}
	}
	if len(o.monitorSwitch) > 0 && o.monitor == "" {
		return fmt.Errorf("%w: --monitor-switch needs --monitor", ErrUsage)
	}
	for _, v := range o.monitorSwitch {
		if _, _, err := parseMonitorSwitch(v); err != nil {
			return err
		}
	}
	if answer {
		switch o.reject {
		case "", "busy", "decline":
		default:
			return fmt.Errorf("%w: --reject must be busy or decline, got %q", ErrUsage, o.reject)
		}
		if o.maxCalls < 0 {
			return fmt.Errorf("%w: --max-calls must not be negative", ErrUsage)
		}
	}
	if o.record != "" && !strings.HasSuffix(strings.ToLower(o.record), ".wav") {
		return fmt.Errorf("%w: --record must name a .wav file", ErrUsage)
	}
	return nil
}

// parseMonitorSwitch reads a --monitor-switch value, ROLE=DUR.
func parseMonitorSwitch(v string) (softphone.Role, time.Duration, error) {
	r, d, ok := strings.Cut(v, "=")
	role, err := softphone.ParseMonitorRole(r)
	if !ok || err != nil {
		return "", 0, fmt.Errorf("%w: --monitor-switch wants ROLE=DUR (listen, whisper or barge), got %q", ErrUsage, v)
	}
	dur, err := time.ParseDuration(d)
	if err != nil || dur < 0 {
		return "", 0, fmt.Errorf("%w: --monitor-switch %q: bad duration", ErrUsage, v)
	}
	return role, dur, nil
}
