package softphone_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// events records a phone's event stream so tests can wait for conditions
// without sleeping.
type events struct {
	mu   sync.Mutex
	cond *sync.Cond
	list []softphone.Event
	done bool
}

func record(t *testing.T, p *softphone.Phone) *events {
	t.Helper()
	return recordFrom(t, p.Subscribe)
}

// mark returns the index from which wait looks.
func (e *events) mark() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.list)
}

// wait returns the first event at or after from matching pred.
func (e *events) wait(t *testing.T, from int, d time.Duration, what string, pred func(softphone.Event) bool) softphone.Event {
	t.Helper()
	deadline := time.Now().Add(d)
	timer := time.AfterFunc(d, func() { e.mu.Lock(); e.cond.Broadcast(); e.mu.Unlock() })
	defer timer.Stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := from; ; {
		for ; i < len(e.list); i++ {
			if pred(e.list[i]) {
				return e.list[i]
			}
		}
		if e.done || time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; events: %v", d, what, e.list[from:])
		}
		e.cond.Wait()
	}
}

func (e *events) callState(t *testing.T, from int, callID string, st softphone.CallState, d time.Duration) softphone.CallEvent {
	t.Helper()
	ev := e.wait(t, from, d, "call "+string(st), func(ev softphone.Event) bool {
		ce, ok := ev.(softphone.CallEvent)
		return ok && (callID == "" || ce.CallID == callID) && ce.State == st
	})
	return ev.(softphone.CallEvent)
}

// statsAtLeast waits until the call has received and sent n packets.
func (e *events) statsAtLeast(t *testing.T, from int, callID string, n int64, d time.Duration) softphone.StatsEvent {
	t.Helper()
	ev := e.wait(t, from, d, "rtp stats", func(ev softphone.Event) bool {
		se, ok := ev.(softphone.StatsEvent)
		return ok && se.CallID == callID && se.Stats.PacketsReceived >= n && se.Stats.PacketsSent >= n
	})
	return ev.(softphone.StatsEvent)
}

type phoneOpt struct {
	play, record string
	transport    string
	password     string
	autoAnswer   bool
	noRegister   bool
	trusted      []string
	extra        []softphone.Option
	host         string // registrar host:port; default k.Addr()
	caFile       string
	proxy        string // outbound proxy and registrar URI; the AOR then has no port
	leads        []string
}

// newPhone starts a Pitchline phone registered at k as user. With k nil
// (then o.host is the AOR's host and o.noRegister is set) it has no
// registrar: a direct phone.
func newPhone(t *testing.T, k *testlab.Kamailio, user string, o phoneOpt) (*softphone.Phone, *events) {
	t.Helper()
	if o.transport == "" {
		o.transport = "udp"
	}
	pw := o.password
	if pw == "" && k != nil {
		pw = k.Password(user)
	}
	if o.host == "" {
		o.host = k.Addr()
	}
	cfg := softphone.Config{
		Account: softphone.AccountConfig{
			AOR: "sip:" + user + "@" + o.host, Password: pw, Transport: o.transport,
			Register: !o.noRegister, TrustedPeers: o.trusted, CAFile: o.caFile,
			OutboundProxy: o.proxy, Registrar: o.proxy,
		},
		Listen:     "127.0.0.1:0",
		AutoAnswer: o.autoAnswer,
		Leads:      o.leads,
	}
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	opts := []softphone.Option{softphone.WithAudio(nb, "", "", "")}
	if o.play != "" {
		opts = append(opts, softphone.WithPlayFile(o.play))
	}
	if o.record != "" {
		opts = append(opts, softphone.WithRecordFile(o.record))
	}
	opts = append(opts, o.extra...)
	p, err := softphone.NewPhone(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ev := record(t, p)
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); nb.Close() })
	return p, ev
}

func waitRegistered(t *testing.T, e *events) {
	t.Helper()
	e.wait(t, 0, 10*time.Second, "registered", func(ev softphone.Event) bool {
		r, ok := ev.(softphone.RegistrationEvent)
		if ok && r.State == softphone.RegFailed {
			t.Fatalf("registration failed: %s", r.Reason)
		}
		return ok && r.State == softphone.RegRegistered
	})
}

// toneWAV writes a long sine WAV at 8 kHz for a phone to play.
func toneWAV(t *testing.T, freq float64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tone.wav")
	if err := testlab.WriteToneWAV(path, freq, 120); err != nil {
		t.Fatal(err)
	}
	return path
}

// dominant reads a WAV and returns its dominant frequency over the middle
// of the recording, skipping the first half second.
func dominant(t *testing.T, path string) (freq, power float64, seconds float64) {
	t.Helper()
	rate, s, err := testlab.ReadWAV(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	seconds = float64(len(s)) / float64(rate)
	if len(s) < rate {
		t.Fatalf("%s: only %.2f s recorded", path, seconds)
	}
	s = s[rate/2:]
	if len(s) > 2*rate {
		s = s[:2*rate]
	}
	f, p := dsp.DominantFrequency(s, rate, 100, 3500, 5)
	return f, p, seconds
}

func ctx(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}
