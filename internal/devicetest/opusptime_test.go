package devicetest

import (
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pitchline/pitchline/audio/codec/opus"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/media"
)

// toneCount is a 48 kHz sink counting the 20 ms frames that carry freq.
type toneCount struct {
	freq float64

	mu            sync.Mutex
	frames, tonal int
}

func (c *toneCount) Rate() int { return 48000 }
func (c *toneCount) WriteFrame(src []int16) error {
	p := dsp.Goertzel(src, 48000, c.freq)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frames++
	if p > 0.01 {
		c.tonal++
	}
	return nil
}

func (c *toneCount) counts() (frames, tonal int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames, c.tonal
}

// pcmSource plays samples (48 kHz) in a loop.
type pcmSource struct {
	s   []int16
	pos int
}

func (p *pcmSource) Rate() int { return 48000 }
func (p *pcmSource) ReadFrame(dst []int16) error {
	for i := range dst {
		dst[i] = p.s[p.pos]
		p.pos = (p.pos + 1) % len(p.s)
	}
	return nil
}

// opusOffer is an Opus offer from port asking for ptime ms packets.
func opusOffer(port, ptime int) []byte {
	return []byte("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio " + strconv.Itoa(port) + " RTP/AVP 111 101\r\na=rtpmap:111 opus/48000/2\r\n" +
		"a=fmtp:111 useinbandfec=1\r\na=rtpmap:101 telephone-event/8000\r\n" +
		"a=ptime:" + strconv.Itoa(ptime) + "\r\na=maxptime:60\r\na=sendrecv\r\n")
}

// code3 packs three 20 ms Opus packets of one configuration into one
// 60 ms packet with three frames (RFC 6716 §3.2.5, VBR, no padding).
func code3(t *testing.T, pkts [3][]byte) []byte {
	t.Helper()
	toc := pkts[0][0]
	out := []byte{toc | 3, 0x80 | 3}
	for _, p := range pkts {
		if p[0]&0xfc != toc&0xfc || p[0]&3 != 0 {
			t.Fatalf("20 ms packets of different configurations (TOC %#x, %#x)", toc, p[0])
		}
	}
	for _, p := range pkts[:2] {
		if len(p)-1 >= 252 {
			t.Fatalf("frame of %d bytes needs a two-byte length", len(p)-1)
		}
		out = append(out, byte(len(p)-1))
	}
	for _, p := range pkts {
		out = append(out, p[1:]...)
	}
	return out
}

// stepClock is a media.Clock that moves 20 ms per tick of a session
// driven by Tick (media.WithExternalClock); its tickers never fire.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) NewTicker(time.Duration) media.Ticker { return idleTicker{} }

func (c *stepClock) tick(s *media.Session) {
	c.mu.Lock()
	c.now = c.now.Add(20 * time.Millisecond)
	c.mu.Unlock()
	s.Tick()
}

type idleTicker struct{}

func (idleTicker) C() <-chan time.Time { return nil }
func (idleTicker) Stop()               {}

// TestOpus60msPacketsFromLibopus: a peer sends a 1 kHz tone over Opus
// in 60 ms packets made by libopus, either as one 60 ms Opus frame or as
// three 20 ms frames in one packet (code 3), and the session plays each
// out over three 20 ms frames, all with the tone. The other way, a peer
// asking a=ptime:60 receives 60 ms Opus packets (2880 timestamp units
// apart) that libopus decodes to 2880 samples carrying our tone. The
// session runs on a stepped clock, one frame per Tick, so the run does
// not depend on the machine's load.
func TestOpus60msPacketsFromLibopus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frames int // Opus frames per packet
	}{{"one 60 ms frame", 1}, {"three 20 ms frames", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &stepClock{now: time.Unix(1_700_000_000, 0)}
			s, err := media.NewSession(media.Config{LocalIP: netip.MustParseAddr("127.0.0.1"), Codecs: []string{"opus", "PCMU"}},
				media.WithExternalClock(), media.WithClock(clk))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { peer.Close() })
			ans, err := s.ProcessOffer(opusOffer(peer.LocalAddr().(*net.UDPAddr).Port, 60))
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range []string{"a=rtpmap:111 opus/48000/2", "a=ptime:60", "a=maxptime:120"} {
				if !strings.Contains(string(ans), l+"\r\n") {
					t.Errorf("answer lacks %q:\n%s", l, ans)
				}
			}
			sink := &toneCount{freq: 1000}
			s.SetOutput(sink)
			// Our side sends 1 kHz and 6 kHz (a lone sine is taken for
			// background by Opus's DTX).
			two := testlab.ToneSamples(1000, 48000, 48000, 0.3)
			for i, v := range testlab.ToneSamples(6000, 48000, 48000, 0.3) {
				two[i] += v
			}
			s.SetInput(&pcmSource{s: two})
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}

			// Receive: 50 packets of 60 ms, sent at once (the jitter
			// buffer holds them and plays them by sequence number).
			enc, err := opus.NewEncoder(opus.WithDTX(false))
			if err != nil {
				t.Fatal(err)
			}
			defer enc.Close()
			tone := testlab.ToneSamples(1000, 48000, 48000*4, 0.3)
			const packets = 50
			hdr := rtp.Header{Version: 2, PayloadType: 111, SSRC: 0xabc, SequenceNumber: 9, Timestamp: 77}
			buf := make([]byte, 4000)
			for i := range packets {
				pcm := tone[i*2880 : (i+1)*2880]
				var payload []byte
				if tc.frames == 1 {
					n, err := enc.EncodeFrame(buf, pcm)
					if err != nil {
						t.Fatal(err)
					}
					payload = append([]byte(nil), buf[:n]...)
				} else {
					var parts [3][]byte
					for k := range 3 {
						n, err := enc.EncodeFrame(buf, pcm[k*960:(k+1)*960])
						if err != nil {
							t.Fatal(err)
						}
						parts[k] = append([]byte(nil), buf[:n]...)
					}
					payload = code3(t, parts)
				}
				b, err := (&rtp.Packet{Header: hdr, Payload: payload}).Marshal()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := peer.WriteToUDPAddrPort(b, s.LocalAddr()); err != nil {
					t.Fatal(err)
				}
				hdr.SequenceNumber++
				hdr.Timestamp += 2880
			}
			// Frames until every packet was taken in (the deadline only
			// bounds the wait for the datagrams), then until the buffer
			// has played out.
			deadline := time.Now().Add(20 * time.Second)
			for s.Stats().PacketsReceived < packets {
				if time.Now().After(deadline) {
					t.Fatalf("packets never arrived: %+v", s.Stats())
				}
				clk.tick(s)
			}
			for range 3 * packets {
				clk.tick(s)
			}
			_, tonal := sink.counts()
			st := s.Stats()
			t.Logf("1 kHz in %d frames (%d packets of 60 ms sent at once); stats %+v", tonal, packets, st)
			// Every packet played gives three frames of tone; the buffer
			// drops some of a burst to shrink its delay, never most.
			if tonal < 3*packets/2 {
				t.Errorf("the tone was in %d 20 ms frames, want at least %d of the %d sent in 60 ms Opus packets",
					tonal, 3*packets/2, 3*packets)
			}
			if st.DroppedPayloadType != 0 || st.Malformed != 0 {
				t.Errorf("packets dropped: %+v", st)
			}

			// Send: the peer asked for 60 ms; the frames above sent
			// about 70 packets.
			dec, err := opus.NewDecoder()
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()
			if err := peer.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
				t.Fatal(err)
			}
			var prev uint32
			pcm := make([]int16, opus.MaxFrameSamples)
			var heard []int16
			for got := 0; got < 20; {
				n, err := peer.Read(buf)
				if err != nil {
					t.Fatalf("after %d packets from the session: %v", got, err)
				}
				var p rtp.Packet
				if err := p.Unmarshal(buf[:n]); err != nil || p.PayloadType != 111 {
					continue
				}
				k, err := dec.DecodeFrame(pcm, p.Payload)
				if err != nil {
					t.Fatal(err)
				}
				if k != 2880 {
					t.Errorf("packet of %d samples, want 2880 (60 ms)", k)
				}
				if got > 0 && p.Timestamp-prev != 2880 {
					t.Errorf("timestamp step %d, want 2880", p.Timestamp-prev)
				}
				prev = p.Timestamp
				got++
				if got > 5 {
					heard = append(heard, pcm[:k]...)
				}
			}
			if pw := dsp.Goertzel(heard, 48000, 1000); pw < 0.01 {
				t.Errorf("our 1 kHz in the peer's decoding has power %.4f", pw)
			}
		})
	}
}

// TestOpusPtime60WithBaresip: baresip, set to ptime=60 with Opus, calls
// us and asks for 60 ms packets (a=ptime:60); we answer a=ptime:60, so
// both directions carry 60 ms Opus packets. Each side's tone (we 1 kHz
// plus 6 kHz, bob 1.5 kHz) is in the other's recording, and we send
// about as many packets as we receive from bob (three times as many
// would be 20 ms packets).
func TestOpusPtime60WithBaresip(t *testing.T) {
	dir := t.TempDir()
	play := filepath.Join(dir, "carol.wav")
	twoTones(t, play, 1000, 6000, 60)
	bobSrc := filepath.Join(dir, "bob.wav")
	if err := testlab.WriteWAV(bobSrc, 48000, testlab.ToneSamples(1500, 48000, 48000*60, 0.3)); err != nil {
		t.Fatal(err)
	}
	bob := testlab.StartBaresip(t, "bob", testlab.WithNoRegister(), testlab.WithRecording(), testlab.WithOpus(),
		testlab.WithPtime(60), testlab.WithSourceWAV(bobSrc), testlab.WithSIPTrace())
	rec := filepath.Join(dir, "carol-rx.wav")
	p, ev := startCarol(t, true, softphone.WithPlayFile(play), softphone.WithRecordFile(rec))
	if _, err := bob.Command(ctx(t, 5*time.Second), "dial", "sip:carol@"+p.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	in := ev.callState(t, 0, "", softphone.CallConnected, 15*time.Second)
	// 6 s of 60 ms packets each way.
	st := ev.wait(t, 0, 40*time.Second, "100 packets each way", func(e softphone.Event) bool {
		s, ok := e.(softphone.StatsEvent)
		return ok && s.CallID == in.CallID && s.Stats.PacketsReceived >= 100 && s.Stats.PacketsSent >= 100
	}).(softphone.StatsEvent).Stats
	call, err := p.Call(in.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if got := call.Info().Codec; got != "opus" {
		t.Errorf("codec %q, want opus", got)
	}
	if n := strings.Count(bob.Log(), "a=ptime:60"); n < 2 {
		t.Errorf("a=ptime:60 in %d SDP bodies of bob's trace, want his offer and our answer", n)
	}
	ratio := float64(st.PacketsSent) / float64(st.PacketsReceived)
	t.Logf("sent %d, received %d packets (ratio %.2f); stats %+v", st.PacketsSent, st.PacketsReceived, ratio, st)
	if ratio > 1.5 || ratio < 0.67 {
		t.Errorf("we sent %d packets while bob sent %d of 60 ms: not 60 ms packets", st.PacketsSent, st.PacketsReceived)
	}
	hangUpOnBob(t, p, ev, call, bob)
	rate, s := readRecording(t, rec, 4)
	// The steady part: from the second second to half a second before the end.
	if sh := toneShare(s[rate:len(s)-rate/2], rate, 1500, 0.01); sh < 0.6 { // an underrun on a busy machine may leave a gap
		t.Errorf("bob's 1.5 kHz in %.0f%% of our 100 ms windows", 100*sh)
	}
	brate, bs := readBobRecording(t, bob)
	if len(bs) > 2*brate {
		bs = bs[brate : len(bs)-brate/2]
	}
	if sh := toneShare(bs, brate, 1000, 0.01); sh < 0.6 {
		t.Errorf("our 1 kHz in %.0f%% of bob's 100 ms windows", 100*sh)
	}
}
