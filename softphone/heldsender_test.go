package softphone_test

import (
	"encoding/binary"
	"math"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// rtpEndpoint is the media of a participant that ignores hold: a UDP
// socket that, once the phone's first RTP packet has arrived, sends a
// PCMU tone to where it came from every 20 ms until stopped, whatever the
// SDP says, and decodes what it receives into ear (8 kHz).
type rtpEndpoint struct {
	conn *net.UDPConn
	ear  *speakerTap

	mu   sync.Mutex
	sent int
	done chan struct{}
	wg   sync.WaitGroup
}

func startRTPEndpoint(t *testing.T, freq float64) *rtpEndpoint {
	t.Helper()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	e := &rtpEndpoint{conn: conn, ear: newSpeakerTap(8000), done: make(chan struct{})}
	peer := make(chan netip.AddrPort, 1)
	e.wg.Add(2)
	go func() { // receive and decode
		defer e.wg.Done()
		buf := make([]byte, 1500)
		pcm := make([]int16, 160)
		first := true
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			var p rtp.Packet
			if p.Unmarshal(buf[:n]) != nil || p.PayloadType != 0 {
				continue
			}
			if first {
				first = false
				peer <- from
			}
			k := codec.PCMU{}.Decode(pcm, p.Payload)
			_ = e.ear.WriteFrame(pcm[:k])
		}
	}()
	go func() { // send a tone, paced, from the first packet on
		defer e.wg.Done()
		var to netip.AddrPort
		select {
		case to = <-peer:
		case <-e.done:
			return
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		hdr := rtp.Header{Version: 2, PayloadType: 0, SSRC: 0x600d, SequenceNumber: 1, Timestamp: 1}
		pcm := make([]int16, 160)
		payload := make([]byte, 160)
		pkt := make([]byte, 12+160)
		for i := 0; ; i++ {
			for j := range pcm {
				pcm[j] = int16(0.3 * 32767 * math.Sin(2*math.Pi*freq*float64(i*160+j)/8000))
			}
			codec.PCMU{}.Encode(payload, pcm)
			binary.BigEndian.PutUint16(pkt[2:], hdr.SequenceNumber)
			if _, err := hdr.MarshalTo(pkt); err != nil {
				return
			}
			copy(pkt[12:], payload)
			if _, err := conn.WriteToUDPAddrPort(pkt, to); err == nil {
				e.mu.Lock()
				e.sent++
				e.mu.Unlock()
			}
			hdr.SequenceNumber++
			hdr.Timestamp += 160
			select {
			case <-tick.C:
			case <-e.done:
				return
			}
		}
	}()
	t.Cleanup(e.stop)
	return e
}

func (e *rtpEndpoint) port() int { return e.conn.LocalAddr().(*net.UDPAddr).Port }

func (e *rtpEndpoint) packetsSent() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sent
}

func (e *rtpEndpoint) stop() {
	select {
	case <-e.done:
		return
	default:
	}
	close(e.done)
	e.conn.Close()
	e.wg.Wait()
}

// TestConferenceHeldParticipantKeepsSending: the rep (1000 Hz microphone,
// hold music a 1500 Hz tone) calls bob (baresip, 400 Hz) and adds dave,
// a participant whose RTP keeps flowing while held (sipp answers the
// hold re-INVITE recvonly; the test's socket goes on sending 600 Hz and
// records what it gets). While dave is held, his packets still arrive
// but nobody hears him: not the rep (speaker), not bob (his recording);
// and dave hears only the hold music, neither the rep nor bob. After
// resume everybody hears everybody again. baresip stops sending when
// held, so this is what shows that hold mutes a held participant's
// audio rather than relying on the peer going quiet.
func TestConferenceHeldParticipantKeepsSending(t *testing.T) {
	testlab.RequireSipp(t)
	dir := t.TempDir()
	moh := filepath.Join(dir, "moh.wav")
	if err := testlab.WriteWAV(moh, 8000, testlab.ToneSamples(1500, 8000, 8000*30, 0.3)); err != nil {
		t.Fatal(err)
	}
	bob := testlab.StartBaresip(t, "bob", testlab.WithNoRegister(), testlab.WithTone(400), testlab.WithRecording())
	daveMedia := startRTPEndpoint(t, 600)
	scen, err := filepath.Abs("testdata/sipp/held_keeps_sending.xml")
	if err != nil {
		t.Fatal(err)
	}
	dave := testlab.StartSipp(t, testlab.SippArgs{ScenarioFile: scen, Calls: 1, RecvTimeout: 120 * time.Second,
		Timeout: 180 * time.Second, Keys: map[string]string{"rtp_port": strconv.Itoa(daveMedia.port())}})

	rate := softphone.BusRate()
	mic, err := tone.NewSine(1000, 0.3, rate)
	if err != nil {
		t.Fatal(err)
	}
	spk := newSpeakerTap(rate)
	p, ev := startCarol(t, softphone.WithLocalAudio(mic, spk), softphone.WithHoldMusic(moh))

	m := ev.mark()
	call, err := p.Dial(ctx(t, 120*time.Second), bob.URI())
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	if _, err := bob.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob: %v", err)
	}
	m = ev.mark()
	dl, err := call.AddLeg(ctx(t, 120*time.Second), "sip:dave@"+dave.Addr(), softphone.RoleParticipant)
	if err != nil {
		t.Fatal(err)
	}
	legState(ev, t, m, dl.ID(), softphone.LegConnected)
	daveStats := func(from int, what string, pred func(softphone.StatsEvent) bool) softphone.StatsEvent {
		return ev.wait(t, from, 30*time.Second, what, func(e softphone.Event) bool {
			s, ok := e.(softphone.StatsEvent)
			return ok && s.LegID == dl.ID() && pred(s)
		}).(softphone.StatsEvent)
	}
	daveStats(m, "dave's RTP", func(s softphone.StatsEvent) bool {
		return s.Stats.PacketsReceived >= 100 && s.Stats.PacketsSent >= 100
	})

	// Three-way: the rep hears bob and dave, dave hears the rep and bob.
	spk.await(t, "rep (conference)", spk.mark(), []float64{400, 600}, []float64{1000})
	daveMedia.ear.await(t, "dave (conference)", daveMedia.ear.mark(), []float64{400, 1000}, []float64{600, 1500})

	// Hold dave. His RTP keeps coming; nobody hears it, and he hears
	// the hold music only.
	m = ev.mark()
	if err := dl.Hold(); err != nil {
		t.Fatal(err)
	}
	legState(ev, t, m, dl.ID(), softphone.LegHeld)
	before := daveStats(m, "stats while held", func(softphone.StatsEvent) bool { return true })
	sentBefore := daveMedia.packetsSent()
	spk.await(t, "rep (dave held)", spk.mark(), []float64{400}, []float64{600, 1000, 1500})
	daveMedia.ear.await(t, "dave (held)", daveMedia.ear.mark(), []float64{1500}, []float64{400, 600, 1000})
	during := daveStats(ev.mark(), "dave still sending while held", func(s softphone.StatsEvent) bool {
		return s.Stats.PacketsReceived >= before.Stats.PacketsReceived+100
	})
	if daveMedia.packetsSent() < sentBefore+100 {
		t.Errorf("dave's socket sent %d packets while held, want at least 100", daveMedia.packetsSent()-sentBefore)
	}
	t.Logf("while held, %d of dave's packets arrived", during.Stats.PacketsReceived-before.Stats.PacketsReceived)

	m = ev.mark()
	if err := dl.Resume(); err != nil {
		t.Fatal(err)
	}
	legState(ev, t, m, dl.ID(), softphone.LegConnected)
	spk.await(t, "rep (dave resumed)", spk.mark(), []float64{400, 600}, []float64{1000, 1500})
	daveMedia.ear.await(t, "dave (resumed)", daveMedia.ear.mark(), []float64{400, 1000}, []float64{600, 1500})

	bm := bob.Mark()
	m = ev.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob did not see BYE: %v", err)
	}
	res, err := dave.Wait(ctx(t, 60*time.Second))
	if err != nil || !res.OK() {
		t.Fatalf("sipp (dave): %s (err %v)\n%s", res.Summary(), err, res.Errors)
	}
	p.Close()
	daveMedia.stop()
	checkNoLeaks(t)

	// bob, in order: maybe the rep alone before dave joins, the rep and
	// dave, the rep alone while dave is held (although dave kept
	// sending), both again; never himself nor the hold music.
	brate, bs, err := readRecording(t, bob)
	if err != nil {
		t.Fatal(err)
	}
	testlab.CheckToneOrder(t, "bob", bs, brate, []float64{400, 600, 1000, 1500}, 400, "?1000", "600+1000", "1000", "600+1000")
	// dave, in order: the rep and bob, the hold music alone, the rep and
	// bob again; never himself.
	daveMedia.ear.mu.Lock()
	ds := append([]int16(nil), daveMedia.ear.samples...)
	daveMedia.ear.mu.Unlock()
	testlab.CheckToneOrder(t, "dave", ds, 8000, []float64{400, 600, 1000, 1500}, 600, "400+1000", "1500", "400+1000")
}
