package media

import (
	"encoding/binary"
	"math"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/dsp"
)

// toneFrames is a sink at rate counting the frames that carry freq Hz
// (Goertzel power over the frame), and signalling once want of them have
// arrived since the last arm.
type toneFrames struct {
	rate int
	freq float64

	mu     sync.Mutex
	frames int // every frame written
	tonal  int // frames with the tone since arm
	want   int
	ready  chan struct{}
}

func newToneFrames(rate int, freq float64) *toneFrames {
	return &toneFrames{rate: rate, freq: freq, ready: make(chan struct{})}
}

func (c *toneFrames) Rate() int { return c.rate }

func (c *toneFrames) WriteFrame(src []int16) error {
	p := dsp.Goertzel(src, c.rate, c.freq)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frames++
	// A tone at 0.3 of full scale has power 0.045; the edges of a
	// concealed or resampled frame lose some.
	if p > 0.01 {
		c.tonal++
		if c.tonal == c.want {
			close(c.ready)
		}
	}
	return nil
}

// arm restarts the count and returns a channel closed after want tonal
// frames.
func (c *toneFrames) arm(want int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tonal, c.want, c.ready = 0, want, make(chan struct{})
	return c.ready
}

func (c *toneFrames) count() (frames, tonal int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames, c.tonal
}

// sine returns n samples of freq Hz at rate, 0.3 of full scale, from
// sample offset at.
func sine(freq float64, rate, at, n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(0.3 * 32767 * math.Sin(2*math.Pi*freq*float64(at+i)/float64(rate)))
	}
	return out
}

// stepClock is a Clock that moves 20 ms per step, for a session driven
// by Tick (WithExternalClock): packets handed to handleRTP at the step's
// time and one Tick per step make a run deterministic on a busy machine.
// Its tickers never fire.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func newStepClock() *stepClock { return &stepClock{now: time.Unix(1_700_000_000, 0)} }

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) NewTicker(time.Duration) Ticker { return idleTicker{} }

type idleTicker struct{}

func (idleTicker) C() <-chan time.Time { return nil }
func (idleTicker) Stop()               {}

// tick advances the clock by one frame and runs the session's frame.
func (c *stepClock) tick(s *Session) {
	c.mu.Lock()
	c.now = c.now.Add(20 * time.Millisecond)
	c.mu.Unlock()
	s.Tick()
}

// TestPeerSwitchesPayloadTypeMidStream: a peer that negotiated Opus and
// PCMU sends a 1 kHz tone over Opus (48 kHz clock) for a second, then
// switches to PCMU (8 kHz clock) on the same SSRC, with a continuous
// sequence and timestamps in the new unit, as RFC 3264 §5.1 allows
// without a new offer. The session decodes both payload types, each at
// its own rate, into a 48 kHz sink, and the tone keeps arriving; no
// packet is dropped as an unknown payload type.
func TestPeerSwitchesPayloadTypeMidStream(t *testing.T) {
	clk := newStepClock()
	s := newCodecSession(t, wideCodecs, WithExternalClock(), WithClock(clk))
	_, port := rawPeer(t)
	ans, err := s.ProcessOffer(baresipOffer(port, ""))
	if err != nil {
		t.Fatal(err)
	}
	if s.Codec() != "opus" {
		t.Fatalf("negotiated %s:\n%s", s.Codec(), ans)
	}
	sink := newToneFrames(48000, 1000)
	s.SetOutput(sink)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	from := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	const opusPackets, pcmuPackets = 50, 100
	enc := &wideEnc{}
	var payload [1500]byte
	pkt := make([]byte, 12, 12+1500)
	pkt[0] = 0x80
	binary.BigEndian.PutUint32(pkt[8:], 0x5eed)
	seq := uint16(40000)
	ts48, ts8 := uint32(1_000_000), uint32(7_777)
	// One packet per frame, as paced by the peer, then the frame.
	for i := range opusPackets + pcmuPackets {
		var n int
		if i < opusPackets {
			pkt[1] = 111
			binary.BigEndian.PutUint32(pkt[4:], ts48)
			n = enc.Encode(payload[:], sine(1000, 48000, i*960, 960))
			ts48 += 960
		} else {
			pkt[1] = 0
			binary.BigEndian.PutUint32(pkt[4:], ts8)
			n = codec.PCMU{}.Encode(payload[:], sine(1000, 8000, i*160, 160))
			ts8 += 160
		}
		binary.BigEndian.PutUint16(pkt[2:], seq)
		seq++
		s.handleRTP(append(pkt[:12], payload[:n]...), from, clk.Now())
		clk.tick(s)
	}
	for range 10 { // what the jitter buffer holds
		clk.tick(s)
	}
	st := s.Stats()
	_, tonal := sink.count()
	t.Logf("stats %+v; %d frames with 1 kHz", st, tonal)
	if st.DroppedPayloadType != 0 || st.PacketsReceived != opusPackets+pcmuPackets {
		t.Errorf("%d packets dropped as an unknown payload type after the switch to PCMU, %d received",
			st.DroppedPayloadType, st.PacketsReceived)
	}
	// 150 packets of tone, every one played (the first frame of PCMU
	// may carry a little of the switch).
	if tonal < opusPackets+pcmuPackets-2 {
		t.Errorf("the 1 kHz tone arrived in %d frames of %d sent (Opus %d, then PCMU %d)", tonal,
			opusPackets+pcmuPackets, opusPackets, pcmuPackets)
	}
	if r := s.jb.ClockRate(); r != 8000 {
		t.Errorf("jitter buffer times at %d Hz after the switch to PCMU, want 8000", r)
	}
	if jb := s.jb.Stats(); jb.Jitter > time.Millisecond || jb.Lost != 0 || jb.Late != 0 {
		t.Errorf("jitter buffer %+v: the switch's timestamp jump was taken for jitter", jb)
	}
	if st.JitterMs > 1 {
		t.Errorf("interarrival jitter %.1f ms: the switch's timestamp jump was taken for jitter", st.JitterMs)
	}
}

// TestReofferSwitchesCodecBothWays: two sessions talk over Opus, each
// sending its tone (1 kHz one way, 1.5 kHz the other); then one re-offers
// G.711 only (SetCodecs, as a re-INVITE does). Both switch their encoders
// to PCMU with the answer, the sender changing clock rate starts a new
// SSRC (RFC 7160 §4.1), and each side keeps hearing the other's tone at
// its 48 kHz sink, with nothing dropped.
func TestReofferSwitchesCodecBothWays(t *testing.T) {
	a := newCodecSession(t, wideCodecs)
	b := newCodecSession(t, wideCodecs)
	negotiate := func() {
		t.Helper()
		offer, err := a.CreateOffer()
		if err != nil {
			t.Fatal(err)
		}
		ans, err := b.ProcessOffer(offer)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.SetRemoteAnswer(ans); err != nil {
			t.Fatal(err)
		}
	}
	negotiate()
	if a.Codec() != "opus" || b.Codec() != "opus" {
		t.Fatalf("negotiated %s/%s", a.Codec(), b.Codec())
	}
	a.SetInput(&rateTone{rate: 48000, freq: 1000})
	b.SetInput(&rateTone{rate: 48000, freq: 1500})
	atB, atA := newToneFrames(48000, 1000), newToneFrames(48000, 1500)
	b.SetOutput(atB)
	a.SetOutput(atA)
	readyB, readyA := atB.arm(25), atA.arm(25)
	for _, s := range []*Session{a, b} {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	wait(t, readyB, "1 kHz at b over Opus")
	wait(t, readyA, "1.5 kHz at a over Opus")
	ssrcA := a.sendSSRC.Load()

	if err := a.SetCodecs("PCMU", "PCMA"); err != nil {
		t.Fatal(err)
	}
	offer, err := a.CreateOffer()
	if err != nil {
		t.Fatal(err)
	}
	if got := audioLine(offer); got != "m=audio "+strconv.Itoa(int(a.LocalAddr().Port()))+" RTP/AVP 0 8 101" {
		t.Errorf("G.711 re-offer: %q", got)
	}
	negotiate()
	if a.Codec() != "PCMU" || b.Codec() != "PCMU" || a.Rate() != 8000 || b.Rate() != 8000 {
		t.Fatalf("after the G.711 re-offer: %s/%s at %d/%d Hz", a.Codec(), b.Codec(), a.Rate(), b.Rate())
	}
	// Audio sent after the switch: wait until each side has received a
	// second of it, then count the tone from there.
	// (Opus packets in flight during the offer/answer may be dropped:
	// count drops from there on.)
	waitPackets(t, a, 50)
	waitPackets(t, b, 50)
	dropA, dropB := a.Stats().DroppedPayloadType, b.Stats().DroppedPayloadType
	readyB, readyA = atB.arm(25), atA.arm(25)
	wait(t, readyB, "1 kHz at b over PCMU")
	wait(t, readyA, "1.5 kHz at a over PCMU")
	if d := b.Stats().DroppedPayloadType - dropB; d != 0 {
		t.Errorf("b dropped %d packets by payload type: a kept sending Opus", d)
	}
	if d := a.Stats().DroppedPayloadType - dropA; d != 0 {
		t.Errorf("a dropped %d packets by payload type: b kept sending Opus", d)
	}
	b.rxMu.Lock()
	rxSSRC, rxRate := b.rx.ssrc, b.rx.rate
	b.rxMu.Unlock()
	if now := a.sendSSRC.Load(); now == ssrcA || rxSSRC != now || rxRate != 8000 {
		t.Errorf("a's SSRC %08x before, %08x after the switch; b receives %08x at %d Hz", ssrcA, now, rxSSRC, rxRate)
	}
	if err := a.SetCodecs("G729"); err == nil {
		t.Error("SetCodecs accepted a codec the session was not configured with")
	}
}

// TestOfferListensBeforeAnswer: after an Opus-only answer, our re-offer
// of G.711 (SetCodecs) makes the session decode PCMU at once: a peer that
// switches before its answer arrives is heard (RFC 3264 §8.3.2), not
// dropped as an unknown payload type.
func TestOfferListensBeforeAnswer(t *testing.T) {
	clk := newStepClock()
	s := newCodecSession(t, wideCodecs, WithExternalClock(), WithClock(clk))
	_, port := rawPeer(t)
	if _, err := s.CreateOffer(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRemoteAnswer(offerSDP("127.0.0.1", "m=audio "+strconv.Itoa(port)+" RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n")); err != nil {
		t.Fatal(err)
	}
	sink := newToneFrames(48000, 1000)
	s.SetOutput(sink)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCodecs("PCMU"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOffer(); err != nil {
		t.Fatal(err)
	}
	from := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	pkt := make([]byte, 12+160)
	pkt[0], pkt[1] = 0x80, 0
	binary.BigEndian.PutUint32(pkt[8:], 0xbeef)
	for i := range 20 {
		binary.BigEndian.PutUint16(pkt[2:], uint16(i))
		binary.BigEndian.PutUint32(pkt[4:], uint32(i*160))
		codec.PCMU{}.Encode(pkt[12:], sine(1000, 8000, i*160, 160))
		s.handleRTP(pkt, from, clk.Now())
		clk.tick(s)
	}
	for range 5 {
		clk.tick(s)
	}
	st := s.Stats()
	_, tonal := sink.count()
	if st.DroppedPayloadType != 0 || tonal < 18 {
		t.Errorf("PCMU sent after our G.711 offer, before the answer: %d dropped, tone in %d of 20 frames", st.DroppedPayloadType, tonal)
	}
	if s.Codec() != "opus" {
		t.Errorf("send codec %s before the answer, want opus", s.Codec())
	}
}
