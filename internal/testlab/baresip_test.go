package testlab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
)

func TestBaresipDirectCall(t *testing.T) {
	a := StartBaresip(t, "alice", WithTone(1000))
	b := StartBaresip(t, "bob", WithTone(400), WithRecording())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	ma, mb := a.Mark(), b.Mark()
	if _, err := a.Command(ctx, "dial", b.URI()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		bs   *Baresip
		mark int
	}{{a, ma}, {b, mb}} {
		ev, err := p.bs.WaitEventAfter(ctx, p.mark, "CALL_ESTABLISHED")
		if err != nil {
			t.Fatalf("%s: CALL_ESTABLISHED: %v", p.bs.Name(), err)
		}
		t.Logf("%s: %s peer=%s id=%s", p.bs.Name(), ev.Type, ev.PeerURI, ev.ID)
	}
	if _, err := b.WaitEventAfter(ctx, mb, "CALL_RTPESTAB"); err != nil {
		t.Fatalf("bob: no RTP from alice: %v", err)
	}

	md := b.Mark()
	if _, err := a.Command(ctx, "sndcode 5", ""); err != nil {
		t.Fatal(err)
	}
	ev, err := b.WaitEventAfter(ctx, md, "CALL_DTMF_START")
	if err != nil {
		t.Fatalf("bob: no DTMF: %v", err)
	}
	if ev.Param != "5" {
		t.Fatalf("bob: DTMF digit %q, want 5", ev.Param)
	}
	if _, err := b.WaitEventAfter(ctx, md, "CALL_DTMF_END"); err != nil {
		t.Fatalf("bob: no DTMF end: %v", err)
	}

	// There is no event for "enough audio recorded": let 1.5 s of tone flow.
	select {
	case <-time.After(1500 * time.Millisecond):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}

	ma, mb = a.Mark(), b.Mark()
	if _, err := a.Command(ctx, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	evA, err := a.WaitEventAfter(ctx, ma, "CALL_CLOSED")
	if err != nil {
		t.Fatalf("alice: %v", err)
	}
	evB, err := b.WaitEventAfter(ctx, mb, "CALL_CLOSED")
	if err != nil {
		t.Fatalf("bob: %v", err)
	}
	if !strings.Contains(evA.Param, "by user") || !strings.Contains(evB.Param, "by peer") {
		t.Errorf("CALL_CLOSED params: alice %q, bob %q", evA.Param, evB.Param)
	}

	checkTone(t, b, "dec", 1000, 400, 1.5) // bob received alice's tone
	checkTone(t, b, "enc", 400, 1000, 1.5) // and sent his own
}

// checkTone asserts that the only recording of kind has at least minSeconds
// of audio whose dominant frequency is want, well above other.
func checkTone(t *testing.T, bs *Baresip, kind string, want, other float64, minSeconds float64) {
	t.Helper()
	files, err := bs.Recordings(kind)
	if err != nil || len(files) != 1 {
		t.Fatalf("%s recordings: %v %v", kind, files, err)
	}
	rate, s, err := ReadWAV(files[0])
	if err != nil {
		t.Fatal(err)
	}
	secs := float64(len(s)) / float64(rate)
	if rate != 8000 || secs < minSeconds {
		t.Fatalf("%s: %d Hz, %.2f s; want 8000 Hz, >= %.1f s", files[0], rate, secs, minSeconds)
	}
	// Skip the first 100 ms (jitter buffer start-up).
	s = s[rate/10:]
	f, p := dsp.DominantFrequency(s, rate, 100, 3500, 10)
	po := dsp.Goertzel(s, rate, other)
	t.Logf("%s %s: %.2f s, dominant %.0f Hz (power %.3f, %g Hz: %.5f), %.1f dBFS rms",
		bs.Name(), kind, secs, f, p, other, po, dsp.DBFS(dsp.RMS(s)))
	if f != want || p < 100*po {
		t.Fatalf("%s: dominant %.0f Hz (power %.4f vs %.4f at %g Hz), want %g Hz", kind, f, p, po, other, want)
	}
}

func TestBaresipManualAnswerAndStop(t *testing.T) {
	a := StartBaresip(t, "carol")
	b := StartBaresip(t, "dave", WithAnswerMode("manual"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	mb := b.Mark()
	if _, err := a.Command(ctx, "dial", b.URI()); err != nil {
		t.Fatal(err)
	}
	in, err := b.WaitEventAfter(ctx, mb, "CALL_INCOMING")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(in.PeerURI, "carol@127.0.0.1") {
		t.Errorf("CALL_INCOMING peer %q", in.PeerURI)
	}
	if _, err := b.Command(ctx, "accept", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WaitEventAfter(ctx, 0, "CALL_ESTABLISHED"); err != nil {
		t.Fatal(err)
	}
	resp, err := b.Command(ctx, "listcalls", "")
	if err != nil || !strings.Contains(resp.Data, "carol") {
		t.Fatalf("listcalls: %q %v", resp.Data, err)
	}

	// Stopping dave sends BYE: carol sees the call close.
	ma := a.Mark()
	b.Stop()
	if _, err := a.WaitEventAfter(ctx, ma, "CALL_CLOSED"); err != nil {
		t.Fatalf("carol after dave quit: %v", err)
	}
	if _, err := b.WaitEventType(ctx, "NEVER"); !errors.Is(err, ErrBaresipClosed) {
		t.Fatalf("wait after Stop: %v, want ErrBaresipClosed", err)
	}
	if _, err := b.Command(ctx, "listcalls", ""); !errors.Is(err, ErrBaresipClosed) {
		t.Fatalf("command after Stop: %v, want ErrBaresipClosed", err)
	}
	if _, err := a.Command(ctx, "nosuchcommand", ""); !errors.Is(err, ErrBaresipCommand) {
		t.Fatalf("unknown command: %v, want ErrBaresipCommand", err)
	}
}

func TestNetstringRoundTrip(t *testing.T) {
	var buf []byte
	for _, m := range []string{`{"a":1}`, "", "x,y:z"} {
		buf = appendNetstring(buf, []byte(m))
	}
	r := bufio.NewReader(bytes.NewReader(buf))
	for _, want := range []string{`{"a":1}`, "", "x,y:z"} {
		got, err := readNetstring(r)
		if err != nil || string(got) != want {
			t.Fatalf("got %q %v, want %q", got, err, want)
		}
	}
	if _, err := readNetstring(r); err != io.EOF {
		t.Fatalf("at end: %v, want io.EOF", err)
	}
	for _, bad := range []string{"x:", "3:abc;", "01:a,", ":,", "99999999999:"} {
		if _, err := readNetstring(bufio.NewReader(strings.NewReader(bad))); !errors.Is(err, ErrNetstring) {
			t.Errorf("%q: %v, want ErrNetstring", bad, err)
		}
	}
	if _, err := readNetstring(bufio.NewReader(strings.NewReader("5:ab"))); err != io.ErrUnexpectedEOF {
		t.Errorf("truncated: %v", err)
	}
}

func FuzzReadNetstring(f *testing.F) {
	f.Add([]byte(`66:{"command":"dial","params":"sip:bob@127.0.0.1:25060","token":"t1"},`))
	f.Add([]byte("0:,"))
	f.Add([]byte("12:abc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for {
			msg, err := readNetstring(r)
			if err != nil {
				return
			}
			if len(msg) > len(b) {
				t.Fatalf("message longer than input")
			}
		}
	})
}
