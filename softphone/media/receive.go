package media

import (
	"net/netip"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/jitter"
)

// rxState is the reception state of RFC 3550 Appendix A.1/A.3/A.8.
type rxState struct {
	have          bool
	ssrc          uint32
	baseSeq       uint32
	maxSeq        uint16
	cycles        uint32
	received      uint32
	expectedPrior uint32
	receivedPrior uint32
	haveTransit   bool
	transit       int64
	jitter        float64 // timestamp units
	rate          int     // timestamp clock rate (Hz)
	epoch         time.Time
}

const maxDropout = 3000 // RFC 3550 A.1

// acceptSource applies the symmetric-RTP source filter (see package doc).
func (s *Session) acceptSource(p *mediaParams, src netip.AddrPort) bool {
	if !p.latch {
		return src == p.remoteRTP
	}
	if l := s.latched.Load(); l != nil {
		return *l == src
	}
	v := src
	s.latched.Store(&v)
	return true
}

// handleRTP processes one received datagram that arrived at the given
// time. It does not allocate.
func (s *Session) handleRTP(buf []byte, src netip.AddrPort, at time.Time) {
	p := s.params.Load()
	src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
	if p == nil || !s.acceptSource(p, src) {
		s.st.droppedSource.Add(1)
		return
	}
	pkt := &s.rxPkt
	if len(buf) < 12 || buf[0]>>6 != 2 || pkt.Unmarshal(buf) != nil {
		s.st.malformed.Add(1)
		return
	}
	pt := pkt.PayloadType
	teRate := int(p.teRx[pt])
	if teRate == 0 && p.decoders[pt] == nil {
		s.st.droppedPT.Add(1)
		return
	}
	// Telephone-event keeps the stream's timing: its timestamps are the
	// audio's (RFC 4733 §2.3.1), whatever rate its durations count at.
	s.updateRx(p, at, pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, int(p.decRates[pt]))
	s.st.packetsReceived.Add(1)
	s.st.bytesReceived.Add(int64(len(pkt.Payload)))
	if !s.LocalDirection().CanRecv() {
		return
	}
	s.rxScratch[0] = pt
	k := 0
	if teRate != 0 {
		s.handleTelephoneEvent(pkt.Timestamp, pkt.Payload)
		// Keep the jitter buffer's sequence contiguous: an empty filler
		// plays as silence while the event lasts.
	} else {
		k = copy(s.rxScratch[1:], pkt.Payload)
	}
	_ = s.jb.PushAt(pkt.SequenceNumber, pkt.Timestamp, s.rxScratch[:1+k], at)
}

// updateRx maintains sequence, loss and jitter state (RFC 3550 A.1, A.8).
// rate is the clock rate of the packet's codec, 0 for telephone-event
// (which keeps the rate in use). A new SSRC restarts the statistics and
// the jitter buffer; the same SSRC at another clock rate (a peer switching
// payload type from Opus to G.711 without a new SSRC, as RFC 7160 §4.3
// tells receivers to expect from legacy senders,
// https://www.rfc-editor.org/rfc/rfc7160#section-4.3) keeps the sequence
// and the buffered packets but restarts the jitter reference, rescaling the
// estimate to the new unit.
func (s *Session) updateRx(p *mediaParams, now time.Time, ssrc uint32, seq uint16, ts uint32, rate int) {
	s.rxMu.Lock()
	defer s.rxMu.Unlock()
	r := &s.rx
	if rate == 0 {
		rate = r.rate
		if !r.have {
			rate = p.rate
		}
	}
	if !r.have || r.ssrc != ssrc {
		s.resetRx(ssrc, seq, rate)
		s.jb.Reset()
		s.jb.SetClockRate(rate)
	} else {
		if r.rate != rate {
			r.jitter = r.jitter * float64(rate) / float64(r.rate)
			r.rate, r.haveTransit = rate, false
			s.jb.SetClockRate(rate)
		}
		delta := seq - r.maxSeq
		switch {
		case delta < maxDropout:
			if seq < r.maxSeq {
				r.cycles += 1 << 16
			}
			r.maxSeq = seq
		case delta <= 65535-100:
			// A large jump: the sender restarted its sequence.
			s.resetRx(ssrc, seq, rate)
			s.jb.Reset()
		}
		// Otherwise a duplicate or reordered packet.
	}
	r.received++
	arrival := int64(now.Sub(r.epoch)) * int64(r.rate) / int64(time.Second)
	transit := arrival - int64(ts)
	if r.haveTransit {
		d := transit - r.transit
		if d < 0 {
			d = -d
		}
		r.jitter += (float64(d) - r.jitter) / 16
	}
	r.transit, r.haveTransit = transit, true
}

func (s *Session) resetRx(ssrc uint32, seq uint16, rate int) {
	epoch := s.rx.epoch
	if epoch.IsZero() {
		epoch = s.opt.clock.Now()
	}
	s.rx = rxState{have: true, ssrc: ssrc, baseSeq: uint32(seq), maxSeq: seq, rate: rate, epoch: epoch}
}

// playoutTick pops, decodes or conceals one frame at the codec's rate and
// hands it to the sinks (converted to their rates). A missing frame is
// concealed by the decoder itself when it can (codec.Concealer: Opus PLC,
// or its in-band FEC when the next packet is already buffered, RFC 6716
// §2.1.7), otherwise by the codec-independent PLC. It does not allocate.
func (s *Session) playoutTick() {
	p := s.params.Load()
	if p == nil { // not negotiated: silence at the first codec's rate
		rate := s.codecs[0].ClockRate
		pcm := s.pcmOut[:rate/50]
		clear(pcm)
		s.writeSinks(rate, pcm)
		return
	}
	// Until a packet says otherwise, play at the send codec's rate.
	rate, plc := p.rate, p.plc
	if s.playRate != 0 && s.lastPT >= 0 && p.decPLCs[s.lastPT] != nil {
		rate, plc = s.playRate, p.decPLCs[s.lastPT]
	}
	if f := rate / 50; s.pendOff+f <= s.pendN {
		// The next 20 ms of a longer packet.
		s.writeSinks(rate, s.pend[s.pendOff:s.pendOff+f])
		s.pendOff += f
		return
	}
	s.pendN, s.pendOff = 0, 0
	n, status := s.jb.Pop(s.popBuf[:])
	frames := max(s.lastFrames, 1)
	switch status {
	case jitter.StatusPacket:
		var dec codec.Decoder
		pt := int(s.popBuf[0] & 0x7f)
		if n > 1 {
			dec = p.decoders[pt]
		}
		if dec == nil { // DTMF filler: 20 ms of silence
			frames = 1
			clear(s.pend[:rate/50])
			plc.Good(s.pend[:rate/50])
			break
		}
		// Each payload type decodes at its own codec's rate: the peer may
		// switch codec on any packet (RFC 3264 §5.1). A packet may hold
		// more than 20 ms (a=ptime, RFC 4566 §6; RFC 7587 §4.2).
		rate, plc = int(p.decRates[pt]), p.decPLCs[pt]
		f := rate / 50
		k := dec.Decode(s.pend[:maxRecvFrames*f], s.popBuf[1:n])
		frames = min(max((k+f-1)/f, 1), maxRecvFrames)
		clear(s.pend[min(k, frames*f) : frames*f])
		s.lastPT, s.playRate = pt, rate
		if _, ok := dec.(codec.Concealer); !ok {
			plc.Good(s.pend[:frames*f])
		}
		if frames != s.lastFrames {
			// The jitter buffer counts in packets, popped once per
			// packet (RFC 4566 §6 ptime).
			s.lastFrames = frames
			s.jb.SetFrameDuration(time.Duration(frames) * audio.FrameDuration)
		}
	case jitter.StatusMissing:
		s.st.concealed.Add(1)
		pcm := s.pend[:frames*(rate/50)]
		if s.lastPT >= 0 {
			if c, ok := p.decoders[s.lastPT].(codec.Concealer); ok && int(p.decRates[s.lastPT]) == rate {
				var next []byte
				if m := s.jb.NextAfterLoss(s.peekBuf[:]); m > 1 && int(s.peekBuf[0]&0x7f) == s.lastPT {
					next = s.peekBuf[1:m]
				}
				k := c.Conceal(pcm, next)
				clear(pcm[min(k, len(pcm)):])
				break
			}
		}
		plc.Conceal(pcm)
	default:
		frames = 1
		clear(s.pend[:rate/50])
	}
	f := rate / 50
	s.pendN, s.pendOff = frames*f, f
	s.writeSinks(rate, s.pend[:f])
}

// writeSinks hands one decoded frame at rate to the output and recorder.
func (s *Session) writeSinks(rate int, pcm []int16) {
	if o := s.output.Load(); o != nil {
		s.write(&s.outConv, o.sink, rate, pcm)
	}
	if r := s.recorder.Load(); r != nil {
		s.write(&s.recConv, r.sink, rate, pcm)
	}
	if t := s.tap.Load(); t != nil {
		s.write(&s.tapConv, t.sink, rate, pcm)
	}
}

// write hands pcm at rate to sink, converted to the sink's rate.
func (s *Session) write(c *converter, sink audio.Sink, rate int, pcm []int16) {
	if sink.Rate() == rate {
		_ = sink.WriteFrame(pcm)
		return
	}
	if rs := c.get(rate, sink.Rate()); rs != nil {
		out := c.buf[:rs.OutFrame()]
		rs.Process(out, pcm)
		_ = sink.WriteFrame(out)
	}
}
