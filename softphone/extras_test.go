package softphone_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/demo"
)

// demoPhone starts a demo line (callback after 100 ms) and a phone
// registered to it. Inbound calls in these tests are the line's callbacks.
func demoPhone(t *testing.T, opts ...softphone.Option) (*demo.Line, *softphone.Phone, *events) {
	t.Helper()
	line, err := demo.New(demo.WithRingFor(0), demo.WithCallbackDelay(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := line.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { line.Close() })
	p, err := softphone.NewPhone(softphone.Config{Account: line.Account(), Listen: "127.0.0.1:0"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	e := record(t, p)
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	waitRegistered(t, e)
	return line, p, e
}

// askCallback dials the demo line's callback number and waits for it to
// hang up; the callback INVITE follows.
func askCallback(t *testing.T, line *demo.Line, p *softphone.Phone, e *events) {
	t.Helper()
	c, err := p.Dial(context.Background(), "300")
	if err != nil {
		t.Fatal(err)
	}
	e.callState(t, 0, c.ID(), softphone.CallEnded, 15*time.Second)
}

func TestDNDRejectsWithoutRinging(t *testing.T) {
	line, p, e := demoPhone(t)
	askCallback(t, line, p, e)
	p.SetDND(true)
	if !p.DND() {
		t.Fatal("DND not on")
	}
	// The callback arrives while DND is on: incoming, then ended with dnd.
	in := e.wait(t, 0, 15*time.Second, "dnd end", func(ev softphone.Event) bool {
		ce, ok := ev.(softphone.CallEvent)
		return ok && ce.Direction == softphone.Inbound && ce.State == softphone.CallEnded
	}).(softphone.CallEvent)
	if in.Cause != softphone.CauseDND || in.Status != 486 {
		t.Fatalf("inbound call ended %s/%d, want dnd/486", in.Cause, in.Status)
	}
	if _, _, active := p.Levels(); active {
		t.Fatal("a DND-rejected call opened the audio device (it must not ring)")
	}
	p.SetDND(false)
	if p.DND() {
		t.Fatal("DND still on")
	}
}

func TestForwardSends302(t *testing.T) {
	line, p, e := demoPhone(t)
	askCallback(t, line, p, e)
	in := e.callState(t, 0, "", softphone.CallIncoming, 15*time.Second)
	ic, err := p.Call(in.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if err := ic.Forward("bad target \x00"); err == nil {
		t.Fatal("Forward accepted a bad target")
	}
	if err := ic.Forward("+15550100"); err != nil {
		t.Fatal(err)
	}
	got := e.callState(t, 0, in.CallID, softphone.CallEnded, 5*time.Second)
	if got.Cause != softphone.CauseForwarded || got.Status != 302 {
		t.Fatalf("forwarded call ended %s/%d", got.Cause, got.Status)
	}
	if err := ic.Forward("+15550100"); !errors.Is(err, softphone.ErrInvalidState) && !errors.Is(err, softphone.ErrNoSuchCall) {
		t.Fatalf("Forward of an ended call: %v", err)
	}
}

func TestSwitchDevicesMidCallAndLevels(t *testing.T) {
	line, err := demo.New(demo.WithRingFor(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := line.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer line.Close()
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	p, err := softphone.NewPhone(softphone.Config{Account: line.Account(), Listen: "127.0.0.1:0"},
		softphone.WithAudio(nb, "", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	e := record(t, p)
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	waitRegistered(t, e)
	if _, _, active := p.Levels(); active {
		t.Fatal("levels active before any call")
	}
	if err := p.SetMeter(true); err != nil {
		t.Fatal(err)
	}
	if mic, _, active := p.Levels(); !active || mic > -90 {
		t.Fatalf("meter on: active=%v mic=%.1f (null device is silent)", active, mic)
	}
	if err := p.SetMeter(false); err != nil {
		t.Fatal(err)
	}
	if _, _, active := p.Levels(); active {
		t.Fatal("meter off left the device open")
	}
	c, err := p.Dial(ctx, "100")
	if err != nil {
		t.Fatal(err)
	}
	e.callState(t, 0, c.ID(), softphone.CallConnected, 10*time.Second)
	if _, spk, active := p.Levels(); !active || spk < -96 {
		t.Fatalf("levels during a call: active=%v speaker=%.1f", active, spk)
	}
	if err := p.SetDevices("bogus", "", ""); err == nil {
		t.Fatal("switching to an unknown device succeeded")
	}
	if in, _, _ := p.Devices(); in != "" {
		t.Fatalf("failed switch changed the input to %q", in)
	}
	before := e.statsAtLeast(t, 0, c.ID(), 1, 10*time.Second).Stats.PacketsReceived
	if err := p.SetDevices(audio.NullDeviceID, audio.NullDeviceID, audio.NullDeviceID); err != nil {
		t.Fatal(err)
	}
	if in, out, ring := p.Devices(); in != audio.NullDeviceID || out != in || ring != in {
		t.Fatalf("devices %q %q %q", in, out, ring)
	}
	// Media keeps flowing through the switch: more packets arrive.
	e.statsAtLeast(t, 0, c.ID(), before+50, 10*time.Second)
	if st := c.Info().State; st != softphone.CallConnected {
		t.Fatalf("state %s after the switch", st)
	}
	if err := p.PlayTestTone("speaker?"); !errors.Is(err, softphone.ErrUnknownTestTone) {
		t.Fatalf("bad test tone target: %v", err)
	}
	if err := p.PlayTestTone("ringer"); err != nil {
		t.Fatal(err)
	}
	if err := c.Hangup(); err != nil {
		t.Fatal(err)
	}
	e.callState(t, 0, c.ID(), softphone.CallEnded, 5*time.Second)
}
