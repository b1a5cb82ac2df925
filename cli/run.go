package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/device"
	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/secret"
)

// keychainService is the OS keychain service name for SIP passwords.
const keychainService = "pitchline-sip"

// session is a started phone plus its printer and event stream.
type session struct {
	phone  *softphone.Phone
	out    *printer
	events <-chan softphone.Event
	cancel func()
	ctx    context.Context
	stop   context.CancelFunc
	// closers run after the phone has closed (the conference recording).
	closers []func() error
}

func openBackend(name string) (audio.Backend, string, error) {
	if name == "null" {
		b, err := audio.NewNullBackend()
		return b, "", err
	}
	b, err := device.New()
	if err != nil {
		return nil, "", fmt.Errorf("audio: %w (use --audio null to run without a sound device)", err)
	}
	if _, err := b.Devices(); err != nil {
		b.Close()
		return nil, "", fmt.Errorf("audio: %w (use --audio null to run without a sound device)", err)
	}
	if name == "default" {
		name = ""
	}
	return b, name, nil
}

func password(o *options) (string, error) {
	if o.passwordEnv != "" {
		return secret.FromEnv(o.passwordEnv)
	}
	if o.noRegister {
		return "", nil // direct calls need no credentials
	}
	st, err := secret.New(keychainService)
	if err != nil {
		return "", fmt.Errorf("%w (or pass --password-env VAR)", err)
	}
	pw, err := st.Get(o.sipURI)
	if err != nil {
		return "", fmt.Errorf("password for %s: %w (store it with the desktop app, or pass --password-env VAR)", o.sipURI, err)
	}
	return pw, nil
}

// start builds and starts the phone and, unless --no-register, waits for
// the registration outcome. Calls on it are independent: nothing holds
// one call for another (call waiting is the desktop Switchboard's).
func start(o *options, stdout, stderr io.Writer) (*session, error) {
	pw, err := password(o)
	if err != nil {
		return nil, err
	}
	for _, f := range []string{o.play, o.holdMusic} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("media file %s: %w", f, err)
		}
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	backend, dev, err := openBackend(o.audio)
	if err != nil {
		return nil, err
	}
	cfg := softphone.Config{
		Account: softphone.AccountConfig{
			AOR: o.sipURI, AuthUser: o.authUser, Password: pw, Registrar: o.registrar, OutboundProxy: o.proxy,
			Transport: o.transport, Register: !o.noRegister, CAFile: o.caFile, TrustedPeers: o.trusted,
		},
		Listen:    o.listen,
		Codecs:    splitList(o.codecs),
		ShieldOff: o.noShield,
		Leads:     o.leads,
		MaxLegs:   o.maxLegs, // 0 (not the conference command): softphone.MaxLegs
	}
	opts := []softphone.Option{softphone.WithLogger(logger), softphone.WithAudio(backend, dev, dev, dev)}
	var closers []func() error
	switch {
	case o.conference:
		// The rep's microphone and speaker, through the conference mix.
		la, closeLA, err := localAudio(o)
		if err != nil {
			backend.Close()
			return nil, err
		}
		closers = append(closers, closeLA)
		opts = append(opts, la)
	default:
		if o.play != "" {
			opts = append(opts, softphone.WithPlayFile(o.play))
		}
		if o.record != "" {
			opts = append(opts, softphone.WithRecordFile(o.record))
		}
	}
	if o.holdMusic != "" {
		opts = append(opts, softphone.WithHoldMusic(o.holdMusic))
	}
	phone, err := softphone.NewPhone(cfg, opts...)
	if err != nil {
		for _, c := range closers {
			_ = c()
		}
		backend.Close()
		if errors.Is(err, softphone.ErrBadConfig) && !strings.Contains(err.Error(), "media file") &&
			!strings.Contains(err.Error(), "cannot record") {
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		return nil, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	events, cancel := phone.Subscribe()
	if err := phone.Start(ctx); err != nil {
		stop()
		cancel()
		phone.Close()
		for _, c := range closers {
			_ = c()
		}
		backend.Close()
		return nil, err
	}
	s := &session{phone: phone, out: &printer{w: stdout, json: o.json}, events: events, cancel: cancel, ctx: ctx, stop: stop, closers: closers}
	if !o.noRegister {
		if err := s.waitRegistered(); err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

func (s *session) close() {
	drained := make(chan struct{})
	go func() { // print what is left (final "ended" lines) while closing
		defer close(drained)
		for ev := range s.events {
			s.out.translate(ev)
		}
	}()
	s.phone.Close()
	<-drained
	for _, c := range s.closers {
		_ = c()
	}
	s.cancel()
	s.stop()
}

// localAudio opens --play as the rep's microphone and --record as the
// rep's speaker for WithLocalAudio; the closer finishes the recording
// once the phone is closed.
func localAudio(o *options) (softphone.Option, func() error, error) {
	var mic audio.Source
	var spk *wav.Writer
	if o.play != "" {
		src, err := file.OpenSource(o.play, softphone.BusRate())
		if err != nil {
			return nil, nil, fmt.Errorf("media file %s: %w", o.play, err)
		}
		mic = src
	}
	if o.record != "" {
		w, err := wav.Create(o.record, softphone.BusRate())
		if err != nil {
			return nil, nil, fmt.Errorf("cannot record to %s: %w", o.record, err)
		}
		spk = w
	}
	closeFn := func() error {
		if spk != nil {
			return spk.Close()
		}
		return nil
	}
	if spk == nil {
		return softphone.WithLocalAudio(mic, nil), closeFn, nil
	}
	return softphone.WithLocalAudio(mic, spk), closeFn, nil
}

// waitRegistered prints events until registration succeeds or fails.
func (s *session) waitRegistered() error {
	for {
		select {
		case <-s.ctx.Done():
			return fmt.Errorf("%w: interrupted", ErrCallFailed)
		case ev, ok := <-s.events:
			if !ok {
				return fmt.Errorf("%w: phone closed", ErrCallFailed)
			}
			s.out.translate(ev)
			if r, ok := ev.(softphone.RegistrationEvent); ok {
				switch r.State {
				case softphone.RegRegistered:
					return nil
				case softphone.RegFailed:
					return fmt.Errorf("%w: registration failed: %s", ErrCallFailed, r.Reason)
				}
			}
		}
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToUpper(p))
		}
	}
	return out
}

func runDevices(args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlagSet("devices", &o, stderr, false)
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("%w: devices takes no arguments", ErrUsage)
	}
	b, err := device.New()
	if err != nil {
		return fmt.Errorf("audio: %w (use --audio null to run without a sound device)", err)
	}
	defer b.Close()
	devs, err := b.Devices()
	if err != nil {
		return fmt.Errorf("audio: %w (use --audio null to run without a sound device)", err)
	}
	p := &printer{w: stdout, json: o.json}
	for _, d := range devs {
		if o.json {
			p.emit("device", line{"id": d.ID, "name": d.Name, "host_api": d.HostAPI, "inputs": d.MaxInputs,
				"outputs": d.MaxOutputs, "rate": d.DefaultRate, "default_input": d.DefaultInput, "default_output": d.DefaultOutput})
			continue
		}
		mark := ""
		if d.DefaultInput {
			mark += " [default input]"
		}
		if d.DefaultOutput {
			mark += " [default output]"
		}
		fmt.Fprintf(stdout, "%-30s in=%d out=%d rate=%d api=%s%s\n", d.Name, d.MaxInputs, d.MaxOutputs, d.DefaultRate, d.HostAPI, mark)
	}
	return nil
}
