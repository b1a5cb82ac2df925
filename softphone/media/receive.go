package media

import (
	"net/netip"
	"time"

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
	isTE := p.tePT >= 0 && int(pt) == p.tePT
	if !isTE && p.decoders[pt] == nil {
		s.st.droppedPT.Add(1)
		return
	}
	s.updateRx(at, pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp)
	s.st.packetsReceived.Add(1)
	s.st.bytesReceived.Add(int64(len(pkt.Payload)))
	if !s.LocalDirection().CanRecv() {
		return
	}
	s.rxScratch[0] = pt
	k := 0
	if isTE {
		s.handleTelephoneEvent(pkt.Timestamp, pkt.Payload)
		// Keep the jitter buffer's sequence contiguous: an empty filler
		// plays as silence while the event lasts.
	} else {
		k = copy(s.rxScratch[1:], pkt.Payload)
	}
	_ = s.jb.PushAt(pkt.SequenceNumber, pkt.Timestamp, s.rxScratch[:1+k], at)
}

// updateRx maintains sequence, loss and jitter state (RFC 3550 A.1, A.8).
func (s *Session) updateRx(now time.Time, ssrc uint32, seq uint16, ts uint32) {
	s.rxMu.Lock()
	defer s.rxMu.Unlock()
	r := &s.rx
	if !r.have || r.ssrc != ssrc {
		s.resetRx(ssrc, seq)
		s.jb.Reset()
	} else {
		delta := seq - r.maxSeq
		switch {
		case delta < maxDropout:
			if seq < r.maxSeq {
				r.cycles += 1 << 16
			}
			r.maxSeq = seq
		case delta <= 65535-100:
			// A large jump: the sender restarted its sequence.
			s.resetRx(ssrc, seq)
			s.jb.Reset()
		}
		// Otherwise a duplicate or reordered packet.
	}
	r.received++
	arrival := int64(now.Sub(r.epoch)) * codecRate / int64(time.Second)
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

func (s *Session) resetRx(ssrc uint32, seq uint16) {
	epoch := s.rx.epoch
	if epoch.IsZero() {
		epoch = s.opt.clock.Now()
	}
	s.rx = rxState{have: true, ssrc: ssrc, baseSeq: uint32(seq), maxSeq: seq, epoch: epoch}
}

// playoutTick pops, decodes or conceals one frame and hands it to the
// sinks. It does not allocate.
func (s *Session) playoutTick() {
	n, status := s.jb.Pop(s.popBuf[:])
	pcm := s.pcmOut[:frameSamples]
	switch status {
	case jitter.StatusPacket:
		var dec codec.Decoder
		if p := s.params.Load(); p != nil && n > 1 {
			dec = p.decoders[s.popBuf[0]&0x7f]
		}
		if dec == nil { // DTMF filler
			clear(pcm)
		} else {
			k := dec.Decode(pcm, s.popBuf[1:n])
			clear(pcm[k:])
		}
		s.plc.Good(pcm)
	case jitter.StatusMissing:
		s.plc.Conceal(pcm)
		s.st.concealed.Add(1)
	default:
		clear(pcm)
	}
	if o := s.output.Load(); o != nil {
		_ = o.sink.WriteFrame(pcm)
	}
	if r := s.recorder.Load(); r != nil {
		_ = r.sink.WriteFrame(pcm)
	}
}
