package devicetest

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/pitchline/pitchline/audio/codec/opus" // registers Opus
	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// speakerTap is the rep's speaker (softphone.WithLocalAudio): it keeps
// every frame the mix plays, at the bus rate. WriteFrame runs on the
// mixer goroutine and does not block.
type speakerTap struct {
	mu sync.Mutex
	s  []int16
}

func (t *speakerTap) Rate() int { return softphone.BusRate() }
func (t *speakerTap) WriteFrame(src []int16) error {
	t.mu.Lock()
	t.s = append(t.s, src...)
	t.mu.Unlock()
	return nil
}

// pos returns how many samples the speaker has played so far.
func (t *speakerTap) pos() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.s)
}

// span returns a copy of samples [a, b).
func (t *speakerTap) span(a, b int) []int16 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]int16(nil), t.s[a:b]...)
}

// localPhone starts a phone named user, with no registrar, listening on
// loopback, whose rep's microphone says micWAV (looped) through the mix
// and whose speaker is tapped (WithLocalAudio): unlike the play and record
// files, both go through the leg's mixer port.
func localPhone(t *testing.T, user, micWAV string, codecs []string, autoAnswer bool) (*softphone.Phone, *events, *speakerTap) {
	t.Helper()
	mic, err := file.OpenSource(micWAV, softphone.BusRate(), file.WithLoop())
	if err != nil {
		t.Fatal(err)
	}
	spk := &speakerTap{}
	p, ev := startNullPhone(t, softphone.Config{
		Account:    softphone.AccountConfig{AOR: "sip:" + user + "@127.0.0.1", Transport: "udp"},
		Listen:     "127.0.0.1:0",
		Codecs:     codecs,
		AutoAnswer: autoAnswer,
	}, softphone.WithLocalAudio(mic, spk))
	return p, ev, spk
}

// phaseOf returns a function that waits for 3 s more of RTP each way on
// a leg of call (by its StatsEvents in ev) and returns, for each tap, the last 2 s
// it played, all played after the wait began.
func phaseOf(t *testing.T, ev *events, call *softphone.Call, taps ...*speakerTap) func(what string) [][]int16 {
	rate := softphone.BusRate()
	return func(what string) [][]int16 {
		t.Helper()
		from := ev.mark()
		start := make([]int, len(taps))
		for i, tp := range taps {
			start[i] = tp.pos()
		}
		stats := func(what string, pred func(softphone.StatsEvent) bool) softphone.StatsEvent {
			return ev.wait(t, from, 30*time.Second, what, func(e softphone.Event) bool {
				s, ok := e.(softphone.StatsEvent)
				return ok && s.CallID == call.ID() && pred(s)
			}).(softphone.StatsEvent)
		}
		// One leg's counts (a conference has a StatsEvent per leg).
		first := stats("stats", func(softphone.StatsEvent) bool { return true })
		stats(what, func(s softphone.StatsEvent) bool {
			return s.LegID == first.LegID &&
				s.Stats.PacketsReceived >= first.Stats.PacketsReceived+150 && s.Stats.PacketsSent >= first.Stats.PacketsSent+150
		})
		out := make([][]int16, len(taps))
		for i, tp := range taps {
			end := tp.pos()
			if end-start[i] < 2*rate {
				t.Fatalf("%s: speaker %d played %d samples in 3 s of RTP", what, i, end-start[i])
			}
			out[i] = tp.span(end-2*rate, end)
		}
		return out
	}
}

// mics writes carol's and bob's microphone files: a minute of two tones
// each (carolWide+carolLow, bobWide+bobLow).
func mics(t *testing.T, carolWide, carolLow, bobWide, bobLow float64) (carolMic, bobMic string) {
	t.Helper()
	dir := t.TempDir()
	carolMic, bobMic = filepath.Join(dir, "carol.wav"), filepath.Join(dir, "bob.wav")
	twoTones(t, carolMic, carolWide, carolLow, 60)
	twoTones(t, bobMic, bobWide, bobLow, 60)
	return carolMic, bobMic
}

// TestWidebandAfterSwitchToOpus: carol calls bob, two Pitchline phones
// talking SIP and RTP over loopback, on PCMU (both prefer it, Opus
// beside it); carol switches the call to Opus with a re-INVITE
// (Call.SetCodecs), then back to PCMU. Each leg's mixer port is attached
// at its codec's rate and must follow the codec: carol's by the answer to
// her re-INVITE, bob's by the offer in it. Each side says a wideband tone
// and a narrowband one through its microphone (carol 6 kHz and 1 kHz, bob
// 6.5 kHz and 1.5 kHz; two tones, since Opus's DTX takes a lone steady
// sine for background) and each speaker is checked by frequency: the
// other side's wideband tone arrives over Opus, and not over PCMU before
// or after; the narrowband one throughout. Without the port following the
// codec, the Opus part is narrowband both ways (the mix of each side
// stays at 8 kHz for that leg).
//
// (baresip 1.0.0 cannot be the peer here: switched from PCMU to Opus
// mid-call it keeps feeding its Opus encoder 8 kHz frames, which libopus
// refuses, and sends nothing. TestSwitchToPCMUThroughPortWithBaresip
// covers the switch down with it.)
func TestWidebandAfterSwitchToOpus(t *testing.T) {
	const carolWide, carolLow, bobWide, bobLow = 6000.0, 1000.0, 6500.0, 1500.0
	carolMic, bobMic := mics(t, carolWide, carolLow, bobWide, bobLow)
	codecs := []string{"PCMU", "opus"}
	bob, bobEv, bobSpk := localPhone(t, "bob", bobMic, codecs, true)
	carol, ev, carolSpk := localPhone(t, "carol", carolMic, codecs, false)

	m, bm := ev.mark(), bobEv.mark()
	call, err := carol.Dial(ctx(t, 90*time.Second), "sip:bob@"+bob.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	bobEv.callState(t, bm, "", softphone.CallConnected, 15*time.Second)
	phase := phaseOf(t, ev, call, carolSpk, bobSpk)
	rate := softphone.BusRate()
	type heard struct{ wide, low float64 } // share of 100 ms windows with the tone
	// listen returns what carol heard of bob and bob of carol.
	listen := func(what, codec string) (carolHeard, bobHeard heard) {
		t.Helper()
		if got := call.Info().Codec; got != codec {
			t.Fatalf("codec %q, want %q", got, codec)
		}
		w := phase(what)
		carolHeard = heard{toneShare(w[0], rate, bobWide, 0.01), toneShare(w[0], rate, bobLow, 0.01)}
		bobHeard = heard{toneShare(w[1], rate, carolWide, 0.01), toneShare(w[1], rate, carolLow, 0.01)}
		t.Logf("%s: carol heard bob's %.0f/%.0f Hz in %.0f%%/%.0f%% of windows; bob heard carol's %.0f/%.0f Hz in %.0f%%/%.0f%%",
			what, bobWide, bobLow, 100*carolHeard.wide, 100*carolHeard.low, carolWide, carolLow, 100*bobHeard.wide, 100*bobHeard.low)
		return carolHeard, bobHeard
	}
	check := func(what string, c, b heard, wide bool) {
		t.Helper()
		// Most windows, not all: an underrun on a busy machine may leave
		// a gap.
		if c.low < 0.6 || b.low < 0.6 {
			t.Errorf("%s: narrowband tones missing: carol heard bob's in %.0f%%, bob carol's in %.0f%% of windows", what, 100*c.low, 100*b.low)
		}
		switch {
		case wide && (c.wide < 0.6 || b.wide < 0.6):
			t.Errorf("%s: wideband tones missing (the port mixes at 8 kHz): carol heard bob's in %.0f%%, bob carol's in %.0f%% of windows", what, 100*c.wide, 100*b.wide)
		case !wide && (c.wide > 0 || b.wide > 0):
			t.Errorf("%s: wideband tones over G.711 (impossible): carol heard bob's in %.0f%%, bob carol's in %.0f%% of windows", what, 100*c.wide, 100*b.wide)
		}
	}

	c1, b1 := listen("PCMU", "PCMU")
	if err := call.SetCodecs(ctx(t, 20*time.Second), "opus"); err != nil {
		t.Fatalf("switch to Opus: %v", err)
	}
	c2, b2 := listen("Opus after the switch", "opus")
	if err := call.SetCodecs(ctx(t, 20*time.Second), "PCMU"); err != nil {
		t.Fatalf("switch back to PCMU: %v", err)
	}
	c3, b3 := listen("PCMU again", "PCMU")
	check("PCMU", c1, b1, false)
	check("Opus after the switch", c2, b2, true)
	check("PCMU again", c3, b3, false)

	m3, bm3 := ev.mark(), bobEv.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m3, call.ID(), softphone.CallEnded, 10*time.Second)
	bobEv.callState(t, bm3, "", softphone.CallEnded, 10*time.Second)
}

// TestSwitchToPCMUThroughPortWithBaresip: the switch down with baresip
// (Opus first, PCMU beside it), through the mix rather than the play and
// record files (TestCodecSwitchMidCallWithBaresip): carol's speaker hears
// bob's 6.5 kHz over Opus and not after the re-INVITE to PCMU, and his
// 1.5 kHz throughout; bob's recording, which baresip stops at the
// re-INVITE, has carol's 6 kHz and 1 kHz over Opus.
func TestSwitchToPCMUThroughPortWithBaresip(t *testing.T) {
	const carolWide, carolLow, bobWide, bobLow = 6000.0, 1000.0, 6500.0, 1500.0
	carolMic, bobMic := mics(t, carolWide, carolLow, bobWide, bobLow)
	bob := testlab.StartBaresip(t, "bob", testlab.WithNoRegister(), testlab.WithRecording(), testlab.WithOpus(),
		testlab.WithCodecs("opus/48000/1,PCMU/8000/1"), testlab.WithSourceRate(48000), testlab.WithSourceWAV(bobMic))
	carol, ev, spk := localPhone(t, "carol", carolMic, nil, false)
	m := ev.mark()
	call, err := carol.Dial(ctx(t, 90*time.Second), bob.URI())
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	if _, err := bob.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob never got the call: %v", err)
	}
	phase := phaseOf(t, ev, call, spk)
	rate := softphone.BusRate()
	listen := func(what, codec string) (wide, low float64) {
		t.Helper()
		if got := call.Info().Codec; got != codec {
			t.Fatalf("codec %q, want %q", got, codec)
		}
		w := phase(what)[0]
		wide, low = toneShare(w, rate, bobWide, 0.01), toneShare(w, rate, bobLow, 0.01)
		t.Logf("%s: carol heard bob's %.0f/%.0f Hz in %.0f%%/%.0f%% of windows", what, bobWide, bobLow, 100*wide, 100*low)
		return wide, low
	}
	wide1, low1 := listen("Opus", "opus")
	if err := call.SetCodecs(ctx(t, 20*time.Second), "PCMU"); err != nil {
		t.Fatalf("switch to PCMU: %v", err)
	}
	wide2, low2 := listen("PCMU after the switch", "PCMU")
	if low1 < 0.6 || low2 < 0.6 {
		t.Errorf("bob's %.0f Hz missing: in %.0f%% of windows over Opus, %.0f%% over PCMU", bobLow, 100*low1, 100*low2)
	}
	if wide1 < 0.6 || wide2 > 0 {
		t.Errorf("bob's %.0f Hz in %.0f%% of windows over Opus (want most), %.0f%% over PCMU (want none)", bobWide, 100*wide1, 100*wide2)
	}

	hangUpOnBob(t, carol, ev, call, bob)
	brate, bs := readBobRecording(t, bob)
	bw, bl := toneShare(bs, brate, carolWide, 0.01), toneShare(bs, brate, carolLow, 0.01)
	t.Logf("bob's recording (%d Hz, %.1f s): carol's %.0f/%.0f Hz in %.0f%%/%.0f%% of windows", brate, float64(len(bs))/float64(brate), carolWide, carolLow, 100*bw, 100*bl)
	if bw < 0.5 || bl < 0.5 {
		t.Errorf("bob heard carol's %.0f Hz in %.0f%%, %.0f Hz in %.0f%% of windows over Opus", carolWide, 100*bw, carolLow, 100*bl)
	}
}

// TestConferenceRolesSurviveSwitchToOpus: carol (the rep) calls bob (the
// customer) and adds dave (her team lead) whispering, three Pitchline
// phones on PCMU; then she switches the whole call to Opus (a re-INVITE
// per leg). Her two legs' mixer ports change rate in place, and the
// whisper routes hold: bob hears carol and never dave; carol hears both;
// dave hears both, bob through carol's mix (port to port). Over Opus
// every route that carries audio carries the wideband tones too (bob to
// dave: 8 kHz neither before nor, at 48 kHz, after the mix).
func TestConferenceRolesSurviveSwitchToOpus(t *testing.T) {
	const carolWide, carolLow, bobWide, bobLow, daveWide, daveLow = 6000.0, 1000.0, 6500.0, 1500.0, 7000.0, 2000.0
	dir := t.TempDir()
	mics := map[string][2]float64{"carol": {carolWide, carolLow}, "bob": {bobWide, bobLow}, "dave": {daveWide, daveLow}}
	wav := map[string]string{}
	for name, f := range mics {
		wav[name] = filepath.Join(dir, name+".wav")
		twoTones(t, wav[name], f[0], f[1], 60)
	}
	codecs := []string{"PCMU", "opus"}
	bob, bobEv, bobSpk := localPhone(t, "bob", wav["bob"], codecs, true)
	dave, daveEv, daveSpk := localPhone(t, "dave", wav["dave"], codecs, true)
	carol, ev, carolSpk := localPhone(t, "carol", wav["carol"], codecs, false)

	m, bm, dm := ev.mark(), bobEv.mark(), daveEv.mark()
	call, err := carol.Dial(ctx(t, 90*time.Second), "sip:bob@"+bob.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	bobEv.callState(t, bm, "", softphone.CallConnected, 15*time.Second)
	if _, err := call.AddLeg(ctx(t, 90*time.Second), "sip:dave@"+dave.LocalAddr(), softphone.RoleWhisper); err != nil {
		t.Fatal(err)
	}
	daveEv.callState(t, dm, "", softphone.CallConnected, 15*time.Second)
	phase := phaseOf(t, ev, call, carolSpk, bobSpk, daveSpk)
	rate := softphone.BusRate()
	// who hears whom, with and without the wideband tones.
	want := map[string][]string{"carol": {"bob", "dave"}, "bob": {"carol"}, "dave": {"carol", "bob"}}
	listeners := []string{"carol", "bob", "dave"}
	check := func(what, codec string, wide bool) {
		t.Helper()
		if got := call.Info().Codec; got != codec {
			t.Fatalf("codec %q, want %q", got, codec)
		}
		w := phase(what)
		for i, l := range listeners {
			for _, talker := range listeners {
				if talker == l {
					continue
				}
				hears := false
				for _, h := range want[l] {
					hears = hears || h == talker
				}
				f := mics[talker]
				sw, sl := toneShare(w[i], rate, f[0], 0.01), toneShare(w[i], rate, f[1], 0.01)
				t.Logf("%s: %s hears %s's %.0f/%.0f Hz in %.0f%%/%.0f%% of windows", what, l, talker, f[0], f[1], 100*sw, 100*sl)
				switch {
				case hears && sl < 0.6:
					t.Errorf("%s: %s does not hear %s (%.0f Hz in %.0f%% of windows)", what, l, talker, f[1], 100*sl)
				case !hears && (sl > 0 || sw > 0):
					t.Errorf("%s: %s hears %s, which the whisper forbids (%.0f%%/%.0f%% of windows)", what, l, talker, 100*sw, 100*sl)
				case hears && wide && sw < 0.6:
					t.Errorf("%s: %s hears %s narrowband: %.0f Hz in %.0f%% of windows", what, l, talker, f[0], 100*sw)
				case hears && !wide && sw > 0:
					t.Errorf("%s: %s hears %s's %.0f Hz over G.711 (%.0f%% of windows)", what, l, talker, f[0], 100*sw)
				}
			}
		}
	}
	check("PCMU", "PCMU", false)
	if err := call.SetCodecs(ctx(t, 20*time.Second), "opus"); err != nil {
		t.Fatalf("switch to Opus: %v", err)
	}
	check("Opus", "opus", true)

	m3 := ev.mark()
	if err := call.EndAll(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m3, call.ID(), softphone.CallEnded, 10*time.Second)
}
