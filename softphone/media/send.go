package media

import "github.com/pitchline/pitchline/audio/codec"

// sendTick runs once per 20 ms on the media goroutine: it sends one audio
// frame or one DTMF step, or nothing when our direction or the peer's
// forbids sending. The RTP timestamp advances every tick either way, so
// the peer sees real time pass over a hold gap (RFC 3550 §5.1); it counts
// at the negotiated codec's clock rate (48000 Hz for Opus, RFC 7587 §4.1).
func (s *Session) sendTick() {
	p := s.params.Load()
	frame := uint32(s.codecs[0].ClockRate / 50)
	if p != nil {
		frame = uint32(p.frame)
	}
	local := *s.localDir.Load()
	if p == nil || !local.CanSend() || !p.remoteDir.CanRecv() || !p.remoteRTP.Addr().IsValid() ||
		p.remoteRTP.Addr().IsUnspecified() || p.remoteRTP.Port() == 0 {
		s.needMarker = true
		s.dtmfTx.active = false
		s.pcmInN = 0
		s.ts += frame
		return
	}
	if s.sendRate != p.rate {
		// The latest offer/answer changed the send codec's clock rate
		// (a re-INVITE from Opus to G.711): a new stream, one SSRC per
		// rate (RFC 7160 §4.1).
		if s.sendRate != 0 {
			s.newSendStream()
			s.dtmfTx.active = false
		}
		s.sendRate = p.rate
		s.pcmInN = 0
	}
	if s.dtmfTx.active || (s.dtmfTx.gap == 0 && s.pcmInN == 0 && s.nextDTMF(p)) {
		s.sendDTMFStep(p)
		s.ts += frame
		return
	}
	if s.dtmfTx.gap > 0 {
		s.dtmfTx.gap--
	}
	s.sendAudio(p)
	s.ts += frame
}

// sendAudio reads and converts one 20 ms frame to the codec's rate; once
// a packet's worth is gathered (p.packetFrames frames, the peer's
// a=ptime), it encodes and sends them as one packet stamped with its
// first sample's time (RFC 3550 §5.1). An encoder that returns 0 bytes
// has nothing to send (Opus DTX during silence, RFC 7587 §3.1.3): no
// packet goes out, and the next one starts a talkspurt with the marker
// bit (RFC 3551 §4.1). It does not allocate.
func (s *Session) sendAudio(p *mediaParams) {
	if s.pcmInN == 0 {
		s.pcmInTS = s.ts
	}
	if s.pcmInN+p.frame > len(s.pcmIn) {
		s.pcmInN = 0 // the packet length shrank under us: start over
		s.pcmInTS = s.ts
	}
	pcm := s.pcmIn[s.pcmInN : s.pcmInN+p.frame]
	s.pcmInN += p.frame
	if box := s.input.Load(); box != nil && !s.muted.Load() {
		src := box.src
		var err error
		if rs := s.inConv.get(src.Rate(), p.rate); rs != nil {
			buf := s.inConv.buf[:rs.InFrame()]
			if err = src.ReadFrame(buf); err == nil {
				rs.Process(pcm, buf)
			}
		} else if src.Rate() == p.rate {
			err = src.ReadFrame(pcm)
		} else {
			err = errUnsupportedRate
		}
		if err != nil {
			clear(pcm)
		}
	} else {
		clear(pcm)
	}
	if s.pcmInN < p.packetFrames*p.frame {
		return
	}
	all := s.pcmIn[:s.pcmInN]
	s.pcmInN = 0
	s.adaptLoss(p.enc)
	n := p.enc.Encode(s.encBuf[:], all)
	if n <= 0 {
		s.needMarker = true
		return
	}
	marker := s.needMarker
	s.needMarker = false
	s.writeRTP(p, p.sendPT, marker, s.pcmInTS, s.encBuf[:n])
}

// lossSetter is implemented by encoders that adapt their FEC to the
// expected packet loss (Opus).
type lossSetter interface {
	SetPacketLoss(pct int) error
}

// minFECLoss keeps some FEC on a clean path: a loss of 0 % would make
// libopus drop it, and loss comes in bursts that the last report missed.
const minFECLoss = 1

// adaptLoss hands the loss the peer last reported to an adaptive encoder,
// once per change, on the media goroutine that owns the encoder. It does
// not allocate.
func (s *Session) adaptLoss(enc codec.Encoder) {
	ls, ok := enc.(lossSetter)
	if !ok {
		return
	}
	v := s.peerLoss.Load()
	if v < 0 || (v == s.lossApplied && enc == s.lossEnc) {
		return
	}
	if ls.SetPacketLoss(max(int(v), minFECLoss)) == nil {
		s.lossApplied, s.lossEnc = v, enc
	}
}

// writeRTP marshals one packet into the reused send buffer and writes it.
func (s *Session) writeRTP(p *mediaParams, pt uint8, marker bool, ts uint32, payload []byte) {
	h := &s.sendHdr
	h.PayloadType = pt
	h.Marker = marker
	h.SequenceNumber = s.seq
	h.Timestamp = ts
	// Header.MarshalTo plus a copy keeps the caller-owned buffer and 0
	// allocations (rtp.MarshalPacketTo is deprecated).
	hn, err := h.MarshalTo(s.sendBuf[:])
	if err != nil || hn+len(payload) > len(s.sendBuf) {
		s.st.sendErrors.Add(1)
		return
	}
	n := hn + copy(s.sendBuf[hn:], payload)
	s.seq++
	if err := s.sock.send(s.sendBuf[:n], p.remoteRTP); err != nil {
		s.st.sendErrors.Add(1)
		return
	}
	s.st.packetsSent.Add(1)
	s.st.bytesSent.Add(int64(len(payload)))
	s.st.lastSentTS.Store(ts)
	s.st.lastSentAt.Store(s.opt.clock.Now().UnixNano())
}
